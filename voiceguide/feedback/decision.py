"""One decision for every spoken answer: act on it, read it back, or ask again.

A session (the dialogue at a question, the player between questions) and `voiceguide hear`
call `decide`, so that what `hear --json` prints as "decision" is exactly what a session
would do with that answer at a question of that kind. The rules:

- keys, typed lines and taps are meant: acted on when they mean something at this question;
- the stop word and symptom words are heard at every question, with lower thresholds than
  other answers (stopping is never the harmful mistake): acted on from STOP_ACT, and from
  STOP_ASK up to STOP_ACT the sound stops and the person is asked "did you say stop?";
- other answers must fit the question: acted on from ACCEPT, read back from CONFIRM up,
  asked again below (a wrong action is worse than asking again);
- a number said in reply to a read-back ("no, eight", at `expect` "correction") is read back in
  turn, however sure: that grammar holds yes, no and every number, so a "yes" heard as "six"
  must cost a "no", never a rating of six;
- while the session plays, between its questions (`expect` "between"), speech is acted on only
  for a stop or symptom word, a pause, continue or repeat decided "act", or a pause or repeat
  the word listener is all but sure of (Answer.backed): the rest is set aside;
- at a question the session waits in silence, so a stop can wait for the whole answer: one that only
  the stop detector heard, in words the decoder is sure of and the question takes ("seven"), is
  asked about, and a "no" to "did you say stop?" takes those words (recognise.stop_or_instead).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from voiceguide.adapt import read_back_text
from voiceguide.feedback.intents import (
    ACCEPT,
    CONFIRM,
    HEARD_BETWEEN_QUESTIONS,
    Answer,
    meaning,
    understand,
)

ACT, CONFIRM_IT, REJECT = "act", "confirm", "reject"
STOP_ACT = 0.2  # a decoded stop or symptom word this sure is acted on at once
STOP_ASK = 0.08  # this sure: silence, then "did you say stop?"
SAFETY = ("stop", "symptom")


@dataclass(frozen=True)
class Decision:
    action: str  # ACT | CONFIRM_IT | REJECT
    answer: Answer  # the meaning to act on or read back ("unknown" when rejected)

    @property
    def safety(self) -> bool:
        """A stop or symptom word (its read-back is "did you say stop?", not the usual one)."""
        return self.answer.intent in SAFETY


FLOW = ("pause", "repeat", "continue")  # about the session's flow, not an answer to the question
# Heard below ACCEPT at a question of this kind, these are asked about ("Did you ask to pause?",
# "Did you say yes?") rather than acted on unconfirmed. At a number question human digits were
# taken for "pause" (3.5 % of the FSDD digits). At a pressure or yes/no question a real person's
# other words were taken for "pause" and "next" (skip): four and five for "pause" 18-33 %, "left"
# for "next" 28 % (`bench_recognition.py --person`, 2026-12-05); a skip cannot be undone by one
# word, as the other answers acted on at that level can. "offer" is the yes/no question after a
# stop ("go on gently?"), where a doubtful yes (his "left", 40 %) or continue would carry on the
# massage. `scripts/try_asked_about.py` weighs this table on a benchmark dump.
ASKED_ABOUT = {"number": FLOW, "pressure": (*FLOW, "skip"), "yesno": FLOW, "offer": (*FLOW, "good")}
# A kind of question heard with another's grammar and answers. "between": no question at all, what
# is said while the session plays (`voiceguide hear --expect between`).
HEARD_AS = {"offer": "yesno", "between": "any"}
BETWEEN = "between"


def asks_a_question(expect: str) -> bool:
    """A kind of question the person answers while the session is silent, waiting: `any` is what
    is said while it plays or is paused, `between` (hear) the same while it plays."""
    return expect not in ("any", BETWEEN)


def at_question(heard: Answer, expect: str = "any") -> Decision:
    """What a session does with `heard` at a question of kind `expect` (what `hear` reports, and
    what the benchmark counts).

    `decide`'s "confirm" is a read-back only where one exists: a rating and "more"
    (adapt.read_back_text), and a pause, repeat, continue or skip at the questions of ASKED_ABOUT
    ("Did you ask to pause?"). Anything else at that level (less, good, no, a side) a session acts
    on and says back, so one word undoes it: "act". At `expect` "between" (no question: said while
    the session plays), what set_aside_between_questions sets aside is "reject"."""
    decision = decide(heard, HEARD_AS.get(expect, expect))
    if expect == BETWEEN:
        if decision.safety:
            return decision
        if not set_aside_between_questions(heard):
            return Decision(ACT, decision.answer) if heard.backed else decision  # (a backed pause)
        return Decision(REJECT, replace(decision.answer, intent="unknown", value=None))
    if decision.action != CONFIRM_IT or decision.safety or read_back_text(decision.answer) is not None:
        return decision  # (only speech is ever "confirm": decide keeps its source)
    if decision.answer.intent in ASKED_ABOUT.get(expect, ()):
        return decision
    return Decision(ACT, decision.answer)


def set_aside_between_questions(heard: Answer) -> bool:
    """Speech while the session plays is acted on only when sure and harmless: a stop or symptom
    word (by its own levels), or pause, continue or repeat decided "act" (or a pause or repeat the
    word listener backs: Answer.backed); the rest is set aside,
    since a word caught from talk in the room must not change the massage. Keys, lines and taps are
    meant, and never set aside here."""
    if heard.source != "voice" or heard.intent in SAFETY:
        return False
    return heard.intent not in HEARD_BETWEEN_QUESTIONS or (decide(heard).action != ACT and not heard.backed)


def calls_for_stop(heard: Answer) -> bool:
    """A stop or symptom word acted on or asked about ("did you say stop?"), at any question:
    what cuts short whatever the session is saying before it listens (Feedback.stop_waiting)."""
    decision = decide(heard)
    return decision.safety and decision.action != REJECT


def asked_as_stop(heard: Answer) -> Answer:
    """`heard` turned into a stop to ask about: silence, then "did you say stop?" (from STOP_ASK)."""
    return replace(heard, text="stop", intent="unknown", value=None, confidence=STOP_ASK)


def decide(heard: Answer, expect: str = "any") -> Decision:
    """What a session does with `heard` at a question of kind `expect` (see the module rules)."""
    if heard.source != "voice":
        return Decision(ACT if heard.intent != "unknown" else REJECT, heard)
    intent, _ = meaning(heard.text)
    conf = heard.confidence
    if intent in SAFETY:
        said = replace(heard, intent=intent, value=None)
        if conf >= STOP_ACT:
            return Decision(ACT, said)
        if conf >= STOP_ASK:
            return Decision(CONFIRM_IT, said)
        return Decision(REJECT, replace(heard, intent="unknown", value=None))
    fits = understand(heard.text, expect, source="voice", confidence=conf)
    fits = replace(fits, at=heard.at)
    if fits.intent == "unknown" or conf < CONFIRM:
        return Decision(REJECT, replace(fits, intent="unknown", value=None))
    if expect == "correction" and fits.intent == "number":
        return Decision(CONFIRM_IT, fits)  # "no, eight" to a read-back: read back in turn, never acted on
    return Decision(ACT if conf >= ACCEPT else CONFIRM_IT, fits)
