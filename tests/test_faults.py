"""A kill at any moment loses nothing that was acknowledged; the session resumes.

A bounded, seeded part of the kill test runs here; scripts/bench_reliability.py can run more.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from killing import ANSWERS, VARIED_ANSWERS, kill_signal, one_kill_round

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
CI_KILLS = 12  # scripts/bench_reliability.py runs 50


# the varied rounds: kill -9, kill and Ctrl-C at the 4th or 5th answer (a stop, its offer, pain 8)
ROUNDS = [(seed, ANSWERS) for seed in range(CI_KILLS)] + [(seed, VARIED_ANSWERS) for seed in (9, 11, 17, 38)]


@pytest.mark.slow  # 12 + 4 kills and resumes, 20 s in all
@pytest.mark.parametrize(("seed", "answers"), ROUNDS)
def test_a_kill_at_a_random_moment_loses_no_acknowledged_answer_and_resume_finishes(
    seed, answers, cli, voiceguide_home
):
    assert cli("screen", input="no\n" * 19).exit_code == 0
    found = one_kill_round(dict(os.environ), voiceguide_home, seed, kill_signal(seed), answers)
    assert found["landed"], found  # the moments are all before the session's end
    assert found["journal_sound"], found  # the journal opens and passes SQLite's integrity check
    assert found["lost"] == 0, found  # every answer the user saw taken is in the journal
    assert found["exit_ok"], found  # killed: -9; Ctrl-C and kill: exit 130
    assert not found["traceback"], found
    if kill_signal(seed) != signal.SIGKILL:
        assert "session saved" in found["stderr"].lower() and "--resume" in found["stderr"]
    assert found["resume_code"] in (0, 7), found
    assert found["asked_again"] == 0, found  # no question answered before the kill is asked again
    assert found["finished"], found


def test_a_damaged_journal_is_kept_aside_and_a_new_one_started(cli, voiceguide_home):
    assert cli("screen", input="no\n" * 19).exit_code == 0
    (voiceguide_home / "journal.sqlite3").write_bytes(b"this is not a database" * 100)
    result = cli(
        "play", "--stage", "acute", "--minutes", "3", "--output", "null", "--feedback", "none", "--json"
    )
    assert result.exit_code == 0, result.stderr
    backups = list(voiceguide_home.glob("journal.sqlite3.damaged-*"))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(b"this is not a database")
    first = json.loads(result.stdout.splitlines()[0])
    assert first["event"] == "notice" and "damaged" in first["text"]


def test_read_only_data_folder_is_a_clear_message(cli, voiceguide_home, tmp_path):
    if os.geteuid() == 0:
        # root ignores permission bits: use a file where the folder should be instead
        blocked = tmp_path / "blocked"
        blocked.write_text("not a folder")
        os.environ["VOICEGUIDE_HOME"] = str(blocked / "home")
    else:
        voiceguide_home.mkdir()
        voiceguide_home.chmod(0o500)
    try:
        result = cli("screen", input="no\n" * 19)
    finally:
        os.environ["VOICEGUIDE_HOME"] = str(voiceguide_home)
    assert result.exit_code == 3
    assert "VOICEGUIDE_HOME" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KB tmpfs (CI runs as root, like this workplace): a real full disk, not a fake."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"cannot mount a tmpfs: {done.stderr}"
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_stops_the_session_with_a_clear_message_and_keeps_what_was_written(small_disk):
    home = small_disk / "home"
    env = dict(os.environ, VOICEGUIDE_HOME=str(home))
    subprocess.run([SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True)
    filler = small_disk / "filler"
    stat = os.statvfs(small_disk)
    free = stat.f_bavail * stat.f_frsize
    filler.write_bytes(b"\0" * max(0, free - 112 * 1024))  # enough room to start, not to finish
    done = subprocess.run(
        [
            SCRIPT,
            "play",
            "--mode",
            "partner",
            "--stage",
            "subacute",
            "--minutes",
            "20",
            "--output",
            "null",
            "--json",
        ],
        env=env,
        input="3\n" + "good\n" * 40,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "Cannot write the journal" in done.stderr and "Traceback" not in done.stderr
    assert "--resume" in done.stderr
    filler.unlink()
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    answers = [e["text"] for e in printed if e["event"] == "answer"]
    db = sqlite3.connect(home / "journal.sqlite3")
    kept = [json.loads(r[0])["text"] for r in db.execute("SELECT data FROM events WHERE event = 'answer'")]
    db.close()
    assert kept[: len(answers)] == answers  # every answer acknowledged before the disk filled is kept


KILLED_INSIDE_TOGETHER = """
import os, signal, sys
from pathlib import Path
from voiceguide.journal import Journal
journal = Journal(Path(sys.argv[1]))
sid = journal.start_session({"mode": "self", "stage": "acute", "minutes": 3}, "null")
journal.event(sid, 1.0, "answer", {"text": "more"})
with journal.together():
    journal.event(sid, 1.0, "action", {"action": "pressure_up"})
    journal.event(sid, 1.0, "state", {})
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    journal.event(sid, 1.0, "replan", {"from_index": 5})
"""


@pytest.mark.parametrize("killed", [True, False])
def test_writes_made_together_are_kept_all_or_none(tmp_path, killed):
    """An answer's actions, state and rewritten plan are one commit: a kill -9 between them
    leaves the answer alone (resumed, the question is asked), never actions without their plan."""
    path = tmp_path / "journal.sqlite3"
    run = subprocess.run(
        [sys.executable, "-c", KILLED_INSIDE_TOGETHER, str(path), "kill" if killed else "live"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == (-signal.SIGKILL if killed else 0), run.stderr
    db = sqlite3.connect(path)
    kept = [e for (e,) in db.execute("SELECT event FROM events ORDER BY id")]
    db.close()
    assert kept == (["answer"] if killed else ["answer", "action", "state", "replan"])


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_kill_between_an_answers_writes_takes_effect_after_them(name):
    """Ctrl-C (or `kill`, handled as Ctrl-C) between an answer's action and the plan it rewrote
    ended the session with the action kept and the plan not (`play --resume` then asked the
    question again). Held for the few writes, it takes effect just after them."""
    from voiceguide.session import interrupts_held

    number = getattr(signal, name)
    before = signal.signal(number, signal.default_int_handler)  # as the command line sets them
    written = []
    try:
        with pytest.raises(KeyboardInterrupt), interrupts_held():
            written.append("action")
            os.kill(os.getpid(), number)
            time.sleep(0.05)  # unheld, the interrupt would come here
            written.append("rewritten plan")
        assert written == ["action", "rewritten plan"]
        assert signal.getsignal(number) is signal.default_int_handler
    finally:
        signal.signal(number, before)


def test_writes_made_together_are_undone_by_an_error_among_them(tmp_path):
    from voiceguide.journal import Journal

    journal = Journal(tmp_path / "journal.sqlite3")
    sid = journal.start_session({"mode": "self", "stage": "acute", "minutes": 3}, "null")
    with pytest.raises(RuntimeError), journal.together():
        journal.event(sid, 1.0, "action", {"action": "pressure_up"})
        raise RuntimeError("the rewrite failed")
    journal.event(sid, 2.0, "end", {})
    assert [e for (e,) in journal.db.execute("SELECT event FROM events")] == ["end"]
    journal.close()
