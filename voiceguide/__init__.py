"""voiceguide: voice-guided massage sessions for sciatica that listen and adapt."""

__version__ = "0.1.0"
