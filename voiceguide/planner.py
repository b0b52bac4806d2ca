"""Turn 'self or partner, which stage, how many minutes' into an exact, safe session.

Pure: values in, a Plan out. The safety rules (stage sets, pressure caps,
conditions, positions) are applied here, before anything is spoken. Every plan
follows the seed article's order: get ready, the opening pain rating, a
hands-on check (which side is worse?), the lower-back muscles, warming the
buttock and hip rotators, the deep buttock muscle from the sacrum edge, gentle
vibration, movement, and a cool-down.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace

from voiceguide import domain
from voiceguide.cues import CUE_SECONDS
from voiceguide.errors import SafetyStop, UsageProblem
from voiceguide.library import Library
from voiceguide.library.schema import Technique
from voiceguide.plan import Plan, Segment, renumber
from voiceguide.speechtime import PAUSE_AFTER_SPEECH, EstimatedSpeech, SpeechTimer

ANSWER_WINDOW = 8.0
LONG_HOLD = 120.0  # a massage hold longer than this gets a pressure check in the middle
# How much is said: everything; each technique in its short form; only the essentials (a very
# short session: no preparation list and no pressure scale, kept on the printed card instead).
# BRIEF keeps a technique's rise in pressure, SHORTER stays at the starting pressure.
FULL, BRIEF, SHORTER, ESSENTIAL = 0, 1, 2, 3
# Below this hold scale, say less (or leave a technique out): holds too short to help.
ESSENTIAL_BEFORE_PHASE = 0.85  # within this share of SHORTER's scale, say only the essentials first
LEVEL_MIN_SCALE = {FULL: 0.35, BRIEF: 0.3, SHORTER: 0.25, ESSENTIAL: 0.05}
MAX_SCALE_WHEN_LEFT_OUT = 1.6  # with areas left out, a shorter session beats one padded technique
MOVEMENT_SCALE = (0.6, 1.2)  # stretches are held 20-30 s; do not stretch them much
CHRONIC_MOVEMENT_WEIGHT = 1.4  # the chronic stage is exercise-led (acp-2017)
FOCUS_WEIGHT = 2.0
# A session that leaves these out says how to keep them: sciatica's massage centres on them.
KEY_AREAS = ("lower-back", "piriformis")
MIN_HOLD = 5.0
BRIEF_EXIT_HOLD = 5.0  # a short form's way out ("Lower the leg slowly") is held this long at most
# The shortest form keeps a technique's ending (how the hands leave deep work) as these words,
# said in the last seconds of the work before it: the session gives it no extra time (said as a
# step of its own, it had cost the 15-minute partner sessions their hamstring stretch). They name
# what was pressing in the work before ("Ease the pressure off" left a partner with oily thumbs deep
# in a buttock asking: off what?).
EASE_OFF = "Ease the pressure off slowly."
EASE_OFF_WITH = {
    "thumbs": "Ease your thumbs off slowly.",
    "fingertips": "Ease your fingertips off slowly.",
    "forearm": "Ease your forearm off slowly.",
    "loose-fist": "Ease your knuckles off slowly.",
    "palm": "Ease your hand off slowly.",
    "heel-of-hand": "Ease your hand off slowly.",
    "palms": "Ease your hands off slowly.",
}


def ease_off(technique: Technique, before: int) -> str:
    """The shortest form's ending, naming the tool of the nearest step before `before` that shows
    one (EASE_OFF_WITH), else EASE_OFF."""
    for step in reversed(technique.steps[:before]):
        if step.map is not None and step.map.tool in EASE_OFF_WITH:
            return EASE_OFF_WITH[step.map.tool]
    return EASE_OFF


WORKING_HOLD = 20.0  # a step held this long is working; its first third comes before a pressure check
MAX_SILENCE = 45.0  # no longer without a spoken word (answer windows included)
PROMPT_EVERY = 34.0  # a hold is cut into pieces no longer than this, with a short prompt between
TURN_OVER_SECONDS = 45.0  # turning over or getting up from lying, hands wiped, spoken
STAND_FLOOR_SECONDS = 30.0  # self mode: between standing and floor work
OTHER_CHANGE_SECONDS = 20.0
WALK_ROUND_SECONDS = 10.0  # the giver moves to the other side of the body
FULL_SAFETY_SESSIONS = 3  # the whole explanation in the first sessions, then one-line reminders
PARTNER_POSITIONS = ("belly-lying", "side-lying", "back-lying", "seated", "standing", "kneeling")
MOVEMENT_POSITIONS = ("belly-lying", "back-lying", "side-lying", "seated", "standing", "kneeling")
SAFE_POSITIONS_IN_PREGNANCY = domain.PREGNANCY_POSITIONS


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
    # This session's number in the journal (1 = the first): picks the phrasings, and the first
    # sessions get the whole safety explanation and the pressure scale in felt terms.
    session_number: int = 1
    first_side: str | None = None  # the side to start on; None: chosen from the seed
    # A recording (render): nobody listens for answers, so questions become if-then instructions.
    recording: bool = False
    red_flags_first: bool = False  # open with the emergency signs (no current screen)


@dataclass
class Draft:
    """A segment before its length is known (holds grow or shrink to fit)."""

    kind: str
    seconds: float = 0.0
    hold_base: float = 0.0
    movement: bool = False
    fixed: bool = False  # a hold of a set length (changing position): never scaled
    fields: dict = field(default_factory=dict)
    borrowed: bool = False  # words said within the hold before: it is shortened by their length


def pick(options: tuple[str, ...] | str, variant: int) -> str:
    """One phrasing of several, by the session's number (so session 1 and 4 differ)."""
    if isinstance(options, str):
        return options
    return options[variant % len(options)]


# --- what is said around the techniques -------------------------------------

