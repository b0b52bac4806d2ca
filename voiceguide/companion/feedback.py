"""Taps on the companion page as answers: one more source, merged with the session's own.

A tap is queued as the key it stands for and read like a key (intents.from_key), with the
source `companion` and the moment it arrived, so that the player journals it, says it back,
holds it to every cap and stop rule (through its one Conversation) and times its response,
exactly as it does for a key pressed on the terminal.
"""

from __future__ import annotations

import queue
import time
from dataclasses import replace

from voiceguide.feedback.decision import calls_for_stop
from voiceguide.feedback.intents import Answer, from_key, understand
from voiceguide.feedback.sources import Feedback

SLICE = 0.02  # seconds: how long the session's own source is asked before the taps are looked at again
# The page's buttons and the keys they stand for (the same meanings as the terminal's keys).
BUTTONS = {
    **{str(n): str(n) for n in range(10)},
    "10": "t",
    "more": "+",
    "less": "-",
    "good": "g",
    "no": "x",
    "pause": " ",
    "continue": "c",
    "repeat": "r",
    "next": "n",
    "stop": "s",
    "left": "word:left",  # words, not keys: "r" is repeat except at the side question
    "right": "word:right",
}


class Taps:
    """Button presses from the page, in order, each with the time.monotonic() it arrived."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[str, float]] = queue.Queue()

    def press(self, button: str) -> bool:
        key = BUTTONS.get(button)
        if key is None:
            return False
        self.queue.put((key, time.monotonic()))
        return True

    def stop_waiting(self) -> bool:
        """The page's STOP tapped and not yet read."""
        with self.queue.mutex:
            waiting = [key for key, _ in self.queue.queue]
        return any(not key.startswith("word:") and calls_for_stop(from_key(key, "any")) for key in waiting)

    def take(self, expect: str, wait: float = 0.0) -> Answer | None:
        try:
            key, at = self.queue.get(timeout=wait) if wait > 0 else self.queue.get_nowait()
        except queue.Empty:
            return None
        if key.startswith("word:"):
            return replace(understand(key[5:], expect, source="companion"), at=at)
        return replace(from_key(key, expect), source="companion", at=at)


class WithCompanion:
    """The session's feedback (keys, voice, lines or none) plus taps from the page."""

    def __init__(self, base: Feedback, taps: Taps) -> None:
        self.base = base
        self.taps = taps
        # with no other source, questions still wait for a tap
        self.name = "companion" if base.name == "none" else base.name

    def stop_waiting(self) -> bool:
        return self.taps.stop_waiting() or self.base.stop_waiting()

    def poll(self) -> Answer | None:
        return self.taps.take("any") or self.base.poll()

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        deadline = time.monotonic() + timeout
        base_done = False  # a source that answers at once with nothing (lines at their end, no feedback)
        while True:
            tap = self.taps.take(expect)
            if tap is not None:
                return tap
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if base_done:
                tap = self.taps.take(expect, min(SLICE * 5, left))
                if tap is not None:
                    return tap
                continue
            started = time.monotonic()
            got = self.base.answer(expect, min(SLICE, left), realtime)
            if got is not None:
                return got
            base_done = time.monotonic() - started < SLICE / 2

    def notes(self) -> list[tuple[str, dict]]:
        return self.base.notes()

    def timing(self, answer: Answer) -> dict:
        return {} if answer.source == "companion" else self.base.timing(answer)

    def close(self) -> None:
        self.base.close()
