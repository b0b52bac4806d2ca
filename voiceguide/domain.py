"""The fixed vocabulary of the product: areas, stages, conditions, red flags.

Facts and caps come from shared clinical notes (NICE NG59, NHS, Cochrane 2015);
ids are part of the command-line contract.
"""

from __future__ import annotations

MODES = ("self", "partner")
STAGES = ("acute", "subacute", "chronic")

# Body order of a session: lower back before buttock, piriformis from the sacrum edge.
AREAS = ("lower-back", "sacrum", "buttock", "piriformis", "hip", "hamstring")

AREA_WORDS = {
    "lower-back": "lower back",
    "sacrum": "sacrum",
    "buttock": "buttock",
    "piriformis": "piriformis",
    "hip": "hip",
    "hamstring": "back of the thigh",
}

# Areas that are one place to the person: the piriformis lies under the buttock, beside the sacrum.
# After a stop in one of them the session moves away from all three (clinical.md: after piriformis,
# buttock or sacral work, slow strokes on the lower back).
REGIONS = {"sacrum": "pelvis", "buttock": "pelvis", "piriformis": "pelvis"}


def near(area: str | None, areas: list[str]) -> bool:
    """Is `area` one of `areas`, or in the same region as one of them?"""
    if area is None:
        return False
    region = REGIONS.get(area)
    return area in areas or (region is not None and any(REGIONS.get(a) == region for a in areas))


POSITIONS = ("belly-lying", "side-lying", "back-lying", "seated", "standing", "kneeling")
EQUIPMENT = ("ball", "foam-roller", "pillow", "chair", "wall", "mat", "towel", "oil")
ROLLING_EQUIPMENT = ("ball", "foam-roller")
# Body maps (what a step's picture shows): landmarks named in plain words, the hand or tool,
# and how it moves. Ids are used in the technique files' `map` tables.
LANDMARKS = {
    "spine": "the spine",
    "lower-ribs": "the lower ribs",
    "pelvis-rim": "the top of the hip bone",
    "dimples": "the dimples above the buttocks",
    "sacrum": "the flat bone at the base of the spine",
    "sacrum-edge": "the outer edge of that flat bone",
    "tailbone": "the tailbone",
    "buttock-centre": "the middle of the buttock",
    "hip-knob": "the bony knob on the side of the hip",
    "thigh-back": "the back of the thigh",
    "knee": "the knee",
    "heel": "the heel",
}
TOOLS = (
    "palm",
    "palms",
    "heel-of-hand",
    "thumbs",
    "fingertips",
    "loose-fist",
    "forearm",
    "ball",
    "roller",
    "none",
)
MOTIONS = ("hold", "glide", "knead", "press", "circles", "rock", "roll", "stretch")
KINDS = ("assessment", "massage", "movement")  # also the order of techniques within an area
SIDES = ("left", "right")
CHECKIN_QUESTIONS = ("pain", "pressure", "comfort")  # what a technique's checkpoint may ask
# What a plan's checkpoint may ask: a technique's questions, plus the planner's own two.
# ready: "say ready, or press Enter" (tests the answer channel); side: which side is worse (l / r).
PLAN_QUESTIONS = CHECKIN_QUESTIONS + ("ready", "side")
# A session's own question, never a plan's: a stop at a pain question may have been the rating
# itself misheard ("seven" taken for "stop"), so once the person chooses to go on (or at the end)
# the rating is asked for again rather than lost.
PAIN_AGAIN = "pain-again"
# What a session's saved plan may ask besides: the offer after a stop, and the rating asked again.
SESSION_QUESTIONS = PLAN_QUESTIONS + ("offer", PAIN_AGAIN)
# The order of a session, after the seed article: the hands-on check, the lower-back muscles,
# warming the buttock and hip rotators, the piriformis from the sacrum edge, gentle vibration,
# then movement (the cool-down is the planner's own).
PHASES = ("assessment", "lower-back", "buttock", "piriformis", "vibration", "movement")
# Lying positions need a turn-over between them; standing and floor work a walk to the wall.
LYING = ("belly-lying", "side-lying", "back-lying")
# Pregnancy: side-lying (pillow between the knees) or seated only (clinical.md, group C).
PREGNANCY_POSITIONS = ("side-lying", "seated")
POSITION_WORDS = {
    "belly-lying": "lying on the belly",
    "side-lying": "lying on the side",
    "back-lying": "lying on the back",
    "seated": "sitting",
    "standing": "standing",
    "kneeling": "kneeling",
}

