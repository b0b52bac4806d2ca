"""`voiceguide history`: one row per real session, JSON (golden), CSV, the chart, and the pure rules
behind it (what is learnt, trend advice, streaks)."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from progress_helpers import copy_home

from voiceguide import history

GOLDEN = Path(__file__).parent / "golden" / "history_three_sessions.json"


@pytest.fixture
def played(three_sessions, voiceguide_home) -> Path:
    return copy_home(three_sessions, voiceguide_home)


def normalised(records: list[dict]) -> list[dict]:
    """Times vary from run to run: the start becomes a placeholder, seconds become whole minutes."""
    out = []
    for r in records:
        datetime.fromisoformat(r["started"])  # a real ISO time
        out.append(
            {
                k: "<started>" if k == "started" else round(v / 60) if k == "seconds_played" else v
                for k, v in r.items()
            }
        )
    return out


def test_history_json_matches_golden(cli, played):
    result = cli("history", "--json")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    got = normalised(records)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))
    # the fields the issue names, with what these sessions did
    first, second, third = records
    assert (first["pain_before"], first["pain_after"]) == (5, 3)
    assert first["chosen_pressure"] == {"P02": 2, "P04": 3, "P05": 3, "P07": 1}  # P05: the subacute cap
    assert second["highest_pressure"]["piriformis"] == 3  # started where the person settled
    assert third["ended"] == "stopped" and third["stop_reason"] == "stop word"
    assert third["stopped_areas"] == ["piriformis"] and "P05" not in third["chosen_pressure"]
    assert third["seconds_played"] < first["seconds_played"]
    assert [r["answers"] for r in records] == [18, 11, 10]  # ready and the worse side are answers too


def test_history_table_tells_how_it_goes(cli, played):
    result = cli("history")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["date", "mode", "stage"]
    assert "5→3" in lines[1] and "finished" in lines[1]
    assert "4→2" in lines[2]
    assert lines[3].endswith("stopped: stop word")
    assert "Pain at the start of a session: 5 at first, 4 lately" in out
    assert "Next session starts at: P02 pressure 2, P04 pressure 3" in out
    assert "leaves out the piriformis" in out and "--include piriformis" in out


def test_since_keeps_later_sessions(cli, played):
    two_days_ago = (date.today() - timedelta(days=2)).isoformat()
    records = json.loads(cli("history", "--json", "--since", two_days_ago).stdout)
    assert len(records) == 1 and records[0]["ended"] == "stopped"
    assert cli("history", "--since", "last tuesday").exit_code == 2


def test_csv_has_one_row_per_session(cli, played, tmp_path):
    out = tmp_path / "history.csv"
    result = cli("history", "--csv", str(out))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["ended"] for r in rows] == ["finished", "finished", "stopped"]
    assert rows[0]["chosen_pressure"] == "P02=2; P04=3; P05=3; P07=1"
    assert rows[2]["stop_reason"] == "stop word" and rows[2]["pain_after"] == "3"


def test_plot_is_a_picture_with_something_on_it(cli, played, tmp_path):
    import numpy as np
    from PIL import Image

    out = tmp_path / "history.png"
    result = cli("history", "--plot", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as image:
        assert image.size == (1000, 750)
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    not_white = np.any(pixels != 255, axis=1).mean()
    assert 0.03 < not_white < 0.6  # ink on a white page, not blank and not a solid block
    colours = {tuple(int(c) for c in p) for p in np.unique(pixels, axis=0)}
    assert (0xC6, 0x28, 0x28) in colours  # the red mark of the session stopped for safety
    assert (0x5B, 0x8C, 0xC0) in colours  # the bars of minutes per week


def test_no_sessions_yet(cli):
    assert cli("history").stdout.startswith("No sessions yet")
    assert json.loads(cli("history", "--json").stdout) == []
    result = cli("history", "--plot", "x.png")
    assert result.exit_code == 3 and "no sessions to plot" in result.stderr


# --- the pure rules -----------------------------------------------------------------------------


def rec(
    days_ago: int,
    before: int | None,
    after: int | None = None,
    ended: str = "finished",
    stage: str = "subacute",
    today: date = date(2026, 3, 20),  # a Friday
    **extra,
) -> history.SessionRecord:
    local = datetime.combine(today - timedelta(days=days_ago), time(12, 0)).astimezone()
    return history.SessionRecord(
        id=0,
        started=local.astimezone(UTC).isoformat(),
        mode="self",
        stage=stage,
        minutes_planned=15,
        seconds_played=900.0 if ended != "interrupted" else 60.0,
        ended=ended,
        stop_reason="stop word" if ended == "stopped" else None,
        resumed=0,
        pain_before=before,
        pain_after=after,
        answers=4,
        **extra,
    )


TODAY = date(2026, 3, 20)


def test_learn_latest_choice_wins_and_a_stop_forgets_it():
    records = [
        rec(9, 4, chosen_pressure={"S01": 3, "S04": 2}),
        rec(6, 4, chosen_pressure={"S01": 2}),
        rec(3, 4, ended="stopped", stopped_techniques=["S04"], stopped_areas=["lower-back"]),
        rec(1, 4, chosen_pressure={"S02": 3}),
    ]
    learnt = history.learn(records)
    assert learnt.pressures == {"S01": 2, "S02": 3}
    assert learnt.avoid == {}  # only the last session's stops leave an area out
    learnt = history.learn(records[:3])
    assert learnt.avoid == {"lower-back": "stop word"}
    assert learnt.without(["lower-back"]).avoid == {}


def test_two_stops_in_a_row_advise_a_clinician():
    advice = history.advise(
        [rec(5, 3), rec(3, 3, ended="stopped"), rec(1, 3, ended="stopped")], TODAY, "subacute"
    )
    assert [a.kind for a in advice] == ["clinician"]
    assert "two sessions" in advice[0].said and "clinician" in advice[0].said
    # an interrupted session in between does not break "in a row" (it is not a finished session)
    advice = history.advise(
        [rec(5, 3, ended="stopped"), rec(4, None, ended="interrupted"), rec(3, 3, ended="stopped")],
        TODAY,
        "acute",
    )
    assert [a.kind for a in advice] == ["clinician"]


def test_pain_no_better_over_two_weeks_advises_a_clinician():
    flat = [rec(13, 5), rec(10, 6), rec(6, 5), rec(3, 5), rec(0, 5)]
    advice = history.advise(flat, TODAY, "subacute")
    assert [a.kind for a in advice] == ["clinician"] and "not got better" in advice[0].said
    worse = [rec(12, 4), rec(9, 4), rec(5, 5), rec(1, 6)]
    assert "got worse" in history.advise(worse, TODAY, "subacute")[0].said
    easing = [rec(13, 6), rec(10, 6), rec(6, 4), rec(3, 4), rec(0, 3)]
    assert history.advise(easing, TODAY, "subacute") == []
    # too few, or too close together, to call it two weeks of regular sessions
    assert history.advise(flat[-3:], TODAY, "subacute") == []
    assert history.advise([rec(6, 5), rec(5, 5), rec(4, 5), rec(3, 5)], TODAY, "subacute") == []
    # steady but low is not a reason to see anyone
    assert all(
        a.kind != "clinician" for a in history.advise([rec(d, 2, 1) for d in (13, 9, 5, 1)], TODAY, "acute")
    )


def test_steady_low_pain_suggests_the_next_stage_and_never_chooses_it():
    low = [rec(6, 2, 1, stage="acute"), rec(4, 1, 1, stage="acute"), rec(2, 2, 0, stage="acute")]
    advice = history.advise(low, TODAY, "acute")
    assert [a.kind for a in advice] == ["next-stage"]
    assert "subacute" in advice[0].said and "only changes if you choose" in advice[0].said
    assert "--stage subacute" in advice[0].printed
    assert history.advise(low, TODAY, "chronic") == []  # no stage after chronic
    assert history.advise(low[:2], TODAY, "acute") == []  # not yet "several"
    stopped = low[:2] + [rec(2, 1, 1, stage="acute", ended="stopped")]
    assert all(a.kind != "next-stage" for a in history.advise(stopped, TODAY, "acute"))


def test_streak_counts_planned_days_kept():
    # Friday 20 March; planned Mon, Wed, Fri
    planned = ("mon", "wed", "fri")
    kept = [rec(11, 3), rec(9, 3), rec(7, 3), rec(4, 3), rec(2, 3)]  # Mon 9 .. Wed 18; Fri 13 kept too
    r = history.regularity(kept, TODAY, planned)
    assert r.streak == 5  # today (Fri) is not over yet: it does not break the streak
    assert r.this_week == 2  # Mon 16 and Wed 18
    r = history.regularity(kept + [rec(0, 2)], TODAY, planned)
    assert (r.streak, r.this_week) == (6, 3)
    missed_wed = [rec(11, 3), rec(9, 3), rec(7, 3), rec(4, 3)]
    assert history.regularity(missed_wed, TODAY, planned).streak == 0
    # a short interrupted session does not keep the day
    assert history.regularity([rec(2, 3, ended="interrupted")], TODAY, planned).streak == 0
    # with no plan, every day counts
    assert history.regularity([rec(2, 3), rec(1, 3)], TODAY).streak == 2
    assert history.regularity([], TODAY).streak == 0


def test_minutes_per_week_include_empty_weeks():
    weeks = history.minutes_per_week([rec(20, 3), rec(4, 3), rec(0, 3)])
    # Sat 28 Feb; then Mon 16 and Fri 20 March: two empty weeks between
    assert [m for _, m in weeks] == [15.0, 0.0, 0.0, 30.0]
    assert all(w.weekday() == 0 for w, _ in weeks)


def test_an_interrupted_then_resumed_session(cli, voiceguide_home):
    import sqlite3

    assert cli("screen", input="no\n" * 19).exit_code == 0
    assert (
        cli(
            "play",
            "--mode",
            "partner",
            "--stage",
            "subacute",
            "--minutes",
            "20",
            "--output",
            "null",
            input="ready\n5\nleft\nmore\ngood\n",
        ).exit_code
        == 0
    )
    # cut it after its third block, as a kill would
    db = sqlite3.connect(voiceguide_home / "journal.sqlite3")
    cut = db.execute("SELECT id FROM events WHERE event = 'block' ORDER BY id").fetchall()[2][0]
    db.execute("DELETE FROM events WHERE id > ?", (cut,))
    db.execute("UPDATE sessions SET status = 'interrupted', end_reason = 'interrupted'")
    db.commit()
    db.close()
    (before,) = json.loads(cli("history", "--json").stdout)
    assert before["ended"] == "interrupted" and before["resumed"] == 0
    assert 0 < before["seconds_played"] < 300
    assert cli("play", "--resume", "--output", "null", input="good\n" * 10).exit_code == 0
    (after,) = json.loads(cli("history", "--json").stdout)
    assert after["ended"] == "finished" and after["resumed"] == 1
    assert after["seconds_played"] > 15 * 60  # both runs count
    assert after["pain_before"] == 5
    assert "finished (resumed)" in cli("history").stdout