WELCOME = {
    "self": (
        "Welcome. This is a {minutes} minute session of gentle self-massage and movement.",
        "Hello again. Here is a {minutes} minute session of self-massage and gentle movement.",
    ),
    "partner": (
        "Welcome. You will give the massage, and I will guide your hands for {minutes} minutes.",
        "Hello again. For the next {minutes} minutes, I will guide your hands through the massage.",
    ),
}
RED_FLAGS_FIRST = (
    "Before anything else, a safety check. Do not do this session, and get urgent medical help, if "
    "there is numbness between the legs or around the bottom. The same goes for new trouble passing "
    "urine or controlling the bladder or bowels, sciatica in both legs, or a leg that is getting weak. "
    "If you have not answered the safety questions yet, run voiceguide screen first."
)
BEFORE = {
    "self": (
        "Before you start, find a warm room and a firm surface, such as a mat on the floor. "
        "Keep a towel and a pillow close by.",
        "First, get ready: a warm room, a mat or blanket on a firm floor, and a towel and pillow "
        "within reach.",
    ),
    "partner": (
        "Before you start, warm the room, and lay a towel on a firm surface, such as a mat on the "
        "floor or a firm bed. Keep a little oil or lotion within reach.",
        "First, get ready: a warm room, a towel over a firm mat or bed, and a little oil or lotion close by.",
    ),
}
KIT = {
    ("ball",): "Keep your massage ball within reach.",
    ("foam-roller",): "Keep your foam roller within reach.",
    ("ball", "foam-roller"): "Keep your massage ball and foam roller within reach.",
}
CHAIR = {
    "self": "You will also need a steady chair, close to the mat.",
    "partner": "Have a steady chair nearby too.",  # (the resting position, the seated stretch)
}
READY = {
    "self": "When you are settled and ready, say ready, or press Enter.",
    "partner": "When you are both ready, say ready, or press Enter.",
}
SAFETY_FULL = {  # (the only place a session says that "pause" can be said)
    "self": (
        "To keep this safe: a dull ache that eases as you hold is a good hurt. Sharp, shooting or "
        "burning pain, or tingling down the leg that is new or stronger than usual, means stop. Say "
        "stop, or press s, at any moment, and everything stops. Say pause for a rest.",
        "A word on safety. A dull ache that fades as you hold is fine. Sharp, shooting or burning pain, "
        "or leg tingling that is new or stronger than usual, means stop. Say stop or pause, or press s, "
        "whenever you need to.",
    ),
    "partner": (
        "Either of you can say stop, or pause, at any moment. On stop, or when you press s, lift your "
        "hands at once. A dull ache that eases is a good hurt. Sharp, shooting or burning pain, or "
        "tingling down the leg that is new or stronger than usual, means stop.",
        "A word on safety. Either of you can say stop, or pause. On stop, or the s key, lift your hands "
        "at once. A dull ache that fades is fine. Sharp, shooting or burning pain, or leg tingling that "
        "is new or stronger than usual, means stop.",
    ),
}
SAFETY_SHORT = {
    "self": (
        "As always, say stop or press s at any moment, and everything stops.",
        "Remember: stop, or the s key, ends any part at once.",
    ),
    "partner": (
        "As always, on stop, or the s key, lift your hands at once.",
        "Remember: stop, or the s key, means hands off at once.",
    ),
}
# A recording cannot hear "stop": it says what to do instead, and always in full, because one file
# is played many times, and by whoever has it.
SAFETY_RECORDING = {
    "self": (
        "Here is how we keep this safe. A dull ache that eases while you hold is a good hurt. "
        "Sharp, shooting or burning pain, or tingling down the leg that is new or stronger than usual, "
        "is a signal to stop. This recording cannot hear you: if that happens, stop at once, and pause it.",
        "A word on safety. A dull ache that fades as you hold is fine. Sharp, shooting or burning pain, "
        "or leg tingling that is new or stronger than usual, means stop. This recording cannot hear "
        "you: stop what you are doing, and pause it.",
    ),
    "partner": (
        "Here is how we keep this safe. This recording cannot hear you. If your partner says stop, lift "
        "your hands at once, and pause it. A dull ache that eases is a good hurt. Sharp, shooting or "
        "burning pain, or tingling down the leg that is new or stronger than usual, means stop.",
        "A word on safety. If your partner says stop, lift your hands straight away, and pause the "
        "recording: it cannot hear them. A dull ache that fades is fine. Sharp, shooting or burning "
        "pain, or leg tingling that is new or stronger than usual, means stop.",
    ),
}
ANCHORS = {
    "self": (
        "Pressure goes from one to five. One is just the weight of your hand, so the skin moves with it. "
        "Two, you feel the muscle under the skin. Three, you lean in a little, to a comfortable ache. "
        "Four is a strong good hurt, while your breathing stays easy. Today we go no higher than {cap}."
    ),
    "partner": (
        "Pressure goes from one to five. One is the weight of your hands alone, so the skin moves. "
        "Two, you feel the muscle under the skin. Three, you lean in with some body weight, to a "
        "comfortable ache. Four is a strong good hurt, with your partner's breathing still easy. "
        "Today we go no higher than {cap}."
    ),
}
SKIP_AREA = "Leave out the {area} today, because of broken skin or recent surgery there."
AVOID_AREA = "We leave out the {area} today, because the last session had to stop there."
LEARNT_PRESSURE = "Each part starts at the pressure you chose last time. Say more or less at any check."
CHECK_AREA_CONDITION = "Keep away from any spot with broken skin, a rash, or recent surgery."
PREGNANCY_NOTE = {
    "self": (
        "With the pregnancy, everything today is done sitting or lying on your side, gently. "
        "Check with your midwife or doctor that massage is right for you."
    ),
    "partner": (
        "With the pregnancy, your partner stays on their side or sitting, and the touch stays light. "
        "Check with the midwife or doctor that massage is right for them."
    ),
}
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
    ("ready", "self"): READY["self"],
    ("ready", "partner"): READY["partner"],
    ("side", "self"): "Which side feels worse, left or right? Say left or right, or press l or r.",
    ("side", "partner"): (
        "For the person receiving: which side feels worse, left or right? Say left or right, or press l or r."
    ),
}
# In a recording nobody hears an answer: each question becomes what to do.
IF_THEN = {
    ("opening", "self"): "Notice how strong your pain is now, from zero to ten, and keep the number in mind.",
    ("opening", "partner"): "Ask your partner for a pain number from zero to ten now, and keep it in mind.",
    # (the stop rule: that area is left alone for the rest of the session; "stop this part and
    # rest" had not said what to do while the recording goes on working the same area)
    # Pain and pressure come back many times in one file: the first phrasing, then the others in
    # turn (varied_checks), each saying the whole rule again, as a live session varies its questions.
    ("pain", "self"): (
        "Check your pain. If it is two or more above where you started, or eight or more, stop, "
        "and leave this area alone today.",
        "Pain check. If it has risen two or more since the start, or reached eight, stop, and leave "
        "this area alone today.",
        "Notice your pain. At two or more above the start, or eight or more, stop, and leave this "
        "area alone today.",
    ),
    ("pain", "partner"): (
        "Ask about pain. If it is two or more above the start, or eight or more, lift your hands, "
        "and leave this area alone today.",
        "Pain check: if it has risen two or more since the start, or reached eight, lift your hands, "
        "and leave this area alone today.",
        "Ask how the pain is. At two or more above the start, or eight or more, lift your hands, and "
        "leave this area alone today.",
    ),
    ("pressure", "self"): (
        "If the pressure is too much, ease off by half. If it feels good, stay as you are.",
        "Pressure check: ease off by half if it is too much, or stay as you are.",
        "Too much pressure? Ease off by half. Feels good? Stay as you are.",
    ),
    ("pressure", "partner"): (
        "Ask how it feels. If it is too much, ease off by half. If it feels good, stay as you are.",
        "Ask about the pressure: if it is too much, ease off by half; if good, keep it there.",
        "Ask how the pressure is. If too much, ease off by half. If good, stay as you are.",
    ),
    ("comfort", "self"): "If the position is not comfortable, shift until it is.",
    ("comfort", "partner"): "If your partner is not comfortable, change the position until they are.",
    ("ready", "self"): "If you need more time to get ready, pause the recording now.",
    ("ready", "partner"): "If you need more time to get ready, pause the recording now.",
    ("side", "self"): (
        "We begin on the {side} side. If your other side is the worse one, work that side first instead."
    ),
    ("side", "partner"): (
        "We begin on the {side} side. If your partner's other side is worse, work that side first instead."
    ),
    ("closing", "self"): "Notice your pain now, and compare it with the number at the start.",
    ("closing", "partner"): "Ask your partner for a pain number now, and compare it with the start.",
}
PHASE_INTRO = {
    "lower-back": (
        "Now the muscles of the lower back, where much of this pain sits.",
        "Next, the lower-back muscles.",
    ),
    "buttock": (
        "Now we warm the buttock and the muscles that turn the hip, before any deeper work.",
        "Next, warming up the buttock and the hip muscles.",
    ),
    "piriformis": (
        "Now the deeper work, slowly, starting beside the flat bone at the base of the spine.",
        "Next, the deep buttock muscle, slowly, from the edge of that flat bone.",
    ),
    "vibration": (
        "Now something gentle: light shaking and rocking, which can settle the area.",
        "Next, gentle shaking and rocking.",
    ),
    "movement": (
        "Now some gentle movement. Massage helps most alongside regular, gentle exercise.",
        "Now some gentle movement. Massage works best with regular, easy exercise.",
    ),
}
# A partner whose hands still hold the oil of the massage is about to hold an ankle or a knee
# (read aloud, 2026-12-07: nothing said to wipe them unless the position changed); no longer
# than the intro it stands for, in any voice (scripts/sentence_seconds.py --text).
OILY_MOVEMENT_INTRO = "Now some gentle movement. First wipe the oil off your hands."
SWITCH = {
    ("partner", "belly-lying"): "Now the {side} side. Move round to kneel at your partner's {side} side.",
    ("partner", "back-lying"): "Now the {side} leg. Move round to your partner's {side} side.",
    ("partner", "side-lying"): (
        "Now the {side} side. Wipe your hands, and help your partner roll slowly onto their other side, "
        "knees together, the pillow between the knees. Then move round to the other side of the mat, "
        "and kneel as you did before."
    ),  # (rolled over, they face the other way: a giver who stays put is now at their front)
    ("self", "side-lying"): (
        "Now the {side} side. Roll slowly onto your other side, knees together, the pillow between "
        "your knees."
    ),
}
SWITCH_OTHER = "Now the {side} side."
# The positions where a giver kneels at one side of the body. A plan never sends them back round:
# each two-sided technique starts at the side the one before ended on. The words are for plans
# saved before that (2026-12-04), where each technique started on the first side again; replan
# keeps them only for a giver who is not already there.
MOVE_BACK = {
    ("partner", "belly-lying"): "Move back round to kneel at your partner's {side} side.",
    ("partner", "back-lying"): "Move back round to your partner's {side} side.",
}
# The first two-sided technique in such a position: which side to be at (the position's own words
# say only "kneel at their side", and "Now the left side. Move round..." assumes the right).
GO_TO_SIDE = "Kneel at your partner's {side} side."
SIDE_UP = {
    "self": "Lie with your {side} side uppermost, the pillow between your knees.",
    "partner": "Your partner lies with the {side} side uppermost, the pillow between the knees.",
}
SWITCH_SIDES = SWITCH_OTHER
CHANGE = {
    ("partner", "belly-lying"): (
        "Time to change position. Wipe your hands. Your partner rolls onto their side first, knees "
        "together, then face down, with the pillow under the hips."
    ),
    ("partner", "side-lying"): (
        "Time to change position. Wipe your hands. Help your partner roll onto their side, knees "
        "together, with a pillow between the knees."
    ),
    ("partner", "back-lying"): (
        "Time to turn over. Wipe the oil off your hands. Your partner rolls onto their side first, "
        "knees together, and then onto their back."
    ),
    ("partner", "seated"): (
        "Time to sit up. Wipe your hands. Your partner rolls onto their side, knees together, pushes "
        "up with the arms, and moves to a steady chair."
    ),
    ("partner", "standing"): (
        "Time to stand up. Wipe your hands. Your partner rolls onto their side, pushes up with the "
        "arms, and stands slowly."
    ),
    ("self", "standing"): "Now come up to standing, slowly.",
    ("self", "seated"): "Now move to sitting, slowly.",
    (
        "self",
        "side-lying",
    ): "Now lie down on your side, slowly, knees bent, with the pillow between your knees.",
    ("self", "back-lying"): (
        "Now lie down on your back, slowly. Sit on the mat, lower yourself onto one side, then roll "
        "onto your back."
    ),
}
CHANGE_OTHER = "Now change position, slowly and carefully."
# Seated techniques on a chair and on the mat: moving between them (STAND_FLOOR_SECONDS)
SEAT_CHANGE = {
    ("self", "floor"): "Now come down to sit on the mat, slowly. Use the chair to steady yourself.",
    ("self", "chair"): "Now get up from the mat slowly, and sit on the chair. Use it to steady yourself.",
    ("partner", "floor"): "Time to change position. Help your partner down to sit on the mat, slowly.",
    (
        "partner",
        "chair",
    ): "Time to change position. Help your partner up from the mat onto the chair, slowly.",
}
# Said after the self-mode change to sitting or standing only when lying before it ("From lying,
# roll onto your side first" had come to someone getting up from a chair), or from the mat.
UP_FROM_LYING = "Roll onto your side first, and push up with your arms."
UP_FROM_SIDE = "Knees together, push up with your arms."
UP_FROM_FLOOR = "Come onto your hands and knees first, and use a chair or the wall to help you up."
# Said instead of CHANGE to a partner already lying on the side (pregnancy: side-lying sessions)
CHANGE_FROM_SIDE = {
    ("partner", "seated"): (
        "Time to sit up. Wipe your hands. Knees together, your partner pushes up with the arms, and "
        "moves to a steady chair."
    ),
    ("partner", "standing"): (
        "Time to stand up. Wipe your hands. Knees together, your partner pushes up with the arms, and "
        "stands slowly."
    ),
}
# Every move's words begin with one of these (is_move; replan finds the moves a dropped technique left)
MOVE_WORDS = (*CHANGE.values(), *CHANGE_FROM_SIDE.values(), *SEAT_CHANGE.values(), CHANGE_OTHER)