# Conditions that change a session (screen group C). skin and recent-surgery take an area.
CONDITIONS = (
    "dvt",
    "anticoagulants",
    "skin",
    "recent-surgery",
    "osteoporosis",
    "pregnancy",
    "hip-replacement",
)
AREA_CONDITIONS = ("skin", "recent-surgery")

RED_FLAGS_EMERGENCY = (
    "saddle-numbness",
    "bladder-bowel",
    "both-legs",
    "leg-weakness",
    "sexual-dysfunction",
)
RED_FLAGS_CLINICIAN = (
    "fever",
    "cancer",
    "weight-loss",
    "trauma",
    "steroids",
    "night-pain",
    "immunosuppression",
)

# The outcomes of the safety screen; only the first two allow a session.
SCREEN_OUTCOMES = ("clear", "adjust", "see-clinician", "emergency")
MAY_PLAY = ("clear", "adjust")

SOURCES = ("cochrane-2015", "nice-ng59", "acp-2017", "nhs-sciatica", "nhs-ces", "nrs-mcid", "seed")

PRESSURE_MIN, PRESSURE_MAX = 1, 5
HOME_PRESSURE_CAP = 4
STAGE_PRESSURE_CAP = {"acute": 2, "subacute": HOME_PRESSURE_CAP, "chronic": HOME_PRESSURE_CAP}
CONDITION_PRESSURE_CAP = {"anticoagulants": 2, "osteoporosis": 3, "pregnancy": 2}
ACUTE_MAX_MINUTES = 20

# Pain on the 0-10 numeric rating scale.
# The stop rules of clinical.md (revised 2026-12-01): they stop the technique, not the person.
PAIN_STOP_AT = 8  # a rating this high stops the technique and its area
GENTLE_FROM = 7  # an opening rating this high: a gentle session (light pressure, no piriformis work)
GENTLE_CAP = 2  # the pressure cap of a gentle session
STOPS_THAT_END = 2  # the second technique stop in a session ends it
MCID = 2  # the smallest change in pain that matters to patients (nrs-mcid)
LOW_PAIN = 2  # at or below this, pain counts as low: settled enough for the next stage
EASY_AREA_PAIN = 1  # at or below this on reaching an area, that area is shortened
MIN_MINUTES, MAX_MINUTES = 3, 90

# Pressure in felt terms (clinical.md): one short phrase per level, never a chain of words
# ("A little firmer now, enough to feel the muscle.").
PRESSURE_WORDS = {
    1: "just the weight of the hand",
    2: "enough to feel the muscle",
    3: "leaning in to a comfortable ache",
    4: "a strong good hurt, with easy breathing",
    5: "very deep, never used at home",
}
# What each level is, for the printed script and the card: what the giver does, what is felt.
PRESSURE_FELT = {
    1: "the hand's own weight; the skin moves with it",
    2: "the muscle is felt under the skin",
    3: "leaning in with some body weight; a comfortable ache",
    4: 'a strong "good hurt"; breathing stays slow and easy',
    5: "very deep; never at home",
}
# The sentence a step's {pressure} becomes, for the one who does the pressing.
PRESSURE_SAY = {
    "self": {
        1: "Let only the weight of your hand rest there, so the skin moves with it.",
        2: "Press just enough to feel the muscle under the skin.",
        3: "Lean in with a little of your weight, to a comfortable ache.",
        4: "Go in to a strong good hurt, while your breathing stays slow and easy.",
        5: "This is very deep.",
    },
    "partner": {
        1: "Let only the weight of your hands rest there, so the skin moves with them.",
        2: "Press just enough to feel the muscle under the skin.",
        3: "Lean in with some of your body weight, to a comfortable ache for your partner.",
        4: "Lean in to a strong good hurt, while your partner's breathing stays slow and easy.",
        5: "This is very deep.",
    },
}


def other_side(side: str | None) -> str | None:
    """'left' -> 'right' and back; None for no side (or anything else)."""
    return SIDES[1 - SIDES.index(side)] if side in SIDES else None


def parse_condition(text: str) -> tuple[str, str | None]:
    """'skin:buttock' -> ('skin', 'buttock'); raises ValueError naming what is allowed."""
    name, _, area = text.strip().partition(":")
    if name not in CONDITIONS:
        raise ValueError(f"unknown condition {name!r}; allowed: {', '.join(CONDITIONS)}")
    if area:
        if name not in AREA_CONDITIONS:
            raise ValueError(f"condition {name!r} takes no area")
        if area not in AREAS:
            raise ValueError(f"unknown area {area!r} in {text!r}; allowed: {', '.join(AREAS)}")
        return name, area
    return name, None
