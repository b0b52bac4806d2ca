"""The player alone, with a tape that moves on each look, fake speech and scripted answers.

No sound card and no clock: `TapeSink` claims to play in real time (so keys between questions
are looked at, as on a device) but advances its tape by a fixed step every time the player
asks where it is. `Script` gives keys at moments of the session (when a segment is reached)
and answers to questions in order; it checks that every wait was announced with a question.
Shared by test_player.py (moments chosen by hand) and test_random_answers.py (chosen at random).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from voiceguide import planner
from voiceguide.adapt import State
from voiceguide.audio.pcm import SAMPLE_RATE
from voiceguide.feedback.intents import CONFIRM, Answer, from_key, understand
from voiceguide.feedback.sources import Plain
from voiceguide.player import Player

STEP = SAMPLE_RATE // 2  # tape moved per look: half a second
DOUBTFUL = 0.7  # "doubt:WORD": heard from CONFIRM (0.63), under ACCEPT (0.89)


class TapeSink:
    realtime = True
    underruns = 0

    def __init__(self) -> None:
        self.end = 0
        self.pos = 0
        self.flushes = 0

    def append(self, samples: np.ndarray) -> int:
        start = self.end
        self.end += len(samples)
        return start

    def played(self) -> int:
        self.pos = min(self.end, self.pos + STEP)
        return self.pos

    def flush(self) -> None:
        self.flushes += 1
        self.end = self.pos

    def silence(self, seconds: float) -> None:
        pass

    def check(self) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        pass

    def watch(self, pos: int) -> None:
        pass

    def heard_at(self, pos: int) -> float | None:
        return None

    def silent_at(self) -> float | None:
        return None


class FakeSpeech:
    """Clips of silence whose length follows the text; remembers everything said."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def seconds(self, text: str) -> float:
        return 0.5 + len(text) / 40

    def clip(self, text: str) -> np.ndarray:
        self.said.append(text)
        return np.zeros(int(self.seconds(text) * SAMPLE_RATE), dtype=np.float32)


def cue(sound: str) -> np.ndarray:
    return np.zeros(SAMPLE_RATE // 4, dtype=np.float32)


class Script(Plain):
    """Keys pressed when a segment is reached, and answers to questions in order."""

    name = "keys"

    def __init__(self, events: list[tuple[str, dict]], answers: list[str], keys_at=()) -> None:
        self.events = events
        self.answers = list(answers)
        self.keys_at: list[tuple[Callable[[dict], bool], str]] = list(keys_at)
        self.unannounced: list[dict] = []

    def poll(self) -> Answer | None:
        last = next((d for e, d in reversed(self.events) if e == "segment"), None)
        for i, (when, key) in enumerate(self.keys_at):
            if last is not None and when(last):
                del self.keys_at[i]
                if key.startswith("doubt:"):  # a flow word heard between CONFIRM and ACCEPT
                    return understand(key[6:], "any", source="voice", confidence=DOUBTFUL)
                if key.startswith("backed:"):  # the same, that the word listener is all but sure of
                    heard = understand(key[7:], "any", source="voice", confidence=CONFIRM)
                    return replace(heard, backed=True)
                return unsure(key[7:]) if key.startswith("unsure:") else from_key(key, "any")
        return None

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        waits = [d for e, d in self.events if e in ("segment", "reask", "readback", "waiting")]
        if not waits or "question" not in waits[-1]:
            self.unannounced.append(waits[-1] if waits else {})
        if expect in ("ready", "side"):  # the first two questions: Enter, and the left side
            return from_key("\n" if expect == "ready" else "l", expect)
        if not self.answers:
            return None
        text = self.answers.pop(0)
        if text == "":
            return None
        if text.startswith("voice:"):
            return understand(text[6:], expect, source="voice", confidence=0.95)
        if text.startswith("unsure:"):
            return unsure(text[7:])
        if text.startswith("instead:"):  # a stop only the detector heard in words the decoder was sure of
            return Answer("stop", "unknown", None, 0.199, "voice", instead=text[8:])
        return from_key(text, expect) if len(text) == 1 else understand(text, expect, source="keys")

    def close(self) -> None:
        pass


def unsure(word: str) -> Answer:
    """A stop or symptom word heard, but not clearly: silence, then "Did you say ...?"."""
    return Answer(text=word, intent="unknown", value=None, confidence=0.15, source="voice")


def play(library, request, answers, keys_at=(), state=None, display=None, script=None):
    """Plan and play a session; `script`: makes the answerer from the event list (default: a
    Script of `answers` and `keys_at`)."""
    speech = FakeSpeech()
    plan = planner.build(library, request, timer=speech)
    events: list[tuple[str, dict]] = []
    script = script(events) if script is not None else Script(events, answers, keys_at)
    player = Player(
        plan,
        library,
        speech,
        cue,
        TapeSink(),
        script,
        lambda event, data: events.append((event, data)),
        state or State(cap=plan.max_pressure),
        answer_window=4.0,
        display=display,
    )
    play_now = player.play_now

    def heard(samples: np.ndarray, until_stop: bool = False) -> None:  # a reply or a tone outside the blocks
        events.append(("heard", {"seconds": len(samples) / SAMPLE_RATE}))
        play_now(samples, until_stop)

    player.play_now = heard  # type: ignore[method-assign]
    outcome = player.run()
    assert script.unannounced == [], "the player waited without a question"
    return outcome, events, speech, player
