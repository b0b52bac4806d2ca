"""Segments -> blocks of mixed PCM, one block from one checkpoint to the next.

Pure: clips come in through two functions, PCM comes out. Inside a block every
onset is exact to the sample; only block starts are scheduled by the player.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from voiceguide.audio.pcm import SAMPLE_RATE, seconds_to_samples
from voiceguide.plan import Segment

TICK_EVERY = 15.0  # seconds between soft ticks in a long hold
TICK_MIN_HOLD = 30.0  # holds shorter than this get no ticks
TICK_CLEAR_OF_END = 5.0


@dataclass
class Block:
    first: int  # index of its first segment in the segment list
    last: int  # index of its last segment (a checkpoint, or the end)
    start: float  # plan time where it starts
    samples: np.ndarray  # float32 mono at SAMPLE_RATE, the whole planned length
    listen_at: int  # sample where the answer window opens (len(samples) when none)
    checkpoint: Segment | None
    segments: list[Segment]

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def onset(self, segment_index: int) -> int:
        """Sample offset of a segment inside this block."""
        for seg in self.segments:
            if seg.index == segment_index:
                return seconds_to_samples(seg.start) - seconds_to_samples(self.start)
        raise KeyError(segment_index)


SpeechClip = Callable[[str], np.ndarray]
CueClip = Callable[[str], np.ndarray]


def tick_offsets(duration: float) -> list[float]:
    if duration < TICK_MIN_HOLD:
        return []
    out, t = [], TICK_EVERY
    while t <= duration - TICK_CLEAR_OF_END:
        out.append(t)
        t += TICK_EVERY
    return out


def block_ranges(segments: Sequence[Segment], start: int = 0, max_seconds: float | None = None):
    """(first, last) index pairs: each ends at a checkpoint, or earlier when max_seconds is given."""
    first = start
    length = 0.0
    for i in range(start, len(segments)):
        seg = segments[i]
        length += seg.duration
        # never between a cue and the step it announces; the opening chime announces the session,
        # so a fast start plays it while the first sentence is still being rendered
        announces = seg.kind == "cue" and seg.sound != "start"
        cut_for_size = max_seconds is not None and length >= max_seconds and not announces
        if seg.kind == "checkpoint" or i == len(segments) - 1 or cut_for_size:
            yield first, i
            first, length = i + 1, 0.0


def mix_block(segments: Sequence[Segment], first: int, last: int, speech: SpeechClip, cue: CueClip) -> Block:
    chosen = list(segments[first : last + 1])
    start = chosen[0].start
    # a block ends where the next segment starts (start + duration can land a float's width to
    # either side of a half sample, and then two ways of cutting the session differ by a sample)
    end = segments[last + 1].start if last + 1 < len(segments) else chosen[-1].start + chosen[-1].duration
    # Sample positions are rounded on the session's clock, not the block's, so any
    # way of cutting a session into blocks gives the same samples end to end.
    origin = seconds_to_samples(start)
    out = np.zeros(max(1, seconds_to_samples(end) - origin), dtype=np.float32)
    listen_at = len(out)
    checkpoint = chosen[-1] if chosen[-1].kind == "checkpoint" else None

    def place(clip: np.ndarray, at_seconds: float) -> int:
        at = seconds_to_samples(at_seconds) - origin
        n = min(len(clip), len(out) - at)
        if n > 0:
            out[at : at + n] += clip[:n]
        return at + max(n, 0)

    for seg in chosen:
        if seg.kind == "cue" and seg.sound:
            place(cue(seg.sound), seg.start)
        elif seg.kind in ("speech", "checkpoint") and seg.text:
            end_at = place(speech(seg.text), seg.start)
            if seg is checkpoint:
                listen_at = min(len(out), end_at)
        elif seg.kind == "hold":
            for offset in tick_offsets(seg.duration):
                place(cue("tick"), seg.start + offset)
    np.clip(out, -1.0, 1.0, out=out)
    return Block(first, last, start, out, listen_at, checkpoint, chosen)


def blocks(
    segments: Sequence[Segment],
    speech: SpeechClip,
    cue: CueClip,
    start: int = 0,
    max_seconds: float | None = None,
) -> Iterator[Block]:
    """Blocks one at a time, so memory holds one block, not the session."""
    for first, last in block_ranges(segments, start, max_seconds):
        yield mix_block(segments, first, last, speech, cue)
