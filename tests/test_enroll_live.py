"""`voice enroll` by voice, wired to fakes at the device edges only.

The speech cache, the sound output and the microphone are fakes; everything
between them is real: the walk-through, voice activity detection and endpointing
(voiceguide.feedback.listen), the take checks and the person's voice folder.
"""

from __future__ import annotations

import shutil
import stat
import subprocess

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav
from voiceguide.feedback import enroll, enroll_live
from voiceguide.feedback.intents import Answer

pytestmark = pytest.mark.slow  # the spoken walk-through, with real speech

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the enrollment tests (apt-get install espeak-ng)")

RATE = 16000
FRAME = 480


class FakeCache:
    def __init__(self):
        self.rendered: set[str] = set()

    def ensure(self, texts):
        self.rendered.update(texts)

    def clip(self, text):
        self.rendered.add(text)
        return np.zeros(2205, np.float32)


class FakeSink:
    """Plays instantly; tells the microphone what was just said."""

    history = None

    def __init__(self, mic):
        self.mic = mic
        self.tape = 0
        self.said: list[str] = []
        self.closed = False

    def append(self, samples):
        at = self.tape
        self.tape += len(samples)
        return at

    def played(self):
        return self.tape

    def close(self, keep=True):
        self.closed = True


class FakeMicrophone:
    """Answers each prompt with the word in an espeak-ng voice, after some echo of the prompt itself."""

    def __init__(self, folder):
        self.folder = folder
        self.frames: list[tuple[np.ndarray, float, str]] = []
        self.answer: list[tuple[np.ndarray, float, str]] = []  # said once the guide has stopped talking
        self.clock = 0.0
        self.drained_echo = 0
        self.heard_echo = 0
        self.closed = False
        self.rng = np.random.default_rng(3)

    def _push(self, samples, kind, into):
        for k in range(0, len(samples) - FRAME + 1, FRAME):
            into.append((samples[k : k + FRAME].astype(np.float32), self.clock, kind))
            self.clock += FRAME / RATE

    def prompt(self, text: str) -> None:
        word = text.removeprefix("Say: ").rstrip(".")
        t = np.arange(int(0.6 * RATE)) / RATE
        self._push(0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 4 * t)), "echo", self.frames)
        if word not in enroll.ENROLL_WORDS:
            return
        path = self.folder / "w.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", str(self.rng.integers(110, 140)), "-w", str(path), word],
            check=True,
            capture_output=True,
        )
        speech, rate = decode_wav(path.read_bytes())
        speech = np.interp(
            np.linspace(0, len(speech) - 1, int(len(speech) * RATE / rate)), np.arange(len(speech)), speech
        )
        quiet = self.rng.normal(0, 0.001, int(0.3 * RATE))
        self._push(np.concatenate([quiet, 0.5 * speech, quiet, quiet, quiet]), "word", self.answer)

    def read(self, timeout):
        if timeout > 0 and self.answer:
            self.frames += self.answer
            self.answer = []
        if not self.frames:
            return None
        frame, at, kind = self.frames.pop(0)
        if kind == "echo":
            if timeout == 0:
                self.drained_echo += 1
            else:
                self.heard_echo += 1
        return frame, at

    def close(self):
        self.closed = True


class FakeRecogniser:
    def hear(self, samples, rate, expect="any"):
        return Answer(text="", intent="unknown", confidence=0.0, source="voice")


def test_spoken_walk_through_keeps_three_good_takes_of_every_word(tmp_path, voiceguide_home):
    mic = FakeMicrophone(tmp_path)
    cache = FakeCache()
    sink = FakeSink(mic)
    real_append = sink.append

    def append(samples):  # the fake sink hears which prompt the cache gave it
        mic.prompt(cache.last)
        return real_append(samples)

    real_clip = cache.clip

    def clip(text):
        cache.last = text
        return real_clip(text)

    cache.clip, sink.append = clip, append
    outcome = enroll_live.run(
        "anna",
        open_cache=lambda: cache,
        make_sink=lambda output: sink,
        open_microphone=lambda: mic,
        recogniser=FakeRecogniser(),
    )
    assert outcome.finished and not outcome.paused, outcome
    status = enroll.status("anna")
    assert status["words"] == {w: 3 for w in enroll.ENROLL_WORDS}
    assert mic.heard_echo == 0 and mic.drained_echo > 0  # the prompt itself is never a take
    assert set(enroll.ENROLL_WORDS) <= cache.rendered
    assert mic.closed and sink.closed
    takes = voiceguide_home / "people" / "anna" / "voice" / "takes"
    assert len(list(takes.glob("*.wav"))) == 3 * len(enroll.ENROLL_WORDS)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in takes.iterdir())
