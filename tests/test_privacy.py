"""Several people in one home keep separate data; `forget` deletes one person's for good; owner-only files."""

from __future__ import annotations

import json
import stat

import numpy as np
from test_hear_cli import write_wav

SCREEN = "no\n" * 19
SHORT = ("--stage", "acute", "--minutes", "3", "--output", "null")


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def two_people(cli) -> None:
    for person, answers in (("alice", "ready\n4\nleft\ngood\n2\n"), ("bob", "ready\n6\n")):
        assert cli("screen", "--person", person, input=SCREEN).exit_code == 0
        result = cli("play", *SHORT, "--person", person, input=answers)
        assert result.exit_code == 0, result.stderr


def test_each_person_has_their_own_history(cli, voiceguide_home):
    two_people(cli)
    alice = json.loads(cli("history", "--person", "alice", "--json").stdout)
    bob = json.loads(cli("history", "--person", "bob", "--json").stdout)
    assert [r["pain_before"] for r in alice] == [4] and [r["pain_before"] for r in bob] == [6]
    who = cli("history")
    assert who.exit_code == 2 and "alice, bob" in who.stderr and "--person" in who.stderr
    assert not (voiceguide_home / "journal.sqlite3").exists()  # nothing at the top for the default person
    # the person is written into the journal row too
    import sqlite3

    db = sqlite3.connect(voiceguide_home / "people" / "alice" / "journal.sqlite3")
    assert db.execute("SELECT person FROM sessions").fetchall() == [("alice",)]
    db.close()


def test_hear_takes_a_person(cli, tmp_path):
    path = tmp_path / "silence.wav"
    write_wav(path, np.zeros(8000))
    result = cli("hear", str(path), "--person", "alice", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "unknown"
    assert cli("hear", str(path), "--person", "../etc").exit_code == 2


def test_forget_asks_for_yes_then_deletes_only_that_person(cli, voiceguide_home, tmp_path):
    two_people(cli)
    cli("routine", "save", "evening", "--person", "bob")
    cli("schedule", "--days", "mon", "--at", "19:00", "--person", "bob", "-o", str(tmp_path / "bob.ics"))
    bob = voiceguide_home / "people" / "bob"
    refused = cli("forget", "--person", "bob")
    assert refused.exit_code == 2
    assert str(bob) in refused.stderr and "--yes" in refused.stderr and "Nothing deleted" in refused.stderr
    assert (bob / "journal.sqlite3").exists()
    done = cli("forget", "--person", "bob", "--yes")
    assert done.exit_code == 0 and "gone for good" in done.stdout
    assert not bob.exists()
    assert json.loads(cli("history", "--json").stdout)[0]["pain_before"] == 4  # alice, now the only one
    assert cli("forget", "--person", "bob", "--yes").stdout.startswith("Nothing is stored for bob")


def test_forget_the_default_person_keeps_shared_things(cli, voiceguide_home, tmp_path):
    assert cli("screen", input=SCREEN).exit_code == 0
    assert cli("play", *SHORT, input="3\n").exit_code == 0
    cli("routine", "save", "quick", "--minutes", "5")
    cli("schedule", "--days", "fri", "--at", "08:00", "-o", str(tmp_path / "x.ics"))
    (voiceguide_home / "techniques").mkdir()
    (voiceguide_home / "cache").mkdir(exist_ok=True)
    refused = cli("forget")
    assert refused.exit_code == 2
    for name in ("profile.toml", "journal.sqlite3", "routines", "schedule.toml"):
        assert name in refused.stderr
    assert cli("forget", "--yes").exit_code == 0
    left = sorted(p.name for p in voiceguide_home.iterdir())
    assert left == ["cache", "techniques"]
    assert cli("history").stdout.startswith("No sessions yet")


def test_data_is_readable_by_the_owner_only(cli, voiceguide_home, tmp_path):
    two_people(cli)
    cli("routine", "save", "evening", "--person", "alice")
    cli("schedule", "--days", "mon", "--at", "19:00", "--person", "alice", "-o", str(tmp_path / "a.ics"))
    alice = voiceguide_home / "people" / "alice"
    assert mode_of(voiceguide_home) == 0o700
    assert mode_of(voiceguide_home / "people") == 0o700
    for folder in (alice, alice / "routines"):
        assert mode_of(folder) == 0o700, folder
    for file in ("journal.sqlite3", "profile.toml", "schedule.toml", "routines/evening.toml"):
        assert mode_of(alice / file) == 0o600, file
