"""Turn 'self or partner, which stage, how many minutes' into an exact, safe session.

Pure: values in, a Plan out. The safety rules (stage sets, pressure caps,
conditions) are applied here, before anything is spoken.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from voiceguide import domain
from voiceguide.cues import CUE_SECONDS
from voiceguide.errors import SafetyStop, UsageProblem
from voiceguide.library import Library
from voiceguide.library.schema import Technique
from voiceguide.plan import Plan, Segment, renumber
from voiceguide.speechtime import PAUSE_AFTER_SPEECH, EstimatedSpeech, SpeechTimer

ANSWER_WINDOW = 8.0
LONG_HOLD = 120.0  # a hold longer than this gets a pressure check in the middle
MIN_SCALE = 0.6  # below this, holds are too short to help: drop a technique instead
MOVEMENT_SCALE = (0.6, 1.2)  # stretches are held 20-30 s; do not stretch them much
FOCUS_WEIGHT = 2.0
MIN_HOLD = 5.0
SAFE_POSITIONS_IN_PREGNANCY = ("side-lying", "seated", "standing")


@dataclass(frozen=True)
class Request:
    mode: str = "self"
    stage: str = "acute"
    minutes: float = 15
    focus: tuple[str, ...] = ()
    max_pressure: int | None = None
    conditions: tuple[str, ...] = ()
    seed: int = 0
    answer_window: float = ANSWER_WINDOW
    # What past sessions taught (voiceguide.history); empty for a first session, so plans stay as they were.
    start_pressures: tuple[tuple[str, int], ...] = ()  # technique id -> the pressure the person settled on
    avoid_areas: tuple[tuple[str, str], ...] = ()  # area -> why: the last session stopped there
    advice: tuple[str, ...] = ()  # spoken after the welcome (trend advice); never changes the plan itself


@dataclass
class Draft:
    """A segment before its length is known (holds grow or shrink to fit)."""

    kind: str
    seconds: float = 0.0
    hold_base: float = 0.0
    movement: bool = False
    fields: dict = field(default_factory=dict)


# --- what is said around the techniques -------------------------------------

WELCOME = {
    "self": (
        "Welcome. This is a {minutes} minute session of gentle self-massage and movement. "
        "Say stop, or press s, at any moment, and everything stops."
    ),
    "partner": (
        "Welcome. You will give the massage, and I will guide your hands. "
        "Your partner can say stop at any moment, and everything stops."
    ),
}
GOOD_HURT = {
    "self": (
        "A dull ache that eases while you hold is fine. Sharp, shooting or burning pain, "
        "or tingling down the leg, means stop."
    ),
    "partner": (
        "A dull ache that eases as you hold is fine. Sharp, shooting or burning pain, "
        "or tingling down the leg, means stop at once."
    ),
}
SKIP_AREA = "Leave out the {area} today, because of broken skin or recent surgery there."
AVOID_AREA = "We leave out the {area} today, because the last session had to stop there."
LEARNT_PRESSURE = "Each part starts at the pressure you chose last time. Say more or less at any check."
CHECK_AREA_CONDITION = "Keep away from any spot with broken skin, a rash, or recent surgery."
QUESTIONS = {
    ("opening", "self"): "Before we start, how strong is your pain right now, from zero to ten?",
    ("opening", "partner"): (
        "For the person receiving: before we start, how strong is your pain, from zero to ten?"
    ),
    ("pain", "self"): "How is your pain right now, from zero to ten?",
    ("pain", "partner"): "For the person receiving: how is your pain right now, from zero to ten?",
    ("pressure", "self"): "How is the pressure? Say more, less, or good.",
    ("pressure", "partner"): "For the person receiving: how is the pressure? Say more, less, or good.",
    ("closing", "self"): "To finish, how strong is your pain now, from zero to ten?",
    ("closing", "partner"): (
        "For the person receiving: to finish, how strong is your pain now, from zero to ten?"
    ),
}
MOVEMENT_INTRO = "Now some gentle movement. Massage helps most alongside regular, gentle exercise."
SWITCH_SIDES = "Switch sides. Now the {side} side."
CLOSING = (
    "That is the end of the session. Massage can ease pain for a while, and staying gently "
    "active helps most. If pain spreads or new symptoms appear, see a clinician."
)


# --- choosing techniques ----------------------------------------------------


def session_cap(request: Request, condition_names: set[str]) -> int:
    cap = min(domain.HOME_PRESSURE_CAP, domain.STAGE_PRESSURE_CAP[request.stage])
    if request.max_pressure is not None:
        cap = min(cap, request.max_pressure)
    for name in condition_names:
        cap = min(cap, domain.CONDITION_PRESSURE_CAP.get(name, cap))
    return cap


def technique_cap(technique: Technique, cap: int, condition_names: set[str]) -> int:
    if technique.pressure is not None:
        cap = min(cap, technique.pressure.max)
    for name, tech_cap in technique.conditions.caps.items():
        if name in condition_names:
            cap = min(cap, tech_cap)
    return cap


def why_excluded(
    technique: Technique, request: Request, condition_names: set[str], skipped_areas: set[str]
) -> str | None:
    """The reason a technique may not be used in this session, or None."""
    if request.mode not in technique.modes:
        return f"not for {request.mode} mode"
    if request.stage not in technique.stages:
        return f"not for the {request.stage} stage"
    hit = condition_names & set(technique.conditions.exclude)
    if hit:
        return "excluded by " + ", ".join(sorted(hit))
    rolling = set(technique.equipment) & set(domain.ROLLING_EQUIPMENT)
    if rolling and request.stage == "acute":
        return "no balls or rollers in the acute stage"
    if rolling and "osteoporosis" in condition_names:
        return "no balls or rollers with osteoporosis"
    if request.stage == "acute" and "piriformis" in technique.areas and technique.pressure:
        return "no piriformis pressure work in the acute stage"
    if "pregnancy" in condition_names and not set(technique.positions) & set(SAFE_POSITIONS_IN_PREGNANCY):
        return "no side-lying or seated position, needed in pregnancy"
    if technique.kind != "assessment" and skipped_areas & set(technique.areas):
        return "works an area left out today"
    return None


def learnt_start(technique: Technique, cap: int, condition_names: set[str], chosen: int) -> int:
    """The pressure chosen last time, within every cap of today's session
    (stage, conditions, --max-pressure)."""
    return max(domain.PRESSURE_MIN, min(chosen, technique_cap(technique, cap, condition_names)))


def order_key(technique: Technique) -> tuple:
    return (domain.KINDS.index(technique.kind), domain.AREAS.index(technique.areas[0]), technique.id)


# --- building ---------------------------------------------------------------


def build(library: Library, request: Request, timer: SpeechTimer | None = None) -> Plan:
    timer = timer or EstimatedSpeech()
    validate(request)
    parsed = [domain.parse_condition(c) for c in request.conditions]
    names = {name for name, _ in parsed}
    if "dvt" in names:
        raise SafetyStop(
            "No massage with a suspected or known deep-vein thrombosis (DVT).",
            hint="See a clinician first: massage could move a clot.",
        )
    skipped_areas = {area for name, area in parsed if area}
    notes: list[str] = []
    for area, why in request.avoid_areas:
        if area not in skipped_areas:
            notes.append(
                f"Left out the {domain.AREA_WORDS[area]}: the last session stopped there ({why}). "
                f"Bring it back with --include {area}."
            )
    skipped_areas |= {area for area, _ in request.avoid_areas}
    chosen = []
    for technique in library.techniques.values():
        if why_excluded(technique, request, names, skipped_areas) is None:
            chosen.append(technique)
    chosen.sort(key=order_key)
    assessments = [t for t in chosen if t.kind == "assessment"]
    if not assessments:
        raise UsageProblem(
            f"The library has no opening check for {request.mode} mode in the {request.stage} stage.",
            hint="Run: voiceguide library check to see which technique files were left out.",
        )
    chosen = [assessments[0]] + [t for t in chosen if t.kind != "assessment"]
    for area in request.focus:
        if not any(area in t.areas for t in chosen[1:]):
            notes.append(f"No technique works the {area} in this session, so --focus {area} has no effect.")
    if any(name in domain.AREA_CONDITIONS and area is None for name, area in parsed):
        notes.append("Say which area with --condition skin:AREA so that it is left out.")

    cap = session_cap(request, names)
    target = request.minutes * 60.0
    rng = random.Random(request.seed)
    first_side = rng.choice(domain.SIDES)
    splits: set[int] = set()
    while True:
        drafts = sequence(chosen, request, names, skipped_areas, cap, first_side, timer, splits)
        scale = fit_scale(drafts, target)
        long_holds = {
            i
            for i, d in enumerate(drafts)
            if d.kind == "hold"
            and not d.movement
            and d.fields.get("pressure")
            and d.hold_base * scale > LONG_HOLD
            and "split" not in d.fields
        }
        droppable = [t for t in chosen[1:]]
        if scale < MIN_SCALE and droppable:
            victim = pick_to_drop(chosen)
            notes.append(f"Left out {victim.id} ({victim.name}) to fit {request.minutes:g} minutes.")
            chosen = [t for t in chosen if t is not victim]
            splits = set()
            continue
        if scale <= 0:
            raise UsageProblem(
                f"{request.minutes:g} minutes is too short for this session.",
                hint="Ask for a few more minutes with --minutes.",
            )
        new_splits = {drafts[i].fields["key"] for i in long_holds}
        if new_splits - splits:
            splits |= new_splits
            continue
        break

    learnt = dict(request.start_pressures)
    for t in chosen:
        if t.id in learnt and t.pressure is not None:
            start = learnt_start(t, cap, names, learnt[t.id])
            notes.append(f"{t.id} ({t.name}) starts at pressure {start}, as chosen last time.")
    segments = [to_segment(d, scale) for d in drafts]
    return Plan(
        mode=request.mode,
        stage=request.stage,
        minutes=request.minutes,
        max_pressure=cap,
        conditions=list(request.conditions),
        segments=renumber(segments),
        focus=list(request.focus),
        seed=request.seed,
        notes=notes,
    )


def validate(request: Request) -> None:
    if request.mode not in domain.MODES:
        raise UsageProblem(f"Unknown mode {request.mode!r}; use self or partner.")
    if request.stage not in domain.STAGES:
        raise UsageProblem(f"Unknown stage {request.stage!r}; use acute, subacute or chronic.")
    if not domain.MIN_MINUTES <= request.minutes <= domain.MAX_MINUTES:
        raise UsageProblem(
            f"--minutes {request.minutes:g} is out of range: a session lasts "
            f"{domain.MIN_MINUTES} to {domain.MAX_MINUTES} minutes."
        )
    if request.stage == "acute" and request.minutes > domain.ACUTE_MAX_MINUTES:
        raise UsageProblem(
            f"--minutes {request.minutes:g} is too long for the acute stage: keep it to "
            f"{domain.ACUTE_MAX_MINUTES} minutes or less while pain is acute."
        )
    low, high = domain.PRESSURE_MIN, domain.PRESSURE_MAX
    levels = f"use {low} to {high}"
    if request.max_pressure is not None and not low <= request.max_pressure <= high:
        raise UsageProblem(f"--max-pressure {request.max_pressure} is out of range: {levels}.")
    for area in request.focus:
        if area not in domain.AREAS:
            raise UsageProblem(f"Unknown area {area!r}; use one of {', '.join(domain.AREAS)}.")
    for area, _ in request.avoid_areas:
        if area not in domain.AREAS:
            raise UsageProblem(f"Unknown area {area!r}; use one of {', '.join(domain.AREAS)}.")
    for technique_id, pressure in request.start_pressures:
        if not low <= pressure <= high:
            raise UsageProblem(f"Learnt pressure {pressure} for {technique_id} is out of range: {levels}.")
    for c in request.conditions:
        try:
            domain.parse_condition(c)
        except ValueError as e:
            raise UsageProblem(f"--condition {c}: {e}.") from None


def pick_to_drop(chosen: list[Technique]) -> Technique:
    """Drop the least essential technique, keeping one massage and one movement longest."""
    candidates = chosen[1:]

    def protection(t: Technique) -> int:
        same_kind = [c for c in candidates if c.kind == t.kind]
        if len(same_kind) == 1:
            return 2 if t.kind == "massage" else 1
        return 0

    return min(candidates, key=lambda t: (protection(t), -t.priority, -chosen.index(t)))


def fit_scale(drafts: list[Draft], target: float) -> float:
    """The hold scale that makes the session last exactly target seconds."""
    fixed = sum(d.seconds for d in drafts if d.kind != "hold")
    massage = sum(d.hold_base for d in drafts if d.kind == "hold" and not d.movement)
    movement = sum(d.hold_base for d in drafts if d.kind == "hold" and d.movement)

    def total(s: float) -> float:
        lo, hi = MOVEMENT_SCALE
        return fixed + s * massage + min(max(s, lo), hi) * movement

    if total(0.0) >= target:
        return (target - total(0.0)) / max(massage, 1.0)
    lo, hi = 0.0, 1.0
    while total(hi) < target:
        hi *= 2
        if hi > 1e6:
            break
    for _ in range(100):
        mid = (lo + hi) / 2
        if total(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def hold_seconds(draft: Draft, scale: float) -> float:
    if draft.movement:
        lo, hi = MOVEMENT_SCALE
        return draft.hold_base * min(max(scale, lo), hi)
    return draft.hold_base * scale


def to_segment(draft: Draft, scale: float) -> Segment:
    seconds = hold_seconds(draft, scale) if draft.kind == "hold" else draft.seconds
    data = {k: v for k, v in draft.fields.items() if k not in ("key", "split")}
    return Segment(index=0, start=0.0, duration=seconds, kind=draft.kind, **data)


def fill(text: str, pressure: int | None, side: str | None) -> str:
    other = domain.other_side(side) or "other"
    return text.format(
        pressure=domain.PRESSURE_WORDS.get(pressure or 0, "gently"),
        side=side or "one",
        other_side=other,
    )


def sequence(
    chosen: list[Technique],
    request: Request,
    names: set[str],
    skipped_areas: set[str],
    cap: int,
    first_side: str,
    timer: SpeechTimer,
    splits: set[int],
) -> list[Draft]:
    mode = request.mode
    drafts: list[Draft] = []

    def cue(sound: str) -> None:
        drafts.append(Draft("cue", CUE_SECONDS[sound], fields={"sound": sound}))

    def say(text: str, **fields) -> None:
        drafts.append(
            Draft("speech", timer.seconds(text) + PAUSE_AFTER_SPEECH, fields={"text": text, **fields})
        )

    def ask(question: str, text: str, area: str | None, technique: str | None = None) -> None:
        cue("question")
        drafts.append(
            Draft(
                "checkpoint",
                timer.seconds(text) + request.answer_window,
                fields={"question": question, "text": text, "area": area, "technique": technique},
            )
        )

    def hold(base: float, movement: bool, key: int, **fields) -> None:
        if base < MIN_HOLD:  # a talk-only step: the pause after the words is enough
            return
        drafts.append(Draft("hold", hold_base=base, movement=movement, fields={"key": key, **fields}))

    cue("start")
    say(WELCOME[mode].format(minutes=f"{request.minutes:g}"))
    say(GOOD_HURT[mode])
    for text in request.advice:
        say(text)
    avoided = {area for area, _ in request.avoid_areas}
    for area in sorted(skipped_areas, key=domain.AREAS.index):
        template = AVOID_AREA if area in avoided else SKIP_AREA
        say(template.format(area=domain.AREA_WORDS[area]))
    if any(n in domain.AREA_CONDITIONS for n in names) and not skipped_areas:
        say(CHECK_AREA_CONDITION)
    learnt = dict(request.start_pressures)
    if any(t.id in learnt and t.pressure is not None for t in chosen):
        say(LEARNT_PRESSURE)

    key = 0
    last_area: str | None = None
    checked_lower_back = False
    movement_started = False
    for t_index, technique in enumerate(chosen):
        is_movement = technique.kind == "movement"
        area = technique.areas[0]
        if is_movement and not movement_started:
            movement_started = True
            cue("next")
            say(MOVEMENT_INTRO)
        elif t_index > 0:
            cue("next")
        if (
            technique.kind == "massage"
            and last_area is not None
            and area != last_area
            and area != "lower-back"
        ):
            text = technique.checkin_text("pain", mode) or QUESTIONS[("pain", mode)]
            ask("pain", text, area, technique.id)
        if technique.kind != "movement":
            last_area = area
        tech_cap = technique_cap(technique, cap, names)
        weight = FOCUS_WEIGHT if set(technique.areas) & set(request.focus) else 1.0
        start_pressure = min(technique.pressure.min, tech_cap) if technique.pressure else None
        # a pressure chosen last time holds for the whole technique (as a choice does within a
        # session: no planned rise overrides it) and is checked at the first hold
        chose = technique.pressure is not None and technique.id in learnt
        check_learnt = chose
        if chose:
            start_pressure = learnt_start(technique, cap, names, learnt[technique.id])
        sides = (first_side, domain.other_side(first_side)) if technique.per_side else (None,)
        for pass_index, side in enumerate(sides):
            pressure = start_pressure
            if pass_index == 1:
                cue("switch")
                say(SWITCH_SIDES.format(side=side), technique=technique.id, area=area, side=side)
            for s_index, step in enumerate(technique.steps):
                rose = False
                if step.rise and pressure is not None and not chose:
                    new = min(pressure + step.rise, tech_cap)
                    rose = new > pressure
                    pressure = new
                text = fill(step.for_mode(mode) or "", pressure, side)
                if pass_index == 0 and s_index == 0:
                    text = f"{technique.name}. {text}"
                common = {
                    "technique": technique.id,
                    "area": area,
                    "side": side,
                    "pressure": pressure,
                    "step": s_index,
                }
                say(text, **common)
                if t_index == 0 and pass_index == 0 and s_index == 0:
                    ask("pain", QUESTIONS[("opening", mode)], area, technique.id)
                key += 1
                base = step.hold * weight
                pressure_check_text = (
                    technique.checkin_text("pressure", mode) or QUESTIONS[("pressure", mode)]
                )
                needs_check = pressure is not None and (
                    rose
                    or (check_learnt and base * 0.25 >= MIN_HOLD)  # asked once the new pressure is felt
                    or (area == "lower-back" and technique.kind == "massage" and not checked_lower_back)
                )
                if needs_check and base > 0:
                    checked_lower_back = checked_lower_back or area == "lower-back"
                    check_learnt = False
                    hold(base * 0.25, is_movement, key, **common)
                    ask("pressure", pressure_check_text, area, technique.id)
                    key += 1
                    hold(base * 0.75, is_movement, key, **common)
                elif key in splits:
                    hold(base / 2, is_movement, key, split=True, **common)
                    ask("pressure", pressure_check_text, area, technique.id)
                    hold(base / 2, is_movement, key, split=True, **common)
                else:
                    hold(base, is_movement, key, **common)

    cue("next")
    ask("pain", QUESTIONS[("closing", mode)], None)
    say(CLOSING)
    cue("end")
    return drafts

