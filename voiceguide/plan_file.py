"""The plan file's shape, checked like every other file (see `validation`).

Kept apart from `plan` so that the audio layer, which only needs the Plan and Segment
values, does not import pydantic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from voiceguide import domain
from voiceguide.errors import InvalidInput, shown
from voiceguide.plan import (
    MAX_PLAN_BYTES,
    MAX_SECONDS,
    MAX_TEXT_CHARS,
    PLAN_VERSION,
    SEGMENT_KINDS,
    Plan,
    Segment,
)
from voiceguide.validation import ConditionId, PressureLevel, Problems, Strict, check, number, whole


def _clean_text(value: str) -> str:
    """Text that can be spoken and journaled: UTF-8 encodable, no control characters, not huge."""
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"must be text of at most {MAX_TEXT_CHARS} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape
        raise ValueError("must be text that UTF-8 can hold (a lone surrogate is not)") from None
    if any(ord(c) < 32 and c not in "\t\n" for c in value):
        raise ValueError("must be text without control characters")
    return value


CleanText = Annotated[str, AfterValidator(_clean_text)]


class SegmentFile(Strict):
    index: int | None = None  # not read back: a segment's index is its place in the list
    start: number(0, MAX_SECONDS, "seconds")
    duration: number(0, MAX_SECONDS, "seconds", above_low=True)
    kind: Literal[SEGMENT_KINDS]
    sound: CleanText | None = None
    technique: CleanText | None = None
    area: Literal[domain.AREAS] | None = None
    side: Literal[domain.SIDES] | None = None
    pressure: PressureLevel | None = None
    text: CleanText | None = None
    question: Literal[domain.PLAN_QUESTIONS] | None = None
    step: whole(0, 99) | None = None
    position: Literal[domain.POSITIONS] | None = None

    @model_validator(mode="after")
    def _what_its_kind_needs(self) -> SegmentFile:
        from voiceguide.cues import CUE_SECONDS

        found = []
        if self.kind == "cue" and self.sound not in CUE_SECONDS:
            found.append(f"sound = {shown(self.sound)}, must be one of {', '.join(CUE_SECONDS)}")
        if self.kind in ("speech", "checkpoint") and not (self.text and self.text.strip()):
            found.append("text must be the words to say")
        if self.kind == "checkpoint" and self.question is None:
            found.append(f"question = None, must be one of {', '.join(domain.PLAN_QUESTIONS)}")
        if found:
            raise Problems(found)
        return self


class PlanFile(Strict):
    version: int
    mode: Literal[domain.MODES]
    stage: Literal[domain.STAGES]
    minutes: number(domain.MIN_MINUTES, domain.MAX_MINUTES)
    max_pressure: PressureLevel
    conditions: list[ConditionId] = Field(default_factory=list)
    focus: list[Literal[domain.AREAS]] = Field(default_factory=list)
    seed: int = 0
    notes: list[str] = Field(default_factory=list)
    total_seconds: number(0, 24 * MAX_SECONDS, "seconds") | None = None
    segments: list[SegmentFile] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version != PLAN_VERSION:
            raise ValueError(f"must be {PLAN_VERSION}")
        return version

    @model_validator(mode="after")
    def _one_timeline(self) -> PlanFile:
        """Contiguous starts, pressures within the plan's cap, and the total they add up to."""
        found = []
        expected = 0.0
        for i, seg in enumerate(self.segments):
            if abs(seg.start - expected) > 0.002:
                what = "overlaps the one before" if seg.start < expected else "leaves a gap"
                found.append(f"segments[{i}].start = {seg.start}, {what} (expected {round(expected, 3)})")
            expected = seg.start + seg.duration
            if seg.pressure is not None and seg.pressure > self.max_pressure:
                found.append(
                    f"segments[{i}].pressure = {seg.pressure}, above max_pressure = {self.max_pressure}"
                )
        if self.total_seconds is not None and abs(self.total_seconds - expected) > 0.01:
            found.append(
                f"total_seconds = {self.total_seconds}, but the segments add up to {round(expected, 3)}"
            )
        if found:
            raise Problems(found)
        return self


class SavedSegmentFile(SegmentFile):
    question: Literal[domain.SESSION_QUESTIONS] | None = None


class SavedPlanFile(PlanFile):
    """A session's plan as the journal keeps it, rewritten as it went: it may hold the questions
    the session adds itself (the offer after a stop, the rating asked again), which a plan file
    made by hand may not."""

    segments: list[SavedSegmentFile] = Field(min_length=1)


# --- reading a plan file back -------------------------------------------------


def load_plan(path: Path) -> Plan:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_PLAN_BYTES + 1)
    except OSError as e:
        raise InvalidInput(f"Cannot read the plan file {path}: {e.strerror or e}.") from e
    if len(raw) > MAX_PLAN_BYTES:
        raise InvalidInput(
            f"{path.name} is larger than {MAX_PLAN_BYTES // 1_000_000} MB: not a plan.",
            hint="Make one with: voiceguide plan -o PLAN.json",
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise InvalidInput(
            f"{path.name} is not a plan: not valid JSON ({e}).",
            hint="Make one with: voiceguide plan -o PLAN.json",
        ) from e
    return plan_from_dict(data, path.name)


def plan_from_dict(data: object, name: str = "plan", saved: bool = False) -> Plan:
    """Check every field; a plan from elsewhere is input like any other. `saved`: a session's
    plan from the journal (`play --resume`)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{name}: a plan is a JSON object, found {type(data).__name__}.")
    checked, problems = check(SavedPlanFile if saved else PlanFile, data, name)
    if checked is None:
        raise InvalidInput(
            problems[0] if len(problems) == 1 else f"{name} has {len(problems)} problems.",
            hint="Make a fresh one with: voiceguide plan -o PLAN.json",
            problems=problems,
        )
    segments = [
        Segment(index=i, **seg.model_dump(exclude={"index"})) for i, seg in enumerate(checked.segments)
    ]
    return Plan(
        mode=checked.mode,
        stage=checked.stage,
        minutes=checked.minutes,
        max_pressure=checked.max_pressure,
        conditions=list(checked.conditions),
        segments=segments,
        focus=list(checked.focus),
        seed=checked.seed,
        notes=list(checked.notes),
    )


def check_techniques(plan: Plan, known: set[str], name: str) -> None:
    """A plan file may only name techniques this library has (adapting needs their steps)."""
    unknown = sorted({s.technique for s in plan.segments if s.technique and s.technique not in known})
    if unknown:
        raise InvalidInput(
            f"{name} names techniques this library does not have: {', '.join(unknown)}.",
            hint="See voiceguide library list, or make a fresh plan with: voiceguide plan -o PLAN.json",
        )
