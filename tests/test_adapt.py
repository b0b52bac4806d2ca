"""The adaptation rules, one by one (pure: state + answer -> actions)."""

from dataclasses import replace

import pytest

from voiceguide.adapt import (
    GENTLE_FROM,
    PAIN_STOP_AT,
    Action,
    Context,
    Kind,
    Rule,
    State,
    legacy_action,
    needs_read_back,
    no_answer,
    read_back_text,
    update_state,
)
from voiceguide.adapt import decide as decide_at
from voiceguide.domain import MCID
from voiceguide.feedback.intents import Answer
from voiceguide.plan import Segment, is_closing


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


def decide(state, answer, seg, pressure, tech_cap=None, moment=None):
    """The rules at a checkpoint (seg) or between questions (None), at this pressure and cap.
    A pain question with no technique is the closing one, as in a session."""
    question = seg.question if seg is not None else None
    technique = seg.technique if seg is not None else None
    if seg is not None and is_closing(seg.kind, question, technique):
        moment = "closing"
    at = Context(question, technique, "lower-back", pressure, tech_cap or state.cap, moment)
    return decide_at(state, answer, at)


def one(actions):
    assert len(actions) == 1
    return actions[0]


def test_more_raises_one_step():
    a = one(decide(State(cap=4), said("more", "more"), checkpoint(), 2))
    assert (a.kind, a.pressure) == ("pressure_up", 3)


def test_more_at_the_cap_gives_time_instead():
    a = one(decide(State(cap=2), said("more", "more"), checkpoint(), 2))
    assert a.kind == "extend" and a.pressure == 2 and a.cap_reached and a.rule is Rule.FIRMER_AT_CAP


def test_more_within_the_technique_cap():
    a = one(decide(State(cap=4), said("more", "more"), checkpoint(), 3, tech_cap=3))
    assert a.kind == "extend"


def test_never_firmer_after_a_stop():
    a = one(decide(State(cap=4, stopped=True), said("more", "more"), checkpoint(), 2))
    assert a.kind == "keep" and a.pressure == 2


def test_less_lowers_one_step_and_skips_at_the_lightest():
    assert one(decide(State(cap=4), said("less", "less"), checkpoint(), 3)) == Action(
        Kind.PRESSURE_DOWN, Rule.ASKED_LIGHTER, 2, cap=4
    )
    assert one(decide(State(cap=4), said("less", "less"), checkpoint(), 1)).kind == "skip"


def test_good_keeps():
    a = one(decide(State(cap=4), said("good", "good"), checkpoint(), 3))
    assert a.kind == "keep" and a.pressure == 3


def test_skip_and_repeat_and_pause():
    assert one(decide(State(cap=4), said("next", "skip"), checkpoint(), 3)).kind == "skip"
    assert one(decide(State(cap=4), said("again", "repeat"), checkpoint(), 3)).kind == "repeat"
    assert one(decide(State(cap=4), said("pause", "pause"), None, 3)).kind == "pause"
    paused = State(cap=4, paused=True)
    assert one(decide(paused, said("continue", "continue"), None, 3)).kind == "resume"


def test_stop_word_stops_at_any_moment_and_asks_before_ending():
    assert one(decide(State(cap=4), said("stop", "stop"), None, 3)).kind == "stop"
    assert one(decide(State(cap=4), said("please stop", "stop"), checkpoint(), 3)).kind == "stop"


@pytest.mark.parametrize("word", ["tingling", "numb", "burning", "shooting"])
def test_symptom_words_stop_the_technique_not_the_session(word):
    a = one(decide(state := State(cap=4), said(word, "symptom"), None, 3))
    assert a.kind is Kind.STOP_TECHNIQUE and word in a.reason and a.word == word and state.cap == 4
    after = update_state(state, None, [a], "piriformis")
    assert after.stopped and after.ended is None and after.avoid_areas == ["piriformis"]


@pytest.mark.parametrize("text", ["dizzy", "I feel faint"])
def test_dizziness_or_feeling_faint_ends_the_session(text):
    a = one(decide(state := State(cap=4), said(text, "symptom"), None, 3))
    assert (a.kind, a.rule) == (Kind.STOP, Rule.FAINT)
    assert update_state(state, None, [a], "lower-back").ended == "faint"


def test_the_second_technique_stop_ends_the_session():
    first = one(decide(state := State(cap=4, opening_pain=3), said("tingling", "symptom"), checkpoint(), 3))
    state = update_state(state, None, [first], "lower-back")
    second = one(decide(state, said("8", "number", 8), checkpoint("pain"), 2))
    assert (second.kind, second.rule) == (Kind.STOP, Rule.TWO_STOPS)
    assert update_state(state, None, [second], "buttock").ended == "two-stops"


