"""What the session says and does after an action: the rest of the segment list, rewritten.

Pure edits over values: an `adapt.Action` in, a new segment list out. Every sentence said in
reply is made here from the action's fields (never the other way round).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from voiceguide import domain
from voiceguide.adapt import Action, Kind, Rule, State
from voiceguide.library import Library
from voiceguide.plan import Segment, renumber
from voiceguide.planner import ANSWER_WINDOW, QUESTIONS, fill
from voiceguide.speechtime import PAUSE_AFTER_SPEECH

CHECK_HOLD = 15.0  # seconds at a new pressure before asking about it
OFFER_QUESTION = "offer"  # the checkpoint after a stop: go on gently, or end

Timer = Callable[[str], float]

SAY_PRESSURE = {
    Kind.PRESSURE_UP: "A little firmer now, {words}.",
    Kind.PRESSURE_DOWN: "A little lighter now, {words}.",
}
PAIN_HEARD = "{pain} out of ten. Thank you."
SAY = {
    "good": "Good. We stay as we are.",
    "no_answer": "No answer, so we carry on at the same pressure.",
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


def acknowledgement(action: Action) -> str | None:
    """What is said back for an answer that changes nothing else, so one word can undo it."""
    if action.kind is not Kind.KEEP:
        return None
    if action.rule in (Rule.OPENING_PAIN, Rule.PAIN_NOTED):
        return PAIN_HEARD.format(pain=action.pain)
    if action.rule is Rule.GOOD:
        return SAY["good"]
    if action.rule is Rule.NO_ANSWER:
        return SAY["no_answer"]
    if action.rule is Rule.NO_FIRMER_AFTER_STOP:
        return SAY["keep_after_stop"]
    return None


def spoken_replies(mode: str) -> list[str]:
    """Every fixed sentence the player may say in reply, so it can be rendered before a session."""
    texts = [OFFER[mode], *(t for k, t in SAY.items() if "{" not in t and not k.endswith(_other(mode)))]
    texts += [PAIN_HEARD.format(pain=n) for n in range(11)]
    return texts


def _other(mode: str) -> str:
    return "self" if mode == "partner" else "partner"


class Editor:
    """Rewrites the segment list after an action; knows the wording and the library."""

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
        kind = action.kind
        if kind in SAY_PRESSURE and action.pressure is not None:
            pressure = min(action.pressure, action.cap or action.pressure)  # a cap holds here too
            rest = self._repressure(rest, technique, pressure)
            insert = [
                self.cue("pressure-up" if kind is Kind.PRESSURE_UP else "pressure-down"),
                self.speech(
                    SAY_PRESSURE[kind].format(words=domain.PRESSURE_WORDS[pressure]),
                    technique=technique,
                    area=here.area,
                    pressure=pressure,
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
                pressure=pressure,
            )
            text = self._checkin(technique, "pressure")
            rest = insert + [hold] + self.question("pressure", text, here.area, technique) + rest
        elif kind is Kind.KEEP and (said := acknowledgement(action)):
            rest = [self.speech(said)] + rest
        elif kind is Kind.SKIP:
            rest = [self.speech(SAY["skip"])] + self._drop_technique(rest, technique)
        elif kind is Kind.EXTEND:
            rest = self._extend(segments, at, action) + rest
        elif kind is Kind.SHORTEN:
            rest = [self.speech(SAY["shorten"])] + self._shorten(rest, technique)
        elif kind is Kind.STOP:
            closing = self._closing(rest)
            rest = [self.cue("stop"), self.speech(SAY[f"stop_{self.mode}"])]
            rest += self.question(OFFER_QUESTION, OFFER[self.mode], None, None) + closing
        elif kind is Kind.FALLBACK:
            rest = self._fallback(state) + rest
        elif kind is Kind.END:
            rest = [self.speech(SAY["end_early"])] + self._closing(rest)
        return renumber(head + rest)

    # --- helpers ---------------------------------------------------------------

    def _extend(self, segments: list[Segment], at: int, action: Action) -> list[Segment]:
        here = segments[at]
        last_hold = next(
            (s for s in reversed(segments[: at + 1]) if s.kind == "hold" and s.technique == here.technique),
            None,
        )
        seconds = round(last_hold.duration if last_hold else 30.0)
        seconds = max(20, min(seconds, 90))
        said = SAY["extend"].format(seconds=seconds)
        if action.cap_reached:
            said = SAY["keep_cap"] + " " + said
        return [
            self.speech(said, technique=here.technique, area=here.area),
            Segment(
                0,
                0.0,
                float(seconds),
                "hold",
                technique=here.technique,
                area=here.area,
                side=last_hold.side if last_hold else None,
                pressure=last_hold.pressure if last_hold else None,
            ),
        ]

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
