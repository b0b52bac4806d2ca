"""How long a sentence takes to say, behind one small interface.

The planner needs lengths before any audio exists. An estimate from the word
count is enough for a plan on paper; the audio layer supplies the real length
of each rendered clip, so that plan starts are where speech really begins.
"""

from __future__ import annotations

from typing import Protocol

PAUSE_AFTER_SPEECH = 0.6  # a breath between one instruction and the next


class SpeechTimer(Protocol):
    def seconds(self, text: str) -> float:
        """Length of the spoken clip for text, without the pause after it."""
        ...


class EstimatedSpeech:
    """espeak-ng speaks about 175 words a minute at its default rate."""

    def __init__(self, words_per_minute: float = 165.0) -> None:
        self.words_per_minute = words_per_minute

    def seconds(self, text: str) -> float:
        words = max(1, len(text.split()))
        sentences = max(1, text.count(".") + text.count("?") + text.count("!"))
        return round(words * 60.0 / self.words_per_minute + 0.25 * sentences, 3)
