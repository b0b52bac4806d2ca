"""The one terminal line a session shows: for a helper glancing at the screen, never needed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voiceguide import domain
from voiceguide.plan import Segment

CUE_WORDS = {
    "start": "Starting",
    "next": "Next step",
    "switch": "Switching sides",
    "question": "A question",
    "pressure-up": "Firmer",
    "pressure-down": "Lighter",
    "stop": "Stopping",
    "end": "The end",
    "tick": "",
}
KEYS_FOR = {
    "number": "0-9 pain, t ten",
    "pressure": "+ firmer, - lighter, g good",
    "yesno": "y yes, x no",
}
ALWAYS_KEYS = "space pause, n next, r repeat, s stop"


@dataclass(frozen=True)
class Status:
    """What the line shows besides the step: the question awaiting an answer and any note."""

    expect: str | None = None  # the kind of answer asked for now (number, pressure, yesno)
    paused: bool = False
    note: str | None = None  # a read-back, or why the time left changed


def status_line(seg: Segment, segments: Sequence[Segment], into: float, width: int, status: Status) -> str:
    """Fits `width` columns: times and keys first, then where, then as much of the words as fits."""
    left = max(0.0, sum(s.duration for s in segments[seg.index :]) - into)
    step_left = max(0.0, seg.duration - into)
    times = f"[step {int(step_left):>3d}s | {int(left // 60)}:{int(left % 60):02d} left]"
    if status.paused:
        times = "[PAUSED: space or c to go on]"
    keys = KEYS_FOR.get(status.expect or "", "")
    keys = f"({keys}; {ALWAYS_KEYS})" if keys else f"({ALWAYS_KEYS})"
    where = " · ".join(
        x for x in (domain.AREA_WORDS.get(seg.area or "", seg.area), seg.side and f"{seg.side} side") if x
    )
    if seg.pressure:
        where += f" · pressure {seg.pressure} of 5"
    words = status.note or seg.text or _kind_words(seg)
    head = " ".join(x for x in (times, where) if x)
    room = width - len(head) - len(keys) - 4
    if room < 10:  # a narrow terminal: the keys give way to the words, never the other way
        keys = ""
        room = width - len(head) - 3
    text = _fit(words, max(0, room))
    line = f"{head} — {text}" if text else head
    if keys:
        line = f"{line}  {keys}"
    return line[: max(0, width - 1)]


def _kind_words(seg: Segment) -> str:
    if seg.kind == "hold":
        return "keep going"
    if seg.kind == "cue":
        return CUE_WORDS.get(seg.sound or "", "")
    return ""


def _fit(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    return text[: max(0, room - 1)].rstrip() + "…" if room > 1 else ""
