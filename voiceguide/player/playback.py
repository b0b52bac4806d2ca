"""The player: plays blocks on time and routes every answer to the conversation.

Each block (from one checkpoint to the next) is mixed whole and handed to the sink at once;
only block starts are scheduled. In real time the loop follows the sink's own tape position:
segment events fire when their sound is reached, keys act within a few milliseconds, and the
next block is queued just before this one ends so it starts on the exact sample.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from voiceguide.adapt import Action, Kind, Rule, State
from voiceguide.audio import timeline
from voiceguide.audio.pcm import SAMPLE_RATE
from voiceguide.audio.sinks import Sink
from voiceguide.feedback.decision import CONFIRM_IT, decide, set_aside_between_questions
from voiceguide.feedback.intents import ALWAYS, EXPECT, Answer, meaning
from voiceguide.feedback.sources import Feedback
from voiceguide.library import Library
from voiceguide.plan import Plan, Segment
from voiceguide.player.clock import clock_for
from voiceguide.player.conversation import Conversation
from voiceguide.player.dialogue import Dialogue, doubtful_stop, expect_for
from voiceguide.player.latency import ResponseTimer
from voiceguide.player.status import Status, status_line
from voiceguide.replan import Editor, acknowledgement, said_in_place

POLL = 0.005  # seconds between looks at keys and the stop word during playback
QUEUE_AHEAD = 0.5  # seconds before a block ends when the next one is queued behind it
SESSION_SAVED = "Session saved."
RECAP = "Welcome back. We pick up where we stopped, at {what}."
PAUSED = "Paused. Say continue, or press space."
RESUMED = "Carrying on."
RESUMES = frozenset({"continue", "pause", "good"})  # the pause key again, or "continue" / "yes"
TIME_CHANGED = {  # why the time left changed, on the status line
    Kind.EXTEND: "more time here",
    Kind.PRESSURE_UP: "checking the new pressure",
    Kind.PRESSURE_DOWN: "checking the new pressure",
    Kind.SKIP: "step skipped",
    Kind.SHORTEN: "shorter, pain is low",
    Kind.STOP: "stopped, gentle end",
    Kind.FALLBACK: "gentle work to finish",
    Kind.END: "finishing early",
}


class Speech(Protocol):
    """What the player needs of the speech cache."""

    def clip(self, text: str) -> np.ndarray: ...

    def seconds(self, text: str) -> float: ...


@dataclass
class Outcome:
    reason: str  # finished | stopped | interrupted
    stop_reason: str | None
    seconds: float


# What playback does after an answer that came while a block was sounding.
@dataclass(frozen=True)
class GoTo:
    index: int  # go on at this segment (the plan may have been rewritten)


@dataclass(frozen=True)
class Replay:
    offset: int  # play this block again from this sample (resume, repeat, a step skipped inside it)


@dataclass(frozen=True)
class Answered:
    answer: Answer  # given while the block's question was being asked: it is the answer


@dataclass(frozen=True)
class AnsweredAhead:
    """A rating given just before the block's question answered it: the block ends before it."""

    offset: int  # play on from this sample, up to the question's cue
    then: int  # then go on at this segment (the question is not asked)


Jump = GoTo | Replay | Answered | AnsweredAhead | None
# A rating given this close before a pain question (seconds of the block left before its cue) is
# that question's answer: "how is your pain now?" right after "4" would ask again what was said.
ANSWERS_AHEAD_SECONDS = 20.0


# A doubtful pause said again within this many seconds, while the session plays, pauses it.
PAUSE_AGAIN_SECONDS = 10.0


class PauseAgain:
    """A spoken pause too doubtful to act on while the session plays (decided "confirm": from
    CONFIRM, under ACCEPT) is set aside; said again soon after, it pauses the session.

    Why: said over the player (`scripts/bench_feedback.py`, 2026-12-06), 2 of 8 pauses were heard
    at 0.63 and set aside, and the "continue" after each then had nothing to resume. Set aside once
    because people's "on" is a doubtful pause 26 times in 100 (docs/recognition.md, "One decision
    path"); twice in a row, a person is more likely saying "pause" again. Like listen.StopAgain."""

    def __init__(self, seconds: float = PAUSE_AGAIN_SECONDS) -> None:
        self.seconds = seconds
        self.last: float | None = None  # when the last doubtful pause was set aside

    def __call__(self, answer: Answer, now: float) -> str | None:
        """For an answer between questions: "pause" when it is a doubtful pause said again soon
        after one, "first" when it is a doubtful pause to set aside for now, else None (and the
        count starts again)."""
        doubtful = (
            answer.source == "voice"
            and meaning(answer.text)[0] == "pause"
            and decide(answer).action == CONFIRM_IT
            and not answer.backed  # (acted on the first time: decision.set_aside_between_questions)
        )
        again = doubtful and self.last is not None and now - self.last <= self.seconds
        self.last = now if doubtful and not again else None
        return "pause" if again else "first" if doubtful else None