def change_text(mode: str, before: str | None, after: str, from_floor: bool = False) -> str:
    """What is said to change position: getting up from lying is said only to someone lying,
    rolling onto the side only to someone not on it already, and getting up off the mat only to
    someone sitting on it."""
    if before == "side-lying" and (mode, after) in CHANGE_FROM_SIDE:
        return CHANGE_FROM_SIDE[(mode, after)]
    text = CHANGE.get((mode, after), CHANGE_OTHER)
    if mode == "self" and after == "standing" and before == "seated" and from_floor:
        return text + " " + UP_FROM_FLOOR
    if mode == "self" and after in ("standing", "seated") and before in domain.LYING:
        text += " " + (UP_FROM_SIDE if before == "side-lying" else UP_FROM_LYING)
    return text


PROMPTS = {
    "self": (
        "Slow and even.",
        "Keep breathing slowly.",
        "Nice and easy, keep going.",
        "Keep the same slow rhythm.",
    ),
    "partner": (
        "Slow and even, keep going.",
        "Keep your shoulders relaxed.",
        "Check that your partner's breathing is slow and easy.",
        "Keep the same slow rhythm.",
    ),
}
MOVEMENT_PROMPTS = ("Breathe out slowly.", "Stay easy, and keep breathing.")
# While the person receiving changes position (turning over, getting up), both of them hear it:
# "Breathe out slowly." did not say to whom.
MOVING_TOGETHER = ("Take your time. There is no hurry.", "Move slowly, and keep breathing.")
STEADY = "Keep this pressure, slow and even."
COOL_STROKES = {
    "self": (
        "To cool down, rub your lower back with slow, light strokes of your palms, then rest your "
        "hands still."
    ),
    "partner": (
        "To cool down, give a few slow, light strokes from the lower ribs down to the hips, then rest "
        "your hands still."
    ),
}
COOL_BREATHE = {
    "self": "To cool down, let your hands rest loosely and take a few slow breaths.",
    "partner": "To cool down, rest your hands lightly on your partner's knees and breathe slowly together.",
}
GET_UP = {
    "self": (
        "Get up slowly: roll onto your side first, knees together, and push up with your arms to sitting."
    ),
    "partner": (
        "Now help your partner get up slowly. They roll onto their side first, knees together, and push "
        "up with their arms to sitting."
    ),
}
# ...from lying on the side already (pregnancy, side-lying sessions): no roll onto the side first
GET_UP_FROM_SIDE = {
    "self": "Get up slowly: knees together, push up with your arms to sitting.",
    "partner": (
        "Now help your partner get up slowly. Knees together, they push up with their arms to sitting."
    ),
}
AFTERCARE = {
    "self": (
        "A short, easy walk helps now. Some soreness over the next day is normal, like after exercise. "
        "If pain spreads down the leg, numbness is new, or pain is much worse tomorrow, call a doctor "
        "or physiotherapist."
    ),
    "partner": (
        "A short, easy walk helps now. Some soreness over the next day is normal, like after exercise. "
        "If pain spreads down the leg, numbness is new, or pain is much worse tomorrow, your partner "
        "should call a doctor or physiotherapist."
    ),
}
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


