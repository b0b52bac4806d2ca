"""How long a sentence takes to say, behind one small interface.

The planner needs lengths before any audio exists. An estimate from the word
count is enough for a plan on paper; the audio layer supplies the real length
of each rendered clip, so that plan starts are where speech really begins.
"""

from __future__ import annotations

import re
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


class GenerousSpeech:
    """A length the natural voice's clip does not exceed (checked on every sentence of the library
    by tests/test_piper.py): a session can be timed with it before the clip is rendered, and the
    clip then fits its slot (a little more pause after it, never a later start).

    Fitted on the packaged Piper voice at its calm pace (letters, sentence ends and commas each
    take their time), then made 10 % + 0.5 s longer: the longest clip fills 96 % of its slot,
    the median leaves about one second more pause.
    """

    PER_LETTER = 0.0704
    PER_SENTENCE = 1.2306
    PER_COMMA = 0.5819
    OFFSET = -0.9315
    MARGIN = 1.1
    EXTRA = 0.5

    def seconds(self, text: str) -> float:
        letters = sum(c.isalnum() for c in text)
        sentences = max(1, len(re.findall(r"[.?!]+(?:\s|$)", text)))
        commas = sum(text.count(c) for c in ",;:")
        fitted = (
            self.PER_LETTER * letters + self.PER_SENTENCE * sentences + self.PER_COMMA * commas + self.OFFSET
        )
        return round(max(fitted, 0.5) * self.MARGIN + self.EXTRA, 3)
