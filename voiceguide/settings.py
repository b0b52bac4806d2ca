"""Every environment variable voiceguide reads, in one place.

Each is read when its function is called, never at import, so a test (or a long-lived
caller) that changes the environment is seen at once.

========================  ==========================  ================================================
Variable                  Function                    Meaning
========================  ==========================  ================================================
VOICEGUIDE_HOME           ``home()``                  The data folder (profile, journal, routines,
                                                      speech cache); unset: the platform's user data
                                                      folder.
VOICEGUIDE_CACHE          ``cache()``                 A speech cache shared between data folders
                                                      (tests, kiosks); unset: ``cache/`` in the data
                                                      folder.
VOICEGUIDE_TTS            ``tts()``                   The speech engine to use: ``piper`` (the natural
                                                      voice), ``espeak-ng`` or ``pyttsx3``; unset:
                                                      the natural voice if installed, else espeak-ng.
VOICEGUIDE_DEBUG          ``debug()``                 Any non-empty value: an unexpected error prints
                                                      its traceback instead of one line.
VOICEGUIDE_DEBUG_LISTEN   ``debug_listen()``          The listener's levels each second and what it
                                                      heard: ``1`` on stderr, else the file to append
                                                      to.
VOICEGUIDE_RECORD_LISTEN  ``record_listen()``         For developers: a folder where each session's
                                                      listener keeps every microphone frame and what
                                                      was played then (``listen-*.frames``), to be
                                                      heard again by ``scripts/replay_listen.py``.
                                                      This keeps the room's sound, the person's voice
                                                      included; unset, no audio is ever written.
VOICEGUIDE_DECODE_HELPER  ``decode_helper()``         ``0``: the recogniser decodes everything itself,
                                                      without its helper process (saves about 70 MB;
                                                      benchmarks compare the two); unset: the helper
                                                      runs where there is more than one core.
VOICEGUIDE_STOP_MODEL     ``stop_model()``            For developers: another stop detector (an
                                                      ``.npz`` from ``scripts/train_stop.py``) in
                                                      place of the shipped one, to try a new fit live
                                                      (tests give one that hears nothing); unset:
                                                      the shipped detector.
PULSE_SERVER              ``pulse_server()``          Not ours: the PulseAudio server libpulse talks to;
                                                      ``doctor`` names it when it does not answer.
OPENBLAS_NUM_THREADS      ``one_blas_thread()``       Not ours: numpy's BLAS threads. voiceguide sets
                                                      it to 1 for itself when unset (see there).
========================  ==========================  ================================================

An empty value counts as unset everywhere.
"""

from __future__ import annotations

import os


def _get(name: str) -> str | None:
    return os.environ.get(name) or None


def home() -> str | None:
    """VOICEGUIDE_HOME: the data folder, or None for the platform's default."""
    return _get("VOICEGUIDE_HOME")


def cache() -> str | None:
    """VOICEGUIDE_CACHE: a speech cache folder shared between data folders, or None."""
    return _get("VOICEGUIDE_CACHE")


def tts() -> str | None:
    """VOICEGUIDE_TTS: the speech engine's name, or None to pick the one that works."""
    return _get("VOICEGUIDE_TTS")


def debug() -> bool:
    """VOICEGUIDE_DEBUG: show tracebacks of unexpected errors."""
    return _get("VOICEGUIDE_DEBUG") is not None


def debug_listen() -> str:
    """VOICEGUIDE_DEBUG_LISTEN: "" (off), "1" (stderr) or a file to append the listener's log to."""
    return _get("VOICEGUIDE_DEBUG_LISTEN") or ""


def record_listen() -> str:
    """VOICEGUIDE_RECORD_LISTEN: "" (off) or a folder where each listener keeps what it heard and
    what was played, frame by frame, to be heard again offline (scripts/replay_listen.py)."""
    return _get("VOICEGUIDE_RECORD_LISTEN") or ""


def decode_helper() -> bool:
    """VOICEGUIDE_DECODE_HELPER: False when "0" (no helper process beside the recogniser)."""
    return _get("VOICEGUIDE_DECODE_HELPER") != "0"


def helper_environment(package_root: str) -> dict[str, str]:
    """The environment for the recogniser's helper process: ours, with this voiceguide first on
    its import path (it runs `python -m voiceguide.feedback.decode_worker`, also from a checkout)."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, _get("PYTHONPATH")])))


def stop_model() -> str | None:
    """VOICEGUIDE_STOP_MODEL: another stop detector's file, or None for the shipped one."""
    return _get("VOICEGUIDE_STOP_MODEL")


def pulse_server() -> str | None:
    """PULSE_SERVER: the sound server every PulseAudio client here talks to, when not the default."""
    return _get("PULSE_SERVER")


def engine_environment() -> dict[str, str]:
    """The environment for a speech engine's own process (piper): ours, with onnxruntime's
    telemetry off (ORT_DISABLE_TELEMETRY=1, set before it loads; voiceguide sends nothing)."""
    env = dict(os.environ, ORT_DISABLE_TELEMETRY="1")
    env.pop("PYTHONPATH", None)
    return env


def telemetry_off_in_this_process() -> None:
    """ORT_DISABLE_TELEMETRY=1 here, before onnxruntime loads in this process (the word listener):
    its wheel reports telemetry otherwise; voiceguide sends nothing."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"


def one_blas_thread() -> None:
    """OPENBLAS_NUM_THREADS=1 unless set, before numpy loads in this process and for the processes
    it starts. The listener's matrices are small: OpenBLAS's helper threads gave it no time back,
    and spinning while they wait they cost 42 % more CPU, taken from the sound on a two-core
    machine (scripts/bench_stop_start.py, 2026-12-04: 215 s of CPU against 151 s, the same wall
    time, the same stops heard; 2.57 against 1.88 ms a frame)."""
    if not _get("OPENBLAS_NUM_THREADS"):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
