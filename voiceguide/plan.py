"""The plan: an ordered list of segments with exact starts, and its JSON form.

This is the contract between the planner, `render`, `play` and other tools:
`plan -o` writes it and `--plan` reads it back, validating everything.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from voiceguide import domain
from voiceguide.errors import InvalidInput, shown

PLAN_VERSION = 1
SEGMENT_KINDS = ("cue", "speech", "hold", "checkpoint")
QUESTIONS = ("pain", "pressure", "comfort")


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

    @property
    def end(self) -> float:
        return self.start + self.duration

    def to_dict(self) -> dict:
        data = asdict(self)
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


def renumber(segments: list[Segment]) -> list[Segment]:
    """Give segments contiguous indexes and starts (rounded to the millisecond)."""
    out: list[Segment] = []
    t = 0.0
    for i, seg in enumerate(segments):
        duration = round(seg.duration, 3)
        out.append(replace(seg, index=i, start=round(t, 3), duration=duration))
        t += duration
    return out


# --- reading a plan file back -------------------------------------------------

_SEGMENT_FIELDS = {f.name for f in fields(Segment)}


MAX_PLAN_BYTES = 20_000_000  # a 90-minute plan is about 200 kB
MAX_TEXT_CHARS = 1000  # the longest spoken step is a few sentences
SIDES = ("left", "right")


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


def plan_from_dict(data: object, name: str = "plan") -> Plan:
    """Check every field; a plan from elsewhere is input like any other."""
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{name}: {msg}")

    if not isinstance(data, dict):
        raise InvalidInput(f"{name}: a plan is a JSON object, found {type(data).__name__}.")
    if data.get("version") != PLAN_VERSION:
        bad(f"version = {shown(data.get('version'))}, must be {PLAN_VERSION}")
    mode = data.get("mode")
    if mode not in domain.MODES:
        bad(f"mode = {shown(mode)}, must be one of {', '.join(domain.MODES)}")
    stage = data.get("stage")
    if stage not in domain.STAGES:
        bad(f"stage = {shown(stage)}, must be one of {', '.join(domain.STAGES)}")
    minutes = data.get("minutes")
    if not _finite(minutes) or not domain.MIN_MINUTES <= minutes <= domain.MAX_MINUTES:
        bad(f"minutes = {shown(minutes)}, must be {domain.MIN_MINUTES}-{domain.MAX_MINUTES}")
    cap = data.get("max_pressure")
    if not isinstance(cap, int) or isinstance(cap, bool) or not 1 <= cap <= 5:
        bad(f"max_pressure = {shown(cap)}, must be a whole number 1-5")
    conditions = data.get("conditions", [])
    if not isinstance(conditions, list) or not all(isinstance(c, str) for c in conditions):
        bad("conditions must be a list of condition ids")
        conditions = []
    for c in conditions:
        try:
            domain.parse_condition(c)
        except ValueError as e:
            bad(f"conditions: {e}")
    raw_segments = data.get("segments")
    segments: list[Segment] = []
    if not isinstance(raw_segments, list) or not raw_segments:
        bad("segments must be a non-empty list")
        raw_segments = []
    expected_start: float | None = 0.0
    for i, raw in enumerate(raw_segments):
        seg = _segment(raw, i, bad)
        if seg is None:
            expected_start = None  # unknown after a bad segment: no second complaint about the next
            continue
        if expected_start is not None and abs(seg.start - expected_start) > 0.002:
            what = "overlaps the one before" if seg.start < expected_start else "leaves a gap"
            bad(f"segments[{i}].start = {seg.start}, {what} (expected {round(expected_start, 3)})")
        expected_start = seg.start + seg.duration
        if isinstance(cap, int) and seg.pressure is not None and seg.pressure > cap:
            bad(f"segments[{i}].pressure = {seg.pressure}, above max_pressure = {cap}")
        segments.append(seg)
    total = data.get("total_seconds")
    if expected_start is not None and segments and _finite(total) and abs(total - expected_start) > 0.01:
        bad(f"total_seconds = {total}, but the segments add up to {round(expected_start, 3)}")
    if problems:
        raise InvalidInput(
            problems[0] if len(problems) == 1 else f"{name} has {len(problems)} problems.",
            hint="Make a fresh one with: voiceguide plan -o PLAN.json",
            problems=problems,
        )
    focus = data.get("focus", [])
    return Plan(
        mode=mode,
        stage=stage,
        minutes=minutes,
        max_pressure=cap,
        conditions=conditions,
        segments=segments,
        focus=[f for f in focus if f in domain.AREAS] if isinstance(focus, list) else [],
        seed=data.get("seed", 0) if isinstance(data.get("seed", 0), int) else 0,
        notes=[n for n in data.get("notes", []) if isinstance(n, str)]
        if isinstance(data.get("notes", []), list)
        else [],
    )


def _clean_text(value: object) -> bool:
    """Text that can be spoken and journaled: UTF-8 encodable, no control characters, not huge."""
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape
        return False
    return not any(ord(c) < 32 and c not in "\t\n" for c in value)


def check_techniques(plan: Plan, known: set[str], name: str) -> None:
    """A plan file may only name techniques this library has (adapting needs their steps)."""
    unknown = sorted({s.technique for s in plan.segments if s.technique and s.technique not in known})
    if unknown:
        raise InvalidInput(
            f"{name} names techniques this library does not have: {', '.join(unknown)}.",
            hint="See voiceguide library list, or make a fresh plan with: voiceguide plan -o PLAN.json",
        )


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _segment(raw: object, i: int, bad) -> Segment | None:
    where = f"segments[{i}]"
    if not isinstance(raw, dict):
        bad(f"{where} must be an object")
        return None
    unknown = set(raw) - _SEGMENT_FIELDS
    if unknown:
        bad(f"{where} has unknown fields {sorted(unknown)}")
        return None
    kind = raw.get("kind")
    if kind not in SEGMENT_KINDS:
        bad(f"{where}.kind = {shown(kind)}, must be one of {', '.join(SEGMENT_KINDS)}")
        return None
    ok = True
    for key in ("start", "duration"):
        value = raw.get(key)
        if not _finite(value) or value < 0 or value > 6 * 3600:
            bad(f"{where}.{key} = {shown(value)}, must be a number of seconds, 0 to {6 * 3600}")
            ok = False
    if ok and raw["duration"] <= 0:
        bad(f"{where}.duration = {raw['duration']}, must be above 0")
        ok = False
    for key in ("sound", "technique", "area", "side", "text", "question"):
        value = raw.get(key)
        if value is not None and not _clean_text(value):
            bad(f"{where}.{key} = {shown(value)}, must be text (at most {MAX_TEXT_CHARS} characters) or null")
            ok = False
    side = raw.get("side")
    if isinstance(side, str) and side not in SIDES:
        bad(f"{where}.side = {shown(side)}, must be one of {', '.join(SIDES)} or null")
        ok = False
    pressure = raw.get("pressure")
    if pressure is not None and (
        not isinstance(pressure, int) or isinstance(pressure, bool) or not 1 <= pressure <= 5
    ):
        bad(f"{where}.pressure = {shown(pressure)}, must be 1-5 or null")
        ok = False
    area = raw.get("area")
    if area is not None and area not in domain.AREAS:
        bad(f"{where}.area = {shown(area)}, must be one of {', '.join(domain.AREAS)}")
        ok = False
    if kind == "cue":
        from voiceguide.cues import CUE_SECONDS

        if not isinstance(raw.get("sound"), str) or raw["sound"] not in CUE_SECONDS:
            bad(f"{where}.sound = {shown(raw.get('sound'))}, must be one of {', '.join(CUE_SECONDS)}")
            ok = False
    if kind in ("speech", "checkpoint") and not (isinstance(raw.get("text"), str) and raw["text"].strip()):
        bad(f"{where}.text must be the words to say")
        ok = False
    if kind == "checkpoint" and raw.get("question") not in QUESTIONS:
        bad(f"{where}.question = {shown(raw.get('question'))}, must be one of {', '.join(QUESTIONS)}")
        ok = False
    step = raw.get("step")
    if step is not None and (not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < 100):
        bad(f"{where}.step = {shown(step)}, must be a whole number 0-99 or null")
        ok = False
    if not ok:
        return None
    return Segment(**{k: raw.get(k) for k in _SEGMENT_FIELDS if k in raw or k == "index"} | {"index": i})
