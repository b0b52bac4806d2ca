#!/usr/bin/env bash
# Start a PulseAudio server with a null sink "vg" (for tests and machines with no sound card).
#   bash scripts/pulse.sh start | stop | status
set -euo pipefail
case "${1:-start}" in
  start)
    if ! pactl info >/dev/null 2>&1; then
      pulseaudio -D --exit-idle-time=-1 -n \
        --load="module-null-sink sink_name=vg" \
        --load=module-native-protocol-unix 2>/dev/null || true
      for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    if ! pactl list short sinks | grep -q $'\tvg\t'; then
      pactl load-module module-null-sink sink_name=vg >/dev/null
    fi
    pactl set-default-sink vg
    ;;
  stop)
    pulseaudio --kill 2>/dev/null || true
    ;;
  status)
    pactl info
    ;;
esac