def technique_cap(technique: Technique, cap: int, condition_names: set[str], stage: str | None = None) -> int:
    """The session's cap, lowered by the technique's range, its stage cap and the conditions."""
    if technique.pressure is not None:
        cap = min(cap, technique.pressure.max)
    if stage is not None and stage in technique.stage_caps:
        cap = min(cap, technique.stage_caps[stage])
    for name, tech_cap in technique.conditions.caps.items():
        if name in condition_names:
            cap = min(cap, tech_cap)
    return cap


def allowed_positions(technique: Technique, condition_names: set[str]) -> list[str]:
    """The technique's positions that suit the person (pregnancy: side-lying or seated only)."""
    if "pregnancy" in condition_names:
        return [p for p in technique.positions if p in SAFE_POSITIONS_IN_PREGNANCY]
    return list(technique.positions)


def choose_position(technique: Technique, mode: str, condition_names: set[str], current: str | None) -> str:
    """Stay where the person is if the technique allows it; otherwise the first suitable position
    (partner: belly-lying first, the classic massage position; self: the file's order)."""
    allowed = allowed_positions(technique, condition_names)
    if current in allowed:
        return current
    if mode == "partner":
        order = MOVEMENT_POSITIONS if technique.kind == "movement" else PARTNER_POSITIONS
        return min(allowed, key=order.index)
    return allowed[0]


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
    if not allowed_positions(technique, condition_names):
        return "no side-lying or seated position, needed in pregnancy"
    if technique.kind != "assessment" and skipped_areas & set(technique.areas):
        return "works an area left out today"
    return None


def learnt_start(
    technique: Technique, cap: int, condition_names: set[str], chosen: int, stage: str | None = None
) -> int:
    """The pressure chosen last time, within every cap of today's session
    (stage, conditions, --max-pressure)."""
    return max(domain.PRESSURE_MIN, min(chosen, technique_cap(technique, cap, condition_names, stage)))


def order_key(
    technique: Technique, mode: str = "partner", condition_names: frozenset[str] = frozenset()
) -> tuple:
    """The seed article's order: phase first; movements grouped by position so that the person
    turns over as few times as possible (lying face down, then on the back, then sitting)."""
    phase = technique.session_phase
    allowed = allowed_positions(technique, set(condition_names)) or list(technique.positions)
    place = min(PARTNER_POSITIONS.index(p) for p in allowed) if phase == "movement" else 0
    return (domain.PHASES.index(phase), place, domain.AREAS.index(technique.areas[0]), technique.id)


def said_order(chosen: list[Technique], condition_names: frozenset[str] = frozenset()) -> list[Technique]:
    """The order the chosen techniques are said in: order_key's, but movements grouped by the
    position each will be done in, as choose_position ranks it (back before side), and in each
    position the two-sided stretches before a rest. By order_key, lying on the side came first
    for the knee to chest and the rest in a position of relief, since both can be done there:
    the rest fell between two stretches on the back ("Stay here a few breaths more, then get
    ready to move", then the figure-four). order_key still decides what is left out to fit the
    time, so which techniques a session keeps does not change."""

    def key(t: Technique) -> tuple:
        if t.session_phase != "movement":
            return (domain.PHASES.index(t.session_phase), 0, False)
        allowed = allowed_positions(t, set(condition_names)) or list(t.positions)
        place = min(MOVEMENT_POSITIONS.index(p) for p in allowed)
        return (domain.PHASES.index("movement"), place, not t.per_side)

    return [chosen[0], *sorted(chosen[1:], key=key)]  # the opening check first; sorted is stable


# Leaving out to fit the time: never a phase's last technique while any other can go; then
# vibration (the cool-down keeps slow strokes), partner sessions keep the deep work before the
# movement (the 10 and 15 minute sessions), self sessions keep a stretch; the deep work
# always goes before its warm-up, and the lower back last of all.
DROP_PHASE_ORDER = {
    "partner": ("vibration", "movement", "piriformis", "buttock", "lower-back"),
    "self": ("vibration", "piriformis", "buttock", "movement", "lower-back"),
}


def stage_priority(technique: Technique, stage: str) -> int:
    """How much a technique matters in this stage (1 most): the chronic stage is exercise-led and
    (acp-2017), so its movements count most."""
    if stage == "chronic" and technique.kind == "movement":
        return 1
    return technique.priority


def pick_to_drop(
    chosen: list[Technique], mode: str = "partner", stage: str = "subacute", focus: tuple[str, ...] = ()
) -> Technique:
    """The least essential technique: a second one in a phase before a phase's only one. Among
    each, one that works an area asked for with --focus goes after the others (a phase's only
    technique still before the lower back's warm-up): a 10-minute partner session with --focus
    piriformis had left out the piriformis and kept the buttock's compressions."""
    candidates = chosen[1:]
    order = DROP_PHASE_ORDER.get(mode, DROP_PHASE_ORDER["partner"])
    massaged = {area for c in candidates if c.kind != "movement" for area in c.areas}

    def key(t: Technique) -> tuple:
        alone = sum(1 for c in candidates if c.session_phase == t.session_phase) == 1
        # a stretch counts for a focus area only when no massage works it (else it would push out
        # the buttock's compressions, the warm-up before the deep work of the focus)
        focused = any(a in focus and (t.kind != "movement" or a not in massaged) for a in t.areas)
        phase = t.session_phase
        rank = order.index(phase) if phase in order else 0
        if alone:
            return (True, phase == order[-1], focused, rank, -stage_priority(t, stage), -chosen.index(t))
        return (False, False, focused, 0, -stage_priority(t, stage), -chosen.index(t))

    return min(candidates, key=key)


