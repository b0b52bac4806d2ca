"""What the session says and does after an action: the rest of the segment list, rewritten.

Pure edits over values: an `adapt.Action` in, a new segment list out. Every sentence said in
reply is made here from the action's fields (never the other way round).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

from voiceguide import domain
from voiceguide.adapt import Action, Kind, Rule, State
from voiceguide.library import Library
from voiceguide.plan import Segment, renumber
from voiceguide.planner import (
    ANSWER_WINDOW,
    CLOSING,
    GO_TO_SIDE,
    MOVE_BACK,
    MOVEMENT_PROMPTS,
    PHASE_INTRO,
    PROMPT_EVERY,
    PROMPTS,
    QUESTIONS,
    SEAT_CHANGE,
    asked,
    is_move,
    move,
    swap_side,
)
from voiceguide.speechtime import PAUSE_AFTER_SPEECH

CHECK_HOLD = 15.0  # seconds at a new pressure before asking about it
OFFER_QUESTION = "offer"  # the checkpoint after a stop: go on gently, or end

Timer = Callable[[str], float]

SAY_PRESSURE = {
    Kind.PRESSURE_UP: "A little firmer now, {words}.",
    Kind.PRESSURE_DOWN: "A little lighter now, {words}.",
}
PAIN_HEARD = "{pain} out of ten. Thank you."
SIDE_FIRST = "The {side} side first, then."
READY_HEARD = "Good, we can begin."
SAY = {
    "good": "Good. We stay as we are.",
    "no_answer": "I did not catch an answer, so we carry on at the same pressure.",
    "no_answer_go_on": "I did not catch an answer, so we go on.",
    "no_answer_at_end": "I did not catch an answer. That is all right.",
    "skip": "Skipping ahead to the next step.",
    "lightest": "That is already the lightest pressure, so we leave this part and go on.",
    "nothing_pressed": "There is no pressure to change just now. Ask again during a massage step.",
    "less_here": "Then we leave this part and go on.",
    "extend": "Staying here a little longer. That adds about {seconds} seconds to the session.",
    "shorten": "Your pain is low here, so this part will be shorter.",
    # What is said just after a stop never says "stop": with the echo not yet re-found after the cut,
    # the listener heard "Stopping now" as a new stop, round and round (CI, 2026-12-07 and earlier).
    "stop_self": "All right. Ease off now, and let your hands rest.",
    "stop_partner": "Hands off now. Lift them away gently, and let your partner rest.",
    "ease_off_self": "Ease off now and rest your hands. We leave the {area} alone today and go on gently.",
    "ease_off_partner": (
        "Ease off now and lift your hands away slowly. We leave the {area} alone today and go on gently."
    ),
    "two_stops": "That is the second time today, so we finish here, gently.",
    "faint_self": (
        "Sit or lie down where you are, now, and breathe slowly. "
        "If the dizziness does not pass in a few minutes, get help."
    ),
    "faint_partner": (
        "Hands off now. Help your partner stay lying down, or sit, and breathe slowly. "
        "If the dizziness does not pass in a few minutes, get help."
    ),
    "gentle": (
        "Your pain is high today, so we keep everything gentle: light pressure, slow strokes and rocking. "
        "If your pain stays this high, please see a clinician."
    ),
    "away_self": (
        "Rest your palms on your lower back and stroke slowly up and down, very lightly, for a few breaths."
    ),
    "away_partner": (
        "Now slow, light strokes on the lower back with your whole palm, from the dimples above the buttocks "
        "up to the lower ribs."
    ),
    "rest": "Find a comfortable position, rest your hands, and breathe slowly for a minute.",
    "keep_cap": "That is as firm as it goes today, so we stay at this pressure.",
    "keep_after_stop": "After a stop we keep the pressure light. Staying as we are.",
    "end_early": "We will finish here.",
    "high_at_end_self": "That is high, so rest now. If your pain stays this high, please see a clinician.",
    "high_at_end_partner": (
        "That is high, so let your partner rest now. "
        "If their pain stays this high, they should see a clinician."
    ),
    "rose_at_end_self": "That is more than at the start, so rest now, with no more massage today.",
    "rose_at_end_partner": (
        "That is more than at the start, so let your partner rest now, with no more massage today."
    ),
    "symptom_at_end_self": (
        "Thank you for telling me. Rest now, with no more massage today. If this feeling is new, or it does "
        "not pass, call a doctor or physiotherapist."
    ),
    "symptom_at_end_partner": (
        "Thank you for telling me. Let your partner rest now, with no more massage today. If this feeling is "
        "new for them, or it does not pass, they should call a doctor or physiotherapist."
    ),
}
OFFER = {
    "self": "Would you like to go on gently, away from that spot? Say yes to go on, or no to end.",
    "partner": (
        "For the person receiving: would you like to go on gently, away from that spot? "
        "Say yes to go on, or no to end."
    ),
}
# A stop at a pain question may have been the rating misheard: the rating is asked for again,
# after the offer is taken, or before the closing words when the stop came at the last question.
ASK_PAIN_AGAIN = {  # the words of the question domain.PAIN_AGAIN
    ("go on", "self"): "Before we go on: how is your pain now, from zero to ten?",
    ("go on", "partner"): (
        "For the person receiving: before we go on, how is your pain now, from zero to ten?"
    ),
    ("finish", "self"): "Before we finish: how is your pain now, from zero to ten?",
    ("finish", "partner"): (
        "For the person receiving: before we finish, how is your pain now, from zero to ten?"
    ),
}
AWAY_SECONDS = 45.0  # the gentle step offered away from where a stop happened
CLOSING_TEXTS = {QUESTIONS[("closing", "self")], QUESTIONS[("closing", "partner")]}
AT_THE_END = {Rule.PAIN_HIGH_AT_END, Rule.SYMPTOM_AT_END}
INTROS = {text for options in PHASE_INTRO.values() for text in options}


PAIN_SAID_BACK = {
    Rule.OPENING_PAIN,
    Rule.FIRST_PAIN,
    Rule.PAIN_NOTED,
    Rule.PAIN_AFTER_STOP,
    Rule.CLOSING_PAIN,
}


def acknowledgement(action: Action) -> str | None:
    """What is said back for an answer that changes nothing else, so one word can undo it."""
    if action.kind is not Kind.KEEP:
        return None
    if action.rule in PAIN_SAID_BACK:
        return PAIN_HEARD.format(pain=action.pain)
    if action.rule is Rule.GOOD:
        return SAY["good"]
    if action.rule is Rule.SIDE_CHOSEN:
        return SIDE_FIRST.format(side=action.side)
    if action.rule is Rule.READY:
        return READY_HEARD
    if action.rule is Rule.NO_ANSWER:
        return SAY["no_answer"] if action.pressure is not None else SAY["no_answer_go_on"]
    if action.rule is Rule.NO_ANSWER_AT_END:
        return SAY["no_answer_at_end"]
    if action.rule is Rule.NO_FIRMER_AFTER_STOP:
        return SAY["keep_after_stop"]
    if action.rule is Rule.NOTHING_PRESSED:
        return SAY["nothing_pressed"]
    return None


def said_in_place(action: Action) -> bool:
    """A reply said where the session is, the plan going on as it was (its acknowledgement);
    every other action rewrites what follows, replies at the end of a session included."""
    return action.kind is Kind.KEEP and action.rule not in AT_THE_END


def skipped(action: Action) -> str:
    """Why a part is left: asked for, or "less" where nothing lighter is left (said so, since
    the person asked for less, not for the next step)."""
    if action.rule is not Rule.LIGHTEST_ALREADY:
        return SAY["skip"]
    return SAY["lightest"] if action.pressure is not None else SAY["less_here"]


def spoken_replies(mode: str) -> list[str]:
    """Every fixed sentence the player may say in reply, so it can be rendered before a session."""
    texts = [OFFER[mode], *(t for k, t in SAY.items() if "{" not in t and not k.endswith(_other(mode)))]
    texts += [PAIN_HEARD.format(pain=n) for n in range(11)]
    texts += [text for (_, m), text in ASK_PAIN_AGAIN.items() if m == mode]
    texts += [ease_off(mode, area) for area in domain.AREAS]
    texts += [SIDE_FIRST.format(side=side) for side in domain.SIDES] + [READY_HEARD]
    return texts


def ease_off(mode: str, area: str | None) -> str:
    words = domain.AREA_WORDS.get(area or "", "area we were working on")
    return SAY[f"ease_off_{mode}"].format(area=words)


def _other(mode: str) -> str:
    return "self" if mode == "partner" else "partner"


# The prompts a long pause is cut by (planner.paced): a move's time runs on through them
HOLD_PROMPTS = frozenset({*MOVEMENT_PROMPTS, *(p for options in PROMPTS.values() for p in options)})


class Kneeling:
    """Where a giver kneeling at one side of the body is, followed segment by segment: the side
    of the last two-sided words said in such a position, and whose they were (a new position's
    own words say where to be, so it starts unknown)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.side: str | None = None
        self.position: str | None = None
        self.technique: str | None = None

    def kneels(self, seg: Segment) -> bool:
        return (self.mode, seg.position) in MOVE_BACK

    def enter(self, seg: Segment) -> None:
        if seg.position and seg.position != self.position:
            self.side, self.position = None, seg.position

    def follow(self, seg: Segment) -> None:
        self.enter(seg)
        if seg.side and self.kneels(seg):
            self.side, self.technique = seg.side, seg.technique


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

    def question(
        self, question: str, text: str, area: str | None, technique: str | None, position: str | None = None
    ) -> list[Segment]:
        return asked(question, text, self.timer(text) + self.answer_window, area, technique, position)

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
                    position=here.position,
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
                position=here.position,
            )
            text = self._checkin(technique, "pressure")
            rest = (
                insert + [hold] + self.question("pressure", text, here.area, technique, here.position) + rest
            )
        elif kind is Kind.KEEP and action.rule in AT_THE_END:
            rest = self._at_the_end(action) + rest
        elif kind is Kind.KEEP and (said := acknowledgement(action)):
            if action.rule is Rule.SIDE_CHOSEN:
                rest = self._worse_side_first(rest, action.side)
            rest = [self.speech(said)] + rest
        elif kind is Kind.SKIP:
            rest = [self.speech(skipped(action))] + self._drop_technique(rest, technique)
        elif kind is Kind.EXTEND:
            rest = self._extend(segments, at, action) + rest
        elif kind is Kind.SHORTEN:
            rest = [self.speech(SAY["shorten"])] + self._shorten(rest, technique)
        elif kind is Kind.STOP and action.rule is Rule.FAINT:
            closing = [s for s in self._closing(rest) if s.kind != "checkpoint"]
            rest = [self.cue("stop"), self.speech(SAY[f"faint_{self.mode}"])] + self._tidy(closing)
        elif kind is Kind.STOP and action.rule is Rule.TWO_STOPS:
            rest = [self.cue("stop"), self.speech(SAY["two_stops"])] + self._closing(rest)
        elif kind is Kind.STOP and action.rule is Rule.STOP_AT_END:  # nothing left to offer
            again = self._pain_again("finish") if here.question == "pain" and state.stops == 1 else []
            rest = [self.cue("stop"), self.speech(SAY[f"stop_{self.mode}"])] + again + rest
        elif kind is Kind.STOP:  # the stop word: silence, then go on gently or end
            rest = [self.cue("stop"), self.speech(SAY[f"stop_{self.mode}"])]
            rest += self.question(OFFER_QUESTION, OFFER[self.mode], None, None)
            rest += self._pain_again("go on") if here.question == "pain" else []  # asked if it goes on
            # made safe before any answer: whatever passes the offer by never finds the area
            # stopped in, nor a pressure above the one it stopped at
            rest += self._capped(self._without(segments[at + 1 :], None, state.avoid_areas), state.cap)
        elif kind is Kind.STOP_TECHNIQUE:
            left = self._capped(self._without(rest, technique, state.avoid_areas), state.cap)
            rest = [self.cue("stop"), self.speech(ease_off(self.mode, here.area))]
            rest += self._away(state) if not self._works(left) else []
            rest += left
        elif kind is Kind.FALLBACK:  # the rating asked again (if the stop cut one off) before the step away
            lead = itertools.takewhile(lambda s: s.technique is None, rest)  # before any work resumes
            asked = next((i + 1 for i, s in enumerate(lead) if s.question == domain.PAIN_AGAIN), 0)
            left = self._capped(self._without(rest[asked:], None, state.avoid_areas), state.cap)
            rest = rest[:asked] + self._away(state) + left
        elif kind is Kind.GENTLE:
            rest = [self.speech(SAY["gentle"])] + self._gentle(rest, state.cap)
        elif kind is Kind.END:
            rest = [self.speech(SAY["end_early"])] + self._closing(rest)
        rest = self._walks(head, self._moves(head, rest))
        if not rest or rest[-1].sound != "end":  # a reply after the end tone: the tone again after it
            rest.append(self.cue("end"))
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

    def _worse_side_first(self, rest: list[Segment], side: str | None) -> list[Segment]:
        """Start on the side the person said is worse: when the plan starts on the other one,
        every side from here on changes places, words and all (planner.swap_side)."""
        first = next((s.side for s in rest if s.side), None)
        if side is None or first is None or first == side:
            return rest
        return self._swapped(rest)

    def _swapped(self, rest: list[Segment]) -> list[Segment]:
        """Left and right change places, words and all (planner.swap_side), each clip re-timed."""
        out = []
        for seg in rest:
            swapped = swap_side(seg)
            if swapped.text != seg.text and swapped.text:
                swapped = replace(swapped, duration=self.timer(swapped.text) + PAUSE_AFTER_SPEECH)
            out.append(swapped)
        return out

    def _checkin(self, technique_id: str | None, question: str) -> str:
        t = self.library.techniques.get(technique_id or "")
        text = t.checkin_text(question, self.mode) if t else None
        return text or QUESTIONS[(question, self.mode)]

    def _refill(self, seg: Segment, pressure: int) -> Segment:
        """The segment at another pressure: where its words say the pressure (a step's {pressure}
        is one whole sentence in felt terms), that sentence is the new pressure's."""
        said = domain.PRESSURE_SAY.get(self.mode, domain.PRESSURE_SAY["partner"])
        old, new = said.get(seg.pressure or 0), said.get(pressure)
        if seg.kind != "speech" or not seg.text or not old or not new or old not in seg.text:
            return replace(seg, pressure=pressure)
        text = seg.text.replace(old, new)
        return replace(seg, pressure=pressure, text=text, duration=self.timer(text) + PAUSE_AFTER_SPEECH)

    def _repressure(self, rest: list[Segment], technique: str | None, pressure: int) -> list[Segment]:
        """The pressure the person chose holds for the rest of this technique: no planned rise
        overrides it (they can always ask for more), and the spoken words say the new pressure."""
        return [
            self._refill(seg, pressure) if seg.technique == technique and seg.pressure is not None else seg
            for seg in rest
        ]

    def _drop_technique(self, rest: list[Segment], technique: str | None) -> list[Segment]:
        """The rest without what is left of the technique at work: its steps, holds and questions,
        each question with its cue (a question cue has no technique of its own, and once ended the
        run here, leaving the skipped technique's next question to be asked)."""

        def of_it(i: int) -> bool:
            seg, after = rest[i], rest[i + 1] if i + 1 < len(rest) else None
            if seg.technique == technique or (seg.kind == "hold" and seg.technique is None):
                return True
            asks_it = after is not None and after.kind == "checkpoint" and after.technique == technique
            return seg.kind == "cue" and seg.sound == "question" and asks_it

        start = 0
        while start < len(rest) and of_it(start):
            start += 1
        return rest[start:]

    def _shorten(self, rest: list[Segment], technique: str | None) -> list[Segment]:
        return [
            replace(s, duration=max(5.0, s.duration / 2))
            if s.kind == "hold" and s.technique == technique
            else s
            for s in rest
        ]

    def _at_the_end(self, action: Action) -> list[Segment]:
        """The reply to the last question: the rating said back, then rest and what to watch."""
        said = [PAIN_HEARD.format(pain=action.pain)] if action.pain is not None else []
        if action.rule is Rule.SYMPTOM_AT_END:
            said.append(SAY[f"symptom_at_end_{self.mode}"])
        elif action.baseline is not None:
            said.append(SAY[f"rose_at_end_{self.mode}"])
        else:
            said.append(SAY[f"high_at_end_{self.mode}"])
        return [self.speech(text) for text in said]

    def _closing(self, rest: list[Segment]) -> list[Segment]:
        """The end of the plan: the closing pain rating, closing words and end cue (only the
        words and the cue once the rating has been asked)."""
        for i, seg in enumerate(rest):
            if (seg.kind == "checkpoint" and seg.text in CLOSING_TEXTS) or seg.text == CLOSING:
                start = i - 1 if i > 0 and rest[i - 1].kind == "cue" else i
                return rest[start:]
        return [self.cue("end")]

    def _pain_again(self, when: str) -> list[Segment]:
        """The rating a stop at a pain question cut off (or that was heard as the stop), asked for
        again: tied to no technique (none is at work), and never the session's closing question."""
        return self.question(domain.PAIN_AGAIN, ASK_PAIN_AGAIN[(when, self.mode)], None, None)

    def _away(self, state: State) -> list[Segment]:
        """A gentle step away from where it stopped: light strokes on the lower back, or rest."""
        if "lower-back" in state.avoid_areas:
            return [self.cue("next"), self.speech(SAY["rest"]), Segment(0, 0.0, 60.0, "hold")]
        return [
            self.cue("next"),
            self.speech(SAY[f"away_{self.mode}"], area="lower-back", pressure=1),
            Segment(0, 0.0, AWAY_SECONDS, "hold", area="lower-back", pressure=1),
        ]

    def _without(self, rest: list[Segment], technique: str | None, areas: list[str]) -> list[Segment]:
        """The rest without the stopped technique and anything else that works the areas left out,
        or their neighbours (a stop on the buttock, then thumbs deep into the piriformis under it)."""
        dropped = {technique} if technique else set()
        dropped |= {s.technique for s in rest if s.technique and domain.near(s.area, areas)}
        return self._drop(rest, dropped)

    def _drop(self, rest: list[Segment], techniques: set[str | None]) -> list[Segment]:
        """The rest without these techniques, and without the walk round to their other side (a
        hold of no technique right after their words): left, it was ten silent seconds."""
        kept: list[Segment] = []
        dropping = False
        for seg in rest:
            if seg.technique is not None or seg.kind != "hold":
                dropping = seg.technique is not None and seg.technique in techniques
            if not dropping:
                kept.append(seg)
        return self._tidy([seg for i, seg in enumerate(kept) if not self._orphan_intro(kept, i)])

    @staticmethod
    def _orphan_intro(rest: list[Segment], i: int) -> bool:
        """A phase's opening words with none of its techniques left ("Now the deeper work..." and
        then the gentle rocking, after the deeper work was dropped)."""
        if rest[i].kind != "speech" or rest[i].technique or rest[i].text not in INTROS:
            return False
        for seg in rest[i + 1 :]:
            if seg.technique:
                return False
            if seg.kind == "speech" and seg.text in INTROS:
                return True
        return True

    @staticmethod
    def _works(rest: list[Segment]) -> bool:
        return any(s.kind == "hold" and s.technique for s in rest)

    def _gentle(self, rest: list[Segment], cap: int) -> list[Segment]:
        """A gentle session: no piriformis pressure work, nothing above the cap."""
        deep = {
            s.technique
            for s in rest
            if s.technique
            and s.area == "piriformis"
            and (t := self.library.techniques.get(s.technique)) is not None
            and t.kind == "massage"
        }
        return self._capped(self._drop(rest, deep), cap)

    def _capped(self, rest: list[Segment], cap: int) -> list[Segment]:
        """Nothing planned above the cap: after a stop the pressure never goes up again."""
        return [self._refill(s, cap) if s.pressure is not None and s.pressure > cap else s for s in rest]

    def _place(self, seg: Segment) -> tuple[str, str] | None:
        """Where a technique's segment is done: its position, and seated, on a chair or the mat."""
        if not seg.technique or not seg.position:
            return None
        technique = self.library.techniques.get(seg.technique)
        seated = seg.position == "seated" and technique is not None
        return seg.position, technique.seat if seated else "chair"  # type: ignore[union-attr]

    def _moves(self, head: list[Segment], rest: list[Segment]) -> list[Segment]:
        """Each change of position said only to go where the next technique is done, from where the
        person is. With a technique left out, its own move stayed: after a stop at the ball against
        the wall, "Now move to sitting" (for the roller on the mat, left out), "Now get up from the
        mat slowly, and sit on the chair", then "Now lie down on your back": 80 s of moving for
        someone in pain, where one move, from standing to lying, was needed."""
        place: tuple[str, str] | None = None
        for seg in head:
            if is_move(seg.text) and seg.technique is None and seg.position:
                place = (
                    seg.position,
                    "floor" if seg.text == SEAT_CHANGE.get((self.mode, "floor")) else "chair",
                )
            place = self._place(seg) or place
        out: list[Segment] = []
        i = 0
        while i < len(rest):
            seg = rest[i]
            if not (seg.kind == "speech" and seg.technique is None and is_move(seg.text)):
                place = self._place(seg) or place
                out.append(seg)
                i += 1
                continue
            end = i + 1  # the move's own time: its pause, cut by prompts where long
            while (
                end < len(rest)
                and rest[end].technique is None
                and (rest[end].kind == "hold" or rest[end].text in HOLD_PROMPTS)
            ):
                end += 1
            target = next((p for s in rest[end:] if (p := self._place(s)) is not None), None)
            if target is not None and place is not None:
                if target == place:
                    i = end  # already there: neither the words nor the time
                    continue
                text, seconds = move(self.mode, place, target)
                if text != seg.text:
                    out += self._move_segments(text, seconds, target[0])
                    place, i = target, end
                    continue
            out += rest[i:end]
            place = target or place
            i = end
        return self._tidy(out)

    def _move_segments(self, text: str, seconds: float, position: str) -> list[Segment]:
        """A move's words and its pause (cut by a prompt when longer than PROMPT_EVERY)."""
        said = self.speech(text, position=position)
        left = seconds - said.duration
        if left < 1.0:
            return [said]
        hold = Segment(0, 0.0, left, "hold", position=position)
        if left <= PROMPT_EVERY:
            return [said, hold]
        prompt = self.speech(MOVEMENT_PROMPTS[0], position=position)
        half = (left - prompt.duration) / 2
        return [said, replace(hold, duration=half), prompt, replace(hold, duration=half)]

    def _walks(self, head: list[Segment], rest: list[Segment]) -> list[Segment]:
        """The giver is never sent to a side they are not at, nor back round to one they are at.
        (Only where a giver kneels at one side of the body: planner.MOVE_BACK's positions.)"""
        if not any((self.mode, s.position) in MOVE_BACK for s in rest):
            return rest
        return self._no_walk_back(head, self._start_where_kneeling(head, rest))

    def _start_where_kneeling(self, head: list[Segment], rest: list[Segment]) -> list[Segment]:
        """A plan starts each two-sided technique at the side the one before ended on. With the
        rest of a technique dropped (stopped on its first side), the giver is still at that side:
        the sides from the next technique on change places (a walk round to start there, then
        again for its second side, had been ten silent seconds each). With the technique that said
        which side to kneel at dropped before it began, the next one says it."""
        giver = Kneeling(self.mode)
        for seg in head:
            giver.follow(seg)
        out = list(rest)
        i = 0
        while i < len(out):
            seg = out[i]
            giver.enter(seg)
            if seg.side and giver.kneels(seg) and seg.technique != giver.technique:
                moving = MOVE_BACK[(self.mode, seg.position or "")]
                told = seg.text in (moving.format(side=seg.side), GO_TO_SIDE.format(side=seg.side))
                if not told and giver.side is not None and seg.side != giver.side:
                    out[i:] = self._swapped(out[i:])
                elif not told and giver.side is None:
                    fields = {"technique": seg.technique, "area": seg.area, "position": seg.position}
                    out.insert(i, self.speech(GO_TO_SIDE.format(side=seg.side), side=seg.side, **fields))
            giver.follow(out[i])
            i += 1
        return out

    def _no_walk_back(self, head: list[Segment], rest: list[Segment]) -> list[Segment]:
        """A saved plan's "Move back round to ... right side" (plans made before 2026-12-04 started
        every technique on the first side) only to a giver who is not there; to one never told
        where to kneel, said as the first time is."""
        giver = Kneeling(self.mode)
        for seg in head:
            giver.follow(seg)
        out: list[Segment] = []
        skip_walk = False
        for seg in rest:
            if skip_walk and seg.kind == "hold" and seg.technique is None:
                skip_walk = False
                continue
            skip_walk = False
            moving = MOVE_BACK.get((self.mode, seg.position or ""))
            if seg.kind == "speech" and moving and seg.side and seg.text == moving.format(side=seg.side):
                giver.enter(seg)
                if seg.side == giver.side:  # already there: neither the words nor the walk
                    skip_walk = True
                    continue
                if giver.side is None:  # never told where to kneel: said as the first time is
                    text = GO_TO_SIDE.format(side=seg.side)
                    seg = replace(seg, text=text, duration=self.timer(text) + PAUSE_AFTER_SPEECH)
                    skip_walk = True
            giver.follow(seg)
            out.append(seg)
        return out

    @staticmethod
    def _tidy(rest: list[Segment]) -> list[Segment]:
        """No cue left dangling: a question cue needs its question, two cues in a row keep one."""
        out: list[Segment] = []
        for i, seg in enumerate(rest):
            nxt = rest[i + 1] if i + 1 < len(rest) else None
            if seg.kind == "cue" and seg.sound == "question" and (nxt is None or nxt.kind != "checkpoint"):
                continue
            if seg.kind == "cue" and seg.sound in ("next", "switch") and (nxt is None or nxt.kind == "cue"):
                continue
            out.append(seg)
        return out
