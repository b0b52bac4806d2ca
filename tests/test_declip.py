"""Clipped speech drawn again (voiceguide/feedback/declip.py): the waveform it gives back, and what
the recogniser and an enrolled person's match make of answers cut flat by a too-loud microphone.
How much it helps is measured by scripts/bench_declip.py, not here."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav
from voiceguide.feedback import declip, recognise
from voiceguide.feedback.decision import REJECT, at_question
from voiceguide.feedback.declip import CLIP_LEVEL, clipped_share, restore

RATE = 16000


def sine(amplitude: float, hz: float = 220.0, seconds: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def snr_db(truth: np.ndarray, heard: np.ndarray) -> float:
    """How near `heard` is to `truth` at the best level for it (the listeners ignore level)."""
    scale = float(np.dot(truth, heard) / np.dot(heard, heard))
    error = truth - scale * heard
    return 10 * np.log10(float(np.sum(truth**2)) / float(np.sum(error**2)))


def test_an_answer_with_nothing_at_full_scale_is_given_back_untouched():
    x = sine(0.9)
    assert restore(x) is x
    assert clipped_share(x) == 0.0
    assert clipped_share(np.zeros(0)) == 0.0


def test_a_cut_sine_is_drawn_nearer_to_what_was_said_and_under_full_scale():
    truth = sine(1.6)
    cut = np.clip(truth, -1.0, 1.0)
    assert clipped_share(cut) > 0.3
    drawn = restore(cut)
    assert drawn.dtype == np.float32 and drawn.shape == cut.shape
    assert np.max(np.abs(drawn)) <= 1.0  # never cut again when it is turned into 16-bit samples
    assert snr_db(truth, drawn) > snr_db(truth, cut) + 10.0


@pytest.mark.parametrize("amplitude", [1.3, 3.0, 20.0])
def test_peaks_are_drawn_above_the_cut_but_never_past_twice_full_scale(amplitude):
    cut = np.clip(sine(amplitude), -1.0, 1.0)
    drawn = restore(cut)
    # The whole answer is scaled back under full scale by its highest drawn peak: the samples that
    # were never cut tell by how much.
    untouched = (np.abs(cut) < CLIP_LEVEL) & (np.abs(cut) > 0.1)
    scale = np.abs(cut[untouched]) / np.abs(drawn[untouched])
    assert np.allclose(scale, scale[0], rtol=1e-4)
    assert 1.0 < scale[0] <= declip.MOST + 1e-4
    assert np.max(np.abs(drawn)) == pytest.approx(1.0)


def test_a_run_at_an_end_of_the_clip_stays_flat():
    x = np.concatenate([np.ones(20, np.float32), sine(0.5)])
    drawn = restore(x)
    assert np.all(drawn[:20] == drawn[0])  # nothing before it to draw from


@pytest.fixture(scope="module")
def say(tmp_path_factory):
    if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
        pytest.fail("espeak-ng is needed (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("espeak")

    def speak(text: str, voice: str, gain: float) -> tuple[np.ndarray, int]:
        path = folder / "clip.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
        samples, rate = decode_wav(path.read_bytes())
        return np.clip(samples / np.max(np.abs(samples)) * gain, -1.0, 1.0).astype(np.float32), rate

    return speak


@pytest.fixture(scope="module")
def rec() -> recognise.Recogniser:
    return recognise.Recogniser()


@pytest.mark.parametrize("voice", ["en+m3", "en-gb-scotland", "en+f4"])
def test_a_stop_cut_at_sixteen_times_full_scale_is_still_heard(rec, say, voice):
    """The speech gate judges the clip as it came: en+m3's stop, drawn again, failed its pitch test."""
    samples, rate = say("stop", voice, 16.0)
    assert clipped_share(samples) > 0.1
    info = rec.details(samples, rate, "any")
    assert info["gate"] is None
    decided = at_question(rec.answer(info, "any"), "any")
    assert decided.action != REJECT and decided.answer.intent == "stop"


def test_the_recogniser_hears_the_answer_drawn_again(rec, say, monkeypatch):
    samples, rate = say("seven", "en-us", 4.0)
    seen: list[np.ndarray] = []

    def spy(x: np.ndarray) -> np.ndarray:
        seen.append(x)
        return restore(x)

    monkeypatch.setattr(declip, "restore", spy)
    answer = rec.hear(samples, rate, "number")
    assert len(seen) == 1 and clipped_share(seen[0]) > 0.02
    assert (answer.intent, answer.value) == ("number", 7)