def test_the_stop_word_after_a_stop_ends_the_session():
    """Found live (2026-12-02): each "stop" after a stop was a new stop and a new "Stopping now",
    which the listener once heard as "stop" again, round and round; a second stop ends it."""
    first = one(decide(state := State(cap=4), said("stop", "stop"), None, 3))
    assert (first.kind, first.rule) == (Kind.STOP, Rule.STOP_WORD)
    state = update_state(state, None, [first], "lower-back")
    again = one(decide(state, said("stop", "stop"), None, None))
    assert (again.kind, again.rule) == (Kind.STOP, Rule.TWO_STOPS)
    assert update_state(state, None, [again], None).ended == "two-stops"


def test_opening_pain_is_the_baseline():
    a = one(decide(State(cap=4), said("4", "number", 4), checkpoint("pain"), None, moment="opening"))
    assert (a.kind, a.rule, a.pain) == (Kind.KEEP, Rule.OPENING_PAIN, 4)
    assert update_state(State(cap=4), None, [a], "lower-back").opening_pain == 4


def test_the_closing_rating_never_becomes_the_opening_one():
    """Found in a new-user trial: with the opening question unanswered, the closing "3" was taken
    as the opening rating (history showed 3 -> 3), and a closing 7 made a "gentle session" of
    the end."""
    closing = checkpoint("pain", technique=None)
    for pain in (0, 3, GENTLE_FROM):
        a = one(decide(State(cap=4), said(str(pain), "number", pain), closing, None))
        assert (a.kind, a.rule, a.pain) == (Kind.KEEP, Rule.CLOSING_PAIN, pain)
        assert update_state(State(cap=4), None, [a], None).opening_pain is None
    a = one(decide(State(cap=4), said("8", "number", PAIN_STOP_AT), closing, None))
    assert (a.kind, a.rule, a.baseline) == (Kind.KEEP, Rule.PAIN_HIGH_AT_END, None)


def test_a_high_or_risen_closing_rating_is_met_with_rest_not_a_stop():
    """No technique is left to stop at the last question: a rise is said and kept, and a stop
    before it does not make it a second stop that ends an ended session."""
    closing = checkpoint("pain", technique=None)
    for state in (State(cap=4, opening_pain=3), State(cap=2, opening_pain=3, stopped=True, stops=1)):
        risen = one(decide(state, said("5", "number", 3 + MCID), closing, None))
        assert (risen.kind, risen.rule, risen.pain) == (Kind.KEEP, Rule.PAIN_HIGH_AT_END, 5)
        assert risen.baseline == 3
        high = one(decide(replace(state, opening_pain=9), said("8", "number", 8), closing, None))
        assert (high.kind, high.rule, high.baseline) == (Kind.KEEP, Rule.PAIN_HIGH_AT_END, None)
        same = one(decide(state, said("4", "number", 4), closing, None))
        assert (same.kind, same.rule) == (Kind.KEEP, Rule.CLOSING_PAIN)
        after = update_state(state, None, [risen], None)
        assert (after.stops, after.ended, after.opening_pain) == (state.stops, None, 3)


def test_a_symptom_or_stop_at_the_closing_question_ends_as_the_session_does():
    closing = checkpoint("pain", technique=None)
    state = State(cap=2, opening_pain=3, stopped=True, stops=1)
    numb = one(decide(state, said("numb", "symptom"), closing, None))
    assert (numb.kind, numb.rule, numb.word) == (Kind.KEEP, Rule.SYMPTOM_AT_END, "numb")
    assert (one(decide(state, said("dizzy", "symptom"), closing, None)).rule) is Rule.FAINT
    stop = one(decide(state, said("stop", "stop"), closing, None))
    assert (stop.kind, stop.rule) == (Kind.STOP, Rule.STOP_AT_END)
    assert update_state(state, None, [stop], None).ended == "stop-at-end"


def test_a_first_rating_after_an_unanswered_opening_is_the_baseline():
    """...and a first rating of 7 or more still makes the rest gentle (never firmer for not
    having answered at the start)."""
    at_work = checkpoint("pain", technique="P03")
    a = one(decide(State(cap=4), said("5", "number", 5), at_work, 2))
    assert (a.kind, a.rule) == (Kind.KEEP, Rule.FIRST_PAIN)
    assert update_state(State(cap=4), None, [a], "lower-back").opening_pain == 5
    high = one(decide(State(cap=4), said("7", "number", GENTLE_FROM), at_work, 2))
    assert (high.kind, high.rule) == (Kind.GENTLE, Rule.FIRST_PAIN)
    assert update_state(State(cap=4), None, [high], "lower-back").cap == 2


