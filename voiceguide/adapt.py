"""How the session changes with what the person says: pure rules, then pure edits.

`decide` reads like the clinical notes (stop rules first, never raise pressure
after a stop or above a cap); `apply` rewrites the rest of the segment list.
No clock, no audio, no files: the player feeds answers in and plays what comes out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from voiceguide import domain
from voiceguide.domain import EASY_AREA_PAIN, MCID
from voiceguide.feedback.intents import Answer
from voiceguide.library import Library
from voiceguide.plan import Segment, renumber
from voiceguide.planner import ANSWER_WINDOW, QUESTIONS, fill
from voiceguide.speechtime import PAUSE_AFTER_SPEECH

PAIN_STOP_ABOVE = 5
CHECK_HOLD = 15.0  # seconds at a new pressure before asking about it


@dataclass
class State:
    """What the session has learnt so far; journaled after every answer."""

    cap: int
    opening_pain: int | None = None
    last_pain: int | None = None
    stopped: bool = False
    stop_reason: str | None = None
    avoid_areas: list[str] = field(default_factory=list)
    paused: bool = False
    awaiting_offer: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> State:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Action:
    action: str  # pressure_up|pressure_down|keep|skip|extend|shorten|repeat|pause|resume|stop|fallback|end
    reason: str
    pressure: int | None = None

    def to_dict(self) -> dict:
        return {"action": self.action, "reason": self.reason, "pressure": self.pressure}


LARGE_JUMP = 3  # a pain rating this far from the last one is read back before acting on it
NUMBER_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
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
        return READ_BACK.format(what=NUMBER_NAMES[answer.value])
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
    if pain > PAIN_STOP_ABOVE or pain >= state.opening_pain + MCID:
        return True  # triggers a stop rule
    return state.last_pain is not None and abs(pain - state.last_pain) >= LARGE_JUMP


def decide(
    state: State,
    answer: Answer,
    checkpoint: Segment | None,
    pressure: int | None,
    tech_cap: int | None = None,
) -> list[Action]:
    """The rules. checkpoint is None when the answer came between questions (a key or the stop word)."""
    intent = answer.intent
    question = checkpoint.question if checkpoint else None
    cap = min(state.cap, tech_cap) if tech_cap else state.cap
    if intent == "symptom":
        return [Action("stop", f"symptom: {answer.text}", pressure)]
    if intent == "stop":
        if state.awaiting_offer:
            return [Action("end", "ended after a stop")]
        return [Action("stop", "stop word", pressure)]
    if state.awaiting_offer:
        if intent in ("good", "continue", "more"):
            return [Action("fallback", "gentle vibration after a stop")]
        if intent in ("no", "skip", "less"):
            return [Action("end", "ended after a stop")]
    if intent == "number" and answer.value is not None:
        pain = answer.value
        if state.opening_pain is None:
            return [Action("keep", f"opening pain {pain}/10", pressure)]
        if pain > PAIN_STOP_ABOVE:
            return [Action("stop", f"pain {pain}/10 is above {PAIN_STOP_ABOVE}", pressure)]
        if pain >= state.opening_pain + MCID:
            return [
                Action(
                    "stop",
                    f"pain {pain}/10 is {pain - state.opening_pain} above the start "
                    f"({state.opening_pain}/10)",
                    pressure,
                )
            ]
        if pain <= EASY_AREA_PAIN and question == "pain" and checkpoint and checkpoint.technique:
            return [Action("shorten", f"pain {pain}/10 is low here", pressure)]
        return [Action("keep", f"pain {pain}/10", pressure)]
    if intent == "more":
        if state.stopped:
            return [Action("keep", "no firmer pressure after a stop", pressure)]
        if pressure is None:
            return [Action("extend", "more time asked for", pressure)]
        if pressure >= cap:
            return [Action("extend", f"already at the limit of {cap} of 5: more time instead", pressure)]
        return [Action("pressure_up", "asked for more", pressure + 1)]
    if intent == "less":
        if pressure is None or pressure <= 1:
            return [Action("skip", "already as light as it goes", pressure)]
        return [Action("pressure_down", "asked for less", pressure - 1)]
    if intent == "skip":
        return [Action("skip", "asked to skip", pressure)]
    if intent == "repeat":
        return [Action("repeat", "asked to repeat", pressure)]
    if intent == "pause":
        return [Action("pause", "asked to pause", pressure)]
    if intent == "continue":
        return [Action("resume" if state.paused else "keep", "asked to continue", pressure)]
    return [Action("keep", "answer: " + intent, pressure)]


def update_state(state: State, answer: Answer, actions: list[Action], area: str | None) -> State:
    s = replace(state, avoid_areas=list(state.avoid_areas))
    if answer.intent == "number" and answer.value is not None:
        if s.opening_pain is None:
            s.opening_pain = answer.value
            if answer.value > PAIN_STOP_ABOVE:
                s.cap = min(s.cap, 2)  # high pain at the start: light pressure only today
        s.last_pain = answer.value
    for a in actions:
        if a.action == "stop":
            s.stopped = True
            s.stop_reason = s.stop_reason or a.reason
            s.awaiting_offer = True
            if area and area not in s.avoid_areas:
                s.avoid_areas.append(area)
            if a.pressure:
                s.cap = max(1, min(s.cap, a.pressure - 1))
        elif a.action in ("fallback", "end"):
            s.awaiting_offer = False
        elif a.action == "pause":
            s.paused = True
        elif a.action == "resume":
            s.paused = False
    return s


# --- edits to the rest of the session -----------------------------------------


Timer = Callable[[str], float]

SAY_PRESSURE = {
    "pressure_up": "A little firmer now, {words}.",
    "pressure_down": "A little lighter now, {words}.",
}
SAY = {
    "skip": "Skipping ahead to the next step.",
    "extend": "Staying here a little longer. That adds about {seconds} seconds to the session.",
    "shorten": "Your pain is low here, so this part will be shorter.",
    "stop_self": "Stopping now. Ease off and let your hands rest.",
    "stop_partner": "Stop now. Lift your hands off gently and let your partner rest.",
    "keep_cap": "That is as firm as it goes today, so we stay at this pressure.",
    "keep_after_stop": "After a stop we keep the pressure light. Staying as we are.",
    "fallback_self": (
        "Lie on your back with your knees bent, rest your hands on your belly, and breathe slowly."
    ),
    "end_early": "We will finish here.",
}
OFFER = {
    "self": (
        "Would you like a minute of gentle rest and breathing before we finish? Say yes, or say stop to end."
    ),
    "partner": (
        "For the person receiving: would you like some gentle rocking before we finish? "
        "Say yes, or say stop to end."
    ),
}
CLOSING_TEXTS = {QUESTIONS[("closing", "self")], QUESTIONS[("closing", "partner")]}


class Editor:
    """Rewrites the segment list after an answer; knows the wording and the library."""

    def __init__(self, library: Library, mode: str, timer: Timer, answer_window: float = ANSWER_WINDOW):
        self.library = library
        self.mode = mode
        self.timer = timer
        self.answer_window = answer_window

    def speech(self, text: str, **fields) -> Segment:
        return Segment(0, 0.0, self.timer(text) + PAUSE_AFTER_SPEECH, "speech", text=text, **fields)

    def cue(self, sound: str) -> Segment:
        from voiceguide.cues import CUE_SECONDS

        return Segment(0, 0.0, CUE_SECONDS[sound], "cue", sound=sound)

    def question(self, question: str, text: str, area: str | None, technique: str | None) -> list[Segment]:
        return [
            self.cue("question"),
            Segment(
                0,
                0.0,
                self.timer(text) + self.answer_window,
                "checkpoint",
                question=question,
                text=text,
                area=area,
                technique=technique,
            ),
        ]

    def apply(self, segments: list[Segment], at: int, action: Action, state: State) -> list[Segment]:
        """The new full list: segments[:at + 1] unchanged, the rest rewritten."""
        head, rest = list(segments[: at + 1]), list(segments[at + 1 :])
        here = segments[at]
        technique = here.technique
        kind = action.action
        if kind in ("pressure_up", "pressure_down") and action.pressure is not None:
            rest = self._repressure(rest, technique, action.pressure)
            words = domain.PRESSURE_WORDS[action.pressure]
            insert = [
                self.cue("pressure-up" if kind == "pressure_up" else "pressure-down"),
                self.speech(
                    SAY_PRESSURE[kind].format(words=words),
                    technique=technique,
                    area=here.area,
                    pressure=action.pressure,
                ),
            ]
            hold = Segment(
                0,
                0.0,
                CHECK_HOLD,
                "hold",
                technique=technique,
                area=here.area,
                side=here.side,
                pressure=action.pressure,
            )
            text = self._checkin(technique, "pressure")
            rest = insert + [hold] + self.question("pressure", text, here.area, technique) + rest
        elif kind == "keep" and (said := self._acknowledge(action)):
            rest = [self.speech(said)] + rest
        elif kind == "keep" and action.reason.startswith("no firmer"):
            rest = [self.speech(SAY["keep_after_stop"])] + rest
        elif kind == "skip":
            rest = [self.speech(SAY["skip"])] + self._drop_technique(rest, technique)
        elif kind == "extend":
            last_hold = next(
                (s for s in reversed(segments[: at + 1]) if s.kind == "hold" and s.technique == technique),
                None,
            )
            seconds = round(last_hold.duration if last_hold else 30.0)
            seconds = max(20, min(seconds, 90))
            said = SAY["extend"].format(seconds=seconds)
            if action.reason.startswith("already at the limit"):
                said = SAY["keep_cap"] + " " + said
            rest = [
                self.speech(said, technique=technique, area=here.area),
                Segment(
                    0,
                    0.0,
                    float(seconds),
                    "hold",
                    technique=technique,
                    area=here.area,
                    side=last_hold.side if last_hold else None,
                    pressure=last_hold.pressure if last_hold else None,
                ),
            ] + rest
        elif kind == "shorten":
            rest = [self.speech(SAY["shorten"])] + self._shorten(rest, technique)
        elif kind == "stop":
            closing = self._closing(rest)
            rest = [self.cue("stop"), self.speech(SAY[f"stop_{self.mode}"])]
            rest += self.question("comfort", OFFER[self.mode], None, None) + closing
        elif kind == "fallback":
            rest = self._fallback(state) + rest
        elif kind == "end":
            rest = [self.speech(SAY["end_early"])] + rest
        return renumber(head + rest)

    # --- helpers ---------------------------------------------------------------

    def _acknowledge(self, action: Action) -> str | None:
        """Say what was understood, so that a mistake can be undone with one word."""
        import re

        match = re.search(r"pain (\d+)/10", action.reason)
        if match:
            return f"{match.group(1)} out of ten. Thank you."
        if action.reason == "answer: good":
            return "Good. We stay as we are."
        if action.reason.startswith("no answer"):
            return "No answer, so we carry on at the same pressure."
        return None

    def _checkin(self, technique_id: str | None, question: str) -> str:
        t = self.library.techniques.get(technique_id or "")
        text = t.checkin_text(question, self.mode) if t else None
        return text or QUESTIONS[(question, self.mode)]

    def _refill(self, seg: Segment, pressure: int) -> Segment:
        t = self.library.techniques.get(seg.technique or "")
        if seg.kind != "speech" or t is None or seg.step is None or seg.step >= len(t.steps):
            return replace(seg, pressure=pressure)
        template = t.steps[seg.step].for_mode(self.mode) or ""
        text = fill(template, pressure, seg.side)
        if seg.text and seg.text.startswith(f"{t.name}. "):
            text = f"{t.name}. {text}"
        if text == seg.text:
            return replace(seg, pressure=pressure)
        return replace(seg, pressure=pressure, text=text, duration=self.timer(text) + PAUSE_AFTER_SPEECH)

    def _repressure(self, rest: list[Segment], technique: str | None, pressure: int) -> list[Segment]:
        """The pressure the person chose holds for the rest of this technique: no planned rise
        overrides it (they can always ask for more), and the spoken words say the new pressure."""
        return [
            self._refill(seg, pressure) if seg.technique == technique and seg.pressure is not None else seg
            for seg in rest
        ]

    def _drop_technique(self, rest: list[Segment], technique: str | None) -> list[Segment]:
        out, dropping = [], True
        for seg in rest:
            if dropping and (seg.technique == technique or (seg.kind == "hold" and seg.technique is None)):
                continue
            if dropping and seg.kind == "checkpoint" and seg.technique == technique:
                continue
            dropping = False
            out.append(seg)
        # a dangling question cue in front of a dropped checkpoint goes too
        return [
            s
            for i, s in enumerate(out)
            if not (
                s.kind == "cue"
                and s.sound == "question"
                and (i + 1 >= len(out) or out[i + 1].kind != "checkpoint")
            )
        ]

    def _shorten(self, rest: list[Segment], technique: str | None) -> list[Segment]:
        return [
            replace(s, duration=max(5.0, s.duration / 2))
            if s.kind == "hold" and s.technique == technique
            else s
            for s in rest
        ]

    def _closing(self, rest: list[Segment]) -> list[Segment]:
        """The end of the plan: the closing pain rating, closing words and end cue."""
        for i, seg in enumerate(rest):
            if seg.kind == "checkpoint" and seg.text in CLOSING_TEXTS:
                start = i - 1 if i > 0 and rest[i - 1].kind == "cue" else i
                return rest[start:]
        return [self.cue("end")]

    def _fallback(self, state: State) -> list[Segment]:
        if self.mode == "partner" and "P07" in self.library.techniques:
            t = self.library.techniques["P07"]
            out = [self.cue("next")]
            for i, step in enumerate(t.steps):
                text = fill(step.for_mode("partner") or "", 1, None)
                if i == 0:
                    text = f"{t.name}. {text}"
                out.append(self.speech(text, technique="P07", area=t.areas[0], pressure=1, step=i))
                if step.hold >= 5:
                    out.append(
                        Segment(0, 0.0, step.hold, "hold", technique="P07", area=t.areas[0], pressure=1)
                    )
            return out
        return [self.cue("next"), self.speech(SAY["fallback_self"]), Segment(0, 0.0, 60.0, "hold")]
