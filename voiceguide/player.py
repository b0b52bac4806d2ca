"""The player: plays blocks on time, asks at checkpoints, adapts, journals everything.

Each block (from one checkpoint to the next) is mixed whole and handed to the
sink at once; only block starts are scheduled, against a monotonic clock.
Every event is journaled before it is acted on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from voiceguide.adapt import Action, Editor, State, decide, needs_read_back, read_back_text, update_state
from voiceguide.audio import timeline
from voiceguide.audio.pcm import SAMPLE_RATE
from voiceguide.feedback.intents import ACCEPT as VOICE_ACCEPT
from voiceguide.feedback.intents import EXPECT_FOR_QUESTION, HEARD_BETWEEN_QUESTIONS, Answer, meaning
from voiceguide.feedback.sources import Feedback
from voiceguide.library import Library
from voiceguide.plan import Plan, Segment

POLL = 0.005  # seconds between looks at keys and the stop word during playback
QUEUE_AHEAD = 0.5  # seconds before a block ends when the next one is queued behind it
SIMULATED_ANSWER_DELAY = 1.0  # a line of stdin counts as answered one second into the window
REASK = {
    "number": "Say a number from zero to ten, or press a key.",
    "pressure": "Say more, less, or good. Or press plus, minus, or g.",
    "yesno": "Say yes, or say stop. Or press y, or s.",
}
SESSION_SAVED = "Session saved."
STOP_CHECK = "Did you say stop?"
DOUBTFUL_STOP = 0.08  # a decoded stop or symptom word this sure: silence, then ask
RECAP = "Welcome back. We pick up where we stopped, at {what}."


@dataclass
class Outcome:
    reason: str  # finished | stopped | interrupted
    stop_reason: str | None
    seconds: float


def doubtful_stop(answer: Answer) -> bool:
    """Speech that decoded as the stop word (or a symptom) but below the level acted on at once."""
    if answer.source != "voice" or answer.intent != "unknown" or answer.confidence < DOUBTFUL_STOP:
        return False
    return meaning(answer.text)[0] in ("stop", "symptom")


class Player:
    def __init__(
        self,
        plan: Plan,
        library: Library,
        speech,  # .clip(text) -> samples, .seconds(text) -> float
        cue: Callable[[str], np.ndarray],
        sink,
        feedback: Feedback,
        record: Callable[[str, dict], None],
        state: State,
        answer_window: float = 8.0,
        reask: bool = True,
        display: Callable[[str], None] | None = None,
    ) -> None:
        self.plan = plan
        self.segments: list[Segment] = list(plan.segments)
        self.speech = speech
        self.cue = cue
        self.sink = sink
        self.feedback = feedback
        self.record = record
        self.state = state
        self.answer_window = answer_window
        self.reask = reask
        self.display = display
        self.editor = Editor(library, plan.mode, speech.seconds, answer_window)
        self.realtime = bool(sink.realtime)
        self.t0 = time.monotonic()
        self.virtual = 0.0  # session time when not real time
        self.ahead: tuple[timeline.Block, int] | None = None  # the next block, already queued
        self.awaiting: Answer | None = None  # an answer acted on whose audible response is not yet timed
        self.watching: tuple[Answer, int] | None = None

    # --- time -----------------------------------------------------------------

    def now(self) -> float:
        return time.monotonic() - self.t0 if self.realtime else self.virtual

    def emit(self, event: str, **data) -> None:
        """Journal first (the record function commits), then everything else may act."""
        self.record(event, {"t": round(self.now(), 3), **data})

    # --- the session ----------------------------------------------------------

    def run(self, start: int = 0) -> Outcome:
        i = start
        while i < len(self.segments):
            ahead, self.ahead = self.ahead, None
            if ahead is not None and ahead[0].first == i:
                block, tape_at = ahead
            else:
                if ahead is not None:  # queued for a path not taken
                    self.sink.flush()
                block, tape_at = self.mix(i), None
            self.emit("block", first=block.first, last=block.last, start=block.start)
            jump = self.play_block(block, tape_at)
            if jump is not None:
                i = jump
                continue
            i = self.checkpoint(block.checkpoint) if block.checkpoint is not None else block.last + 1
        return Outcome("stopped" if self.state.stopped else "finished", self.state.stop_reason, self.now())

    def mix(self, i: int) -> timeline.Block:
        first, last = next(timeline.block_ranges(self.segments, i))
        return timeline.mix_block(self.segments, first, last, self.speech.clip, self.cue)

    def audible(self, block: timeline.Block) -> np.ndarray:
        """What is played of a block: up to the answer window, or all of it when nobody answers."""
        return block.samples if self.feedback.name == "none" else block.samples[: block.listen_at]

    def segment_event(self, seg: Segment) -> None:
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
        self.emit("segment", **data)
        if self.display:
            self.display(self.status_line(seg))

    def status_line(self, seg: Segment, into: float = 0.0) -> str:
        """One line for the terminal: step, area, pressure, time left in the step and session, keys."""
        left = sum(s.duration for s in self.segments[seg.index :]) - into
        step_left = max(0.0, seg.duration - into)
        where = " · ".join(x for x in (seg.area, seg.technique, seg.side) if x)
        pressure = f" · pressure {seg.pressure}/5" if seg.pressure else ""
        what = seg.text or {"hold": "keep going", "cue": f"({seg.sound})"}.get(seg.kind, "")
        return (
            f"[step {int(step_left):>3d}s | session {int(left // 60)}:{int(left % 60):02d} left] "
            f"{where}{pressure} — {what[:60]}  (space pause, n next, r repeat, s stop)"
        )

    def play_block(self, block: timeline.Block, tape_at: int | None = None) -> int | None:
        """Play up to the answer window; returns a segment index to jump to, or None.

        In real time the block goes onto the sink's tape and the loop follows the
        tape's own position: segment events fire when their sound is reached, keys
        act within a few milliseconds, and the next block (when no answer is needed
        first) is queued just before this one ends, so it starts on the exact sample.
        """
        samples = self.audible(block)
        onsets = [(block.onset(s.index), s) for s in block.segments]
        if not self.realtime:
            base = self.virtual
            for onset, seg in onsets:
                self.virtual = base + onset / SAMPLE_RATE
                self.segment_event(seg)
            self.append(samples)
            self.virtual = base + len(samples) / SAMPLE_RATE
            return None
        tape0 = tape_at if tape_at is not None else self.append(samples)
        emitted: set[int] = set()
        shown = 0
        follows_on = block.checkpoint is None or self.feedback.name == "none"
        while True:
            self.sink.check()
            pos = self.sink.played() - tape0
            for onset, seg in onsets:
                if onset <= pos and seg.index not in emitted:
                    emitted.add(seg.index)
                    self.segment_event(seg)
            if pos >= len(samples):
                return None
            near_end = len(samples) - pos < QUEUE_AHEAD * SAMPLE_RATE
            if follows_on and near_end and self.ahead is None and block.last + 1 < len(self.segments):
                nxt = self.mix(block.last + 1)
                self.ahead = (nxt, self.sink.append(self.audible(nxt)))
            if self.display and pos - shown >= SAMPLE_RATE // 4:  # refresh the countdown
                shown = pos
                now_seg = max((s for o, s in onsets if o <= max(pos, 0)), key=lambda s: s.start)
                self.display(self.status_line(now_seg, pos / SAMPLE_RATE - (now_seg.start - block.start)))
            answer = self.feedback.poll()
            self.journal_notes()
            self.time_response()
            if answer is not None:
                current = max((s for o, s in onsets if o <= max(pos, 0)), key=lambda s: s.start)
                result = self.between_questions(answer, block, current, pos)
                if result is None:
                    continue
                self.sink.flush()
                self.ahead = None
                if result == "resume" or isinstance(result, tuple):
                    offset = pos if result == "resume" else result[1]
                    tape0 = self.append(samples[offset:]) - offset
                    emitted = {s.index for o, s in onsets if o < offset}
                    continue
                return result
            time.sleep(POLL)

    # --- keys and the stop word during playback -------------------------------

    def between_questions(self, answer: Answer, block: timeline.Block, current: Segment, pos: int):
        """Handle a key or word that came while audio played."""
        # journaled even when it changes nothing
        self.emit("answer", **answer.to_dict(), at=current.index, **self.timing(answer))
        if doubtful_stop(answer):
            self.sink.flush()  # silence at once, then make sure
            checked = self.check_stop(answer, current.index)
            if checked is None:
                return "resume"
            answer = checked
        if answer.intent in ("unknown", "number", "good", "no"):
            return None  # only meaningful as an answer to a question
        overheard = answer.intent not in HEARD_BETWEEN_QUESTIONS or answer.confidence < VOICE_ACCEPT
        if answer.source == "voice" and answer.intent not in ("stop", "symptom") and overheard:
            return None  # talk is not acted on between questions unless it is sure and harmless
        if answer.intent in ("stop", "symptom"):
            self.sink.flush()  # silence now; the stop cue and words come next, from the rewritten plan
            return self.act(decide(self.state, answer, None, current.pressure), current, answer)
        if answer.intent == "pause":
            self.sink.flush()
            self.emit("action", action="pause", pressure=current.pressure, reason="paused by the user")
            self.responded(answer)
            stop = self.wait_for_resume()
            if stop is not None:
                return self.act(decide(self.state, stop, None, current.pressure), current, stop)
            self.emit("action", action="resume", pressure=current.pressure, reason="resumed by the user")
            return "resume"
        if answer.intent in ("skip", "more", "less"):
            if answer.intent == "skip":
                target = next(
                    (s for s in self.segments[current.index + 1 :] if s.kind in ("speech", "checkpoint")),
                    None,
                )
                self.sink.flush()
                self.emit("action", action="skip", pressure=current.pressure, reason="next step")
                self.responded(answer)
                if target is None:
                    return len(self.segments)
                cue_before = self.segments[target.index - 1]
                if target.kind == "checkpoint" and cue_before.kind == "cue":
                    target = cue_before
                if block.first <= target.index <= block.last:
                    return ("restart", block.onset(target.index))
                return target.index
            self.sink.flush()
            return self.act(decide(self.state, answer, None, current.pressure), current, answer)
        if answer.intent == "repeat":
            step = next(
                (s for s in reversed(self.segments[block.first : current.index + 1]) if s.kind == "speech"),
                None,
            )
            self.sink.flush()
            self.emit("action", action="repeat", pressure=current.pressure, reason="repeat the step")
            self.responded(answer)
            return ("restart", block.onset(step.index) if step else 0)
        return None

    def wait_for_resume(self) -> Answer | None:
        """Hold until 'continue' (or a pause key again); a stop while paused is returned."""
        while True:
            answer = self.feedback.answer("any", 3600.0, self.realtime)
            if answer is None:
                return None  # no more input: carry on rather than hang
            self.emit("answer", **answer.to_dict(), at=None)
            if answer.intent in ("continue", "pause", "good"):
                self.responded(answer)  # the sound coming back is its response
                return None
            if answer.intent in ("stop", "symptom"):
                return answer

    def play_now(self, samples: np.ndarray) -> None:
        """A short sound outside the blocks (acknowledgements, the stop cue), heard in full."""
        end = self.append(samples) + len(samples)
        if self.realtime:
            while self.sink.played() < end:
                self.sink.check()
                self.time_response()
                time.sleep(POLL)
        else:
            self.virtual += len(samples) / SAMPLE_RATE

    def wait(self, seconds: float) -> None:
        if self.realtime:
            time.sleep(seconds)
        else:
            self.sink.silence(seconds)
            self.virtual += seconds

    # --- checkpoints ----------------------------------------------------------

    def checkpoint(self, seg: Segment) -> int:
        """Listen, ask again when unsure, decide, journal, and rewrite what follows."""
        if self.feedback.name == "none":  # the window was played with the block: nothing to wait for
            self.emit(
                "action", action="keep", pressure=self.pressure_at(seg), reason="no feedback", at=seg.index
            )
            return seg.index + 1
        expect = EXPECT_FOR_QUESTION.get(seg.question or "", "any")
        if self.state.awaiting_offer:
            expect = "yesno"
        answer = None
        tries = 2 if self.reask else 1
        for attempt in range(tries):
            started = self.now()
            answer = self.feedback.answer(expect, self.answer_window, self.realtime)
            if not self.realtime:
                self.wait(SIMULATED_ANSWER_DELAY if answer is not None else self.answer_window)
            if answer is not None:
                waited = round(self.now() - started, 3)
                self.emit("answer", **answer.to_dict(), at=seg.index, waited=waited, **self.timing(answer))
            if answer is not None and doubtful_stop(answer):
                answer = self.check_stop(answer, seg.index) or Answer(answer.text, "unknown", source="voice")
            if answer is not None and answer.intent == "repeat":
                self.play_now(self.speech.clip(seg.text))
                continue
            doubtful = answer is not None and needs_read_back(self.state, answer, VOICE_ACCEPT)
            if doubtful and not self.state.awaiting_offer:
                answer = self.read_back(answer, seg)
            if answer is not None and answer.intent != "unknown":
                break
            answer = None
            if attempt + 1 < tries:
                self.emit("reask", text=REASK[expect], at=seg.index)
                self.play_now(self.cue("question"))
                self.play_now(self.speech.clip(REASK[expect]))
        if answer is None:
            if self.state.awaiting_offer:
                actions = [Action("end", "no answer to the offer: ending gently")]
            else:
                actions = [Action("keep", "no answer: pressure kept", self.pressure_at(seg))]
            return self.act(actions, seg, answer=None)
        if answer.intent == "pause":
            self.emit("action", action="pause", pressure=self.pressure_at(seg), reason="paused by the user")
            stop = self.wait_for_resume()
            if stop is not None:
                answer = stop
            else:
                self.emit("action", action="resume", pressure=self.pressure_at(seg), reason="resumed")
                return self.checkpoint_again(seg)
        tech_cap = self.technique_cap(seg.technique)
        return self.act(decide(self.state, answer, seg, self.pressure_at(seg), tech_cap), seg, answer)

    # --- how fast an answer is acted on (for the latency benchmark) --------------

    def append(self, samples: np.ndarray) -> int:
        """Queue audio; the first audio after an answer is its audible response, and is timed."""
        pos = self.sink.append(samples)
        watch = getattr(self.sink, "watch", None)
        if self.awaiting is not None and watch is not None and len(samples):
            watch(pos)
            self.watching, self.awaiting = (self.awaiting, pos), None
        return pos

    def responded(self, answer: Answer) -> None:
        """Called when an answer changes what is heard; stop and pause are timed to the silence."""
        if not answer.at or not self.realtime:
            return
        silent_at = getattr(self.sink, "silent_at", None)
        if answer.intent in ("stop", "symptom", "pause") and silent_at is not None:
            self.emit("response", **self.response_data(answer, silent_at(), "silence"))
        self.awaiting = answer

    def response_data(self, answer: Answer, heard: float, what: str) -> dict:
        return {
            "intent": answer.intent,
            "source": answer.source,
            "what": what,
            "ms": round((heard - answer.at) * 1000, 1),
        }

    def time_response(self) -> None:
        if self.watching is None:
            return
        answer, pos = self.watching
        heard = self.sink.heard_at(pos)
        if heard is not None:
            self.watching = None
            self.emit("response", **self.response_data(answer, heard, "sound"))

    def journal_notes(self) -> None:
        notes = getattr(self.feedback, "notes", None)
        for event, data in notes() if notes else ():
            self.emit(event, **data)

    def timing(self, answer: Answer) -> dict:
        """For spoken answers: how long after the end of speech it was ready (latency figures)."""
        timing = getattr(self.feedback, "timing", None)
        return timing(answer) if timing else {}

    def read_back(self, answer: Answer, seg: Segment) -> Answer | None:
        """Confirm a doubtful spoken answer before acting on it; None: ask the question again.

        Unconfirmed, a rating that would stop the session is still acted on: when in doubt, stop.
        """
        text = read_back_text(answer)
        assert text is not None
        self.emit("readback", text=text, at=seg.index, heard=answer.to_dict())
        self.play_now(self.speech.clip(text))
        reply = self.feedback.answer("yesno", self.answer_window, self.realtime)
        if not self.realtime:
            self.wait(SIMULATED_ANSWER_DELAY if reply is not None else self.answer_window)
        if reply is not None:
            self.emit("answer", **reply.to_dict(), at=seg.index, confirming=True, **self.timing(reply))
        if reply is not None and reply.intent in ("stop", "symptom"):
            return reply
        if reply is not None and reply.intent in ("good", "continue"):
            return answer
        decision = decide(self.state, answer, seg, self.pressure_at(seg))
        if reply is None and any(a.action == "stop" for a in decision):
            self.emit("confirmed", reason="no reply to the read-back: acted on to be safe", at=seg.index)
            return answer
        return None

    def check_stop(self, answer: Answer, at: int) -> Answer | None:
        """A stop word heard but not clearly: the sound has stopped; ask, and stop unless told no.

        None: it was not a stop (the session goes on); else the answer to act on as a stop.
        """
        self.emit("readback", text=STOP_CHECK, at=at, heard=answer.to_dict())
        self.play_now(self.speech.clip(STOP_CHECK))
        reply = self.feedback.answer("yesno", self.answer_window, self.realtime)
        if reply is not None:
            self.emit("answer", **reply.to_dict(), at=at, confirming=True, **self.timing(reply))
        if reply is not None and reply.intent in ("no", "continue"):
            return None
        intent, _ = meaning(answer.text)
        return replace(answer, intent=intent)  # yes, stop, anything else or silence: stop

    def checkpoint_again(self, seg: Segment) -> int:
        self.play_now(self.cue("question"))
        self.play_now(self.speech.clip(seg.text))
        return self.checkpoint(seg)

    def act(self, actions: list[Action], seg: Segment, answer: Answer | None = None) -> int:
        """Journal the actions, update the state, rewrite the rest; returns where to go on."""
        at = seg.index
        for action in actions:
            self.emit("action", **action.to_dict(), at=at)
        if answer is not None:
            self.responded(answer)
        if answer is not None or any(a.action == "stop" for a in actions):
            self.state = update_state(
                self.state, answer or Answer("", "stop", source="keys"), actions, seg.area
            )
        self.emit("state", state=self.state.to_dict())
        for action in actions:
            self.segments = self.editor.apply(self.segments, at, action, self.state)
        self.emit("replan", segments=[s.to_dict() for s in self.segments[at + 1 :]], from_index=at + 1)
        return at + 1

    def pressure_at(self, seg: Segment) -> int | None:
        """The pressure in force at a checkpoint: the last one used by its technique."""
        for s in reversed(self.segments[: seg.index]):
            if s.pressure is not None and (seg.technique is None or s.technique == seg.technique):
                return s.pressure
        for s in self.segments[seg.index :]:
            if s.pressure is not None and s.technique == seg.technique:
                return s.pressure
        return None

    def technique_cap(self, technique_id: str | None) -> int | None:
        t = self.editor.library.techniques.get(technique_id or "")
        if t is None or t.pressure is None:
            return None
        from voiceguide import domain
        from voiceguide.planner import technique_cap

        names = {domain.parse_condition(c)[0] for c in self.plan.conditions}
        return technique_cap(t, self.state.cap, names)
