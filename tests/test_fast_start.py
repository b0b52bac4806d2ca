"""The fast start's pieces, on a fake cache: the opening chime plays while the first sentence is
still rendering, a clip that is nearly ready is waited for unheard, and a late one is announced."""

from __future__ import annotations

import threading
import time

import numpy as np

from voiceguide.audio import timeline
from voiceguide.cues import CUE_SECONDS
from voiceguide.plan import Segment, renumber
from voiceguide.session import AHEAD_BLOCK_SECONDS, AHEAD_GRACE_SECONDS, AheadSpeech


class SlowCache:
    """Clips appear after a delay each, rendered one after the other in a background thread."""

    def __init__(self, delays: dict[str, float]) -> None:
        self.made: set[str] = set()
        self.rendered_here: list[str] = []
        self.thread = threading.Thread(target=self._work, args=(dict(delays),), daemon=True)
        self.thread.start()

    def _work(self, delays: dict[str, float]) -> None:
        for text, delay in delays.items():
            time.sleep(delay)
            self.made.add(text)

    def has(self, text: str) -> bool:
        return text in self.made

    def rendering_ahead(self) -> bool:
        return self.thread.is_alive()

    def clip(self, text: str) -> np.ndarray:
        if text not in self.made:
            self.rendered_here.append(text)
            self.made.add(text)
        return np.zeros(10, dtype=np.float32)

    def seconds(self, text: str) -> float:
        return 1.0


def test_a_clip_nearly_ready_is_waited_for_without_a_word():
    waits: list[str] = []
    cache = SlowCache({"Welcome.": AHEAD_GRACE_SECONDS / 4})
    AheadSpeech(cache, lambda: waits.append("One moment.")).clip("Welcome.")
    assert waits == [] and cache.rendered_here == []  # the background made it, in time


def test_a_late_clip_is_announced_once_then_made():
    waits: list[str] = []
    cache = SlowCache({"Welcome.": 5.0})
    began = time.monotonic()
    AheadSpeech(cache, lambda: waits.append("One moment.")).clip("Welcome.")
    assert waits == ["One moment."] and cache.rendered_here == ["Welcome."]
    assert time.monotonic() - began < AHEAD_GRACE_SECONDS + 0.5  # the grace, not the whole render


def test_the_opening_chime_is_a_block_of_its_own_while_speech_renders_ahead():
    segments = renumber(
        [
            Segment(0, 0, CUE_SECONDS["start"], "cue", sound="start"),
            Segment(0, 0, 4.0, "speech", text="Welcome."),
            Segment(0, 0, CUE_SECONDS["next"], "cue", sound="next"),
            Segment(0, 0, 3.0, "speech", text="Glide slowly."),
        ]
    )
    blocks = list(timeline.block_ranges(segments, 0, AHEAD_BLOCK_SECONDS))
    assert blocks[0] == (0, 0)  # the chime plays while "Welcome." is rendered
    assert (2, 2) not in blocks and (2, 3) in blocks  # other cues stay with the step they announce
    assert list(timeline.block_ranges(segments, 0)) == [(0, 3)]  # all rendered: one block
