"""Where answers come from: keys, voice or lines of stdin."""
