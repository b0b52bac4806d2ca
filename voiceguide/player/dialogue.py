"""Asking: the answer window, asking again, reading a doubtful answer back, "did you say stop?".

Every prompt after which the session waits is journaled (and so printed by `play --json`)
with a `question` field before the wait begins, so a client that answers only questions
never hangs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from voiceguide.adapt import State, needs_read_back, read_back_text
from voiceguide.feedback.decision import ACT, CONFIRM_IT, HEARD_AS, REJECT, SAFETY, at_question, decide
from voiceguide.feedback.intents import (
    ACCEPT,
    EXPECT_FOR_QUESTION,
    SPOKEN_SYMPTOMS,
    WORDS,
    Answer,
    from_key,
    meaning,
    tokens,
    understand,
)
from voiceguide.feedback.sources import Feedback
from voiceguide.plan import Segment
from voiceguide.player.clock import Clock

REASK = {
    "number": "Say a number from zero to ten, or press a key.",
    "pressure": "Say more, less, or good. Or press plus, minus, or g.",
    "yesno": "Say yes, or say stop. Or press y, or s.",
    "ready": "When you are ready, say ready, or press Enter.",
    "side": "Which side feels worse? Say left or right, or press l or r.",
    "any": "Say your answer, or press a key.",
}
# Asked about a pause, repeat, continue or skip heard only doubtfully at a question
# (unsure_flow, decision.ASKED_ABOUT): other words were taken for them, and a person who asked for
# one, eyes closed, should not have to find a key. A yes acts on it; a no asks the question again.
FLOW_CHECK = {
    "pause": "Did you ask to pause?",
    "repeat": "Did you ask to hear the question again?",
    "continue": "Did you ask to go on?",
    "skip": "Did you ask to skip this step?",
    "good": "Did you say yes?",  # at the offer after a stop only (decision.ASKED_ABOUT)
}
STOP_CHECK = "Did you say stop?"
# Said once a session each, before a question is asked again, when the answer not understood was cut
# flat by the microphone (Answer.loud: drawn again it is mostly understood, declip, but not always) or
# came through too quietly (Answer.quiet).
TOO_LOUD = (
    "That came through too loud for the microphone. Move it a little further away, or speak a little softer."
)
TOO_QUIET = "That came through too quietly for the microphone. Move it a little closer, or speak up."
MAX_REPEATS = 3  # a question said again on request, at most this often (then "repeat" is a failed try)
CONFIRM_QUESTION = "confirm"  # the `question` of a read-back
STOP_CHECK_QUESTION = "confirm-stop"


def expect_for(question: str | None) -> str:
    return EXPECT_FOR_QUESTION.get(question or "", "any")


def stop_check_text(answer: Answer) -> str:
    """What is asked about a doubtful stop or symptom word: a symptom word by name ("Did you say
    numb?"), since a person who said "numb" would truly answer "no" to "Did you say stop?" and the
    session would go on past a symptom."""
    said = [w for w in tokens(answer.text) if WORDS.get(w) == "symptom"]
    return f"Did you say {said[0]}?" if said else STOP_CHECK


def symptom_checks() -> list[str]:
    """Every "did you say ...?" a symptom word may need (rendered before a session starts): only
    speech is doubted, and speech holds only these symptom words."""
    return [f"Did you say {w}?" for w in SPOKEN_SYMPTOMS]


def level_hint(answer: Answer | None) -> str | None:
    """What to say of the microphone before the question is asked again (TOO_LOUD, TOO_QUIET)."""
    if answer is None:
        return None
    return TOO_LOUD if answer.loud else TOO_QUIET if answer.quiet else None


def doubtful_stop(answer: Answer) -> bool:
    """Speech that decoded as the stop word (or a symptom) but below the level acted on at once."""
    decision = decide(answer)
    return answer.intent == "unknown" and decision.safety and decision.action == CONFIRM_IT


def meant_instead(asked: Answer, expect: str) -> Answer | None:
    """What a doubtful stop at a question was, once the person said it was no stop: the words the
    decoder was sure of (Answer.instead: "seven", taken as said, not asked for again), or None."""
    if asked.instead is None:
        return None
    return replace(understand(asked.instead, expect, source="voice", confidence=ACCEPT), at=asked.at)


def correction(heard: Answer, reply: Answer | None) -> Answer | None:
    """The answer meant instead of the one read back, rather than asking the question again: for
    "I heard seven. Is that right?", a rating typed, pressed or tapped ("8", or "no, 8"), taken as
    it is (keys, lines and taps are exact; a rating said is read back in turn: spoken_correction);
    for "I heard more. Is that right?", less or good (`pressure_meant`)."""
    if reply is None:
        return None
    if heard.intent == "more":  # a rating keyed instead is exact too: decided as given aside
        return pressure_meant(reply) or typed_rating(reply)
    if heard.intent != "number":
        return None
    return typed_rating(reply)


def typed_rating(reply: Answer) -> Answer | None:
    """A rating typed, pressed or tapped in reply to a yes/no check ("8", or "no, 8"): exact, so
    it is the answer meant; None for anything else, and for speech (a rating said is read back)."""
    if reply.source == "voice":
        return None
    meant = reread(reply, "correction")  # whose "no, 8" is the 8: the reply may have come at "yesno"
    return meant if meant.intent == "number" else None


def given_aside(answer: Answer, seg: Segment) -> Answer | None:
    """A rating, or firmer or lighter where a technique is at work, given by key, line or tap at a
    question that does not take it ("9" at "How is the pressure?"): exact, so never set aside as
    not understood (a 9 asked for "more, less, or good" again had been lost). None otherwise:
    speech is heard with the question's own grammar."""
    if answer.intent != "unknown" or answer.source == "voice":
        return None
    meant = reread(answer, "any")
    if meant.intent == "number" or (meant.intent in ("more", "less") and seg.technique is not None):
        return meant
    return None


def reread(answer: Answer, expect: str) -> Answer:
    """A key, line or tap read again as `expect` reads it (one character: the key it names)."""
    keyed = len(answer.text) == 1
    meant = from_key(answer.text, expect) if keyed else understand(answer.text, expect, answer.source)
    return replace(meant, text=answer.text, source=answer.source)


def pressure_meant(reply: Answer) -> Answer | None:
    """Less ("-", "less", "no, softer") or good ("no, it's good") in reply to "I heard more. Is that
    right?". Said, only after "no" (the reply's grammar has no bare "less": it rhymes with "yes"),
    and taken from the read-back level, as at the pressure question itself: neither raises the
    pressure, and each is said back ("A little lighter now"), so one word undoes it."""
    said_no = tokens(reply.text)[:1] == ["no"]
    if reply.source == "voice" and not (said_no and decide(reply, "correction-pressure").action != REJECT):
        return None  # (the word listener hears flite slt's "yes" as "less")
    if reply.intent == "less" or (reply.intent == "good" and said_no):
        return reply
    return None


def reply_to_read_back(
    heard: Answer, reply: Answer | None, spoken_fix: bool = True
) -> tuple[str, Answer | None]:
    """What a reply to "I heard seven (or more). Is that right?" means, as (kind, answer):
    "stop" (a stop or symptom word, or a doubtful one to ask about), "meant" (the answer meant
    instead: taken), "read back" (a rating said instead: read back in turn, once: `spoken_fix`),
    "agreed" (`heard` is acted on), "no" (asked again) or "none" (no reply). The dialogue and
    scripts/bench_read_back.py both read replies with it."""
    if reply is None:
        return "none", None
    if reply.intent in ("stop", "symptom") or doubtful_stop(reply):
        return "stop", reply
    if (corrected := correction(heard, reply)) is not None:
        return "meant", corrected
    if heard.intent == "number" and spoken_fix and spoken_correction(reply):
        return "read back", reply
    if reply.intent in ("good", "continue") or reply.intent == heard.intent == "more":  # `+` to "more"
        return "agreed", heard
    return "no", None


def unsure_flow(answer: Answer, expect: str) -> Answer | None:
    """A pause, repeat, continue or skip (or a yes, at the offer after a stop) said at a question
    below ACCEPT, as decided (its intent read from the words), to ask about ("Did you ask to
    pause?") rather than act on unconfirmed (decision.ASKED_ABOUT: other words were taken for
    them); None for anything else."""
    decision = at_question(answer, expect)
    doubted = (
        answer.source == "voice" and decision.answer.intent in FLOW_CHECK and decision.action == CONFIRM_IT
    )
    return decision.answer if doubted else None


def spoken_correction(reply: Answer) -> bool:
    """A rating said in reply to "I heard seven. Is that right?" ("no, eight", "eight") that is
    sure enough to read back in turn (decision.decide never acts on one unread)."""
    decision = decide(reply, "correction")
    return reply.source == "voice" and decision.action == CONFIRM_IT and decision.answer.intent == "number"


class Dialogue:
    def __init__(
        self,
        feedback: Feedback,
        clock: Clock,
        say: Callable[[str], None],
        cue: Callable[[str], None],
        emit: Callable[..., None],
        answer_window: float,
        reask: bool = True,
        note: Callable[[str | None], None] = lambda text: None,
    ) -> None:
        self.feedback = feedback
        self.clock = clock
        self.say = say
        self.cue = cue
        self.emit = emit
        self.answer_window = answer_window
        self.reask = reask
        self.note = note
        self.told: set[str] = set()  # TOO_LOUD and TOO_QUIET are said once a session each

    def listen(self, expect: str, at: int | None, **fields) -> Answer | None:
        """One answer window; what came is journaled at once."""
        started = self.clock.now()
        answer = self.feedback.answer(expect, self.answer_window, self.clock.realtime)
        self.clock.waited_for_answer(answer is not None, self.answer_window)
        if answer is not None:
            waited = round(self.clock.now() - started, 3)
            timing = self.feedback.timing(answer)
            self.emit("answer", **answer.to_dict(), at=at, waited=waited, **fields, **timing)
        return answer

    def ask(
        self,
        seg: Segment,
        state: State,
        would_stop: Callable[[Answer], bool],
        early: Answer | None = None,
    ) -> Answer | None:
        """The answer to the checkpoint `seg` (None: none came). `early`: given while it was asked."""
        expect = expect_for(seg.question)
        tries = 2 if self.reask else 1
        attempt = repeats = 0
        while attempt < tries:
            answer, early = (early, None) if early is not None else (self.listen(expect, seg.index), None)
            level = level_hint(answer)
            if answer is not None and (aside := given_aside(answer, seg)) is not None:
                return aside  # the player acts on it, then asks again
            if answer is not None and doubtful_stop(answer):
                said = self.stop_in_reply(answer, seg.index, expect)
                answer = said or Answer(answer.text, "unknown", source="voice")  # not understood: asked again
            asked = seg.question if seg.question in HEARD_AS else expect  # the offer: its own rule
            if answer is not None and (doubted := unsure_flow(answer, asked)) is not None:
                answer = self.check_flow(doubted, seg)  # None: not meant, the question is asked again
            if answer is not None and answer.intent == "repeat" and repeats < MAX_REPEATS:
                repeats += 1  # asking to hear it again is not a failed try
                self.say(seg.text or "")
                continue
            attempt += 1
            sure = answer is not None and decide(answer, expect).action == ACT  # else read it back
            accept = 0.0 if sure else 2.0  # needs_read_back's confidence bar: the decision's
            if answer is not None and seg.question != "offer" and needs_read_back(state, answer, accept):
                answer = self.read_back(answer, seg, would_stop)
            if answer is not None and answer.intent != "unknown":
                return answer
            if attempt < tries:
                told = level if level is not None and level not in self.told else None
                said = f"{told} {REASK[expect]}" if told else REASK[expect]
                self.emit("reask", text=said, at=seg.index, question=seg.question)
                self.cue("question")
                if told:
                    self.told.add(told)
                    self.say(told)
                self.say(REASK[expect])
        return None

    def read_back(
        self, answer: Answer, seg: Segment, would_stop: Callable[[Answer], bool], spoken_fix: bool = True
    ) -> Answer | None:
        """Confirm a doubtful spoken answer before acting on it; None: ask the question again.

        Unconfirmed, a rating that would stop the session is still acted on: when in doubt, stop.
        A rating read back may be answered with the one meant ("no, eight"): typed, pressed or
        tapped, it is taken; spoken, it is read back in turn (once: `spoken_fix`). "More" read
        back may be answered "no, less" or "no, it's good" (`correction`).
        """
        text = read_back_text(answer)
        assert text is not None
        self.emit("readback", text=text, at=seg.index, heard=answer.to_dict(), question=CONFIRM_QUESTION)
        self.note(text)
        self.say(text)
        number = answer.intent == "number" and spoken_fix
        expect = "correction" if number else "correction-pressure" if answer.intent == "more" else "yesno"
        reply = self.listen(expect, seg.index, confirming=True)
        self.note(None)
        kind, meant = reply_to_read_back(answer, reply, spoken_fix)
        if kind == "stop" and meant is not None:
            meant = self.stop_in_reply(meant, seg.index, expect)
            if meant is None or meant.intent in SAFETY:
                return meant
            kind, meant = reply_to_read_back(answer, meant, spoken_fix)  # no stop: what was said instead
        if kind == "read back" and meant is not None:
            return self.read_back(meant, seg, would_stop, spoken_fix=False)
        if kind in ("meant", "agreed"):
            return meant
        if reply is None and would_stop(answer):
            self.emit("confirmed", reason="no reply to the read-back: acted on to be safe", at=seg.index)
            return answer
        return None

    def check_flow(self, heard: Answer, seg: Segment) -> Answer | None:
        """ "Did you ask to pause?" (or "Did you say yes?": FLOW_CHECK) for a doubtful answer of
        decision.ASKED_ABOUT; returns it on a yes, a stop said instead, a rating, `+` or `-` typed
        instead (journaled: never asked again; the player decides whether it answers the
        question), or None (then the question is asked again)."""
        text = FLOW_CHECK[heard.intent]
        self.emit("readback", text=text, at=seg.index, heard=heard.to_dict(), question=CONFIRM_QUESTION)
        self.note(text)
        self.say(text)
        reply = self.listen("yesno", seg.index, confirming=True)
        self.note(None)
        kind, meant = reply_to_read_back(heard, reply)
        if kind == "stop" and meant is not None:
            reply = self.stop_in_reply(meant, seg.index, "yesno")
            if reply is None or reply.intent in SAFETY:
                return reply
            kind, meant = reply_to_read_back(heard, reply)  # no stop: what was said instead
        if kind == "agreed":
            return meant
        return (typed_rating(reply) or given_aside(reply, seg)) if reply is not None else None

    def stop_in_reply(self, reply: Answer, at: int, expect: str) -> Answer | None:
        """A stop or symptom word as the answer at a question of kind `expect`, or in reply to a
        check: acted on; a doubtful one is asked about first (the sound has stopped: "did you say
        stop?"). Told no: the words the decoder was sure of in its place (meant_instead), or None."""
        if not doubtful_stop(reply):
            return reply
        return self.check_stop(reply, at) or meant_instead(reply, expect)

    def check_stop(self, answer: Answer, at: int) -> Answer | None:
        """A stop or symptom word heard but not clearly: the sound has stopped; ask, and stop unless
        told no.

        None: it was not said (the session goes on); else the answer to act on (the stop or the
        symptom word).
        """
        text = stop_check_text(answer)
        self.emit("readback", text=text, at=at, heard=answer.to_dict(), question=STOP_CHECK_QUESTION)
        self.note(text)
        self.say(text)
        reply = self.feedback.answer("yesno", self.answer_window, self.clock.realtime)
        self.note(None)
        if reply is not None:
            self.emit("answer", **reply.to_dict(), at=at, confirming=True, **self.feedback.timing(reply))
        if reply is not None and reply.intent in ("no", "continue"):
            return None
        if reply is not None and reply.intent == "stop":
            return reply  # "stop" in reply to "Did you say numb?" is a stop, not the symptom
        intent, _ = meaning(answer.text)
        return replace(answer, intent=intent)  # yes, stop, anything else or silence: stop

    def wait_for_resume(self) -> Answer | None:
        """The next thing said or pressed while paused, journaled (the player decides what it
        does). None: no more input will come (stdin ended): carry on rather than hang."""
        answer = self.feedback.answer("any", 3600.0, self.clock.realtime)
        if answer is not None:
            self.emit("answer", **answer.to_dict(), at=None)
        return answer
