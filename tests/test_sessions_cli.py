"""Things people expect from a guided-session app (issue 14): named sessions, a pain rating on a
day without a session, the one-page card, and recordings that ask nothing."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from voiceguide import domain, export, library, planner
from voiceguide.app import App, PlanOptions
from voiceguide.cli_sessions import NAMED, apply_named

SCREEN = "no\n" * 19
LIB = library.load()


def test_sessions_lists_every_named_session(cli):
    result = cli("sessions")
    assert result.exit_code == 0, result.stderr
    for name in NAMED:
        assert name in result.stdout
    assert "voiceguide play NAME" in result.stdout


def test_a_named_session_sets_mode_and_minutes_and_typed_options_win():
    base = PlanOptions()
    quick = apply_named("quick-relief", base, set())
    assert (quick.mode, quick.minutes, quick.stage) == ("self", 5, None)
    evening = apply_named("evening-partner", PlanOptions(minutes=30), {"minutes"})
    assert (evening.mode, evening.minutes) == ("partner", 30)
    assert apply_named("bad-day", base, set()).stage == "acute"


def test_playing_a_named_session(cli):
    assert cli("screen", input=SCREEN).exit_code == 0
    result = cli("play", "quick-relief", "--output", "null", "--json", input="ready\n3\n")
    assert result.exit_code == 0, result.stderr
    said = [json.loads(line).get("text") or "" for line in result.stdout.splitlines()]
    assert any("5 minute session of gentle self-massage" in t for t in said)
    records = json.loads(cli("history", "--json").stdout)
    assert records[-1]["minutes_planned"] == 5 and records[-1]["mode"] == "self"


def test_an_unknown_named_session_says_which_exist(cli):
    assert cli("screen", input=SCREEN).exit_code == 0
    result = cli("play", "nap-time", "--output", "null")
    assert result.exit_code == 2
    assert "quick-relief" in result.stderr


def test_a_pain_rating_between_sessions_is_kept_and_shown(cli, tmp_path):
    assert cli("pain", "6").exit_code == 0
    assert "Pain ratings between sessions:" in cli("history").stdout
    assert cli("pain", "11").exit_code == 2  # 0 to 10 only
    assert cli("screen", input=SCREEN).exit_code == 0
    assert cli("play", "quick-relief", "--output", "null", input="ready\n4\n").exit_code == 0
    assert cli("pain", "3").exit_code == 0
    out = cli("history").stdout
    assert "6/10" in out and "3/10" in out
    ratings = App(notify=[].append).pain_ratings()
    assert [r.pain for r in ratings] == [6, 3]
    chart = tmp_path / "chart.png"
    assert cli("history", "--plot", str(chart)).exit_code == 0 and chart.stat().st_size > 1000
    # the session's journal JSON is unchanged by ratings
    assert len(json.loads(cli("history", "--json").stdout)) == 1


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def test_the_card_holds_pressure_stop_signs_answers_and_outline_on_one_page():
    plan = planner.build(LIB, planner.Request(mode="partner", stage="subacute", minutes=20))
    page = export.card_html(plan, LIB)
    assert "@page { size: A4" in page
    parser = _Text()
    parser.feed(page)
    text = " ".join(" ".join(parser.parts).split())
    for level in range(1, plan.max_pressure + 1):
        assert domain.PRESSURE_FELT[level] in text
    assert 'The stop word: "stop"' in text and "new or stronger than usual" in text
    for say, key in (('"left" or "right"', "l or r"), ('"ready"', "Enter"), ('"stop"', "s (always works)")):
        assert say in text and key in text
    for tid in ("P01", "P02", "P04", "P05"):
        assert LIB.techniques[tid].name in text
    assert "lying on the belly" in text and "Cool-down" in text
    assert len(page) < 12_000  # one page: no timetable, no step lists


@pytest.mark.parametrize("mode", ["self", "partner"])
def test_the_card_and_script_beside_a_recording_say_to_pause_it_not_to_say_stop(mode):
    plan = planner.build(LIB, planner.Request(mode=mode, stage="subacute", minutes=20, recording=True))
    parser = _Text()
    parser.feed(export.card_html(plan, LIB, recording=True))
    card = " ".join(" ".join(parser.parts).split())
    assert "this recording cannot hear you" in card and "pause the recording" in card
    assert "Answers, by voice or key" not in card and "s (always works)" not in card
    assert "shooting, electric or burning pain" in card  # the stop signs are still there
    script = " ".join(export.script_markdown(plan, LIB, recording=True).split())
    assert "cannot hear" in script and "Pause it whenever you need more time" in script
    assert "The stop word" not in script and "waiting for answers" not in script
    played = planner.build(LIB, planner.Request(mode=mode, stage="subacute", minutes=20))
    live = " ".join(export.script_markdown(played, LIB).split())
    assert "The stop word" in live and "cannot hear" not in live


def test_rendering_a_plan_made_for_play_says_a_recording_cannot_hear_its_questions(cli, tmp_path):
    plan_file, out = tmp_path / "p.json", tmp_path / "s.wav"
    assert cli("plan", "--minutes", "3", "-o", str(plan_file)).exit_code == 0
    result = cli("render", "--plan", str(plan_file), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "planned for play" in result.stderr and "cannot hear" in result.stderr
    quiet = cli("render", "--minutes", "3", "-o", str(tmp_path / "r.wav"))
    assert quiet.exit_code == 0 and "planned for play" not in quiet.stderr


def test_a_plan_made_for_a_recording_is_rendered_as_one(cli, tmp_path):
    """A recording's plan file (to read or edit before rendering) says what to do at each question."""
    plan_file = tmp_path / "r.json"
    assert cli("plan", "--minutes", "10", "--recording", "-o", str(plan_file)).exit_code == 0
    plan = json.loads(plan_file.read_text())
    said = " ".join(s.get("text") or "" for s in plan["segments"])
    assert not [s for s in plan["segments"] if s["kind"] == "checkpoint"]
    assert "voiceguide screen" in said and "This recording cannot hear you" in said
    assert "ease off by half" in said and "Say more, less" not in said
    result = cli("render", "--plan", str(plan_file), "-o", str(tmp_path / "r.wav"))
    assert result.exit_code == 0 and "planned for play" not in result.stderr
    played = json.loads(cli("plan", "--minutes", "10", "--json").stdout)
    assert [s for s in played["segments"] if s["kind"] == "checkpoint"]  # without it, as before


