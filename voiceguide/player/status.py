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
    "number": "0-9 pain t=10",
    "pressure": "+=firmer -=lighter g=good",
    "yesno": "y=yes x=no",
    "side": "l=left r=right",
    "ready": "Enter=ready",
}
ALWAYS_KEYS = "space=pause n=next r=repeat s=stop"


@dataclass(frozen=True)
class Status:
    """What the line shows besides the step: the question awaiting an answer and any note."""

    expect: str | None = None  # the kind of answer asked for now (number, pressure, yesno)
    paused: bool = False
    note: str | None = None  # a read-back, or why the time left changed


def status_line(seg: Segment, segments: Sequence[Segment], into: float, width: int, status: Status) -> str:
    """Fits `width` columns: the times and the keys that answer now come first (the words are
    spoken anyway), then the words or note, then where the hands are if there is room."""
    left = max(0.0, sum(s.duration for s in segments[seg.index :]) - into)
    step_left = max(0.0, seg.duration - into)
    times = f"[{int(step_left):>3d}s | {int(left // 60)}:{int(left % 60):02d} left]"
    if status.paused:
        times = "[PAUSED: space or c to go on]"
    asked = KEYS_FOR.get(status.expect or "", "")
    keys = f"[{asked} s=stop]" if asked else "[s=stop]" if status.note else f"[{ALWAYS_KEYS}]"
    where = " · ".join(
        x for x in (domain.AREA_WORDS.get(seg.area or "", seg.area), seg.side and f"{seg.side} side") if x
    )
    if seg.pressure:
        where += f" · pressure {seg.pressure} of 5"
    words = status.note or seg.text or _kind_words(seg)
    room = width - len(times) - len(keys) - 6
    head = times
    if where and room - len(where) - 1 >= min(len(words), 24):  # where, when the words still fit
        head, room = f"{times} {where}", room - len(where) - 1
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