def next_out_is_key(chosen: list[Technique], request: Request) -> bool:
    """Would the next technique left out work the lower back or the piriformis (KEY_AREAS)?"""
    if len(chosen) <= 2:
        return True  # nothing more is left out at SHORTER
    victim = pick_to_drop(chosen, request.mode, request.stage, request.focus)
    return any(area in KEY_AREAS for area in victim.areas)


# --- building ---------------------------------------------------------------


def build(library: Library, request: Request, timer: SpeechTimer | None = None) -> Plan:
    timer = timer or EstimatedSpeech()
    validate(request)
    parsed = [domain.parse_condition(c) for c in request.conditions]
    names = {name for name, _ in parsed}
    if ("recent-surgery", "hip") in parsed:
        names.add("hip-replacement")  # the same hip precautions: no rotation, flexion only to a right angle
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
    chosen = [
        t for t in library.techniques.values() if why_excluded(t, request, names, skipped_areas) is None
    ]
    chosen.sort(key=lambda t: order_key(t, request.mode, frozenset(names)))
    assessments = [t for t in chosen if t.kind == "assessment"]
    if not assessments:
        raise UsageProblem(
            f"The library has no opening check for {request.mode} mode in the {request.stage} stage.",
            hint="Run: voiceguide library check to see which technique files were left out.",
        )
    chosen = [assessments[0]] + [t for t in chosen if t.kind != "assessment"]
    worked_at_start = {area for t in chosen[1:] for area in t.areas}
    for area in request.focus:
        if not any(area in t.areas for t in chosen[1:]):
            notes.append(f"No technique works the {area} in this session, so --focus {area} has no effect.")
    if any(name in domain.AREA_CONDITIONS and area is None for name, area in parsed):
        notes.append("Say which area with --condition skin:AREA so that it is left out.")

    cap = session_cap(request, names)
    target = request.minutes * 60.0
    rng = random.Random(request.seed)
    first_side = request.first_side if request.first_side in domain.SIDES else rng.choice(domain.SIDES)
    left_out = bool(skipped_areas)
    level = FULL
    while True:
        said = said_order(chosen, frozenset(names))
        drafts = sequence(said, request, names, skipped_areas, cap, first_side, timer, level)
        scale = fit_scale(drafts, target)
        if scale >= LEVEL_MIN_SCALE[level]:
            break
        # first a second technique of a phase goes, then every part is said in its short form,
        # then a phase's last technique goes, and a very short session keeps only the essentials
        spare = [t for t in chosen[1:] if sum(c.session_phase == t.session_phase for c in chosen[1:]) > 1]
        if level == FULL and not spare:
            level = BRIEF
            notes.append("A short session: each part is said in its short form.")
            continue
        if level == BRIEF:
            level = SHORTER
            continue
        if (
            level == SHORTER
            and not spare
            and scale >= LEVEL_MIN_SCALE[SHORTER] * ESSENTIAL_BEFORE_PHASE
            and next_out_is_key(chosen, request)
        ):
            # nearly fits: the preparation list, the pressure scale and the cool-down go to the
            # printed card rather than the lower back's or the piriformis's phase (the 10-minute
            # partner session lost the piriformis). For any other phase they are kept: the
            # 15-minute subacute partner session had said "warm a little oil" to a partner never
            # told to have oil at hand, to keep the shaking and rocking.
            level = ESSENTIAL
            continue
        if len(chosen) > (2 if level == SHORTER else 1):
            victim = pick_to_drop(chosen, request.mode, request.stage, request.focus)
            notes.append(f"Left out {victim.id} ({victim.name}) to fit {request.minutes:g} minutes.")
            chosen = [t for t in chosen if t is not victim]
            continue
        if level == SHORTER:
            level = ESSENTIAL
            continue
        if scale <= 0:
            raise UsageProblem(
                f"{request.minutes:g} minutes is too short for this session.",
                hint="Ask for a few more minutes with --minutes.",
            )
        break
    still_worked = {area for t in chosen[1:] for area in t.areas}
    for area in sorted(worked_at_start - still_worked, key=domain.AREAS.index):
        words = domain.AREA_WORDS.get(area, area)
        if area in request.focus:
            notes.append(f"No time for the {words} in {request.minutes:g} minutes, even with --focus {area}: "
                         "ask for a few more minutes.")  # fmt: skip
        elif area in KEY_AREAS:
            focused = build(library, replace(request, focus=(*request.focus, area)), timer)
            used = list(dict.fromkeys(s.technique for s in focused.segments if s.technique))[1:]
            kept = any(area in library.get(t).areas for t in used)
            how = f"--focus {area} keeps it" if kept else "ask for a few more minutes to keep it"
            notes.append(f"No technique works the {words} in {request.minutes:g} minutes: {how}.")
    if left_out and scale > MAX_SCALE_WHEN_LEFT_OUT:
        scale = MAX_SCALE_WHEN_LEFT_OUT
        seconds = sum(hold_seconds(d, scale) for d in drafts if d.kind == "hold")
        seconds += sum(d.seconds for d in drafts if d.kind != "hold" and not d.borrowed)
        notes.append(
            f"This session lasts about {seconds / 60:.0f} minutes, not {request.minutes:g}: with "
            "an area left out, there is not enough gentle work to fill the time without padding."
        )

    learnt = dict(request.start_pressures)
    for t in chosen:
        if t.id in learnt and t.pressure is not None:
            start = learnt_start(t, cap, names, learnt[t.id], request.stage)
            notes.append(f"{t.id} ({t.name}) starts at pressure {start}, as chosen last time.")
    segments = borrow_from_holds(drafts, [to_segment(d, scale) for d in drafts])
    segments = paced(segments, request, timer)
    if request.recording:
        segments = varied_checks(segments, request.mode, timer)
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
    if request.session_number < 1:
        raise UsageProblem(f"Session number {request.session_number} is out of range: it counts from 1.")
    for c in request.conditions:
        try:
            domain.parse_condition(c)
        except ValueError as e:
            raise UsageProblem(f"--condition {c}: {e}.") from None


def fit_scale(drafts: list[Draft], target: float) -> float:
    """The hold scale that makes the session last exactly target seconds."""
    fixed = sum(d.seconds for d in drafts if (d.kind != "hold" or d.fixed) and not d.borrowed)
    massage = sum(d.hold_base for d in drafts if d.kind == "hold" and not d.movement and not d.fixed)
    movement = sum(d.hold_base for d in drafts if d.kind == "hold" and d.movement and not d.fixed)

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
    if draft.fixed:
        return draft.seconds
    if draft.movement:
        lo, hi = MOVEMENT_SCALE
        return draft.hold_base * min(max(scale, lo), hi)
    return draft.hold_base * scale


def borrow_from_holds(drafts: list[Draft], segments: list[Segment]) -> list[Segment]:
    """Shorten the hold before each borrowed speech by the speech's length (never below MIN_HOLD)."""
    out = list(segments)
    for i, draft in enumerate(drafts):
        if draft.borrowed and i > 0 and out[i - 1].kind == "hold":
            before = out[i - 1]
            out[i - 1] = replace(before, duration=max(before.duration - out[i].duration, MIN_HOLD))
    return out