def test_a_recording_without_a_screen_opens_with_the_red_flags(voiceguide_home):
    app = App(notify=[].append)
    request = app.request(PlanOptions(mode="partner", minutes=10), recording=True)
    assert request.recording and request.red_flags_first
    plan = planner.build(LIB, request)
    assert "voiceguide screen" in plan.segments[1].text
    assert not [s for s in plan.segments if s.kind == "checkpoint"]


def test_the_session_number_comes_from_the_journal(cli):
    app = App(notify=[].append)
    assert app.request(PlanOptions()).session_number == 1
    assert cli("screen", input=SCREEN).exit_code == 0
    assert cli("play", "quick-relief", "--output", "null", input="ready\n3\n").exit_code == 0
    assert App(notify=[].append).request(PlanOptions()).session_number == 2


def test_plan_and_render_take_the_mode_of_the_screen_like_play(cli):
    assert cli("screen", "--mode", "partner", "--stage", "subacute", input=SCREEN).exit_code == 0
    plan = json.loads(cli("plan", "--minutes", "10", "--json").stdout)
    assert (plan["mode"], plan["stage"]) == ("partner", "subacute")
    typed = json.loads(cli("plan", "--mode", "self", "--minutes", "10", "--json").stdout)
    assert typed["mode"] == "self"  # typed options still win
    request = App(notify=[].append).request(PlanOptions(minutes=10), recording=True)
    assert request.mode == "partner" and not request.red_flags_first  # screened: no red-flag opening