class Player:
    def __init__(
        self,
        plan: Plan,
        library: Library,
        speech: Speech,
        cue: Callable[[str], np.ndarray],
        sink: Sink,
        feedback: Feedback,
        record: Callable[[str, dict], None],
        state: State,
        answer_window: float = 8.0,
        reask: bool = True,
        display: Callable[[str], None] | None = None,
        together: Callable[[], AbstractContextManager] = nullcontext,
    ) -> None:
        """`together`: the journal's one commit for writes that mean one thing (an answer's
        actions, the state they lead to and the plan they rewrite)."""
        self.plan = plan
        self.speech = speech
        self.cue_clip = cue
        self.sink = sink
        self.feedback = feedback
        self.record = record
        self.display = display
        self.clock = clock_for(sink)
        self.realtime = self.clock.realtime
        self.timer = ResponseTimer(sink, self.realtime, self.emit)
        editor = Editor(library, plan.mode, speech.seconds, answer_window)
        self.talk = Conversation(plan, library, editor, state, self.emit, together)
        self.dialogue = Dialogue(
            feedback, self.clock, self.say, self.cue, self.emit, answer_window, reask, self._note
        )
        self.ahead: tuple[timeline.Block, int] | None = None  # the next block, already queued
        self.status = Status()
        self.shown: Segment | None = None
        self.pause_again = PauseAgain()

    @property
    def segments(self) -> list[Segment]:
        return self.talk.segments

    @property
    def state(self) -> State:
        return self.talk.state

    def now(self) -> float:
        return self.clock.now()

    def emit(self, event: str, **data) -> None:
        """Journal first (the record function commits), then everything else may act."""
        self.record(event, {"t": round(self.now(), 3), **data})

    # --- the session ----------------------------------------------------------

    def run(self, start: int = 0, answered: tuple[Segment, Answer] | None = None) -> Outcome:
        """`answered`: a question and its answer, journaled before a kill that kept nothing of what
        it did (session.answer_kept_alone): decided first, without asking the question again."""
        i = start
        if answered is not None:
            i = self.checkpoint(*answered)
        while i < len(self.segments):
            ahead, self.ahead = self.ahead, None
            if ahead is not None and ahead[0].first == i:
                block, tape_at = ahead
            else:
                if ahead is not None:  # queued for a path not taken
                    self.sink.flush()
                block, tape_at = self.mix(i), None
            self.emit("block", first=block.first, last=block.last, start=block.start)
            self.status = Status(note=self.time_note())
            jump = self.play_block(block, tape_at)
            if isinstance(jump, GoTo):
                i = jump.index
            elif block.checkpoint is not None:
                early = jump.answer if isinstance(jump, Answered) else None
                i = self.checkpoint(block.checkpoint, early)
            else:
                i = block.last + 1
        ended = self.state.ended is not None  # a stop rule (or the person, after a stop) ended it
        return Outcome("stopped" if ended else "finished", self.state.stop_reason, self.now())

    def mix(self, i: int) -> timeline.Block:
        cut = getattr(self.speech, "block_seconds", None)  # smaller blocks while speech renders ahead
        first, last = next(timeline.block_ranges(self.segments, i, cut() if cut else None))
        return timeline.mix_block(self.segments, first, last, self.speech.clip, self.cue_clip)

    def audible(self, block: timeline.Block) -> np.ndarray:
        """What is played of a block: up to the answer window, or all of it when nobody answers."""
        return block.samples if self.feedback.name == "none" else block.samples[: block.listen_at]

    def append(self, samples: np.ndarray) -> int:
        pos = self.sink.append(samples)
        self.timer.queued(pos, len(samples))
        return pos

    def segment_event(self, seg: Segment) -> None:
        self.emit("segment", **segment_data(seg))
        self.show(seg)

    # --- the terminal line ------------------------------------------------------

    def show(self, seg: Segment | None = None, into: float = 0.0) -> None:
        seg = seg or self.shown
        if self.display is None or seg is None:
            return
        self.shown = seg
        width = shutil.get_terminal_size((80, 24)).columns
        self.display(status_line(seg, self.segments, into, width, self.status))

    def time_note(self) -> str | None:
        """Why the time left just changed (shown for one block), e.g. '+40 s: more time here'."""
        changed, self.talk.changed = self.talk.changed, None
        if changed is None:
            return None
        kind, added = changed
        why = TIME_CHANGED.get(kind, "the session changed")
        return f"{'+' if added > 0 else '-'}{abs(added):.0f} s: {why}"

    def _note(self, text: str | None) -> None:
        self.status = Status(self.status.expect, self.status.paused, text)
        self.show()

    # --- playing a block ----------------------------------------------------------

    def play_block(self, block: timeline.Block, tape_at: int | None = None) -> Jump:
        """Play up to the answer window; returns what to do next (None: go on as planned)."""
        samples = self.audible(block)
        onsets = [(block.onset(s.index), s) for s in block.segments]
        if not self.realtime:
            base = self.now()
            for onset, seg in onsets:
                self.clock.at(base + onset / SAMPLE_RATE)
                self.segment_event(seg)
            self.append(samples)
            self.clock.at(base + len(samples) / SAMPLE_RATE)
            return None
        tape0 = tape_at if tape_at is not None else self.append(samples)
        emitted: set[int] = set()
        shown = 0
        then: int | None = None  # the question was answered ahead: go on here once the block ends
        follows_on = block.checkpoint is None or self.feedback.name == "none"
        while True:
            self.sink.check()
            pos = self.sink.played() - tape0
            for onset, seg in onsets:
                if onset <= pos and seg.index not in emitted:
                    emitted.add(seg.index)
                    self.segment_event(seg)
            if pos >= len(samples):
                return None if then is None else GoTo(then)
            near_end = len(samples) - pos < QUEUE_AHEAD * SAMPLE_RATE
            if follows_on and near_end and self.ahead is None and block.last + 1 < len(self.segments):
                nxt = self.mix(block.last + 1)
                self.ahead = (nxt, self.append(self.audible(nxt)))
            current = max((s for o, s in onsets if o <= max(pos, 0)), key=lambda s: s.start)
            if pos - shown >= SAMPLE_RATE // 4:  # refresh the countdown
                shown = pos
                self.show(current, pos / SAMPLE_RATE - (current.start - block.start))
            answer = self.feedback.poll()
            for event, data in self.feedback.notes():
                self.emit(event, **data)
            self.timer.poll()
            if answer is not None:
                jump = self.between_questions(answer, block, current, pos, ahead_ok=then is None)
                if jump is None:
                    continue
                self.sink.flush()
                self.ahead = None
                if isinstance(jump, AnsweredAhead):  # the block ends before its question
                    cut = question_onset(block)
                    samples, onsets, then = samples[:cut], [(o, s) for o, s in onsets if o < cut], jump.then
                    jump = Replay(jump.offset)
                if isinstance(jump, Replay):
                    tape0 = self.append(samples[jump.offset :]) - jump.offset
                    emitted = {s.index for o, s in onsets if o < jump.offset}
                    continue
                return jump
            time.sleep(POLL)

    # --- answers while audio plays ------------------------------------------------

    def between_questions(
        self, answer: Answer, block: timeline.Block, current: Segment, pos: int, ahead_ok: bool = True
    ) -> Jump:
        """A key, word, line or tap that came while audio played. Journaled first, always.
        `ahead_ok`: the block's question is still to be asked (a rating may answer it ahead)."""
        self.emit("answer", **answer.to_dict(), at=current.index, **self.feedback.timing(answer))
        if doubtful_stop(answer):
            self.sink.flush()  # silence at once, then make sure
            self.timer.silenced(replace(answer, intent=meaning(answer.text)[0]), asked=True)
            checked = self.dialogue.check_stop(answer, current.index)
            if checked is None:  # "no": go on, and say so where a hold would go on in silence
                if current.kind == "hold":
                    self.say(RESUMED)
                return Replay(resume_at(block, current, pos))
            answer = checked
        asking = self.asking(block, current)
        if asking is not None and self.answers(asking, answer):
            return Answered(answer)  # said while the question was asked: that is the answer
        doubtful_pause = self.pause_again(answer, self.clock.now())
        if doubtful_pause == "pause":
            return self.pause(answer, current, resume_at(block, current, pos), asking)
        if doubtful_pause == "first":
            return self.set_aside(answer, current, "a doubtful pause: said again, it pauses")
        if set_aside_between_questions(answer):  # what `hear --expect between` reports too
            return self.set_aside(answer, current, "talk between questions is not acted on")
        intent = answer.intent
        # While a question is asked, a change lands just before it, so that it is asked after the
        # reply: jumping on from the question itself left it unanswered (after the stop word, the
        # offer to go on gently was passed by, and the area stopped in was worked again).
        where = self.before(asking) if asking is not None else current
        if intent in ("stop", "symptom") or (intent in ("more", "less") and where.technique is not None):
            self.sink.flush()  # silence now; what follows comes from the rewritten plan
            self.timer.responded(answer)
            return GoTo(self.talk.answered(answer, where, None))
        if intent == "number" and asking is None and ahead_ok and (question := self.pain_ahead(block, pos)):
            return self.noted(answer, where, resume_at(block, current, pos), question)
        if intent in ("number", "good", "more", "less"):
            return self.noted(answer, where, resume_at(block, current, pos))
        if intent == "pause":  # on "continue", the sentence it cut is said again from its start
            return self.pause(answer, current, resume_at(block, current, pos), asking)
        if intent == "skip" and asking is not None:  # passing a question by would leave it unanswered
            return self.set_aside(answer, current, "a question is being asked")
        if intent == "skip":
            return self.skip(answer, block, current)
        if intent == "repeat":
            return self.repeat(answer, block, current)
        return self.set_aside(answer, current, "nothing to answer here")

    def before(self, question: Segment) -> Segment:
        """The segment played just before a question and its cue."""
        first = question.index - (self.segments[question.index - 1].kind == "cue")
        return self.segments[max(first - 1, 0)]

    def asking(self, block: timeline.Block, current: Segment) -> Segment | None:
        """The block's question while it is being asked (its cue or its words), else None."""
        cp = block.checkpoint
        if cp is None:
            return None
        if current.index == cp.index or (current.index == cp.index - 1 and current.kind == "cue"):
            return cp
        return None

    @staticmethod
    def answers(question: Segment, answer: Answer) -> bool:
        """An answer to this question. The stop word and symptoms count too: the question decides
        what they mean (at the offer after a stop, "stop" means end); pause and repeat do not."""
        expected = EXPECT[expect_for(question.question)] - ALWAYS | {"stop", "symptom"}
        return answer.intent in expected

    def set_aside(self, answer: Answer, current: Segment, why: str) -> None:
        self.emit("ignored", intent=answer.intent, source=answer.source, why=why, at=current.index)
        return None

    def noted(self, answer: Answer, current: Segment, pos: int, question: Segment | None = None) -> Jump:
        """A rating (or "good") between questions: the rules see it; it is said back at once.

        `question`: a pain question a few seconds ahead. A rating that changes nothing is its
        answer (decided as the question decides: the opening baseline, the closing rating), and
        the question is not asked; one that stops a technique is acted on where it came."""
        actions = self.talk.decide(answer, current, None)
        self.sink.flush()
        self.timer.responded(answer)
        if not all(said_in_place(a) for a in actions):
            return GoTo(self.talk.act(actions, current))
        if question is not None:
            ahead = self.talk.decide(answer, question, question.question)
            if all(said_in_place(a) for a in ahead):
                # journaled, not printed (`play --json` clients answer the questions they see asked),
                # so that what reads the journal (history's pain before and after) knows where it landed
                self.emit("answered-ahead", **segment_data(question))
                self.say_back(ahead, question)
                return AnsweredAhead(pos, question.index + 1)
        self.say_back(actions, current)
        return Replay(pos)

    def pain_ahead(self, block: timeline.Block, pos: int) -> Segment | None:
        """The block's pain question, when its cue starts within ANSWERS_AHEAD_SECONDS of `pos`."""
        cp = block.checkpoint
        if cp is None or cp.question != "pain" or self.feedback.name == "none":
            return None
        left = question_onset(block) - pos
        return cp if 0 < left <= ANSWERS_AHEAD_SECONDS * SAMPLE_RATE else None

    def say_back(self, actions: list[Action], seg: Segment) -> None:
        """Journal actions that change nothing played, and say their acknowledgement."""
        self.talk.act(actions, seg, replan=False)
        said = next((s for a in actions if (s := acknowledgement(a))), None)
        if said:
            self.say(said)

    def pause(self, answer: Answer, current: Segment, pos: int, asking: Segment | None = None) -> Jump:
        """Paused between questions, or while `asking` a question (an answer to it ends the pause
        as that question's answer)."""
        self.sink.flush()
        self.talk.act(self.talk.decide(answer, current, None), current, replan=False)
        self.timer.responded(answer)
        question = asking.question if asking is not None else None
        resumed = self.wait_paused(current, question)
        if resumed is not None and self.ends_pause(resumed, current, question):
            if asking is not None and self.answers(asking, resumed):
                return GoTo(self.talk.answered(resumed, asking, asking.question))
            return GoTo(self.talk.answered(resumed, current, None))
        return Replay(pos)

    def wait_paused(self, seg: Segment, question: str | None = None) -> Answer | None:
        """Paused: the session waits for 'continue' (journaled with a question, like any wait).

        Returns what ended the pause. A stop, a symptom word, a rating that changes the session
        or an answer to the `question` paused at ends it at once (the caller acts on it); any
        other rating is kept and said back, and anything else is set aside and the person told
        how to go on: nothing said while paused is lost."""
        self.emit("waiting", question="resume", at=seg.index, text=PAUSED)
        self.status = Status(self.status.expect, True, None)
        self.show(seg)
        self.say(PAUSED)
        while True:
            answer = self.dialogue.wait_for_resume()
            if answer is None or answer.intent in RESUMES or self.ends_pause(answer, seg, question):
                break
            if answer.intent == "number":
                self.say_back(self.talk.decide(answer, seg, None), seg)
            else:
                self.set_aside(answer, seg, "paused: continue first")
                self.say(PAUSED)
        self.status = Status(self.status.expect, False, None)
        if answer is not None and answer.intent not in ("stop", "symptom"):
            # its response is the first sound after it: in a hold, "Carrying on." (timed from the
            # sound after those words, a continue in a hold took 1,375 ms in bench_feedback)
            self.timer.responded(answer)
        if answer is not None and answer.intent in RESUMES and seg.kind == "hold":
            self.say(RESUMED)  # a hold goes on in silence: say that it has
        if answer is None or answer.intent not in ("stop", "symptom"):
            resume = Answer(answer.text if answer else "", "continue", source=answer.source if answer else "")
            self.talk.act(self.talk.decide(resume, seg, None), seg, replan=False)
        return answer

    def ends_pause(self, answer: Answer, seg: Segment, question: str | None) -> bool:
        """A stop or symptom word, a rating the rules act on (a stop), or an answer to the
        question paused at: each is acted on at once, not after 'continue'."""
        if answer.intent in ("stop", "symptom"):
            return True
        if question is not None and answer.intent in EXPECT[expect_for(question)] - ALWAYS:
            return True
        changes = answer.intent == "number" and self.talk.decide(answer, seg, None)
        return bool(changes) and not all(said_in_place(a) for a in changes)

    def skip(self, answer: Answer, block: timeline.Block, current: Segment) -> Jump:
        ahead = self.segments[current.index + 1 :]  # never past the end tone: it says the session is over
        target = next((s for s in ahead if s.kind in ("speech", "checkpoint") or s.sound == "end"), None)
        if target is None:
            return self.set_aside(answer, current, "nothing left to skip")
        self.sink.flush()
        self.talk.act([Action(Kind.SKIP, Rule.ASKED_SKIP, current.pressure)], current, replan=False)
        self.timer.responded(answer)
        cue_before = self.segments[target.index - 1]
        if target.kind == "checkpoint" and cue_before.kind == "cue":
            target = cue_before
        if block.first <= target.index <= block.last:
            return Replay(block.onset(target.index))
        return GoTo(target.index)

    def repeat(self, answer: Answer, block: timeline.Block, current: Segment) -> Jump:
        step = next(
            (s for s in reversed(self.segments[block.first : current.index + 1]) if s.kind == "speech"),
            None,
        )
        self.sink.flush()
        self.talk.act([Action(Kind.REPEAT, Rule.ASKED_REPEAT, current.pressure)], current, replan=False)
        self.timer.responded(answer)
        return Replay(block.onset(step.index) if step else 0)

    # --- sounds outside the blocks -----------------------------------------------------

    def play_now(self, samples: np.ndarray, until_stop: bool = False) -> None:
        """A short sound outside the blocks (acknowledgements, the stop cue), heard in full; with
        `until_stop`, cut short by a stop said, pressed or tapped meanwhile (left to be read next)."""
        end = self.append(samples) + len(samples)
        if self.realtime:
            while self.sink.played() < end:
                self.sink.check()
                self.timer.poll()
                if until_stop and self.feedback.stop_waiting():
                    self.sink.flush()
                    return
                time.sleep(POLL)
        else:
            self.clock.played(len(samples) / SAMPLE_RATE)

    def say(self, text: str) -> None:
        """A sentence outside the blocks (a read-back, a question asked again, "did you say stop?",
        an acknowledgement, "Paused"): a stop that comes while it is said silences it at once, and
        is read next, by the dialogue as its answer or by the blocks that follow. (Found live,
        2026-12-06: a stop said during "Say a number from zero to ten" was acted on only when the
        sentence ended, 2.9 s later.) What a stop itself brings is played as blocks, which any stop
        interrupts as before; cues are heard in full."""
        self.play_now(self.speech.clip(text), until_stop=True)

    def cue(self, sound: str) -> None:
        self.play_now(self.cue_clip(sound))

    # --- checkpoints ----------------------------------------------------------

    def checkpoint(self, seg: Segment, early: Answer | None = None) -> int:
        """Listen (or take the answer given while asking), decide, journal, rewrite what follows."""
        if self.feedback.name == "none" and early is None:  # the window was played with the block
            action = Action(Kind.KEEP, Rule.NO_FEEDBACK, self.talk.pressure_at(seg))
            return self.talk.act([action], seg, replan=False) + 1
        self.status = Status(expect_for(seg.question), False, None)
        self.show(seg)
        answer = self.dialogue.ask(seg, self.state, lambda a: self.talk.would_stop(a, seg), early)
        self.status = Status()
        if answer is None:
            return self.talk.unanswered(seg)
        self.timer.responded(answer)
        if not self.answers(seg, answer) and answer.intent in ("number", "more", "less"):
            return self.aside_at_question(answer, seg)
        if answer.intent == "pause":
            self.talk.act(self.talk.decide(answer, seg, seg.question), seg, replan=False)
            resumed = self.wait_paused(seg, seg.question)
            if resumed is None or not self.ends_pause(resumed, seg, seg.question):
                self.cue("question")
                self.say(seg.text or "")
                return self.checkpoint(seg)
            answer = resumed
        return self.talk.answered(answer, seg, seg.question)

    def aside_at_question(self, answer: Answer, seg: Segment) -> int:
        """A rating, firmer or lighter given at a question that does not take it: decided where
        the question stands, as when given while it is asked; then the question is asked again,
        unless what was decided took it away (a technique stopped)."""
        where = self.before(seg)
        actions = self.talk.decide(answer, where, None)
        if all(said_in_place(a) for a in actions):
            self.say_back(actions, where)
            return seg.index - (self.segments[seg.index - 1].kind == "cue")  # its tone, then its words
        return self.talk.act(actions, where)


def segment_data(seg: Segment) -> dict:
    """A segment as the journal keeps it (a `segment` event: played; `answered-ahead`: a question
    answered before it was asked, and so never played)."""
    data = {
        "index": seg.index,
        "kind": seg.kind,
        "technique": seg.technique,
        "area": seg.area,
        "pressure": seg.pressure,
        "text": seg.text,
        "side": seg.side,
    }
    if seg.kind == "checkpoint":
        data["question"] = seg.question
    if seg.kind == "cue":
        data["sound"] = seg.sound
    return data


def question_onset(block: timeline.Block) -> int:
    """Where the block's question begins: its cue, when it has one."""
    cp = block.checkpoint
    assert cp is not None
    cue = [s for s in block.segments if s.index == cp.index - 1 and s.kind == "cue"]
    return block.onset(cue[0].index if cue else cp.index)


def resume_at(block: timeline.Block, current: Segment, pos: int) -> int:
    """Where to go on after a reply said over the session: a sentence, a question or a tone it cut
    off is heard again from its start (its end alone would make no sense); a hold goes on."""
    return block.onset(current.index) if current.kind in ("speech", "checkpoint", "cue") else pos