def to_segment(draft: Draft, scale: float) -> Segment:
    seconds = hold_seconds(draft, scale) if draft.kind == "hold" else draft.seconds
    return Segment(index=0, start=0.0, duration=seconds, kind=draft.kind, **draft.fields)


def fill(text: str, pressure: int | None, side: str | None, mode: str = "partner") -> str:
    """The step's words with its placeholders filled: {pressure} is a whole sentence in felt terms."""
    other = domain.other_side(side) or "other"
    said = domain.PRESSURE_SAY.get(mode, domain.PRESSURE_SAY["partner"])
    return " ".join(
        text.format(
            pressure=said.get(pressure or 0, "Keep it gentle."),
            side=side or "one",
            other_side=other,
        ).split()
    )


def paced(segments: list[Segment], request: Request, timer: SpeechTimer) -> list[Segment]:
    """No long silence: a hold longer than PROMPT_EVERY is cut into pieces with a short spoken
    prompt between them (a long massage hold gets a pressure check in the middle instead of one
    prompt). The time of the words comes out of the hold, so the session's length is unchanged."""
    out: list[Segment] = []
    count = 0
    for seg in segments:
        if seg.kind != "hold" or seg.duration <= PROMPT_EVERY:
            out.append(seg)
            continue
        inserts: list[list[Segment]] = []
        check_middle = seg.pressure is not None and seg.duration > LONG_HOLD and seg.technique is not None
        pieces = max(2, math.ceil(seg.duration / PROMPT_EVERY))
        while True:
            inserts = []
            for i in range(pieces - 1):
                if check_middle and i == (pieces - 1) // 2:
                    inserts.append(
                        question_segments(request, "pressure", seg.technique, seg.area, timer, seg)
                    )
                    continue
                if (
                    seg.technique is None
                    and seg.pressure is None
                    and seg.text is None
                    and seg.position is None
                ):
                    options = PROMPTS[request.mode]
                elif seg.technique is None and seg.pressure is None and request.mode == "partner":
                    options = MOVING_TOGETHER
                elif seg.pressure is None:
                    options = MOVEMENT_PROMPTS
                else:
                    options = PROMPTS[request.mode]
                text = options[(count + i + request.session_number - 1) % len(options)]
                inserts.append(
                    [
                        Segment(
                            0,
                            0.0,
                            timer.seconds(text) + PAUSE_AFTER_SPEECH,
                            "speech",
                            text=text,
                            technique=seg.technique,
                            area=seg.area,
                            side=seg.side,
                            position=seg.position,
                        )
                    ]
                )
            talk = sum(s.duration for group in inserts for s in group)
            piece = (seg.duration - talk) / pieces
            if piece <= PROMPT_EVERY or piece < MIN_HOLD:
                break
            pieces += 1
        count += pieces - 1
        piece = max(piece, 0.0)
        for i in range(pieces):
            if piece > 0:
                out.append(replace(seg, duration=piece))
            if i < len(inserts):
                out.extend(inserts[i])
    return out


def varied_checks(segments: list[Segment], mode: str, timer: SpeechTimer) -> list[Segment]:
    """A recording's pain and pressure checks in turn through their phrasings (IF_THEN), each in the
    time of the first: a phrasing that would take longer in this voice keeps the first one's words,
    so no time in the plan moves. Done on the finished list, so that checks added inside long holds
    (paced) are counted where they are heard."""
    firsts = {IF_THEN[(q, mode)][0]: IF_THEN[(q, mode)] for q in ("pain", "pressure")}
    said = dict.fromkeys(firsts, 0)
    out: list[Segment] = []
    for seg in segments:
        phrasings = firsts.get(seg.text or "") if seg.kind == "speech" else None
        if phrasings:
            text = pick(phrasings, said[seg.text])
            said[seg.text] += 1
            if timer.seconds(text) + PAUSE_AFTER_SPEECH <= seg.duration:
                seg = replace(seg, text=text)
        out.append(seg)
    return out


def question_segments(
    request: Request,
    question: str,
    technique: str | None,
    area: str | None,
    timer: SpeechTimer,
    like: Segment | None = None,
    library_text: str | None = None,
    side: str | None = None,
) -> list[Segment]:
    """A question as segments: a cue and a checkpoint, or in a recording one if-then instruction."""
    mode = request.mode
    position = like.position if like else None
    if request.recording:
        first = pick(IF_THEN[(question, mode)], 0)
        text = first.format(side=side or (like.side if like else None) or "first")
        return [
            Segment(
                0,
                0.0,
                timer.seconds(text) + PAUSE_AFTER_SPEECH,
                "speech",
                text=text,
                technique=technique,
                area=area,
                position=position,
            )
        ]
    text = library_text or QUESTIONS[(question if question != "opening" else "opening", mode)]
    checkpoint_question = "pain" if question in ("opening", "closing") else question
    seconds = timer.seconds(text) + request.answer_window
    return asked(checkpoint_question, text, seconds, area, technique, position)


def asked(
    question: str, text: str, seconds: float, area: str | None, technique: str | None, position: str | None
) -> list[Segment]:
    """The question cue, then the checkpoint that asks and listens for `seconds`: the planner's
    questions and those the session adds as it adapts are the same two segments."""
    return [
        Segment(0, 0.0, CUE_SECONDS["question"], "cue", sound="question"),
        Segment(
            0,
            0.0,
            seconds,
            "checkpoint",
            text=text,
            question=question,
            technique=technique,
            area=area,
            position=position,
        ),
    ]


