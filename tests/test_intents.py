"""Words and keys to intents: the same vocabulary for voice, stdin and keys; never a guess."""

import pytest

from voiceguide.feedback.intents import from_key, meaning, understand


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [
        ("seven", "number", 7),
        ("10", "number", 10),
        ("zero", "number", 0),
        ("a little more", "more", None),
        ("harder", "more", None),
        ("firmer", "more", None),
        ("a bit softer", "less", None),
        ("lighter", "less", None),
        ("that is good", "good", None),
        ("okay", "good", None),
        ("yes", "good", None),
        ("no", "no", None),
        ("pause", "pause", None),
        ("resume", "continue", None),
        ("next", "skip", None),
        ("again", "repeat", None),
        ("please stop", "stop", None),
        ("it is tingling", "symptom", None),
        ("numb", "symptom", None),
        ("I feel dizzy", "symptom", None),
    ],
)
def test_vocabulary(text, intent, value):
    assert meaning(text) == (intent, value)


@pytest.mark.parametrize("text", ["", "banana", "eleven", "more or less", "seven eight", "what time is it"])
def test_anything_else_is_unknown(text):
    assert meaning(text)[0] == "unknown"


def test_the_question_narrows_what_counts():
    assert understand("more", "number").intent == "unknown"
    assert understand("seven", "pressure").intent == "unknown"
    assert understand("seven", "number").value == 7


@pytest.mark.parametrize("expect", ["number", "pressure", "yesno", "correction", "any"])
def test_stop_and_symptoms_are_heard_at_every_question(expect):
    assert understand("stop", expect).intent == "stop"
    assert understand("burning", expect).intent == "symptom"


def test_keys_mean_the_same():
    assert from_key("7", "number").value == 7
    assert from_key("t", "number").value == 10
    assert from_key("+", "pressure").intent == "more"
    assert from_key("-", "pressure").intent == "less"
    assert from_key("s", "number").intent == "stop"
    assert from_key("n", "yesno").intent == "no"
    assert from_key("n", "pressure").intent == "skip"
    assert from_key("?", "any").intent == "unknown"
    assert from_key("7", "pressure").intent == "unknown"


@pytest.mark.parametrize(
    ("text", "expect", "intent", "value"),
    [
        ("no, eight", "correction", "number", 8),  # "I heard seven. Is that right?"
        ("no, it's 3", "correction", "number", 3),
        ("no", "correction", "no", None),
        ("yes", "correction", "good", None),
        ("no more", "correction", "unknown", None),
        ("no, eight", "number", "unknown", None),  # elsewhere "no" and a number mean nothing
        ("no, eight", "yesno", "unknown", None),
        ("no, softer", "correction-pressure", "less", None),  # "I heard more. Is that right?"
        ("no, it's good", "correction-pressure", "good", None),
        ("no", "correction-pressure", "no", None),
        ("no more", "correction-pressure", "unknown", None),
        ("no, eight", "correction-pressure", "unknown", None),
    ],
)
def test_a_reply_to_a_read_back_may_name_what_was_meant(text, expect, intent, value):
    meant = understand(text, expect)
    assert (meant.intent, meant.value) == (intent, value)


def test_keys_in_reply_to_a_read_back():
    assert from_key("n", "correction").intent == "no"
    assert from_key("-", "correction-pressure").intent == "less"
