"""One source for each fact: the tables keyed by ids cover exactly domain's vocabulary.

A table elsewhere that adds text to each id (a screen question, a sign in the printed script)
cannot retype the list: these tests fail when an id is added to domain and a table misses it.
"""

from __future__ import annotations

from typing import get_args

from voiceguide import domain, export, safety
from voiceguide.feedback import intents
from voiceguide.library import schema


def test_the_screen_asks_about_every_red_flag_and_condition_in_domain_order():
    ids = tuple(q.id for q in safety.QUESTIONS)
    assert ids == domain.RED_FLAGS_EMERGENCY + domain.RED_FLAGS_CLINICIAN + domain.CONDITIONS
    assert [q.id for q in safety.QUESTIONS if q.group == "A"] == list(domain.RED_FLAGS_EMERGENCY)
    assert [q.id for q in safety.QUESTIONS if q.group == "B"] == list(domain.RED_FLAGS_CLINICIAN)
    assert set(safety.INTRO) == set(domain.MODES)
    for area in domain.AREAS:
        assert area.replace("-", " ") in safety.AREA_QUESTION.lower()


def test_the_printed_script_has_words_for_every_sign_and_mode():
    assert tuple(export.EMERGENCY_SIGNS) == domain.RED_FLAGS_EMERGENCY
    assert tuple(export.CLINICIAN_SIGNS) == domain.RED_FLAGS_CLINICIAN
    assert set(export.MODE_TITLE) == set(domain.MODES)
    assert set(export.SAFETY_SOURCES) <= set(domain.SOURCES)
    assert set(export.SOURCE_TITLES) == set(domain.SOURCES)


def test_the_stop_rule_in_the_script_states_the_rule_constants():
    rule = next(sign for sign in export.STOP_SIGNS if sign.startswith("pain of"))
    assert f"pain of {domain.PAIN_STOP_AT} or more" in rule and f"{domain.MCID} points above" in rule
    assert f"{domain.GENTLE_FROM} or more at the start" in export.GENTLE_RULE


def test_the_technique_schema_allows_exactly_domain_vocabulary():
    assert get_args(schema.Mode) == domain.MODES
    assert get_args(schema.Stage) == domain.STAGES
    assert get_args(schema.Area) == domain.AREAS
    assert get_args(schema.Position) == domain.POSITIONS
    assert get_args(schema.Equipment) == domain.EQUIPMENT
    assert get_args(schema.Condition) == domain.CONDITIONS
    assert get_args(schema.Question) == domain.CHECKIN_QUESTIONS
    assert get_args(schema.Kind) == domain.KINDS


def test_number_words_are_one_list_indexed_by_value():
    assert len(intents.NUMBER_WORDS) == 11
    for value, word in enumerate(intents.NUMBER_WORDS):
        assert intents.meaning(word) == ("number", value)
    assert intents.meaning("nought") == ("number", 0)


def test_other_side():
    assert domain.other_side("left") == "right" and domain.other_side("right") == "left"
    assert domain.other_side(None) is None
