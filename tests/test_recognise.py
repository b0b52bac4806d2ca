"""The offline recogniser, on speech synthesised at test time with espeak-ng.

Only the rejection side is tested here: what must never be accepted. Acceptance of
real answers is far below target (scripts/bench_recognition.py): see issue 5's note.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the recogniser tests (apt-get install espeak-ng)")

from voiceguide.feedback.recognise import Recogniser  # noqa: E402


@pytest.fixture(scope="module")
def rec() -> Recogniser:
    return Recogniser()


@pytest.fixture(scope="module")
def say(tmp_path_factory):
    folder = tmp_path_factory.mktemp("espeak")

    def speak(text: str, voice: str = "en-us", rate: int = 150) -> tuple[np.ndarray, int]:
        path = folder / "clip.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text], check=True)
        samples, sr = decode_wav(path.read_bytes())
        pad = np.zeros(int(0.2 * sr), np.float32)
        return np.concatenate([pad, samples, pad]), sr

    return speak


def test_silence_and_noise_are_unknown(rec):
    rng = np.random.default_rng(1)
    for samples in (
        np.zeros(16000, np.float32),
        (rng.standard_normal(16000) * 0.1).astype(np.float32),
        np.zeros(0, np.float32),
    ):
        a = rec.hear(samples, 16000, "any")
        assert a.intent == "unknown" and a.value is None


def test_out_of_vocabulary_sentence_is_unknown(rec, say):
    assert rec.hear(*say("the weather is nice today"), expect="any").intent == "unknown"


def test_number_is_not_a_pressure_answer(rec, say):
    a = rec.hear(*say("seven"), expect="pressure")
    assert a.intent not in ("more", "less", "good"), a


def test_missing_pocketsphinx_raises_no_recogniser(monkeypatch):
    import builtins

    from voiceguide.errors import NoRecogniser

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "pocketsphinx":
            raise ImportError("no pocketsphinx")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(NoRecogniser) as e:
        Recogniser()
    assert "pip install pocketsphinx" in e.value.hint