def test_the_opening_answer_is_the_baseline_even_after_an_earlier_rating():
    """A key pressed during the welcome is kept as a first rating; the answer to the opening
    question then replaces it as the start."""
    state = State(cap=4, opening_pain=6, last_pain=6)
    a = one(decide(state, said("3", "number", 3), checkpoint("pain"), None, moment="opening"))
    assert (a.kind, a.rule) == (Kind.KEEP, Rule.OPENING_PAIN)
    assert update_state(state, None, [a], "lower-back").opening_pain == 3


def test_steady_pain_of_six_or_seven_does_not_stop():
    """The revised rule: people whose everyday pain is 6-7 are not stopped at the first check."""
    state = State(cap=4, opening_pain=6)
    assert one(decide(state, said("7", "number", 7), checkpoint("pain"), 3)).kind is Kind.KEEP


def test_pain_of_eight_or_more_stops_the_technique():
    state = State(cap=4, opening_pain=7)
    a = one(decide(state, said("8", "number", PAIN_STOP_AT), checkpoint("pain"), 3))
    assert (a.kind, a.rule, a.pain) == (Kind.STOP_TECHNIQUE, Rule.PAIN_HIGH, 8)


def test_a_high_opening_rating_gives_a_gentle_session():
    seven = said("7", "number", GENTLE_FROM)
    a = one(decide(State(cap=4), seven, checkpoint("pain"), None, moment="opening"))
    assert (a.kind, a.rule, a.pain) == (Kind.GENTLE, Rule.GENTLE_SESSION, 7)
    after = update_state(State(cap=4), None, [a], None)
    assert after.cap == 2 and after.opening_pain == 7 and after.ended is None


def test_pain_two_above_the_start_stops():
    state = State(cap=4, opening_pain=1)
    assert one(decide(state, said("3", "number", 1 + MCID), checkpoint("pain"), 3)).kind == "stop_technique"
    assert one(decide(state, said("2", "number", 2), checkpoint("pain"), 3)).kind == "keep"


def test_low_pain_on_reaching_an_area_shortens_it():
    state = State(cap=4, opening_pain=3)
    assert one(decide(state, said("1", "number", 1), checkpoint("pain"), 2)).kind == "shorten"


def test_after_a_stop_the_offer_is_answered():
    state = State(cap=2, stopped=True)
    assert one(decide(state, said("yes", "good"), checkpoint("offer"), None)).kind == "fallback"
    assert one(decide(state, said("no", "no"), checkpoint("offer"), None)).kind == "end"
    assert one(decide(state, said("stop", "stop"), checkpoint("offer"), None)).kind == "end"


def test_the_offer_does_not_leak_into_the_next_question():
    """After a stop, the closing pain question still takes a number (it once heard only yes/no)."""
    state = State(cap=2, stopped=True, opening_pain=4)
    a = one(decide(state, said("3", "number", 3), checkpoint("pain", technique=None), None))
    assert (a.kind, a.rule, a.pain) == (Kind.KEEP, Rule.CLOSING_PAIN, 3)


def test_a_stop_lowers_the_cap_and_avoids_the_area():
    stop = Action(Kind.STOP, Rule.STOP_WORD, 3)
    state = update_state(State(cap=4), said("stop", "stop"), [stop], "piriformis")
    assert state.stopped and state.cap == 2 and state.avoid_areas == ["piriformis"]
    assert state.stop_reason == "stop word" and state.stop_rule == "stop-word" and state.stops == 1


def test_after_two_stops_the_offer_can_only_end():
    state = State(cap=2, stopped=True, stops=2)
    assert one(decide(state, said("yes", "good"), checkpoint("offer"), None)).rule is Rule.TWO_STOPS


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
    assert needs_read_back(state, said("eight", "number", 8, source="voice"))  # eight or more
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


# --- typed actions ---------------------------------------------------------------


def test_the_cap_is_the_lowest_in_force_whatever_the_path():
    """A technique's cap below the session's stops a rise between questions as at a question."""
    state = State(cap=4)
    during_a_hold = Segment(6, 0.0, 20.0, "hold", technique="P03", area="lower-back")
    for seg in (checkpoint(), during_a_hold):
        a = one(decide(state, said("+", "more", source="keys"), seg, 2, tech_cap=2))
        assert a.kind is Kind.EXTEND and a.pressure == 2 and a.cap == 2 and a.cap_reached


def test_firmer_or_lighter_while_no_technique_is_at_work_changes_nothing():
    for word in ("more", "less"):
        a = one(decide(State(cap=4), said(word, word, source="keys"), None, None))
        assert (a.kind, a.rule, a.pressure) == (Kind.KEEP, Rule.NOTHING_PRESSED, None)


