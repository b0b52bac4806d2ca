"""The spoken enrollment walk-through, driven by a fake voice and a fake microphone.

The fake microphone answers each prompt with espeak-ng speech of the word it was
asked for (or with a scripted bad take), and a fake clock adds up how long the
walk-through would take with real speech and real answers.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav
from voiceguide.feedback.enroll import ENROLL_WORDS
from voiceguide.feedback.enroll_live import trim_end
from voiceguide.feedback.walkthrough import Store, walk_through

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the walk-through tests (apt-get install espeak-ng)")

RATE = 16000
# Each take below carries 0.2 s of silence before and after the word; on top of that:
REACTION_SECONDS = 0.3  # from the end of the prompt until the person starts speaking
ENDPOINT_SECONDS = 0.1  # listen.py ends an utterance after 210 ms of silence, then hands it over


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    """Each word as a take: espeak-ng at 16 kHz, a new speed and pitch each time."""
    folder = tmp_path_factory.mktemp("walk")
    rng = np.random.default_rng(11)

    def take(word: str) -> np.ndarray:
        path = folder / "w.wav"
        subprocess.run(
            [
                "espeak-ng",
                "-v",
                "en-us",
                "-s",
                str(rng.integers(140, 190)),
                "-p",
                str(rng.integers(35, 65)),
                "-w",
                str(path),
                word,
            ],
            check=True,
            capture_output=True,
        )
        samples, rate = decode_wav(path.read_bytes())
        x = np.interp(
            np.linspace(0, len(samples) - 1, int(len(samples) * RATE / rate)),
            np.arange(len(samples)),
            samples,
        )
        pad = np.zeros(int(0.2 * RATE))
        return (np.concatenate([pad, 0.5 * x, pad]) + rng.normal(0, 0.002, len(x) + 2 * len(pad))).astype(
            np.float32
        )

    return take


_PROMPTS: dict[str, float] = {}


def prompt_seconds(text: str) -> float:
    """How long the guide takes to say it: the real espeak-ng clip, trimmed as the live walk-through does."""
    if text not in _PROMPTS:
        out = subprocess.run(["espeak-ng", "--stdout", text], check=True, capture_output=True).stdout
        clip = np.frombuffer(out[44 : 44 + (len(out) - 44) // 2 * 2], "<i2").astype(np.float32)
        _PROMPTS[text] = len(trim_end(clip, 22050)) / 22050
    return _PROMPTS[text]


class Person:
    """Says back whatever word the guide asked for, except where the script says otherwise."""

    def __init__(self, voice, script=None, interrupt_after=None):
        self.voice = voice
        self.script = dict(script or {})  # (word, nth time asked) -> "silence" | "clipped" | "wrong" | "none"
        self.said: list[str] = []
        self.asked: dict[str, int] = {}
        self.word = None
        self.seconds = 0.0
        self.captures = 0
        # CPU time spent making the fake answers, not part of the walk-through (CPU, not wall
        # time: under the test workers' load, at a low priority, wall time said 11.4 s, 2026-12-04)
        self.synthesis = 0.0
        self.interrupt_after = interrupt_after

    def say(self, text: str) -> None:
        self.said.append(text)
        self.seconds += prompt_seconds(text) + 0.1  # + the sound output's latency
        word = text.rstrip(".").removeprefix("Say: ")
        if word in ENROLL_WORDS:
            self.word = word

    def capture(self, timeout: float):
        self.captures += 1
        if self.interrupt_after is not None and self.captures > self.interrupt_after:
            raise KeyboardInterrupt
        word = self.word
        n = self.asked[word] = self.asked.get(word, 0) + 1
        kind = self.script.get((word, n))
        if kind == "none":
            self.seconds += timeout
            return None
        if kind == "silence":
            self.seconds += 1.0
            return np.zeros(RATE // 2, np.float32)
        started = time.thread_time()
        x = self.voice("three" if kind == "wrong" and word != "three" else word)
        self.synthesis += time.thread_time() - started
        if kind == "clipped":
            x = np.clip(x * 50, -1, 1)
        self.seconds += REACTION_SECONDS + len(x) / RATE + ENDPOINT_SECONDS
        return x


def memory_store():
    takes: list[tuple[str, np.ndarray, int]] = []
    return takes, Store(load=lambda: list(takes), save=lambda w, s, r: takes.append((w, s, r)))


def test_every_word_three_takes_in_under_three_minutes(voice):
    person = Person(voice)
    takes, store = memory_store()
    # The take checks' own CPU time, in this thread: numpy's BLAS runs on one thread in the tests
    # (conftest.py), and threads left by other tests in this worker are not counted.
    started = time.thread_time()
    outcome = walk_through(person.say, person.capture, RATE, store, heard=lambda samples, rate: None)
    computing = time.thread_time() - started - person.synthesis
    assert outcome.finished and not outcome.paused
    assert {w: sum(1 for t in takes if t[0] == w) for w in ENROLL_WORDS} == {w: 3 for w in ENROLL_WORDS}
    assert person.seconds + computing < 180, (person.seconds, computing)
    # Rounds, not three in a row: the second take of "zero" comes after the first of "dizzy".
    order = [t[0] for t in takes]
    assert order.index("dizzy") < len(order) - 1 - order[::-1].index("zero")
    assert outcome.refused == []


def test_bad_takes_are_asked_again(voice):
    script = {("seven", 1): "silence", ("more", 1): "clipped", ("four", 2): "wrong", ("nine", 1): "none"}
    person = Person(voice, script)
    takes, store = memory_store()
    outcome = walk_through(
        person.say, person.capture, RATE, store, words=["seven", "more", "four", "three", "nine"]
    )
    assert outcome.finished
    assert sum(1 for t in takes if t[0] == "four") == 3
    why = dict(outcome.refused)
    assert "silence" in why["seven"] and "clipped" in why["more"] and "three" in why["four"]
    assert any(s.endswith("Again.") for s in person.said)
    assert "I didn't hear that." in person.said
    assert person.asked["seven"] == 4 and person.asked["four"] == 4


def test_interrupted_walk_through_resumes_where_it_stopped(voice):
    words = ["one", "two", "stop"]
    takes, store = memory_store()
    first = Person(voice, interrupt_after=4)
    outcome = walk_through(first.say, first.capture, RATE, store, words=words)
    assert outcome.paused and not outcome.finished and len(takes) == 4

    second = Person(voice)
    outcome = walk_through(second.say, second.capture, RATE, store, words=words)
    assert outcome.finished and second.captures == 5
    assert "carry on" in second.said[0]
    assert {w: sum(1 for t in takes if t[0] == w) for w in words} == {w: 3 for w in words}

    third = Person(voice)
    assert walk_through(third.say, third.capture, RATE, store, words=words).finished
    assert third.captures == 0


def test_no_answers_pause_the_walk_through(voice):
    person = Person(voice, {("zero", 1): "none", ("zero", 2): "none"})
    takes, store = memory_store()
    outcome = walk_through(person.say, person.capture, RATE, store, words=["zero", "one"])
    assert outcome.paused and takes == []
    assert "carry on" in person.said[-1]