def sequence(
    chosen: list[Technique],
    request: Request,
    names: set[str],
    skipped_areas: set[str],
    cap: int,
    first_side: str,
    timer: SpeechTimer,
    level: int = FULL,
) -> list[Draft]:
    mode = request.mode
    variant = request.session_number - 1
    brief = level >= BRIEF
    drafts: list[Draft] = []

    def cue(sound: str) -> None:
        drafts.append(Draft("cue", CUE_SECONDS[sound], fields={"sound": sound}))

    def say(text: str, borrowed: bool = False, **fields) -> None:
        seconds = timer.seconds(text) + PAUSE_AFTER_SPEECH
        drafts.append(Draft("speech", seconds, fields={"text": text, **fields}, borrowed=borrowed))

    def ask(
        question: str,
        area: str | None,
        technique: str | None = None,
        text: str | None = None,
        position: str | None = None,
        side: str | None = None,
    ) -> None:
        """question: a plan question, or 'opening' / 'closing' (pain ratings with their own words)."""
        if request.recording:
            said = pick(IF_THEN[(question, mode)], 0).format(side=side or first_side)
            say(said, technique=technique, area=area, position=position)
            return
        cue("question")
        words = text or QUESTIONS[(question, mode)]
        drafts.append(
            Draft(
                "checkpoint",
                timer.seconds(words) + request.answer_window,
                fields={
                    "question": "pain" if question in ("opening", "closing") else question,
                    "text": words,
                    "area": area,
                    "technique": technique,
                    "position": position,
                },
            )
        )

    def hold(base: float, movement: bool, **fields) -> None:
        if base < MIN_HOLD:  # a talk-only step: the pause after the words is enough
            return
        drafts.append(Draft("hold", hold_base=base, movement=movement, fields=fields))

    def pause(seconds: float, said: float, position: str | None) -> None:
        """A set-length pause for changing position, counting the words said for it."""
        rest = seconds - said
        if rest >= 1.0:
            drafts.append(Draft("hold", seconds=rest, fixed=True, fields={"position": position}))

    positions = {t.id: choose_position(t, mode, names, None) for t in chosen}
    current: str | None = None
    for t in chosen:  # the position actually used follows the one before it where allowed
        positions[t.id] = choose_position(t, mode, names, current)
        current = positions[t.id]
    opening_position = positions[chosen[0].id]

    # --- getting ready ---------------------------------------------------------------------------
    cue("start")
    if request.red_flags_first:
        say(RED_FLAGS_FIRST)
    say(pick(WELCOME[mode], variant).format(minutes=f"{request.minutes:g}"))
    if level < ESSENTIAL:
        say(pick(BEFORE[mode], variant))
    if mode == "self" and level < ESSENTIAL:
        kit = tuple(e for e in domain.ROLLING_EQUIPMENT if any(e in t.equipment for t in chosen))
        if kit:
            say(KIT[kit])
    if level < ESSENTIAL and any("chair" in t.equipment for t in chosen):
        say(CHAIR[mode])  # (partner: the calves rest on a chair's seat, with no word of one before)
    if "pregnancy" in names:
        say(PREGNANCY_NOTE[mode])
    first = chosen[0]
    if first.setup:
        say(setup_text(first, mode, opening_position, variant), position=opening_position)
    ask("ready", None, position=opening_position)
    if request.recording or request.session_number <= FULL_SAFETY_SESSIONS:
        say(pick((SAFETY_RECORDING if request.recording else SAFETY_FULL)[mode], variant))
        if level < ESSENTIAL:
            say(ANCHORS[mode].format(cap=cap))
    else:
        say(pick(SAFETY_SHORT[mode], variant))
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
    ask("opening", first.areas[0], first.id, position=opening_position)

    # --- the techniques, in the seed article's order ------------------------------------------------
    last_area: str | None = None
    last_phase: str | None = None
    position: str | None = opening_position
    current_side = first_side
    up_side: str | None = None  # lying on the side: which side is up
    kneeling: str | None = None  # the side the giver moved round to, in this position
    kneel_at: str | None = None  # where along the body the giver kneels (Technique.kneel)
    seat = first.seat  # seated on a chair or on the mat
    for t_index, technique in enumerate(chosen):
        is_movement = technique.kind == "movement"
        area = technique.areas[0]
        phase = technique.session_phase
        place = positions[technique.id]
        moved = place != position or (place == "seated" and technique.seat != seat)
        if t_index > 0:
            cue("next")
            if moved:
                kneeling = None  # the new position's own words say where to be
                text, seconds = move(mode, (position, seat), (place, technique.seat))
                say(text, position=place)
                pause(seconds, timer.seconds(text) + PAUSE_AFTER_SPEECH, place)
            short = level >= SHORTER
            if phase != last_phase and phase in PHASE_INTRO and not (short and phase != "movement"):
                oiled = any("oil" in t.equipment for t in chosen[:t_index])
                if phase == "movement" and mode == "partner" and oiled and not moved:
                    say(OILY_MOVEMENT_INTRO, position=place)
                else:
                    say(pick(PHASE_INTRO[phase], variant), position=place)
            kneels_elsewhere = mode == "partner" and technique.kneel.get(place, kneel_at) != kneel_at
            if technique.setup and (moved or not short or kneels_elsewhere):
                say(
                    setup_text(technique, mode, place, variant),
                    technique=technique.id,
                    area=area,
                    position=place,
                )
            for condition, spoken in technique.cautions.items():
                if condition in names:
                    say(
                        spoken.for_mode(mode, variant) or "",
                        technique=technique.id,
                        area=area,
                        position=place,
                    )
        position = place
        seat = technique.seat if place == "seated" else seat
        kneel_at = technique.kneel.get(place)
        last_phase = phase
        if (
            technique.kind == "massage"
            and last_area is not None
            and area != last_area
            and area != "lower-back"
        ):
            text = technique.checkin_text("pain", mode, variant) or QUESTIONS[("pain", mode)]
            ask("pain", area, technique.id, text=text, position=place)
        if technique.kind != "movement":
            last_area = area
        tech_cap = technique_cap(technique, cap, names, request.stage)
        weight = FOCUS_WEIGHT if set(technique.areas) & set(request.focus) else 1.0
        if is_movement and request.stage == "chronic":
            weight *= CHRONIC_MOVEMENT_WEIGHT
        start_pressure = min(technique.pressure.min, tech_cap) if technique.pressure else None
        # a pressure chosen last time holds for the whole technique (as a choice does within a
        # session: no planned rise overrides it) and is checked at the first working hold
        chose = technique.pressure is not None and technique.id in learnt
        if chose:
            start_pressure = learnt_start(technique, cap, names, learnt[technique.id], request.stage)
        kept = brief_steps(technique, level >= SHORTER) if brief else set(range(len(technique.steps)))
        needs_first_check = technique.pressure is not None and technique.kind == "massage"
        if technique.per_side:
            # lying on the side, each technique starts on the side that is up (fewer roll-overs);
            # a giver kneeling at a side starts where they are: right, left, then left, right
            # (each technique on the first side had sent them back round after every one)
            if place == "side-lying" and up_side is not None:
                start = current_side
            elif kneeling is not None and (mode, place) in MOVE_BACK:
                start = kneeling
            else:
                start = first_side
            sides: tuple[str | None, ...] = (start, domain.other_side(start))
            current_side = sides[-1] or first_side
            if place == "side-lying" and up_side != start:
                text = SIDE_UP[mode].format(side=start)
                say(text, technique=technique.id, area=area, side=start, position=place)
                if up_side is not None:
                    pause(TURN_OVER_SECONDS, timer.seconds(text) + PAUSE_AFTER_SPEECH, place)
            up_side = current_side if place == "side-lying" else None
            if kneeling is None and (mode, place) in MOVE_BACK:  # already at a side: said, no walk
                say(
                    GO_TO_SIDE.format(side=start),
                    technique=technique.id,
                    area=area,
                    side=start,
                    position=place,
                )
            kneeling = sides[-1] if (mode, place) in MOVE_BACK else None
        else:
            sides = (None,)
        for pass_index, side in enumerate(sides):
            pressure = start_pressure
            # the pressure in felt terms is said at least once on each side: the short form's second
            # side had "Glide along it..." with no pressure at all, after "Ease the pressure off"
            felt_said = False
            if pass_index == 1:
                cue("switch")
                text = SWITCH.get((mode, place), SWITCH_OTHER).format(side=side)
                say(text, technique=technique.id, area=area, side=side, position=place)
                said = timer.seconds(text) + PAUSE_AFTER_SPEECH
                if place == "side-lying":
                    pause(TURN_OVER_SECONDS, said, place)
                elif (mode, place) in SWITCH:
                    pause(WALK_ROUND_SECONDS + said, said, place)
            for s_index, step in enumerate(technique.steps):
                if s_index not in kept:
                    continue
                rose = False
                blocked = False
                if step.rise and pressure is not None and not chose:
                    new = min(pressure + step.rise, tech_cap)
                    rose = new > pressure
                    blocked = not rose
                    pressure = new
                elif step.rise and chose:
                    blocked = True
                if blocked:
                    words = step.steady.for_mode(mode, variant) if step.steady else None
                    text = fill(words or STEADY, pressure, side, mode)
                    if chose and not felt_said and pressure is not None:
                        text += " " + fill("{pressure}", pressure, side, mode)  # the chosen pressure, felt
                else:
                    # (the second side is said in full: its first sentence alone had left out the
                    # action, "Under your thumbs is a deep muscle..." then 29 s of silence, or the
                    # leg never lowered: "Stop at once on any pain in the hip...")
                    leans = step.alone is not None and s_index - 1 not in kept
                    words = step.alone.for_mode(mode, variant) if leans else step.text(mode, place, variant)
                    text = fill(words or "", pressure, side, mode)
                felt = domain.PRESSURE_SAY.get(mode, {}).get(pressure or 0)
                if felt and not felt_said and step.hold >= WORKING_HOLD and felt not in text:
                    # the short form can drop the step that says how firmly ("Lean in slowly...
                    # {pressure}"): the first working step then says it ("Glide along it..." came
                    # with no pressure at all, then "how is the pressure deep in the buttock?")
                    text += " " + felt
                felt_said = felt_said or bool(felt and felt in text)
                common = {
                    "technique": technique.id,
                    "area": area,
                    "side": side,
                    "pressure": pressure,
                    "step": s_index,
                    "position": place,
                }
                if step.ending and level >= SHORTER:  # said in the last seconds of the work before
                    after_hold = bool(drafts) and drafts[-1].kind == "hold" and not drafts[-1].fixed
                    say(ease_off(technique, s_index), borrowed=after_hold, **common)
                    continue
                say(text, **common)
                base = step.hold * weight
                if brief and (step.exit or step.ending) and base < WORKING_HOLD:
                    base = min(base, BRIEF_EXIT_HOLD)  # said, then a breath: the time goes to the work
                working = base >= WORKING_HOLD
                check_text = (
                    technique.checkin_text("pressure", mode, variant) or QUESTIONS[("pressure", mode)]
                )
                if pressure is not None and working and (rose or (needs_first_check and pass_index == 0)):
                    needs_first_check = False
                    hold(base / 3, is_movement, **common)
                    ask("pressure", area, technique.id, text=check_text, position=place)
                    hold(base * 2 / 3, is_movement, **common)
                else:
                    hold(base, is_movement, **common)
        if t_index == 0 and any(t.per_side for t in chosen):  # only when a side is worked first
            ask("side", None, technique.id, position=place, side=first_side)

    # --- cool-down -----------------------------------------------------------------------------
    cue("next")
    lying_on_back = position == "back-lying"
    cool = COOL_BREATHE if "lower-back" in skipped_areas or lying_on_back else COOL_STROKES
    if level < ESSENTIAL:
        say(cool[mode], position=position)
    if not brief:
        drafts.append(Draft("hold", seconds=15.0, fixed=True, fields={"position": position}))
    if position in domain.LYING:
        text = (GET_UP_FROM_SIDE if position == "side-lying" else GET_UP)[mode]
        say(text, position=position)
        if level < ESSENTIAL:
            pause(OTHER_CHANGE_SECONDS, timer.seconds(text) + PAUSE_AFTER_SPEECH, "seated")
    say(AFTERCARE[mode])
    ask("closing", None)
    say(CLOSING)
    cue("end")
    return drafts


