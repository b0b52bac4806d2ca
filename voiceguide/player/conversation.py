"""Every answer goes through here, whatever its source and whenever it came.

One place builds where an answer lands (its `adapt.Context`: question, technique, pressure and
the cap in force), so that a cap or a stop rule holds the same for a key pressed during a hold,
a word at a question, a line of stdin or a tap on the companion page. Then the rules decide,
the actions are journaled before anything happens, the state moves on and the rest of the
session is rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from voiceguide import domain
from voiceguide.adapt import Action, Context, Kind, State, decide, no_answer, update_state
from voiceguide.feedback.intents import Answer
from voiceguide.library import Library
from voiceguide.plan import Plan, Segment, is_closing
from voiceguide.replan import Editor


class Conversation:
    def __init__(
        self,
        plan: Plan,
        library: Library,
        editor: Editor,
        state: State,
        emit: Callable,
        together: Callable[[], AbstractContextManager] = nullcontext,
    ) -> None:
        self.plan = plan
        self.library = library
        self.editor = editor
        self.state = state
        self.emit = emit
        self.together = together  # the journal's one commit for an answer's actions, state and plan
        self.segments: list[Segment] = list(plan.segments)
        self.conditions = {domain.parse_condition(c)[0] for c in plan.conditions}
        self.stage = plan.stage  # a technique's stage cap (piriformis: 3 in the subacute stage)
        self.changed: tuple[Kind, float] | None = None  # the last rewrite: why, and seconds added

    # --- where an answer lands ---------------------------------------------------

    def context(self, seg: Segment, question: str | None) -> Context:
        pressure, cap = self.pressure_at(seg), self.cap_for(seg.technique)
        return Context(question, seg.technique, seg.area, pressure, cap, self.moment(seg, question))

    def moment(self, seg: Segment, question: str | None) -> str | None:
        """'opening' at the session's first pain question (it sets the baseline), and at the rating
        asked again after a stop there; 'closing' from its last one on, and once a rule has ended
        the session: no technique is left to stop or make gentle, and a rating there is never
        taken for the opening one."""
        pains = [s for s in self.segments if s.kind == "checkpoint" and s.question == "pain"]
        closing = next((s for s in pains[1:] if is_closing(s.kind, s.question, s.technique)), None)
        if self.state.ended or (closing is not None and seg.index >= closing.index):
            return "closing"
        if question == domain.PAIN_AGAIN:  # asked again after a stop at the opening question: its rating
            earlier = [s for s in pains if s.index < seg.index]
            return "opening" if len(earlier) == 1 and self.state.opening_pain is None else None
        return "opening" if question == "pain" and pains and pains[0].index == seg.index else None

    def cap_for(self, technique_id: str | None) -> int:
        """The session's cap, lowered by the technique's own range and the person's conditions."""
        from voiceguide.planner import technique_cap

        t = self.library.techniques.get(technique_id or "")
        if t is None or t.pressure is None:
            return self.state.cap
        return technique_cap(t, self.state.cap, self.conditions, self.stage)

    def pressure_at(self, seg: Segment) -> int | None:
        """The pressure in force at a segment: the last one used by its technique (None where no
        technique is at work: nothing to make firmer, so "more" means more time)."""
        if seg.technique is None:
            return None
        for s in reversed(self.segments[: seg.index + (seg.kind != "checkpoint")]):
            if s.pressure is not None and s.technique == seg.technique:
                return s.pressure
        for s in self.segments[seg.index :]:
            if s.pressure is not None and s.technique == seg.technique:
                return s.pressure
        return None

    # --- deciding and acting -----------------------------------------------------

    def decide(self, answer: Answer, seg: Segment, question: str | None) -> list[Action]:
        return decide(self.state, answer, self.context(seg, question))

    def would_stop(self, answer: Answer, seg: Segment) -> bool:
        return any(a.kind is Kind.STOP for a in self.decide(answer, seg, seg.question))

    def unanswered(self, seg: Segment) -> int:
        return self.act(no_answer(self.context(seg, seg.question)), seg)

    def answered(self, answer: Answer, seg: Segment, question: str | None) -> int:
        return self.act(self.decide(answer, seg, question), seg)

    def act(self, actions: list[Action], seg: Segment, replan: bool = True) -> int:
        """Journal the actions, move the state on, rewrite the rest; returns where to go on.

        replan=False: the answer changes nothing that is played (a rating noted during a hold):
        it is journaled and kept, and the caller says it back without leaving the step."""
        at = seg.index
        with self.together():  # a kill keeps the actions with their state and rewritten plan, or none
            for action in actions:
                self.emit("action", **action.to_dict(), at=at)
            self.state = update_state(self.state, None, actions, seg.area)
            self.emit("state", state=self.state.to_dict())
            if not replan:
                return at
            before = sum(s.duration for s in self.segments[at + 1 :])
            for action in actions:
                self.segments = self.editor.apply(self.segments, at, action, self.state)
            added = sum(s.duration for s in self.segments[at + 1 :]) - before
            self.changed = (actions[-1].kind, added) if actions and abs(added) >= 1 else None
            self.emit("replan", segments=[s.to_dict() for s in self.segments[at + 1 :]], from_index=at + 1)
        return at + 1
