"""The shape of a technique file, validated with errors a therapist can act on."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from voiceguide import domain
from voiceguide.validation import PressureLevel, Strict

# The vocabularies are domain's tuples: one definition, and pydantic still names every allowed value.
Mode = Literal[domain.MODES]
Stage = Literal[domain.STAGES]
Area = Literal[domain.AREAS]
Position = Literal[domain.POSITIONS]
Equipment = Literal[domain.EQUIPMENT]
Condition = Literal[domain.CONDITIONS]
Question = Literal[domain.CHECKIN_QUESTIONS]
Phase = Literal[domain.PHASES]
Kind = Literal[domain.KINDS]
Landmark = Literal[tuple(domain.LANDMARKS)]
Tool = Literal[domain.TOOLS]
Motion = Literal[domain.MOTIONS]

MAX_WORDS_PER_SENTENCE = 25
PLACEHOLDERS = {"pressure", "side", "other_side"}
_PLACEHOLDER = re.compile(r"{([^{}]*)}")


def check_spoken(text: str) -> str:
    """Short sentences for the ear, and only the placeholders the planner fills."""
    text = text.strip()
    if not text:
        raise ValueError("must not be empty")
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            raise ValueError(
                f"unknown placeholder {{{name}}}; allowed: "
                + ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
            )
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        words = len(sentence.split())
        if words > MAX_WORDS_PER_SENTENCE:
            raise ValueError(
                f"a sentence has {words} words, must be at most {MAX_WORDS_PER_SENTENCE}: {sentence[:60]!r}"
            )
    return text


Phrasings = str | Annotated[list[str], Field(min_length=1, max_length=4)]


class Spoken(Strict):
    """One thing said, worded for each mode that the technique suits. A list gives several
    phrasings of the same instruction: the session's number picks one, so the tenth session
    does not sound like the first."""

    self_: Phrasings | None = Field(default=None, alias="self")
    partner: Phrasings | None = None

    @field_validator("self_", "partner")
    @classmethod
    def _spoken(cls, value: str | list[str] | None) -> str | list[str] | None:
        if value is None:
            return None
        if isinstance(value, str):
            return check_spoken(value)
        return [check_spoken(v) for v in value]

    def phrasings(self, mode: str) -> list[str]:
        value = self.self_ if mode == "self" else self.partner
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    def for_mode(self, mode: str, variant: int = 0) -> str | None:
        """The wording for this mode; variant picks among the phrasings (any number wraps round)."""
        texts = self.phrasings(mode)
        return texts[variant % len(texts)] if texts else None


class BodyMap(Strict):
    """What a step's picture shows: the area shaded, landmarks labelled in plain words, the
    hand or tool where it works, and arrows (from one landmark towards another) for strokes.
    The body's position and the side come from the plan."""

    area: Area
    landmarks: list[Landmark] = Field(default_factory=list, max_length=4)
    tool: Tool = "palm"
    motion: Motion = "hold"
    arrows: list[Annotated[list[Landmark], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list, max_length=3
    )

    @model_validator(mode="after")
    def _arrows_between_named_landmarks(self) -> BodyMap:
        for start, end in self.arrows:
            if start == end:
                raise ValueError(f"an arrow goes from {start!r} to itself")
        return self


class Step(Spoken):
    hold: float = Field(default=0.0, ge=0, le=600)
    rise: int = Field(default=0, ge=0, le=2)
    map: BodyMap | None = None
    # Wording for one position, said instead of the default when the plan chose that position.
    at: dict[Position, Spoken] = Field(default_factory=dict)
    # Said instead of a rise step when a cap keeps the pressure where it is (no "firmer" line then).
    steady: Spoken | None = None
    # How the body comes out of the technique ("Lower the leg slowly", "Roll off the ball"): said in
    # every form, the short ones too.
    exit: bool = False
    # How the hands leave deep work ("Ease off slowly, then rest your palm"): said in the short
    # form too; in the shortest (a cap or the clock holds the pressure steady) as planner.EASE_OFF,
    # within the last seconds of the work before it.
    ending: bool = False
    # Said instead when the step before it is left out (a short form), so that its words never lean
    # on a step not said ("When you find one, stay on it" with no search for a tender spot before
    # it). It is said in every position, in place of `at`.
    alone: Spoken | None = None

    def text(self, mode: str, position: str | None, variant: int = 0) -> str | None:
        """What is said in this mode and position (the position's own wording if it has one)."""
        if position in self.at:
            return self.at[position].for_mode(mode, variant)
        return self.for_mode(mode, variant)


class CheckIn(Spoken):
    question: Question


class PressureRange(Strict):
    min: PressureLevel
    max: PressureLevel

    @model_validator(mode="after")
    def _ordered(self) -> PressureRange:
        if self.min > self.max:
            raise ValueError(f"min = {self.min} is above max = {self.max}")
        return self


class Conditions(Strict):
    exclude: list[Condition] = Field(default_factory=list)
    caps: dict[Condition, PressureLevel] = Field(default_factory=dict)


class Technique(Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    name: str = Field(min_length=1, max_length=80)
    kind: Kind
    modes: list[Mode] = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    areas: list[Area] = Field(min_length=1)
    positions: list[Position] = Field(min_length=1)
    equipment: list[Equipment] = Field(default_factory=list)
    pressure: PressureRange | None = None
    duration: float = Field(ge=20, le=1200)
    per_side: bool = False
    priority: int = Field(default=2, ge=1, le=3)
    summary: str = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    checkin: list[CheckIn] = Field(default_factory=list)
    conditions: Conditions = Field(default_factory=Conditions)
    sources: list[str] = Field(min_length=1)
    # Where the technique sits in the session's order; when left out it follows from kind and area.
    phase: Phase | None = None
    # How the person gets into each position, said before the first step (one per position).
    setup: dict[Position, Spoken] = Field(default_factory=dict)
    # A lower pressure cap in one stage (piriformis: 3 in the subacute stage).
    stage_caps: dict[Stage, PressureLevel] = Field(default_factory=dict)
    # Said after the setup when the person has this condition (hip replacement: only to a right angle).
    cautions: dict[Condition, Spoken] = Field(default_factory=dict)
    # Seated on a chair or on the mat: moving between the two is a change of position, given time
    # and words (a short form had gone from the chair to "Tip your weight onto your right buttock,
    # so the roller sits under it" with neither).
    seat: Literal["chair", "floor"] = "chair"
    # Where a partner kneels along the body, per position: a short form says the setup when this
    # changes within a position (it had dropped P06's "Kneel beside their knees" after thumb work
    # at the buttocks, and X01's "Kneel in front of their knees" after work behind the hips).
    kneel: dict[Position, Literal["hips", "knees", "feet"]] = Field(default_factory=dict)

    @field_validator("name", "summary")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _worded_for_each_mode(self) -> Technique:
        for i, step in enumerate(self.steps):
            for mode in self.modes:
                if step.for_mode(mode) is None:
                    raise ValueError(f"steps[{i}] has no {mode!r} text, but modes includes {mode!r}")
        if self.seat == "floor" and "seated" not in self.positions:
            raise ValueError('seat = "floor" is for a technique done seated, but positions has no "seated"')
        for i, step in enumerate(self.steps):
            if step.ending and step.rise:  # (a short form never keeps a rise as its way out)
                raise ValueError(f"steps[{i}] is an ending, but it raises the pressure (rise)")
            if step.ending and step.exit:
                raise ValueError(f"steps[{i}] is both an ending and an exit: an exit is said in every form")
            if step.alone is None:
                continue
            if i == 0:  # (it would never be said)
                raise ValueError("steps[0] has alone wording, but the first step has no step before it")
            for mode in self.modes:
                if step.alone.for_mode(mode) is None:  # (the step would be said as silence)
                    raise ValueError(f"steps[{i}].alone has no {mode!r} text, but modes includes {mode!r}")
        for i, check in enumerate(self.checkin):
            for mode in self.modes:
                if check.for_mode(mode) is None:
                    raise ValueError(f"checkin[{i}] has no {mode!r} text, but modes includes {mode!r}")
        for place, what in [("setup", self.setup), ("cautions", self.cautions)] + [
            (f"steps[{i}].at", step.at) for i, step in enumerate(self.steps)
        ]:
            for key, spoken in what.items():
                if place != "cautions" and key not in self.positions:
                    raise ValueError(
                        f"{place} has wording for {key!r}, which is not in positions "
                        f"({', '.join(self.positions)})"
                    )
                for mode in self.modes:
                    if spoken.for_mode(mode) is None:
                        raise ValueError(f"{place}.{key} has no {mode!r} text, but modes includes {mode!r}")
        if set(self.kneel) - set(self.positions):
            extra = sorted(set(self.kneel) - set(self.positions))
            raise ValueError(f"kneel names {', '.join(extra)}, which is not in positions")
        if self.kneel and "partner" not in self.modes:
            raise ValueError('kneel says where a partner kneels, but modes has no "partner"')
        if self.setup and set(self.setup) != set(self.positions):
            missing = sorted(set(self.positions) - set(self.setup))
            raise ValueError(f"setup has no wording for {', '.join(missing)}; give one per position")
        if self.kind == "massage" and self.pressure is None:
            raise ValueError("a massage technique needs a pressure range")
        return self

    # What the planner and the CLI read.
    @property
    def excluded_by(self) -> list[str]:
        return sorted(set(self.conditions.exclude))

    @property
    def session_phase(self) -> str:
        """The declared phase, or one that follows from the kind and the first area."""
        if self.phase is not None:
            return self.phase
        if self.kind in ("assessment", "movement"):
            return self.kind
        return {"sacrum": "vibration", "piriformis": "piriformis", "lower-back": "lower-back"}.get(
            self.areas[0], "buttock"
        )

    def checkin_text(self, question: str, mode: str, variant: int = 0) -> str | None:
        for check in self.checkin:
            if check.question == question:
                return check.for_mode(mode, variant)
        return None
