"""The summary the journal keeps per session: `history` and the next session's start read it instead
of every past event. An older journal (no summaries) and a session killed mid-way (no end) give the
same history as before, and are summarised once, on reading, when the journal can be written."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from progress_helpers import copy_home

from voiceguide import history
from voiceguide.journal import Journal

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
OLD_COLUMNS = (
    "id, started, person, mode, stage, minutes, plan, output, status, ended, end_reason, stop_reason,"
    " seconds_played, resumed_from"
)


def from_events(path: Path) -> list[dict]:
    """The history as it was made before summaries: every session from all its events."""
    journal = Journal.read_only(path)
    try:
        return [history.summarise(row, journal.events(row.id)).to_dict() for row in journal.sessions()]
    finally:
        journal.close()


def kept(path: Path) -> list[tuple]:
    """Every stored row, old columns and events, to show nothing else changes."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute(f"SELECT {OLD_COLUMNS} FROM sessions ORDER BY id").fetchall()
        return rows + db.execute("SELECT * FROM events ORDER BY id").fetchall()
    finally:
        db.close()


def summaries(path: Path) -> list[tuple]:
    """(summary present, it covers the last event) per session."""
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT summary IS NOT NULL,"
            " summary_upto IS (SELECT max(id) FROM events e WHERE e.session_id = s.id)"
            " FROM sessions s ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def columns(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {r[1] for r in db.execute("PRAGMA table_info(sessions)")}
    finally:
        db.close()


def test_sessions_are_summarised_when_they_end(three_sessions):
    path = three_sessions / "journal.sqlite3"
    assert summaries(path) == [(1, 1)] * 3


def test_an_older_journal_without_summaries_gives_the_same_history(cli, three_sessions, voiceguide_home):
    copy_home(three_sessions, voiceguide_home)
    path = voiceguide_home / "journal.sqlite3"
    with_summaries = cli("history", "--json")
    table = cli("history").stdout
    assert json.loads(with_summaries.stdout) == from_events(path)
    # as a journal from before summaries: the columns were not there
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE sessions DROP COLUMN summary")
    db.execute("ALTER TABLE sessions DROP COLUMN summary_upto")
    db.commit()
    db.close()
    before = kept(path)
    # read-only (a read-only disk): read from the events, nothing written
    journal = Journal.read_only(path)
    assert [r.to_dict() for r in history.read(journal)] == json.loads(with_summaries.stdout)
    journal.close()
    assert "summary" not in columns(path)
    # writable: the same history; the columns are added in place and every session summarised once
    old = cli("history", "--json")
    assert old.exit_code == 0, old.stderr
    assert old.stdout == with_summaries.stdout
    assert kept(path) == before
    assert summaries(path) == [(1, 1)] * 3
    # from then on from the summaries alone, with the same table, advice and what is learnt
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Journal, "events_upto", lambda *a, **k: pytest.fail("events read again"))
        again = cli("history", "--json")
        assert again.stdout == with_summaries.stdout
        assert cli("history").stdout == table


def test_a_killed_session_is_summarised_on_reading_and_again_once_resumed(cli, voiceguide_home):
    assert cli("screen", input="no\n" * 19).exit_code == 0
    env = dict(os.environ)
    proc = subprocess.Popen(
        [SCRIPT, "play", "--output", "null", "--json", "--mode", "partner", "--stage", "subacute"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )
    answered = []
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] == "answer":
                answered.append(event["text"])
                if len(answered) == 3:  # ready, the opening pain, and the side
                    break
            if event["event"] == "segment" and event["kind"] == "checkpoint":
                reply = {"ready": "ready", "pain": "5", "side": "left"}.get(event["question"], "more")
                proc.stdin.write(reply + "\n")
                proc.stdin.flush()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    path = voiceguide_home / "journal.sqlite3"
    assert summaries(path) == [(0, 0)]  # no end: nothing summarised it
    killed = cli("history", "--json")
    assert killed.exit_code == 0, killed.stderr
    (record,) = json.loads(killed.stdout)
    assert record == from_events(path)[0]
    assert record["ended"] == "interrupted" and record["answers"] >= 2 and record["pain_before"] == 5
    assert summaries(path) == [(1, 1)]  # kept, once
    # resumed: the events after the kept summary make it out of date; the end writes a new one
    assert cli("play", "--resume", "--output", "null", input="good\n" * 40).exit_code == 0
    assert summaries(path) == [(1, 1)]
    (after,) = json.loads(cli("history", "--json").stdout)
    assert after == from_events(path)[0]
    assert after["ended"] == "finished" and after["resumed"] == 1 and after["answers"] > record["answers"]
