"""What an answer means: words (typed, spoken or keyed) -> one intent.

The rule is: stop and symptom words win over everything; otherwise exactly one
meaning must be present, and it must fit the question asked, or the answer is
'unknown' and the question is asked again. A wrong action is worse than asking
again.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

INTENTS = (
    "number",
    "more",
    "less",
    "good",
    "no",
    "pause",
    "continue",
    "skip",
    "repeat",
    "stop",
    "symptom",
    "left",
    "right",
    "unknown",
)
#: The number words, index = value: the one list that grammars, enrollment and read-backs use.
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
NUMBERS = {word: value for value, word in enumerate(NUMBER_WORDS)} | {"oh": 0, "nought": 0}

# The dialogue's two confidence thresholds for a spoken answer (fitted by
# scripts/bench_recognition.py --fit; see feedback/recognise.py): at or above ACCEPT it is
# acted on at once; from CONFIRM up to ACCEPT it is read back; below CONFIRM it is asked again.
ACCEPT = 0.89
CONFIRM = 0.63
#: Between questions only these are acted on from speech, all safe to act on at once (pressure
#: and skipping are taken from keys at any time, from speech only as an answer to a question).
HEARD_BETWEEN_QUESTIONS = frozenset({"stop", "symptom", "pause", "continue", "repeat"})
#: The symptom words a spoken answer can hold (the recogniser's grammar and enrollment take these);
#: the others in WORDS come only from typed lines.
SPOKEN_SYMPTOMS = ["tingling", "numb", "burning", "shooting", "dizzy"]
WORDS = {
    "more": "more",
    "harder": "more",
    "firmer": "more",
    "deeper": "more",
    "stronger": "more",
    "less": "less",
    "softer": "less",
    "lighter": "less",
    "gentler": "less",
    "easier": "less",
    "good": "good",
    "okay": "good",
    "ok": "good",
    "yes": "good",
    "fine": "good",
    "right": "good",
    "perfect": "good",
    "yeah": "good",
    "yep": "good",
    "great": "good",
    "ready": "good",  # the answer to "say ready, or press Enter" (question `ready`)
    "left": "left",  # "which side is worse?" (question `side`); "right" means right only there
    "no": "no",
    "nope": "no",
    "wrong": "no",
    "pause": "pause",
    "wait": "pause",
    "continue": "continue",
    "resume": "continue",
    "go": "continue",
    "carry": "continue",
    "skip": "skip",
    "next": "skip",
    "repeat": "repeat",
    "again": "repeat",
    "pardon": "repeat",
    "what": "repeat",
    "stop": "stop",
    "enough": "stop",
    "ouch": "stop",
    "ow": "stop",
    "tingling": "symptom",
    "tingly": "symptom",
    "tingles": "symptom",
    "numb": "symptom",
    "numbness": "symptom",
    "burning": "symptom",
    "burns": "symptom",
    "shooting": "symptom",
    "dizzy": "symptom",
    "faint": "symptom",
    "electric": "symptom",
    "zap": "symptom",
    "pins": "symptom",
}
FILLER = {
    "a",
    "an",
    "the",
    "little",
    "bit",
    "please",
    "that",
    "that's",
    "thats",
    "is",
    "it",
    "it's",
    "its",
    "feels",
    "feel",
    "now",
    "just",
    "much",
    "lot",
    "too",
    "very",
    "i",
    "i'm",
    "im",
    "am",
    "think",
    "say",
    "uh",
    "um",
    "er",
    "erm",
    "maybe",
    "about",
    "around",
    "on",
    "hold",
    "and",
    "needles",
    "out",
    "of",
    "tad",
    "slightly",
    "so",
    "quite",
    "be",
    "would",
    "like",
    "feeling",
    "getting",
    "there",
    "here",
    "thanks",
    "thank",
    "you",
    "can",
    "we",
}
# Which intents answer which question; stop, symptom, repeat and pause are heard at every one.
ALWAYS = {"stop", "symptom", "repeat", "pause", "continue"}
EXPECT = {
    "number": {"number"},
    "pressure": {"more", "less", "good", "skip"},
    "yesno": {"good", "no"},
    # The reply to "I heard seven. Is that right?": yes, no, or the number meant ("no, eight")
    "correction": {"good", "no", "number"},
    # The reply to "I heard more. Is that right?": yes (or `+`), no, or "no, less" / "no, it's good"
    "correction-pressure": {"good", "no", "less", "more"},
    "ready": {"good", "continue"},
    "side": {"left", "right"},
    "any": set(INTENTS) - {"unknown"},
}
EXPECT_FOR_QUESTION = {
    "pain": "number",
    "pain-again": "number",  # domain.PAIN_AGAIN
    "pressure": "pressure",
    "comfort": "yesno",
    "offer": "yesno",
    "ready": "ready",
    "side": "side",
}
# What "no, ..." may name in reply to a read-back, by the reply's `expect`.
CORRECTED = {"correction": ("number",), "correction-pressure": ("less", "good")}
# At the side question, these keys answer it (elsewhere r repeats): l left, r right.
SIDE_KEYS = {"l": "left", "r": "right"}


@dataclass(frozen=True)
class Answer:
    text: str
    intent: str
    value: int | None = None
    confidence: float = 1.0
    source: str = "stdin"
    at: float = field(default=0.0, compare=False)  # time.monotonic() it was given (end of speech, key)
    # Speech not understood that one of the listeners took for "stop" (recognise.stop_hint): said
    # twice in a row, it is asked about ("did you say stop?"; listen.StopAgain).
    stop_hint: bool = field(default=False, compare=False)
    # A stop that only the stop detector heard, in an answer the decoder was sure of at a question
    # (recognise.stop_or_instead): the decoder's words, to take if the person says it was no stop.
    instead: str | None = field(default=None, compare=False)
    # Spoken into a microphone so loud that the voice was cut flat (declip.too_loud): asked
    # again, the person is told to move it away.
    loud: bool = field(default=False, compare=False)
    # Its loudest moment far under a clear voice (recognise.too_quiet): asked again, the person is
    # told to come closer to the microphone.
    quiet: bool = field(default=False, compare=False)
    # A pause or repeat the word listener is all but sure of, read back because the decoder was
    # not (recognise.FLOW_BACKED_AT): still asked about at a question, acted on while the session plays.
    backed: bool = field(default=False, compare=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["at"]
        if not self.stop_hint:
            del data["stop_hint"]
        if self.instead is None:
            del data["instead"]
        for flag in ("loud", "quiet", "backed"):
            if not data[flag]:
                del data[flag]
        return data


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def meaning(text: str) -> tuple[str, int | None]:
    """(intent, value) of free text, ignoring which question was asked."""
    words = tokens(text)
    if not words:
        return "unknown", None
    found: list[tuple[str, int | None]] = []
    for word in words:
        if word in FILLER:
            continue
        if word.isdigit():
            number = int(word)
            found.append(("number", number) if 0 <= number <= 10 else ("unknown", None))
        elif word in NUMBERS:
            found.append(("number", NUMBERS[word]))
        elif word in WORDS:
            found.append((WORDS[word], None))
        else:
            found.append(("unknown", None))
    intents = {intent for intent, _ in found}
    if "symptom" in intents:
        return "symptom", None
    if "stop" in intents:
        return "stop", None
    if "unknown" in intents or not found:
        return "unknown", None
    # "go on", "carry on": continue; "no more" is ambiguous and so unknown.
    if len(intents) == 1:
        values = {value for _, value in found}
        if len(values) == 1:
            return found[0]
    return "unknown", None


def understand(text: str, expect: str = "any", source: str = "stdin", confidence: float = 1.0) -> Answer:
    intent, value = meaning(text)
    words = tokens(text)
    if expect in CORRECTED and len(words) > 1 and words[0] == "no":
        meant = meaning(" ".join(words[1:]))  # "no, eight": the eight; "no, less": less
        intent, value = meant if meant[0] in CORRECTED[expect] else (intent, value)
    if expect == "side" and intent == "good" and "right" in words:
        intent = "right"  # elsewhere "right" agrees ("that's right"); here it names a side
    if intent not in ALWAYS and intent not in EXPECT.get(expect, EXPECT["any"]):
        intent, value = "unknown", None
    return Answer(text=text.strip(), intent=intent, value=value, confidence=confidence, source=source)


# Single keys, for hands that are busy: the same meanings as the words.
KEYS = {
    "+": "more",
    "=": "more",
    "-": "less",
    "_": "less",
    "g": "good",
    "\r": "good",
    "\n": "good",
    "y": "good",
    " ": "pause",
    "c": "continue",
    "n": "skip",
    "r": "repeat",
    "s": "stop",
    "x": "no",
    "!": "symptom",
    "t": "ten",
}


def from_key(key: str, expect: str = "any") -> Answer:
    if key.isdigit():
        return understand(key, expect, source="keys")
    if expect == "side" and key.lower() in SIDE_KEYS:
        return Answer(text=key, intent=SIDE_KEYS[key.lower()], source="keys")
    word = KEYS.get(key.lower() if key.isalpha() else key)
    if word == "ten":
        return understand("10", expect, source="keys")
    if expect in ("yesno", "correction", "correction-pressure") and key.lower() == "n":
        word = "no"
    if word is None:
        return Answer(text=key, intent="unknown", source="keys")
    answer = understand(word if word in WORDS else {"symptom": "tingling"}.get(word, word), expect, "keys")
    return Answer(text=key, intent=answer.intent, value=answer.value, source="keys")
