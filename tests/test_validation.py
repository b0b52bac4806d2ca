"""One way to check every file: strict pydantic models, and their errors in the user's words."""

from __future__ import annotations

import math

import pytest

from voiceguide import library, planner, profile, routines, schedule
from voiceguide.errors import InvalidInput
from voiceguide.plan_file import PlanFile, plan_from_dict
from voiceguide.validation import check


@pytest.fixture(scope="module")
def plan() -> dict:
    built = planner.build(library.load(), planner.Request(mode="self", stage="acute", minutes=3))
    return built.to_dict()


def refusal(data: object) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        plan_from_dict(data, "p.json")
    return caught.value.problems or [str(caught.value)]


def test_a_plan_round_trips_with_its_numbers_as_written(plan):
    again = plan_from_dict(dict(plan, minutes=3))
    assert again.minutes == 3 and isinstance(again.minutes, int)
    assert again.to_dict()["segments"] == plan["segments"]


def test_plan_messages_name_file_field_value_and_what_is_allowed(plan):
    assert refusal(dict(plan, minutes=math.nan)) == ["p.json: minutes = nan, must be a finite number, 3-90"]
    assert refusal(dict(plan, minutes="3")) == ["p.json: minutes = '3', must be a number, 3-90"]
    assert refusal(dict(plan, max_pressure=True)) == [
        "p.json: max_pressure = True, must be a whole number 1-5"
    ]
    assert refusal(dict(plan, mode="solo")) == ["p.json: mode = 'solo', must be 'self' or 'partner'"]
    assert refusal(dict(plan, version=2)) == ["p.json: version = 2, must be 1"]
    assert refusal(dict(plan, colour="red"))[0].startswith(
        "p.json: unknown field colour; allowed: version, mode"
    )
    segs = plan["segments"]
    assert refusal(dict(plan, segments=[dict(segs[0], sound="trumpet"), *segs[1:]])) == [
        "p.json: segments[0].sound = 'trumpet', must be one of start, end, switch, next, question, "
        "pressure-up, pressure-down, stop, tick"
    ]
    assert refusal(dict(plan, segments=[segs[0], [1], *segs[2:]])) == [
        "p.json: segments[1] = [1], must be an object with fields (a table)"
    ]


def test_checks_across_segments_give_a_line_each(plan):
    segs = [dict(s) for s in plan["segments"]]
    segs[2]["start"] += 1.0
    problems = refusal(dict(plan, segments=segs, total_seconds=1.0))
    assert problems[0].startswith(f"p.json: segments[2].start = {segs[2]['start']}, leaves a gap (expected")
    assert problems[1].startswith("p.json: segments[3].start = ") and "overlaps the one before" in problems[1]
    assert problems[-1].startswith("p.json: total_seconds = 1.0, but the segments add up to")


def test_routine_rules_across_fields_and_every_problem_listed():
    routine, problems = routines.parse_routine({"name": "ok", "stage": "acute", "minutes": 30}, "r")
    assert routine is None and problems == ["r: minutes = 30, must be at most 20 when acute"]
    _, problems = routines.parse_routine({"name": "Bad", "focus": ["knee"], "seed": 1.5, "x": 1}, "r")
    assert problems == [
        "r: name = 'Bad', must be up to 32 lower-case letters, digits, '-' or '_'",
        "r: focus[0] = 'knee', must be 'lower-back', 'sacrum', 'buttock', 'piriformis', 'hip' or 'hamstring'",
        "r: seed = 1.5, must be a whole number",
        "r: unknown field x; allowed: name, mode, stage, minutes, focus, max_pressure, conditions, seed",
    ]


def test_a_profile_edited_by_hand_is_refused_field_by_field(voiceguide_home):
    voiceguide_home.mkdir()
    path = voiceguide_home / "profile.toml"
    path.write_text('cleared_by_clinician = "no"\nscreened = "2999-01-01T00:00:00+00:00"\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        profile.load()
    assert caught.value.problems == [
        "screened = '2999-01-01T00:00:00+00:00', is in the future",
        "cleared_by_clinician = 'no', must be true or false",
    ]


def test_a_damaged_schedule_is_invalid_input_not_a_crash(voiceguide_home):
    voiceguide_home.mkdir()
    path = voiceguide_home / "schedule.toml"
    path.write_text('days = ["funday"]\nat = 19\nminutes = nan\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        schedule.load(None)
    assert [p.split(",")[0] for p in caught.value.problems] == [
        "days = ['funday']",
        "at = 19",
        "minutes = nan",
    ]
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="nested too deeply"):
        schedule.load(None)
    path.write_text(
        'days = ["mon", "fri"]\nat = "19:00"\nminutes = 20\nroutine = "evening"\n', encoding="utf-8"
    )
    assert schedule.load(None) == schedule.Schedule(
        days=("mon", "fri"), at=schedule.parse_at("19:00"), routine="evening", minutes=20
    )


def test_deep_nesting_is_one_problem_not_a_crash():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    model, problems = check(PlanFile, {"segments": deep}, "p.json")
    assert model is None and problems and all(p.startswith("p.json: ") for p in problems)
