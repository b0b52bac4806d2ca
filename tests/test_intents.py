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


def test_a_reply_to_a_read_back_may_name_the_number_meant():
    """At `correction` (the reply to "I heard seven. Is that right?"), "no, eight" is the eight;
    elsewhere "no" and a number together mean nothing."""
    meant = understand("no, eight", "correction")
    assert (meant.intent, meant.value) == ("number", 8)
    assert understand("no, it's 3", "correction").value == 3
    assert understand("no", "correction").intent == "no"
    assert understand("yes", "correction").intent == "good"
    assert understand("no more", "correction").intent == "unknown"
    assert understand("no, eight", "number").intent == "unknown"
    assert understand("no, eight", "yesno").intent == "unknown"
    assert from_key("n", "correction").intent == "no"


def test_a_reply_to_more_read_back_may_say_less_or_good():
    assert understand("no, softer", "correction-pressure").intent == "less"
    assert understand("no, it's good", "correction-pressure").intent == "good"
    assert understand("no", "correction-pressure").intent == "no"
    assert understand("no more", "correction-pressure").intent == "unknown"
    assert understand("no, eight", "correction-pressure").intent == "unknown"
    assert from_key("-", "correction-pressure").intent == "less"
