"""The cue tones: how each one is made, and where the packaged WAVs are found.

Soft bell-like notes (a few decaying harmonics) with a raised-cosine attack and
release, so no cue clicks; under the start cue, a soft swell of noise (SWELL). Each
is exactly CUE_SECONDS long and peaks at about the level of espeak-ng speech, so
cues neither startle nor vanish.
`scripts/make_cues.py` writes them to audio_cues/; when a file is missing the
same tone is made in memory, so a session never goes without its cues.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from voiceguide.audio.pcm import SAMPLE_RATE, active_rms_db, read_clip
from voiceguide.cues import CUE_SECONDS

SPEECH_LEVEL_DB = -20.0  # active RMS of espeak-ng speech, measured
TICK_LEVEL_DB = -34.0  # the interval tick is meant to be barely there

# Each cue: notes as (start s, frequency Hz, length s); a glide is (start, f0, length, f1).
NOTES: dict[str, list[tuple[float, ...]]] = {
    "start": [(0.0, 523.25, 0.6), (0.35, 783.99, 0.85)],  # C5 then G5: opening
    "end": [(0.0, 783.99, 0.6), (0.35, 659.25, 0.6), (0.7, 523.25, 0.9)],  # G5 E5 C5: closing
    "switch": [(0.0, 659.25, 0.35), (0.4, 659.25, 0.5)],  # two equal notes: swap sides
    "next": [(0.0, 587.33, 0.6)],  # one soft D5: next step
    "question": [(0.0, 659.25, 0.25), (0.25, 880.0, 0.35)],  # rising E5-A5: a question
    "pressure-up": [(0.0, 440.0, 0.5, 660.0)],  # glide up
    "pressure-down": [(0.0, 660.0, 0.5, 440.0)],  # glide down
    "stop": [(0.0, 392.0, 0.45), (0.5, 392.0, 0.5)],  # two low G4s: alert, not alarm
    "tick": [(0.0, 1046.5, 0.15)],  # a faint high tap
}


# A soft swell of band-limited noise under a cue, as (dB under the notes, low Hz, high Hz). Why: the
# start cue is the first sound a session plays, and a few bell notes excite too few frequencies for
# the echo canceller to learn the room, so a stop said in the first sentence was heard through an
# unlearnt echo. Under the start cue the swell teaches it the whole speech band before anyone
# speaks (scripts/bench_stop_start.py, a stop said in the first seconds: 22 -> 27 of 28; 6 dB under the
# echo 8 -> 13 of 14). Below 4 kHz, like the notes: energy above 5 kHz would still mean a click.
SWELL: dict[str, tuple[float, float, float]] = {"start": (-6.0, 150.0, 4000.0)}
SWELL_SEED = 7  # the same swell every time: the packaged WAV is reproducible


def _swell(n: int, low: float, high: float) -> np.ndarray:
    """Pink-ish noise between low and high Hz that rises and falls smoothly (a breath, not a hiss)."""
    spectrum = np.fft.rfft(np.random.default_rng(SWELL_SEED).standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    shaped = spectrum * ((f >= low) & (f <= high)) / np.sqrt(np.maximum(f, 1.0))
    return np.fft.irfft(shaped, n) * _envelope(n, 0.15, 0.3)


def _envelope(n: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n, dtype=np.float64)
    a = min(n // 2, max(1, int(attack * SAMPLE_RATE)))
    r = min(n - a, max(1, int(release * SAMPLE_RATE)))
    env[:a] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, a))
    env[n - r :] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, r))
    return env


def _note(frequency: float, length: float, end_frequency: float | None = None) -> np.ndarray:
    n = int(round(length * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    if end_frequency is None:
        phase = 2 * np.pi * frequency * t
    else:  # linear glide: integrate the frequency
        f = frequency + (end_frequency - frequency) * t / max(length, 1e-9)
        phase = 2 * np.pi * np.cumsum(f) / SAMPLE_RATE
    tone = np.sin(phase) + 0.3 * np.sin(2 * phase) + 0.1 * np.sin(3 * phase)
    decay = np.exp(-t * 3.0)
    return tone * decay * _envelope(n, 0.012, min(0.12, length / 3))


def make_cue(name: str) -> np.ndarray:
    """The cue as float32 mono at SAMPLE_RATE, exactly CUE_SECONDS[name] long."""
    total = int(round(CUE_SECONDS[name] * SAMPLE_RATE))
    out = np.zeros(total, dtype=np.float64)
    for note in NOTES[name]:
        start, frequency, length = note[0], note[1], note[2]
        end_frequency = note[3] if len(note) > 3 else None
        s = int(round(start * SAMPLE_RATE))
        length = min(length, (total - s) / SAMPLE_RATE)
        if length <= 0:
            continue
        tone = _note(frequency, length, end_frequency)
        out[s : s + len(tone)] += tone
    if name in SWELL:
        under, low, high = SWELL[name]
        swell = _swell(total, low, high)
        gain = active_rms_db(out.astype(np.float32)) + under - active_rms_db(swell.astype(np.float32))
        out += swell * 10 ** (gain / 20)
    out *= _envelope(total, 0.002, 0.02)  # the whole cue starts and ends at zero
    target = TICK_LEVEL_DB if name == "tick" else SPEECH_LEVEL_DB
    level = active_rms_db(out.astype(np.float32))
    out *= 10 ** ((target - level) / 20)
    peak = float(np.max(np.abs(out))) or 1.0
    if peak > 0.89:
        out *= 0.89 / peak
    return out.astype(np.float32)


def cue_dirs() -> list[Path]:
    """Inside the installed package first, then the source tree's audio_cues/."""
    here = Path(__file__).resolve().parent.parent
    return [here / "audio_cues", here.parent / "audio_cues"]


@cache
def load_cue(name: str) -> np.ndarray:
    if name not in CUE_SECONDS:
        raise KeyError(name)
    for folder in cue_dirs():
        path = folder / f"{name}.wav"
        if path.is_file():
            try:
                clip = read_clip(path)
            except Exception:  # a damaged cue file must not silence a session
                continue
            want = int(round(CUE_SECONDS[name] * SAMPLE_RATE))
            if abs(len(clip) - want) <= 1:
                return clip[:want] if len(clip) >= want else np.pad(clip, (0, want - len(clip)))
    return make_cue(name)
