"""The safety screen driven through stdin, the saved profile, and what `plan` makes of it."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from voiceguide import domain, safety
from voiceguide import library as lib
from voiceguide import profile as prof

QUESTION_IDS = [q.id for q in safety.QUESTIONS]
GROUP_A = [q.id for q in safety.QUESTIONS if q.group == "A"]
GROUP_B = [q.id for q in safety.QUESTIONS if q.group == "B"]
GROUP_C = [q.id for q in safety.QUESTIONS if q.group == "C"]
ALL_NO = "no\n" * len(QUESTION_IDS)


def answers(yes=(), clearance: str | None = None, areas: dict[str, str] | None = None) -> str:
    """Lines of stdin in question order: 'yes' for ids in `yes`, else 'no'.

    `clearance` is the answer to the clinician question that follows group B;
    `areas` maps skin/recent-surgery to the optional line naming areas.
    """
    areas = areas or {}
    lines = []
    for i, qid in enumerate(QUESTION_IDS):
        if i == len(GROUP_A) + len(GROUP_B) and clearance is not None:
            lines.append(clearance)
        lines.append("yes" if qid in yes else "no")
        if qid in yes and qid in areas:
            lines.append(areas[qid])
    return "\n".join(lines) + "\n"


def screen_json(cli, input: str, *args: str):
    result = cli("screen", "--json", *args, input=input)
    data = json.loads(result.stdout)
    return result, data


def plan_json(cli, *args: str) -> dict:
    result = cli("plan", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def profile_file(home):
    return home / "profile.toml"


def test_question_order_is_5_a_then_7_b_then_7_c():
    assert len(GROUP_A) == 5 and len(GROUP_B) == 7 and len(GROUP_C) == 7
    assert QUESTION_IDS == GROUP_A + GROUP_B + GROUP_C
    assert list(domain.RED_FLAGS_EMERGENCY) == GROUP_A
    assert list(domain.RED_FLAGS_CLINICIAN) == GROUP_B
    assert list(domain.CONDITIONS) == GROUP_C


# --- outcomes -------------------------------------------------------------------------------


def test_saddle_numbness_is_an_emergency(cli, voiceguide_home):
    result = cli("screen", input="yes\n")
    assert result.exit_code == 7
    assert "urgent medical help" in result.stdout
    assert "Do not start a massage session" in result.stdout
    assert "No session today." in result.stderr
    assert "Traceback" not in result.output
    saved = prof.load()
    assert saved.outcome == "emergency"
    assert not saved.may_play


@pytest.mark.parametrize("flag", GROUP_A)
def test_any_group_a_yes_is_an_emergency_and_stops_asking(cli, flag):
    position = GROUP_A.index(flag)
    # only the answers up to the yes are needed: the screen stops there
    lines = "no\n" * position + "yes\n"
    result, data = screen_json(cli, lines)
    assert result.exit_code == 7
    assert data["outcome"] == "emergency"
    assert data["may_play"] is False
    assert data["emergency_flags"] == [flag]
    assert "urgent" in data["message"]
    assert "urgent medical help" in result.stderr  # with --json the reason goes to stderr


def test_all_no_is_clear_and_saves_a_private_profile(cli, voiceguide_home):
    result = cli("screen", input=ALL_NO)
    assert result.exit_code == 0, result.stderr
    assert "Nothing in your answers rules out a gentle session" in result.stdout
    path = profile_file(voiceguide_home)
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(voiceguide_home).st_mode) == 0o700
    saved = prof.load()
    assert saved.outcome == "clear"
    assert saved.may_play
    assert saved.conditions == []
    assert saved.is_current()
    assert saved.answers == dict.fromkeys(QUESTION_IDS, False)
    assert not list(voiceguide_home.glob("*.tmp"))


def test_screen_json_fields(cli):
    result, data = screen_json(cli, ALL_NO)
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1  # one JSON document, nothing else on stdout
    assert data["outcome"] == "clear"
    assert data["conditions"] == []
    assert data["may_play"] is True
    assert data["emergency_flags"] == [] and data["clinician_flags"] == []
    assert data["cleared_by_clinician"] is False
    assert datetime.fromisoformat(data["screened"]).tzinfo is not None


def test_group_b_yes_without_clearance_means_see_a_clinician(cli, voiceguide_home):
    # 5 x no, fever yes, 6 x no, then the clearance question: no
    lines = answers(yes={"fever"}, clearance="no")
    assert lines.splitlines()[5] == "yes" and lines.splitlines()[12] == "no"
    result = cli("screen", input=lines)
    assert result.exit_code == 7
    assert "see a clinician" in result.stdout
    saved = prof.load()
    assert saved.outcome == "see-clinician"
    assert saved.cleared is False
    assert not saved.may_play
    # group C was not asked after the refusal
    assert set(saved.answers) == set(GROUP_A + GROUP_B)


def test_group_b_yes_without_clearance_json(cli):
    result, data = screen_json(cli, answers(yes={"fever"}, clearance="no"))
    assert result.exit_code == 7
    assert data["outcome"] == "see-clinician"
    assert data["clinician_flags"] == ["fever"]
    assert data["may_play"] is False


def test_group_b_yes_with_clearance_then_group_c(cli, voiceguide_home):
    lines = answers(yes={"fever"}, clearance="yes")
    assert len(lines.splitlines()) == len(QUESTION_IDS) + 1
    result, data = screen_json(cli, lines)
    assert result.exit_code == 0, result.stderr
    assert data["outcome"] == "clear"
    assert data["cleared_by_clinician"] is True
    assert data["may_play"] is True
    saved = prof.load()
    assert saved.cleared is True
    assert set(saved.answers) == set(QUESTION_IDS)


def test_clearance_is_asked_only_after_a_group_b_yes(cli):
    # no B yes: line 14 answers the anticoagulants question, no clearance line in between
    lines = answers(yes={"anticoagulants"})
    assert len(lines.splitlines()) == len(QUESTION_IDS)
    result, data = screen_json(cli, lines)
    assert result.exit_code == 0, result.stderr
    assert data["conditions"] == ["anticoagulants"]
    assert data["cleared_by_clinician"] is False
    # a B yes: line 13 is the clearance, so the same condition needs one line more
    lines = answers(yes={"cancer", "anticoagulants"}, clearance="yes")
    result, data = screen_json(cli, lines)
    assert result.exit_code == 0, result.stderr
    assert data["conditions"] == ["anticoagulants"]
    assert data["cleared_by_clinician"] is True


def test_missing_clearance_answer_is_too_few_answers(cli, voiceguide_home):
    lines = answers(yes={"fever"}).splitlines()[: len(GROUP_A) + len(GROUP_B)]
    result = cli("screen", input="\n".join(lines) + "\n")
    assert result.exit_code == 3
    assert not profile_file(voiceguide_home).exists()


@pytest.mark.parametrize("stage", ["subacute", "chronic"])
@pytest.mark.parametrize("mode", domain.MODES)
def test_anticoagulants_adjust_and_cap_pressure_at_2(cli, voiceguide_home, mode, stage):
    before = plan_json(cli, "--mode", mode, "--stage", stage)
    assert before["max_pressure"] == 4  # without the condition deeper work is allowed

    result, data = screen_json(cli, answers(yes={"anticoagulants"}))
    assert result.exit_code == 0, result.stderr
    assert data["outcome"] == "adjust"
    assert data["may_play"] is True
    assert "anticoagulants" in data["conditions"]
    assert "anticoagulants" in data["message"]

    plan = plan_json(cli, "--mode", mode, "--stage", stage)
    assert "anticoagulants" in plan["conditions"]
    assert plan["max_pressure"] <= 2
    pressures = [s["pressure"] for s in plan["segments"] if s.get("pressure") is not None]
    assert pressures, "the plan should contain pressure work"
    assert max(pressures) <= 2


@pytest.mark.parametrize("mode", domain.MODES)
def test_skin_on_the_buttock_leaves_the_buttock_out(cli, mode):
    techniques = lib.load().techniques

    def buttock_holds(plan):
        return [
            s
            for s in plan["segments"]
            if s["kind"] == "hold"
            and (
                s["area"] == "buttock"
                or (
                    s.get("technique") is not None  # a hold for changing position works nothing
                    and techniques[s["technique"]].kind != "assessment"
                    and "buttock" in techniques[s["technique"]].areas
                )
            )
        ]

    before = plan_json(cli, "--mode", mode, "--stage", "chronic", "--minutes", "30")
    assert buttock_holds(before), "without the condition the buttock is worked"

    result, data = screen_json(cli, answers(yes={"skin"}, areas={"skin": "buttock"}))
    assert result.exit_code == 0, result.stderr
    assert data["outcome"] == "adjust"
    assert data["conditions"] == ["skin:buttock"]

    plan = plan_json(cli, "--mode", mode, "--stage", "chronic", "--minutes", "30")
    assert "skin:buttock" in plan["conditions"]
    assert buttock_holds(plan) == []
    for segment in plan["segments"]:
        if segment["kind"] == "hold" and segment.get("technique"):
            assert techniques[segment["technique"]].areas[0] != "buttock"
    spoken = " ".join(s.get("text") or "" for s in plan["segments"])
    assert "Leave out the buttock today" in spoken


def test_skin_area_line_is_optional(cli):
    result, data = screen_json(cli, answers(yes={"skin"}))
    assert result.exit_code == 0
    assert data["conditions"] == ["skin"]


def test_area_line_may_name_several_areas(cli):
    lines = answers(
        yes={"skin", "recent-surgery"}, areas={"skin": "buttock, hip", "recent-surgery": "lower back"}
    )
    result, data = screen_json(cli, lines)
    assert result.exit_code == 0, result.stderr
    assert data["conditions"] == ["skin:buttock", "skin:hip", "recent-surgery:lower-back"]


def test_dvt_stops_the_screen_and_plan(cli, voiceguide_home):
    result = cli("screen", input=answers(yes={"dvt"}))
    assert result.exit_code == 7
    assert "blood clot" in result.stdout
    saved = prof.load()
    assert saved.outcome == "see-clinician"
    assert "dvt" in saved.conditions

    planned = cli("plan", "--json")
    assert planned.exit_code == 7
    assert planned.stdout == ""
    assert "DVT" in planned.stderr
    assert "Traceback" not in planned.stderr


def test_dvt_json(cli):
    result, data = screen_json(cli, answers(yes={"dvt"}))
    assert result.exit_code == 7
    assert data["outcome"] == "see-clinician"
    assert data["conditions"] == ["dvt"]
    assert data["may_play"] is False


# --- bad or odd input ----------------------------------------------------------------------


def test_invalid_answer_exits_3_and_saves_nothing(cli, voiceguide_home):
    result = cli("screen", input="no\nno\nmaybe\n" + "no\n" * 16)
    assert result.exit_code == 3
    assert "Answer 3 of the screen is 'maybe'" in result.stderr
    assert "yes or no" in result.stderr
    assert "Traceback" not in result.output
    assert not profile_file(voiceguide_home).exists()


@pytest.mark.parametrize("lines", ["", "no\n" * 3, "no\n" * 18])
def test_too_few_answers_exit_3_and_save_nothing(cli, voiceguide_home, lines):
    result = cli("screen", input=lines)
    assert result.exit_code == 3
    assert "needs an answer to every question" in result.stderr
    assert "Nothing was saved" in result.stderr
    assert not profile_file(voiceguide_home).exists()


def test_leftover_lines_are_ignored(cli):
    result, data = screen_json(cli, ALL_NO + "yes\nmaybe\nwhatever\n")
    assert result.exit_code == 0, result.stderr
    assert data["outcome"] == "clear"


def test_answer_spellings_and_blank_lines(cli):
    words = ["No", "n", "NO.", "nope", "false", "0", "no!"]
    lines = [words[i % len(words)] for i in range(len(QUESTION_IDS))]
    lines[13] = "Yes"  # anticoagulants
    result, data = screen_json(cli, "\n\n".join(lines) + "\n")
    assert result.exit_code == 0, result.stderr
    assert data["conditions"] == ["anticoagulants"]


def test_screen_keeps_the_stage_of_the_previous_profile(cli):
    assert cli("screen", "--stage", "chronic", input=ALL_NO).exit_code == 0
    assert prof.load().stage == "chronic"
    assert cli("screen", input=ALL_NO).exit_code == 0
    assert prof.load().stage == "chronic"
    assert plan_json(cli)["stage"] == "chronic"


# --- the saved profile ------------------------------------------------------------------------


def write_profile(home, screened: datetime | str, **extra: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    when = screened.isoformat() if isinstance(screened, datetime) else screened
    lines = [f'screened = "{when}"', 'outcome = "clear"', "conditions = []"]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    profile_file(home).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_profile_older_than_90_days_is_not_current(cli, voiceguide_home):
    write_profile(voiceguide_home, datetime.now(UTC) - timedelta(days=91))
    assert prof.load().is_current() is False
    result = cli("plan", "--json")
    assert result.exit_code == 0
    assert "Reminder: run 'voiceguide screen'" in result.stderr
    json.loads(result.stdout)


def test_profile_age_limit():
    screened = datetime(2024, 1, 1, tzinfo=UTC)
    profile = prof.Profile(screened=screened, outcome="clear")
    assert profile.is_current(now=screened + timedelta(days=89))
    assert profile.is_current(now=screened + timedelta(days=90))
    assert not profile.is_current(now=screened + timedelta(days=91))
    assert not prof.Profile().is_current()


def test_old_profile_without_time_zone(voiceguide_home):
    write_profile(voiceguide_home, "2020-01-01")
    loaded = prof.load()
    assert loaded.screened == datetime(2020, 1, 1, tzinfo=UTC)
    assert loaded.is_current() is False


def test_fresh_profile_needs_no_reminder(cli):
    assert cli("screen", input=ALL_NO).exit_code == 0
    result = cli("plan", "--json")
    assert result.exit_code == 0
    assert "Reminder" not in result.stderr


def test_plan_without_profile_reminds(cli):
    result = cli("plan", "--json")
    assert result.exit_code == 0
    assert "Reminder: run 'voiceguide screen'" in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        b"screened = [\n",
        b"\xff\xfe\x00garbage",
        b'screened = "not a date"\n',
        b'outcome = "maybe"\n',
        b'conditions = ["flu"]\n',
    ],
)
def test_corrupt_profile_makes_plan_exit_3(cli, voiceguide_home, content):
    voiceguide_home.mkdir()
    profile_file(voiceguide_home).write_bytes(content)
    result = cli("plan")
    assert result.exit_code == 3
    assert str(profile_file(voiceguide_home)) in result.stderr
    assert "voiceguide screen" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_screen_replaces_a_corrupt_profile(cli, voiceguide_home):
    voiceguide_home.mkdir()
    profile_file(voiceguide_home).write_text("screened = [\n", encoding="utf-8")
    result = cli("screen", input=ALL_NO)
    assert result.exit_code == 0, result.stderr
    assert prof.load().outcome == "clear"


# --- the real console script ------------------------------------------------------------------


def test_end_to_end_screen(run_voiceguide, voiceguide_home):
    emergency = run_voiceguide("screen", input="yes\n")
    assert emergency.returncode == 7
    assert "urgent medical help" in emergency.stdout
    assert "Traceback" not in emergency.stderr

    invalid = run_voiceguide("screen", input="maybe\n")
    assert invalid.returncode == 3
    assert "'maybe'" in invalid.stderr
    assert "Traceback" not in invalid.stderr

    no_input = run_voiceguide("screen")  # stdin is /dev/null: no answers at all
    assert no_input.returncode == 3
    assert "Traceback" not in no_input.stderr

    clear = run_voiceguide("screen", "--json", input=ALL_NO)
    assert clear.returncode == 0, clear.stderr
    assert json.loads(clear.stdout)["outcome"] == "clear"
    assert stat.S_IMODE(os.stat(profile_file(voiceguide_home)).st_mode) == 0o600

    dvt = run_voiceguide("screen", input=answers(yes={"dvt"}))
    assert dvt.returncode == 7
    planned = run_voiceguide("plan", "--json")
    assert planned.returncode == 7
    assert planned.stdout == ""
    assert "Traceback" not in planned.stderr


def test_end_to_end_corrupt_profile(run_voiceguide, voiceguide_home):
    voiceguide_home.mkdir()
    profile_file(voiceguide_home).write_text("screened = [\n", encoding="utf-8")
    result = run_voiceguide("plan")
    assert result.returncode == 3
    assert str(profile_file(voiceguide_home)) in result.stderr
    assert "Traceback" not in result.stderr
