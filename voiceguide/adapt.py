"""How the session changes with what the person says: pure rules over typed values.

`decide` reads like the clinical notes (stop rules first, never raise pressure after a stop
or above a cap). What it returns is an `Action`: a kind, the `Rule` that fired and explicit
fields (pressure, pain, cap). Sentences for the listener are made from actions
(`replan.py`), and the journal keeps the fields, so nothing is ever parsed back out of words.
No clock, no audio, no files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from voiceguide.domain import (
    EASY_AREA_PAIN,
    GENTLE_CAP,
    GENTLE_FROM,
    MCID,
    PAIN_AGAIN,
    PAIN_STOP_AT,
    STOPS_THAT_END,
)
from voiceguide.feedback.intents import NUMBER_WORDS, Answer, tokens

FAINT_WORDS = frozenset({"dizzy", "faint", "lightheaded", "woozy"})  # these end the session


class Kind(StrEnum):
    """What happens to the session (the `action` field of the journal and of `play --json`)."""

    PRESSURE_UP = "pressure_up"
    PRESSURE_DOWN = "pressure_down"
    KEEP = "keep"
    SKIP = "skip"
    EXTEND = "extend"
    SHORTEN = "shorten"
    REPEAT = "repeat"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"  # silence now; then the stop word's offer, or the end of the session
    STOP_TECHNIQUE = "stop_technique"  # ease off: that technique and its area are left for today
    GENTLE = "gentle"  # high pain at the start: light pressure only, no piriformis work
    FALLBACK = "fallback"  # after the stop word: go on gently, away from where it stopped
    END = "end"  # the session goes straight to its closing question


class Rule(StrEnum):
    """Why: one name per branch of `decide` (and of the player's own choices)."""

    OPENING_PAIN = "opening-pain"  # the answer to the opening question: the baseline of the rise rule
    FIRST_PAIN = "first-pain"  # a first rating elsewhere (the opening had none): the baseline
    PAIN_NOTED = "pain-noted"
    PAIN_HIGH = "pain-high"  # PAIN_STOP_AT or more: stop the technique
    PAIN_ROSE = "pain-rose"  # MCID or more above the opening rating: stop the technique
    GENTLE_SESSION = "gentle-session"  # opening rating GENTLE_FROM or more
    CLOSING_PAIN = "closing-pain"  # the last rating: said back, compared with the start in history
    PAIN_HIGH_AT_END = "pain-high-at-end"  # the last rating is high or rose: rest, no stop to make
    SYMPTOM_AT_END = "symptom-at-end"  # a symptom word at the last question: rest, and what to watch
    FAINT = "faint"  # dizzy or faint: the session ends
    TWO_STOPS = "two-stops"  # the second technique stop ends the session
    PAIN_LOW_HERE = "pain-low-here"  # at most EASY_AREA_PAIN on reaching an area: shorter
    PAIN_AFTER_STOP = "pain-after-stop"  # the rating asked again after a stop: the stop acted on it
    SYMPTOM = "symptom"
    STOP_WORD = "stop-word"
    STOP_AT_END = "stop-at-end"  # the stop word at the last question: nothing to offer, it ends
    ASKED_FIRMER = "asked-firmer"
    FIRMER_AT_CAP = "firmer-at-cap"  # more at the cap: more time instead
    NO_FIRMER_AFTER_STOP = "no-firmer-after-stop"
    MORE_TIME = "more-time"  # more where no pressure applies
    NOTHING_PRESSED = "nothing-pressed"  # more or less while no technique is at work
    ASKED_LIGHTER = "asked-lighter"
    LIGHTEST_ALREADY = "lightest-already"  # less at the lightest: skip the technique
    ASKED_SKIP = "asked-skip"
    ASKED_REPEAT = "asked-repeat"
    ASKED_PAUSE = "asked-pause"
    ASKED_CONTINUE = "asked-continue"
    GOOD = "good"  # "good" or "yes": stay as we are
    SIDE_CHOSEN = "side-chosen"  # which side is worse: that side is worked first
    READY = "ready"  # the answer channel works: the session begins
    OTHER_ANSWER = "other-answer"
    NO_ANSWER = "no-answer"
    NO_ANSWER_AT_END = "no-answer-at-end"  # nothing to keep or go on with: the closing words follow
    NO_FEEDBACK = "no-feedback"
    OFFER_TAKEN = "offer-taken"
    OFFER_DECLINED = "offer-declined"
    OFFER_UNANSWERED = "offer-unanswered"


@dataclass(frozen=True)
class Action:
    kind: Kind
    rule: Rule
    pressure: int | None = None  # the pressure from now on (None: no pressure applies)
    pain: int | None = None  # the rating acted on
    baseline: int | None = None  # the opening rating the rise rule compared with
    cap: int | None = None  # the pressure cap in force when it was decided
    word: str | None = None  # the symptom word, or the intent of another answer
    side: str | None = None  # the side the person said is worse

    @property
    def cap_reached(self) -> bool:
        return self.rule is Rule.FIRMER_AT_CAP

    @property
    def reason(self) -> str:
        """A short note for people reading the journal or `play --json`: made, never parsed."""
        return REASONS[self.rule].format(
            pain=self.pain,
            baseline=self.baseline,
            rise=(self.pain or 0) - (self.baseline or 0),
            cap=self.cap,
            word=self.word,
            side=self.side,
            limit=PAIN_STOP_AT,
        )

    def to_dict(self) -> dict:
        return {
            "action": self.kind.value,
            "rule": self.rule.value,
            "pressure": self.pressure,
            "pain": self.pain,
            "baseline": self.baseline,
            "cap": self.cap,
            "cap_reached": self.cap_reached,
            "word": self.word,
            "side": self.side,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Action:
        """An action event from the journal: typed fields, or (journals from 0.1.0) its reason."""
        if data.get("rule"):
            return cls(
                Kind(data["action"]),
                Rule(data["rule"]),
                data.get("pressure"),
                data.get("pain"),
                data.get("baseline"),
                data.get("cap"),
                data.get("word"),
                data.get("side"),
            )
        return legacy_action(data)


REASONS = {
    Rule.OPENING_PAIN: "opening pain {pain}/10",
    Rule.PAIN_NOTED: "pain {pain}/10",
    Rule.PAIN_HIGH: "pain {pain}/10 is {limit} or more",
    Rule.PAIN_ROSE: "pain {pain}/10 is {rise} above the start ({baseline}/10)",
    Rule.FIRST_PAIN: "pain {pain}/10, the first rating: the baseline",
    Rule.GENTLE_SESSION: "pain {pain}/10 at the start: a gentle session",
    Rule.CLOSING_PAIN: "pain {pain}/10 at the end",
    Rule.PAIN_HIGH_AT_END: "pain {pain}/10 at the end is high",
    Rule.SYMPTOM_AT_END: "symptom at the end: {word}",
    Rule.FAINT: "feeling {word}",
    Rule.TWO_STOPS: "a second stop in this session",
    Rule.PAIN_LOW_HERE: "pain {pain}/10 is low here",
    Rule.PAIN_AFTER_STOP: "pain {pain}/10 after a stop, going on gently",
    Rule.SYMPTOM: "symptom: {word}",
    Rule.STOP_WORD: "stop word",
    Rule.STOP_AT_END: "stop word at the last question",
    Rule.ASKED_FIRMER: "asked for more",
    Rule.FIRMER_AT_CAP: "already at the limit of {cap} of 5: more time instead",
    Rule.NO_FIRMER_AFTER_STOP: "no firmer pressure after a stop",
    Rule.MORE_TIME: "more time asked for",
    Rule.NOTHING_PRESSED: "no technique at work: nothing to change",
    Rule.ASKED_LIGHTER: "asked for less",
    Rule.LIGHTEST_ALREADY: "already as light as it goes",
    Rule.ASKED_SKIP: "asked to skip",
    Rule.ASKED_REPEAT: "asked to repeat",
    Rule.ASKED_PAUSE: "asked to pause",
    Rule.ASKED_CONTINUE: "asked to continue",
    Rule.GOOD: "answer: good",
    Rule.SIDE_CHOSEN: "the {side} side first",
    Rule.READY: "ready",
    Rule.OTHER_ANSWER: "answer: {word}",
    Rule.NO_ANSWER: "no answer: pressure kept",
    Rule.NO_ANSWER_AT_END: "no answer at the end",
    Rule.NO_FEEDBACK: "no feedback",
    Rule.OFFER_TAKEN: "the gentle offer after a stop was taken",
    Rule.OFFER_DECLINED: "ended after a stop",
    Rule.OFFER_UNANSWERED: "no answer to the offer: ending gently",
}

# Journals written by 0.1.0 kept only the reason; these read it back, once, for old events.
_LEGACY = [
    (r"opening pain (\d+)/10", Rule.OPENING_PAIN),
    (r"pain (\d+)/10 is above \d+", Rule.PAIN_HIGH),
    (r"pain (\d+)/10 is \d+ above the start \((\d+)/10\)", Rule.PAIN_ROSE),
    (r"pain (\d+)/10 is low here", Rule.PAIN_LOW_HERE),
    (r"pain (\d+)/10", Rule.PAIN_NOTED),
    (r"symptom: (.*)", Rule.SYMPTOM),
    (r"stop word", Rule.STOP_WORD),
    (r"asked for more", Rule.ASKED_FIRMER),
    (r"already at the limit of (\d+) of 5.*", Rule.FIRMER_AT_CAP),
    (r"no firmer pressure after a stop", Rule.NO_FIRMER_AFTER_STOP),
    (r"more time asked for", Rule.MORE_TIME),
    (r"asked for less", Rule.ASKED_LIGHTER),
    (r"already as light as it goes", Rule.LIGHTEST_ALREADY),
    (r"asked to skip|next step", Rule.ASKED_SKIP),
    (r"asked to repeat|repeat the step", Rule.ASKED_REPEAT),
    (r"asked to pause|paused by the user", Rule.ASKED_PAUSE),
    (r"asked to continue|resumed.*", Rule.ASKED_CONTINUE),
    (r"answer: good", Rule.GOOD),
    (r"answer: (.*)", Rule.OTHER_ANSWER),
    (r"no answer to the offer.*", Rule.OFFER_UNANSWERED),
    (r"no answer.*", Rule.NO_ANSWER),
    (r"no feedback", Rule.NO_FEEDBACK),
    (r"gentle vibration after a stop", Rule.OFFER_TAKEN),
    (r"ended after a stop", Rule.OFFER_DECLINED),
]


def legacy_action(data: dict) -> Action:
    """The typed action behind a 0.1.0 journal event (reason text only)."""
    reason = data.get("reason") or ""
    kind = Kind(data.get("action") or "keep")
    for pattern, rule in _LEGACY:
        match = re.fullmatch(pattern, reason)
        if match is None:
            continue
        groups = match.groups()
        pain = int(groups[0]) if groups and rule.name.startswith(("PAIN", "OPENING")) else None
        baseline = int(groups[1]) if rule is Rule.PAIN_ROSE else None
        cap = int(groups[0]) if rule is Rule.FIRMER_AT_CAP else None
        word = groups[0] if rule in (Rule.SYMPTOM, Rule.OTHER_ANSWER) else None
        return Action(kind, rule, data.get("pressure"), pain, baseline, cap, word)
    return Action(kind, Rule.OTHER_ANSWER, data.get("pressure"), word=reason)


@dataclass
class State:
    """What the session has learnt so far; journaled after every answer."""

    cap: int
    opening_pain: int | None = None
    last_pain: int | None = None
    stopped: bool = False
    stop_reason: str | None = None
    stop_rule: str | None = None
    stops: int = 0  # technique stops (and stop words) so far
    ended: str | None = None  # the rule that ended the session early, if one did
    avoid_areas: list[str] = field(default_factory=list)
    paused: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> State:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Context:
    """Where an answer lands: built in one place (the player's conversation) for every path,
    so that the technique's cap holds whether the answer was a key, a word, a line or a tap."""

    question: str | None  # the checkpoint's question, or None between questions
    technique: str | None
    area: str | None
    pressure: int | None  # the pressure in force there
    cap: int  # the lowest of the session's, the technique's and the conditions' caps
    moment: str | None = None  # "opening": the first pain question; "closing": the last one on

    @property
    def at_question(self) -> bool:
        return self.question is not None


LARGE_JUMP = 3  # a pain rating this far from the last one is read back before acting on it
READ_BACK = "I heard {what}. Is that right?"


def read_back_text(answer: Answer) -> str | None:
    """What to read back for a spoken answer that needs confirming, or None when it does not.

    Only speech is doubted (keys are exact). A rating that sets the baseline, would trigger
    or avoid a stop rule, or jumps far from the last one is confirmed; so is "more", the one
    answer that raises pressure. Everything else is acted on and spoken, so one word undoes it.
    """
    if answer.source != "voice":
        return None
    if answer.intent == "more":
        return READ_BACK.format(what="more")
    if answer.intent == "number" and answer.value is not None:
        return READ_BACK.format(what=NUMBER_WORDS[answer.value])
    return None


def needs_read_back(state: State, answer: Answer, accept: float = 0.0) -> bool:
    """`accept`: the recogniser's confidence at which an answer may be acted on unconfirmed."""
    if read_back_text(answer) is None:
        return False
    if answer.intent == "more":
        return not state.stopped
    if answer.confidence < accept:
        return True
    pain = answer.value
    assert pain is not None
    if state.opening_pain is None:
        return True  # the baseline of the "2 above the start" rule
    if pain >= PAIN_STOP_AT or pain >= state.opening_pain + MCID:
        return True  # triggers a stop rule
    return state.last_pain is not None and abs(pain - state.last_pain) >= LARGE_JUMP


def decide(state: State, answer: Answer, at: Context) -> list[Action]:
    """The rules, in the order of the clinical notes."""
    intent = answer.intent
    pressure = at.pressure
    cap = min(state.cap, at.cap)

    def act(kind: Kind, rule: Rule, **fields) -> list[Action]:
        fields.setdefault("pressure", pressure)
        return [Action(kind, rule, cap=cap, **fields)]

    def stop_technique(rule: Rule, **fields) -> list[Action]:
        if state.stops + 1 >= STOPS_THAT_END:
            return act(Kind.STOP, Rule.TWO_STOPS, **fields)
        return act(Kind.STOP_TECHNIQUE, rule, **fields)

    if intent == "symptom":
        faint = FAINT_WORDS.intersection(tokens(answer.text))
        if faint:
            return act(Kind.STOP, Rule.FAINT, word=sorted(faint)[0])
        if at.moment == "closing":
            return act(Kind.KEEP, Rule.SYMPTOM_AT_END, word=answer.text)
        return stop_technique(Rule.SYMPTOM, word=answer.text)
    if at.moment == "closing" and intent == "stop":
        return act(Kind.STOP, Rule.STOP_AT_END)
    if at.question == "offer":  # the question after the stop word: go on gently, or end
        if intent in ("good", "continue", "more"):
            if state.stops >= STOPS_THAT_END:
                return act(Kind.END, Rule.TWO_STOPS, pressure=None)
            return act(Kind.FALLBACK, Rule.OFFER_TAKEN, pressure=None)
        if intent in ("no", "skip", "less", "stop"):
            return act(Kind.END, Rule.OFFER_DECLINED, pressure=None)
    if intent == "stop":  # a second stop (after a stop rule or the stop word) ends the session
        rule = Rule.TWO_STOPS if state.stops + 1 >= STOPS_THAT_END else Rule.STOP_WORD
        return act(Kind.STOP, rule)
    if intent == "number" and answer.value is not None:
        pain = answer.value
        if at.moment == "closing":
            return closing_rating(state, pain, act)
        if at.moment == "opening":
            if pain >= GENTLE_FROM:
                return act(Kind.GENTLE, Rule.GENTLE_SESSION, pain=pain)
            return act(Kind.KEEP, Rule.OPENING_PAIN, pain=pain)
        if state.opening_pain is None:  # the opening had no answer: the first rating is the baseline
            return act(Kind.GENTLE if pain >= GENTLE_FROM else Kind.KEEP, Rule.FIRST_PAIN, pain=pain)
        if at.question == PAIN_AGAIN:  # the stop already eased off, left the area and lowered the cap
            return act(Kind.KEEP, Rule.PAIN_AFTER_STOP, pain=pain)
        if pain >= PAIN_STOP_AT:
            return stop_technique(Rule.PAIN_HIGH, pain=pain)
        if pain >= state.opening_pain + MCID:
            return stop_technique(Rule.PAIN_ROSE, pain=pain, baseline=state.opening_pain)
        if pain <= EASY_AREA_PAIN and at.question == "pain" and at.technique:
            return act(Kind.SHORTEN, Rule.PAIN_LOW_HERE, pain=pain)
        return act(Kind.KEEP, Rule.PAIN_NOTED, pain=pain)
    if intent in ("more", "less") and at.technique is None and at.question is None:
        return act(Kind.KEEP, Rule.NOTHING_PRESSED)  # talk between the parts: nothing to change
    if intent == "more":
        if state.stopped:
            return act(Kind.KEEP, Rule.NO_FIRMER_AFTER_STOP)
        if pressure is None:
            return act(Kind.EXTEND, Rule.MORE_TIME)
        if pressure >= cap:
            return act(Kind.EXTEND, Rule.FIRMER_AT_CAP, pressure=min(pressure, cap))
        return act(Kind.PRESSURE_UP, Rule.ASKED_FIRMER, pressure=pressure + 1)
    if intent == "less":
        if pressure is None or pressure <= 1:
            return act(Kind.SKIP, Rule.LIGHTEST_ALREADY)
        return act(Kind.PRESSURE_DOWN, Rule.ASKED_LIGHTER, pressure=min(pressure - 1, cap))
    if intent == "skip":
        return act(Kind.SKIP, Rule.ASKED_SKIP)
    if intent == "repeat":
        return act(Kind.REPEAT, Rule.ASKED_REPEAT)
    if intent == "pause":
        return act(Kind.PAUSE, Rule.ASKED_PAUSE)
    if intent == "continue":
        return act(Kind.RESUME if state.paused else Kind.KEEP, Rule.ASKED_CONTINUE)
    if at.question == "ready" and intent in ("ready", "good", "continue"):
        return act(Kind.KEEP, Rule.READY)
    if intent == "good":
        return act(Kind.KEEP, Rule.GOOD)
    if intent in ("left", "right"):
        return act(Kind.KEEP, Rule.SIDE_CHOSEN, side=intent)
    return act(Kind.KEEP, Rule.OTHER_ANSWER, word=intent)


def closing_rating(state: State, pain: int, act: Callable[..., list[Action]]) -> list[Action]:
    """The last rating: no technique is left to stop, so a high or risen one is met with rest.

    It never becomes the opening rating (history compares the two)."""
    rose = state.opening_pain is not None and pain >= state.opening_pain + MCID
    if pain >= PAIN_STOP_AT or rose:
        baseline = state.opening_pain if rose else None
        return act(Kind.KEEP, Rule.PAIN_HIGH_AT_END, pressure=None, pain=pain, baseline=baseline)
    return act(Kind.KEEP, Rule.CLOSING_PAIN, pressure=None, pain=pain)


def no_answer(at: Context) -> list[Action]:
    """Nothing came in time: keep the pressure, never raise it; after a stop, end gently."""
    if at.question == "offer":
        return [Action(Kind.END, Rule.OFFER_UNANSWERED, cap=at.cap)]
    if at.moment == "closing":
        return [Action(Kind.KEEP, Rule.NO_ANSWER_AT_END, cap=at.cap)]
    # "...at the same pressure" is said where a pressure is at work, not before the first technique
    asked = at.question in ("pain", "pressure", None) and at.moment != "opening"
    pressure = at.pressure if asked else None
    return [Action(Kind.KEEP, Rule.NO_ANSWER, pressure, cap=at.cap)]


ENDS_SESSION = {Rule.FAINT, Rule.TWO_STOPS, Rule.STOP_AT_END, Rule.OFFER_DECLINED, Rule.OFFER_UNANSWERED}


def update_state(state: State, answer: Answer | None, actions: list[Action], area: str | None) -> State:
    s = replace(state, avoid_areas=list(state.avoid_areas))
    for a in actions:
        if a.pain is not None:
            if a.rule in (Rule.OPENING_PAIN, Rule.FIRST_PAIN, Rule.GENTLE_SESSION):
                s.opening_pain = a.pain
            s.last_pain = a.pain
        if a.kind is Kind.GENTLE:
            s.cap = min(s.cap, GENTLE_CAP)  # high pain at the start: light pressure only today
        if a.kind in (Kind.STOP, Kind.STOP_TECHNIQUE):
            s.stopped = True
            s.stops += 1
            s.stop_reason = s.stop_reason or a.reason
            s.stop_rule = s.stop_rule or a.rule.value
            if area and area not in s.avoid_areas:
                s.avoid_areas.append(area)
            if a.pressure:
                s.cap = max(1, min(s.cap, a.pressure - 1))  # never firmer than where it had to stop
        if a.rule in ENDS_SESSION:
            s.ended = a.rule.value
            s.stop_reason = a.reason if a.rule in (Rule.FAINT, Rule.TWO_STOPS) else s.stop_reason
        if a.kind is Kind.PAUSE:
            s.paused = True
        elif a.kind is Kind.RESUME:
            s.paused = False
    return s
