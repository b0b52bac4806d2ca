"""The adaptation rules, one by one (pure: state + answer -> actions)."""

import pytest

from voiceguide.adapt import (
    MCID,
    PAIN_STOP_ABOVE,
    Action,
    State,
    decide,
    needs_read_back,
    read_back_text,
    update_state,
)
from voiceguide.feedback.intents import Answer
from voiceguide.plan import Segment


def said(text, intent, value=None, source="stdin", confidence=1.0):
    return Answer(text=text, intent=intent, value=value, confidence=confidence, source=source)


def checkpoint(question="pressure", technique="P03"):
    return Segment(
        index=5,
        start=0.0,
        duration=8.0,
        kind="checkpoint",
        question=question,
        technique=technique,
        area="lower-back",
        text="?",
    )


def one(actions):
    assert len(actions) == 1
    return actions[0]


def test_more_raises_one_step():
    a = one(decide(State(cap=4), said("more", "more"), checkpoint(), 2))
    assert (a.action, a.pressure) == ("pressure_up", 3)


def test_more_at_the_cap_gives_time_instead():
    a = one(decide(State(cap=2), said("more", "more"), checkpoint(), 2))
    assert a.action == "extend" and a.pressure == 2


def test_more_within_the_technique_cap():
    a = one(decide(State(cap=4), said("more", "more"), checkpoint(), 3, tech_cap=3))
    assert a.action == "extend"


def test_never_firmer_after_a_stop():
    a = one(decide(State(cap=4, stopped=True), said("more", "more"), checkpoint(), 2))
    assert a.action == "keep" and a.pressure == 2


def test_less_lowers_one_step_and_skips_at_the_lightest():
    assert one(decide(State(cap=4), said("less", "less"), checkpoint(), 3)) == Action(
        "pressure_down", "asked for less", 2
    )
    assert one(decide(State(cap=4), said("less", "less"), checkpoint(), 1)).action == "skip"


def test_good_keeps():
    a = one(decide(State(cap=4), said("good", "good"), checkpoint(), 3))
    assert a.action == "keep" and a.pressure == 3


def test_skip_and_repeat_and_pause():
    assert one(decide(State(cap=4), said("next", "skip"), checkpoint(), 3)).action == "skip"
    assert one(decide(State(cap=4), said("again", "repeat"), checkpoint(), 3)).action == "repeat"
    assert one(decide(State(cap=4), said("pause", "pause"), None, 3)).action == "pause"
    paused = State(cap=4, paused=True)
    assert one(decide(paused, said("continue", "continue"), None, 3)).action == "resume"


def test_stop_word_stops_at_any_moment():
    assert one(decide(State(cap=4), said("stop", "stop"), None, 3)).action == "stop"
    assert one(decide(State(cap=4), said("please stop", "stop"), checkpoint(), 3)).action == "stop"


@pytest.mark.parametrize("word", ["tingling", "numb", "burning", "shooting", "dizzy"])
def test_symptom_words_stop(word):
    a = one(decide(State(cap=4), said(word, "symptom"), None, 3))
    assert a.action == "stop" and word in a.reason


def test_opening_pain_is_the_baseline():
    a = one(decide(State(cap=4), said("4", "number", 4), checkpoint("pain"), None))
    assert a.action == "keep"


def test_pain_above_five_stops():
    state = State(cap=4, opening_pain=5)
    a = one(decide(state, said("6", "number", PAIN_STOP_ABOVE + 1), checkpoint("pain"), 3))
    assert a.action == "stop"


def test_pain_two_above_the_start_stops():
    state = State(cap=4, opening_pain=1)
    assert one(decide(state, said("3", "number", 1 + MCID), checkpoint("pain"), 3)).action == "stop"
    assert one(decide(state, said("2", "number", 2), checkpoint("pain"), 3)).action == "keep"


def test_low_pain_on_reaching_an_area_shortens_it():
    state = State(cap=4, opening_pain=3)
    assert one(decide(state, said("1", "number", 1), checkpoint("pain"), 2)).action == "shorten"


def test_after_a_stop_the_offer_is_answered():
    state = State(cap=2, stopped=True, awaiting_offer=True)
    assert one(decide(state, said("yes", "good"), checkpoint("comfort"), None)).action == "fallback"
    assert one(decide(state, said("no", "no"), checkpoint("comfort"), None)).action == "end"
    assert one(decide(state, said("stop", "stop"), checkpoint("comfort"), None)).action == "end"


def test_a_stop_lowers_the_cap_and_avoids_the_area():
    state = update_state(State(cap=4), said("stop", "stop"), [Action("stop", "stop word", 3)], "piriformis")
    assert state.stopped and state.cap == 2 and state.avoid_areas == ["piriformis"]
    assert state.stop_reason == "stop word" and state.awaiting_offer


def test_high_opening_pain_means_light_pressure_today():
    state = update_state(State(cap=4), said("7", "number", 7), [Action("keep", "opening")], None)
    assert state.opening_pain == 7 and state.cap == 2


# --- read-back of doubtful spoken answers ----------------------------------------


def test_keys_are_never_read_back():
    assert not needs_read_back(State(cap=4), said("7", "number", 7, source="keys"))
    assert read_back_text(said("+", "more", source="keys")) is None


def test_spoken_opening_rating_is_read_back():
    answer = said("seven", "number", 7, source="voice")
    assert needs_read_back(State(cap=4), answer)
    assert read_back_text(answer) == "I heard seven. Is that right?"


def test_spoken_rating_that_would_stop_is_read_back_and_a_small_change_is_not():
    state = State(cap=4, opening_pain=2, last_pain=2)
    assert needs_read_back(state, said("four", "number", 4, source="voice"))  # 2 above the start
    assert needs_read_back(state, said("six", "number", 6, source="voice"))  # above five
    assert not needs_read_back(state, said("three", "number", 3, source="voice"))


def test_a_large_jump_is_read_back():
    state = State(cap=4, opening_pain=5, last_pain=5)
    assert needs_read_back(state, said("one", "number", 1, source="voice"))


def test_spoken_more_is_read_back_but_less_is_not():
    assert needs_read_back(State(cap=4), said("harder", "more", source="voice"))
    assert not needs_read_back(State(cap=4), said("softer", "less", source="voice"))


def test_a_doubtful_spoken_rating_is_read_back_even_when_harmless():
    state = State(cap=4, opening_pain=3, last_pain=3)
    sure = said("three", "number", 3, source="voice", confidence=0.95)
    unsure = said("three", "number", 3, source="voice", confidence=0.7)
    assert not needs_read_back(state, sure, accept=0.84)
    assert needs_read_back(state, unsure, accept=0.84)
