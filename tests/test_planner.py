"""The planner's rules, each tested as the user would meet it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceguide import domain, library, planner
from voiceguide.errors import SafetyStop, UsageProblem
from voiceguide.plan_file import plan_from_dict
from voiceguide.speechtime import GenerousSpeech

LIB = library.load()


def build(**kwargs) -> planner.Plan:
    return planner.build(LIB, planner.Request(**kwargs))


def techniques_in(plan) -> list[str]:
    return list(dict.fromkeys(s.technique for s in plan.segments if s.technique))


def pressures(plan) -> list[int]:
    return [s.pressure for s in plan.segments if s.pressure is not None]


def test_total_matches_minutes_within_tolerance():
    for minutes in (3, 10, 15, 20):
        plan = build(mode="partner", stage="acute", minutes=minutes)
        assert abs(plan.total_seconds - minutes * 60) <= max(0.02 * minutes * 60, 10)


def test_starts_are_contiguous_and_total_is_their_sum():
    plan = build(mode="partner", stage="subacute", minutes=20)
    t = 0.0
    for i, seg in enumerate(plan.segments):
        assert seg.index == i
        assert seg.start == pytest.approx(t, abs=0.002)
        assert seg.duration > 0
        t += seg.duration
    assert plan.total_seconds == pytest.approx(t, abs=0.01)


def test_structure_of_a_session():
    plan = build(mode="partner", stage="subacute", minutes=30)
    segs = plan.segments
    assert segs[0].kind == "cue" and segs[0].sound == "start"
    assert segs[-1].kind == "cue" and segs[-1].sound == "end"
    # getting ready first (answered with "ready"), then the stop word, then the opening pain
    # rating, before any hands-on work
    ready = next(s for s in segs if s.kind == "checkpoint")
    assert ready.question == "ready" and "press enter" in ready.text.lower()
    first_check = next(s for s in segs if s.kind == "checkpoint" and s.question == "pain")
    first_hold = next(s for s in segs if s.kind == "hold")
    stop_said = next(s for s in segs if s.kind == "speech" and "stop" in s.text.lower())
    assert stop_said.start < first_check.start < first_hold.start
    assert "zero to ten" in first_check.text
    # the hands-on check of lower back and buttock comes first
    assert techniques_in(plan)[0] == "P01"
    # closing pain rating just before the closing words
    checks = [s for s in segs if s.kind == "checkpoint"]
    assert checks[-1].question == "pain" and "finish" in checks[-1].text


def test_lower_back_before_buttock_and_piriformis_after_sacrum_edge_start():
    plan = build(mode="partner", stage="chronic", minutes=45)
    massage = [
        s.area
        for s in plan.segments
        if s.kind == "hold" and s.technique and LIB.techniques[s.technique].kind == "massage"
    ]
    first = {area: massage.index(area) for area in set(massage)}
    assert first["lower-back"] < first["buttock"]
    assert first["lower-back"] < first["piriformis"]
    p05 = [s for s in plan.segments if s.technique == "P05" and s.kind == "speech"]
    first_step = next(s for s in p05 if s.step == 0)
    assert "the flat bone at the base of the spine" in first_step.text.lower()
    assert "outer edge" in first_step.text.lower()


def test_movement_comes_near_the_end():
    plan = build(mode="self", stage="subacute", minutes=30)
    kinds = [LIB.techniques[t].kind for t in techniques_in(plan)]
    assert "movement" in kinds
    last_massage = max(i for i, k in enumerate(kinds) if k != "movement")
    first_movement = kinds.index("movement")
    assert first_movement > last_massage


def test_both_sides_get_equal_time_and_a_spoken_switch():
    plan = build(mode="partner", stage="subacute", minutes=30)
    for tid in techniques_in(plan):
        if not LIB.techniques[tid].per_side:
            continue
        holds = [s for s in plan.segments if s.technique == tid and s.kind == "hold"]
        left = sum(s.duration for s in holds if s.side == "left")
        right = sum(s.duration for s in holds if s.side == "right")
        assert left == pytest.approx(right, abs=0.01), tid
        switch = [
            s
            for s in plan.segments
            if s.technique == tid and s.kind == "speech" and s.text.lower().startswith("now the ")
        ]
        assert len(switch) == 1
        i = switch[0].index
        assert plan.segments[i - 1].kind == "cue" and plan.segments[i - 1].sound == "switch"


@pytest.mark.parametrize("stage", ["acute", "subacute", "chronic"])
@pytest.mark.parametrize("minutes", [10, 15, 30, 45])
def test_the_giver_works_each_side_where_they_kneel_and_is_never_sent_back_round(stage, minutes):
    """A partner is told which side to kneel at before the first two-sided technique, and each
    one after it starts at the side the one before ended on (right, left, then left, right): every
    technique had started on the first side, so the giver walked round and back after each one
    ("Move back round to kneel at your partner's right side"). Nothing is said about a side they
    are not kneeling at ("Place both thumbs ... on the right side" had come while they knelt left)."""
    import re

    if stage == "acute" and minutes > 20:
        return
    plan = build(mode="partner", stage=stage, minutes=minutes)
    kneeling, position, walks, sided = None, None, 0, []
    for s in plan.segments:
        if s.position and s.position != position:
            kneeling, position = None, s.position  # a new position: where to be is said again
        said = re.search(r"(back )?round to (?:kneel at )?your partner's (left|right) side", s.text or "")
        said = said or re.search(r"()Kneel at your partner's (left|right) side", s.text or "")
        if said:
            assert said.group(1) is None or said.group(1) == "", s.text  # never "back round"
            walks += said.group(2) != kneeling and kneeling is not None
            kneeling = said.group(2)
        elif s.kind == "speech" and s.side and s.position in ("belly-lying", "back-lying"):
            assert s.side == kneeling, (s.technique, s.text)
        kneeling_hold = s.kind == "hold" and s.side and s.position in ("belly-lying", "back-lying")
        if kneeling_hold and (not sided or sided[-1][0] != s.technique or sided[-1][-1] != s.side):
            sided.append((s.technique, s.position, s.side))
    # each two-sided technique: its first side, then the other (one walk round between them); in
    # the same position, the next starts where it ended
    techniques = list(dict.fromkeys((t, p) for t, p, _ in sided))
    assert walks == len(techniques)
    for (before, was), (after, now) in zip(techniques, techniques[1:], strict=False):
        ended = [side for t, _, side in sided if t == before][-1]
        began = next(side for t, _, side in sided if t == after)
        assert began == ended or was != now, (before, after)


def test_checkpoint_after_every_pressure_step():
    plan = build(mode="partner", stage="chronic", minutes=40)
    last: dict[str, int] = {}
    segs = plan.segments
    for i, seg in enumerate(segs):
        if seg.kind != "hold" or seg.pressure is None:
            continue
        before = last.get((seg.technique, seg.side))
        if before is not None and seg.pressure > before:
            later = [s for s in segs[i:] if s.kind == "checkpoint"]
            assert later and later[0].question == "pressure"
            # asked before the next instruction
            next_speech = next((s for s in segs[i:] if s.kind == "speech"), None)
            assert next_speech is None or later[0].start < next_speech.start
        last[(seg.technique, seg.side)] = seg.pressure


def test_checkpoint_at_lower_back_and_when_moving_onto_buttock_or_piriformis():
    plan = build(mode="partner", stage="subacute", minutes=30)
    checks = [s for s in plan.segments if s.kind == "checkpoint"]
    assert any(c.area == "lower-back" and c.question == "pressure" for c in checks)
    assert any(c.area in ("buttock", "piriformis") and c.question == "pain" for c in checks)


@pytest.mark.parametrize("mode", domain.MODES)
def test_acute_stage_rules(mode):
    plan = build(mode=mode, stage="acute", minutes=20)
    assert max(pressures(plan)) <= 2
    for tid in techniques_in(plan):
        t = LIB.techniques[tid]
        assert "acute" in t.stages
        assert not set(t.equipment) & {"ball", "foam-roller"}
        assert not ("piriformis" in t.areas and t.pressure)


def test_acute_longer_than_twenty_minutes_is_refused_with_reason():
    with pytest.raises(UsageProblem, match="acute"):
        build(stage="acute", minutes=25)


@pytest.mark.parametrize("minutes", [2, 91, 0, -5])
def test_minutes_out_of_range(minutes):
    with pytest.raises(UsageProblem, match="3 to 90"):
        build(stage="subacute", minutes=minutes)


def test_home_cap_and_max_pressure():
    assert max(pressures(build(mode="partner", stage="chronic", minutes=40))) <= 4
    assert max(pressures(build(mode="partner", stage="chronic", minutes=40, max_pressure=5))) <= 4
    assert max(pressures(build(mode="partner", stage="chronic", minutes=40, max_pressure=3))) <= 3
    assert build(mode="partner", stage="chronic", minutes=40, max_pressure=3).max_pressure == 3


def test_dvt_gives_no_plan():
    with pytest.raises(SafetyStop, match="thrombosis"):
        build(conditions=("dvt",))


def test_anticoagulants_cap_pressure_at_two():
    plan = build(mode="partner", stage="chronic", minutes=40, conditions=("anticoagulants",))
    assert max(pressures(plan)) <= 2


def test_skin_condition_skips_that_area():
    plan = build(mode="partner", stage="subacute", minutes=30, conditions=("skin:buttock",))
    for tid in techniques_in(plan):
        t = LIB.techniques[tid]
        if t.kind != "assessment":
            assert "buttock" not in t.areas
    assert any("buttock" in (s.text or "") and "Leave out" in (s.text or "") for s in plan.segments)


def test_recent_surgery_skips_that_area():
    plan = build(mode="self", stage="subacute", minutes=30, conditions=("recent-surgery:lower-back",))
    for tid in techniques_in(plan):
        t = LIB.techniques[tid]
        if t.kind != "assessment":
            assert "lower-back" not in t.areas


def test_osteoporosis_no_deep_pressure_no_balls_or_rollers():
    plan = build(mode="self", stage="chronic", minutes=40, conditions=("osteoporosis",))
    assert max(pressures(plan)) <= 3
    for tid in techniques_in(plan):
        assert not set(LIB.techniques[tid].equipment) & {"ball", "foam-roller"}


def test_pregnancy_side_lying_only_and_light():
    plan = build(mode="partner", stage="chronic", minutes=40, conditions=("pregnancy",))
    assert max(pressures(plan)) <= 2
    for tid in techniques_in(plan):
        positions = set(LIB.techniques[tid].positions)
        assert positions & {"side-lying", "seated", "standing"}


def test_hip_replacement_no_figure_four_or_hip_rotation():
    plan = build(mode="partner", stage="chronic", minutes=60, conditions=("hip-replacement",))
    used = techniques_in(plan)
    for banned in ("S03", "X02", "X04", "P06"):
        assert banned not in used
    for tid in used:
        assert "figure" not in LIB.techniques[tid].name.lower()


def test_focus_gives_an_area_more_time():
    def piriformis_time(plan):
        return sum(s.duration for s in plan.segments if s.kind == "hold" and s.area == "piriformis")

    plain = build(mode="partner", stage="chronic", minutes=30)
    focused = build(mode="partner", stage="chronic", minutes=30, focus=("piriformis",))
    assert piriformis_time(focused) > 1.2 * piriformis_time(plain)


@pytest.mark.parametrize(
    ("mode", "area", "minutes"),
    [("partner", "piriformis", 10), ("partner", "buttock", 10), ("partner", "sacrum", 8),
     ("self", "piriformis", 10), ("self", "hip", 8)],
)  # fmt: skip
def test_a_short_session_keeps_the_focus_area_rather_than_leave_it_out(mode, area, minutes):
    """With the natural voice's slower speech a 10-minute partner session left out the piriformis,
    and --focus piriformis did not bring it back."""
    natural = GenerousSpeech()
    plain = planner.build(LIB, planner.Request(mode=mode, stage="subacute", minutes=minutes), timer=natural)
    asked = planner.Request(mode=mode, stage="subacute", minutes=minutes, focus=(area,))
    focused = planner.build(LIB, asked, timer=natural)
    worked = [t for t in techniques_in(focused)[1:] if area in LIB.get(t).areas]
    assert worked, focused.notes
    assert not any("focus" in note for note in focused.notes)
    if area == "piriformis":
        # the plan without it says so, and how to keep it
        assert not any(area in LIB.get(t).areas for t in techniques_in(plain)[1:])
        hint = f"No technique works the piriformis in {minutes:g} minutes: --focus piriformis keeps it."
        assert hint in plain.notes


def test_a_focus_there_is_no_time_for_is_said_not_silently_dropped():
    plan = build(mode="partner", stage="subacute", minutes=6, focus=("piriformis",))
    assert not any("piriformis" in LIB.get(t).areas for t in techniques_in(plan))
    assert "No time for the piriformis in 6 minutes, even with --focus piriformis" in " ".join(plan.notes)
    plain = build(mode="partner", stage="subacute", minutes=6)
    hint = "No technique works the piriformis in 6 minutes: ask for a few more minutes to keep it."
    assert hint in plain.notes


def test_same_inputs_same_plan_and_seed_changes_first_side():
    a = build(mode="partner", stage="subacute", minutes=20, seed=1)
    b = build(mode="partner", stage="subacute", minutes=20, seed=1)
    assert a.to_json() == b.to_json()
    sides = {
        next(
            s.side for s in build(mode="partner", stage="subacute", minutes=20, seed=seed).segments if s.side
        )
        for seed in range(8)
    }
    assert sides == {"left", "right"}


def test_plan_json_round_trips():
    plan = build(mode="partner", stage="subacute", minutes=20)
    again = plan_from_dict(plan.to_dict())
    assert again.to_json() == plan.to_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mode=st.sampled_from(domain.MODES),
    stage=st.sampled_from(domain.STAGES),
    minutes=st.floats(min_value=3, max_value=90, allow_nan=False),
    focus=st.lists(st.sampled_from(domain.AREAS), max_size=2, unique=True),
    max_pressure=st.one_of(st.none(), st.integers(1, 5)),
    conditions=st.lists(
        st.sampled_from(
            [
                "anticoagulants",
                "osteoporosis",
                "pregnancy",
                "hip-replacement",
                "skin:buttock",
                "recent-surgery:hip",
                "skin:lower-back",
            ]
        ),
        max_size=3,
        unique=True,
    ),
    seed=st.integers(0, 1000),
)
def test_any_request_in_range_gives_a_valid_safe_plan(
    mode, stage, minutes, focus, max_pressure, conditions, seed
):
    if stage == "acute":
        minutes = min(minutes, 20)
    plan = build(
        mode=mode,
        stage=stage,
        minutes=minutes,
        focus=tuple(focus),
        max_pressure=max_pressure,
        conditions=tuple(conditions),
        seed=seed,
    )
    target = minutes * 60
    if any("not enough gentle work" in n for n in plan.notes):  # an area left out: shorter, never padded
        assert plan.total_seconds < target
    else:
        assert abs(plan.total_seconds - target) <= max(0.02 * target, 10)
    plan_from_dict(plan.to_dict())  # valid by the same checks as a plan file
    cap = domain.STAGE_PRESSURE_CAP[stage]
    if max_pressure:
        cap = min(cap, max_pressure)
    if set(conditions) & {"anticoagulants", "pregnancy"}:
        cap = min(cap, 2)
    assert all(p <= cap for p in pressures(plan))
    assert plan.segments[0].sound == "start" and plan.segments[-1].sound == "end"
    assert sum(1 for s in plan.segments if s.kind == "checkpoint") >= 2


@pytest.mark.parametrize(
    ("mode", "stage", "minutes", "timer"),
    [("partner", "subacute", 16.0, GenerousSpeech()), ("self", "subacute", 12.0, None)],
)
def test_getting_ready_and_the_cool_down_go_only_to_keep_the_lower_back_or_the_piriformis(
    mode, stage, minutes, timer
):
    """A 15-minute subacute partner session (with the natural voice's real lengths) kept the shaking
    and rocking by dropping the getting ready, the pressure scale and the cool-down: "warm a little
    oil" to a partner never told to have oil at hand. Only the lower back or the piriformis is
    worth that; these sizes did the same with the planner's own speech timers."""
    plan = planner.build(LIB, planner.Request(mode=mode, stage=stage, minutes=minutes), timer=timer)
    said = [s.text for s in plan.segments if s.kind == "speech"]
    assert any(text in planner.BEFORE[mode] for text in said)
    assert any(text.startswith("Pressure goes from one to five") for text in said)
    assert any(text.startswith("To cool down") for text in said)
    worked = {area for t in techniques_in(plan)[1:] for area in LIB.get(t).areas}
    assert {"lower-back", "piriformis"} <= worked
    if mode == "partner":
        oil = next(i for i, text in enumerate(said) if "Warm a little oil" in text)
        assert any("oil or lotion" in text for text in said[:oil])


ECHO_LEARNT_SECONDS = 15.0  # docs/recognition.md: the echo is found 2.5-3 s in, cancelled well seconds later


@pytest.mark.parametrize("mode", ["self", "partner"])
@pytest.mark.parametrize("session_number", [1, 2, 3, 6])
@pytest.mark.parametrize(("stage", "minutes"), [("acute", 3.0), ("subacute", 15.0), ("chronic", 40.0)])
def test_the_player_says_stop_only_once_its_echo_is_learnt(mode, session_number, stage, minutes):
    """Before the listener has learnt the player's echo, the player's own "stop" can pass for the
    person's: an underrun then tears what cancelling would leave (scripts/bench_torn_echo.py: 5 of 5
    sessions that said it 3 s in stopped themselves). So no plan says the word in its first seconds."""
    plan = build(mode=mode, stage=stage, minutes=minutes, session_number=session_number)
    said = [s for s in plan.segments if s.kind in ("speech", "checkpoint") and s.text]
    first = next(s.start for s in said if "stop" in s.text.lower())
    assert first - said[0].start >= ECHO_LEARNT_SECONDS