def test_reasons_are_made_from_the_fields_and_fields_survive_the_journal():
    state = State(cap=4, opening_pain=2)
    a = one(decide(state, said("5", "number", 5), checkpoint("pain"), 3))
    assert (a.kind, a.rule, a.pain, a.baseline) == (Kind.STOP_TECHNIQUE, Rule.PAIN_ROSE, 5, 2)
    assert a.reason == "pain 5/10 is 3 above the start (2/10)"
    assert Action.from_dict(a.to_dict()) == a


@pytest.mark.parametrize(
    "old, rule, fields",
    [
        ({"action": "keep", "reason": "opening pain 5/10", "pressure": None}, Rule.OPENING_PAIN, {"pain": 5}),
        ({"action": "keep", "reason": "pain 3/10", "pressure": 2}, Rule.PAIN_NOTED, {"pain": 3}),
        (
            {"action": "stop", "reason": "pain 6/10 is 2 above the start (4/10)", "pressure": 3},
            Rule.PAIN_ROSE,
            {"pain": 6, "baseline": 4},
        ),
        (
            {"action": "stop", "reason": "pain 7/10 is above 5", "pressure": 2},
            Rule.PAIN_HIGH,
            {"pain": 7},
        ),
        (
            {"action": "stop", "reason": "symptom: tingling", "pressure": 4},
            Rule.SYMPTOM,
            {"word": "tingling"},
        ),
        ({"action": "keep", "reason": "answer: good", "pressure": 2}, Rule.GOOD, {}),
        (
            {
                "action": "extend",
                "reason": "already at the limit of 2 of 5: more time instead",
                "pressure": 2,
            },
            Rule.FIRMER_AT_CAP,
            {"cap": 2},
        ),
        ({"action": "pressure_up", "reason": "asked for more", "pressure": 3}, Rule.ASKED_FIRMER, {}),
        ({"action": "end", "reason": "no answer to the offer: ending gently"}, Rule.OFFER_UNANSWERED, {}),
        ({"action": "keep", "reason": "no answer: pressure kept", "pressure": 2}, Rule.NO_ANSWER, {}),
    ],
)
def test_actions_from_older_journals_are_read_by_their_reason(old, rule, fields):
    a = legacy_action(old)
    assert a.rule is rule and a.kind == old["action"] and a.pressure == old.get("pressure")
    for name, value in fields.items():
        assert getattr(a, name) == value
    assert Action.from_dict(old) == a


def test_which_side_is_worse_and_ready_are_answers_too():
    side = one(decide(State(cap=4), said("left", "left"), checkpoint("side", technique=None), None))
    assert (side.kind, side.rule, side.side) == (Kind.KEEP, Rule.SIDE_CHOSEN, "left")
    for word, intent in (("ready", "ready"), ("yes", "good")):
        ready = one(decide(State(cap=4), said(word, intent), checkpoint("ready", technique=None), None))
        assert ready.rule is Rule.READY


def test_no_answer_keeps_the_pressure_and_says_so_only_where_a_pressure_is_asked_about():
    """ "I did not catch an answer, so we carry on at the same pressure" was said at the question
    of which side is worse; there it goes on, and no pressure is named."""
    for question, pressure in (("pressure", 2), ("pain", 2), ("side", None), ("ready", None)):
        at = Context(question, "P01", "lower-back", 2, 4)
        assert one(no_answer(at)).pressure == pressure


@pytest.mark.parametrize("pain", [1, 7, 9])
def test_the_rating_asked_again_after_a_stop_is_noted_not_a_second_stop(pain):
    """The stop at a pain question already eased off, left the area and lowered the cap: a high
    or risen rating asked for again after it stops nothing more (a second stop would end the
    session), and a low one shortens nothing (no technique is at work)."""
    state = State(cap=2, opening_pain=3, stopped=True, stops=1)
    a = one(decide(state, said(str(pain), "number", pain), checkpoint("pain-again", technique=None), None))
    assert (a.kind, a.rule, a.pain) == (Kind.KEEP, Rule.PAIN_AFTER_STOP, pain)
    after = update_state(state, None, [a], None)
    assert after.last_pain == pain and after.stops == 1 and after.ended is None
    again = one(decide(state, said("stop", "stop"), checkpoint("pain-again", None), None))
    assert again.rule is Rule.TWO_STOPS


def test_no_answer_at_the_end_is_not_told_we_go_on():
    at = Context("pain", None, None, None, 4, moment="closing")
    assert one(no_answer(at)).rule is Rule.NO_ANSWER_AT_END
    assert one(no_answer(replace(at, moment=None))).rule is Rule.NO_ANSWER
