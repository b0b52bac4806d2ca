"""The plan: an ordered list of segments with exact starts, and its JSON form.

This is the contract between the planner, `render`, `play` and other tools:
`plan -o` writes it and `--plan` reads it back, validating everything.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

PLAN_VERSION = 1
SEGMENT_KINDS = ("cue", "speech", "hold", "checkpoint")


@dataclass(frozen=True)
class Segment:
    index: int
    start: float
    duration: float
    kind: str
    sound: str | None = None
    technique: str | None = None
    area: str | None = None
    side: str | None = None
    pressure: int | None = None
    text: str | None = None
    question: str | None = None
    step: int | None = None
    position: str | None = None  # the body position the words are for (optional; older plans have none)

    @property
    def end(self) -> float:
        return self.start + self.duration

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.kind == "cue" or self.position is None:
            data.pop("position")
        if self.kind == "cue":
            for key in ("technique", "area", "side", "pressure", "text", "question", "step"):
                data.pop(key)
        else:
            data.pop("sound")
            if self.kind != "checkpoint":
                data.pop("question")
        return data


@dataclass(frozen=True)
class Plan:
    mode: str
    stage: str
    minutes: float
    max_pressure: int
    conditions: list[str]
    segments: list[Segment]
    focus: list[str] = field(default_factory=list)
    seed: int = 0
    notes: list[str] = field(default_factory=list)
    version: int = PLAN_VERSION

    @property
    def total_seconds(self) -> float:
        return round(sum(s.duration for s in self.segments), 3)

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "mode": self.mode,
            "stage": self.stage,
            "minutes": self.minutes,
            "max_pressure": self.max_pressure,
            "conditions": list(self.conditions),
            "focus": list(self.focus),
            "seed": self.seed,
            "notes": list(self.notes),
            "total_seconds": self.total_seconds,
            "segments": [s.to_dict() for s in self.segments],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def spoken(self) -> list[Segment]:
        return [s for s in self.segments if s.kind in ("speech", "checkpoint") and s.text]


def is_closing(kind: str | None, question: str | None, technique: str | None) -> bool:
    """The session's last question: a pain rating tied to no technique (every other pain
    question belongs to the technique it checks). Callers leave out the first pain question:
    a plan made by hand may tie its opening rating to none."""
    return kind == "checkpoint" and question == "pain" and not technique


def renumber(segments: list[Segment]) -> list[Segment]:
    """Give segments contiguous indexes and starts (rounded to the millisecond)."""
    out: list[Segment] = []
    t = 0.0
    for i, seg in enumerate(segments):
        duration = round(seg.duration, 3)
        start = round(t, 3)
        # each segment ends exactly where the next starts, on the millisecond grid
        t = round(start + duration, 3)
        out.append(replace(seg, index=i, start=start, duration=round(t - start, 3)))
    return out


# --- limits a plan file is read within (voiceguide.plan_file reads it) ----------------

MAX_PLAN_BYTES = 20_000_000  # a 90-minute plan is about 200 kB
MAX_TEXT_CHARS = 1000  # the longest spoken step is a few sentences
MAX_SECONDS = 6 * 3600