def brief_steps(technique: Technique, steady: bool = False) -> set[int]:
    """The short form of a technique: where the hands go, its first and last working steps, the
    way out of it (exit steps: "Lower the leg slowly to the mat"), its ending (how the hands leave
    deep work; when steady, said as ease_off's words), and (unless steady: a short session that stays at
    the starting pressure) a step where the pressure rises, if none of those is one."""
    steps = technique.steps
    working = [i for i, s in enumerate(steps) if s.hold >= WORKING_HOLD]
    plain = [i for i in working if not steps[i].rise]
    exits = [i for i, s in enumerate(steps) if s.exit and not s.rise]
    kept = {0, *working[:1], *plain[-1:], *exits}
    kept |= {i for i, s in enumerate(steps) if s.ending and not s.rise}
    if steady:
        return {i for i in kept if not steps[i].rise} | {0, *plain[:1]}
    rises = [i for i, s in enumerate(steps) if s.rise]
    if rises and not any(steps[i].rise for i in kept):
        kept.add(rises[0])
    return kept


def setup_text(technique: Technique, mode: str, position: str, variant: int) -> str:
    spoken = technique.setup.get(position)  # type: ignore[call-overload]
    return (spoken.for_mode(mode, variant) if spoken else None) or ""


def is_move(text: str | None) -> bool:
    """Words said to change position (CHANGE and its variants, SEAT_CHANGE)."""
    return text is not None and text.startswith(MOVE_WORDS)


def move(mode: str, before: tuple[str | None, str], after: tuple[str, str]) -> tuple[str, float]:
    """The words and the time for a change of place: (position, seat) before and after, the seat
    counting only when seated (the replanner calls this too, when a dropped technique's own
    move would have sent the person somewhere and straight back)."""
    (was, was_seat), (now, seat) = before, after
    if was == now == "seated" and was_seat != seat:  # from the chair to the mat, or back
        return SEAT_CHANGE[(mode, seat)], STAND_FLOOR_SECONDS
    text = change_text(mode, was, now, from_floor=was == "seated" and was_seat == "floor")
    return text, change_seconds(mode, was, now)


def change_seconds(mode: str, before: str | None, after: str) -> float:
    """How long a change of position takes: turning over or getting up from lying 45 s, between
    standing and the floor 30 s (self mode), anything else 20 s."""
    if before in domain.LYING:
        return TURN_OVER_SECONDS
    if "standing" in (before, after):
        return STAND_FLOOR_SECONDS
    return OTHER_CHANGE_SECONDS


def start_side(plan: Plan, side: str) -> Plan:
    """The plan started on the side given at the "which side is worse?" question: when it is not
    the side planned, left and right swap in every segment after that question (the player calls
    this with the answer). The sides are only ever named by these two words, so a swap is exact."""
    if side not in domain.SIDES:
        return plan
    asked = next(
        (i for i, s in enumerate(plan.segments) if s.kind == "checkpoint" and s.question == "side"), None
    )
    if asked is None:
        return plan
    planned = next((s.side for s in plan.segments[asked:] if s.side), None)
    if planned is None or planned == side:
        return plan
    swapped = plan.segments[: asked + 1] + [swap_side(s) for s in plan.segments[asked + 1 :]]
    return replace(plan, segments=swapped)


def swap_side(seg: Segment) -> Segment:
    """The segment on the other side (left and right swap in its words too)."""
    import re

    other = domain.other_side(seg.side) if seg.side else None
    text = seg.text
    if text and seg.side:
        text = re.sub(r"\b(left|right)\b", lambda m: domain.other_side(m.group(1)) or m.group(1), text)
    return replace(seg, side=other, text=text)
