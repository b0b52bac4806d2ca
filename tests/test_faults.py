"""A kill at any moment loses nothing that was acknowledged; the session resumes.

A bounded, seeded part of the kill test runs here; scripts/bench_reliability.py can run more.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
ANSWERS = {"pain": ["3", "2", "3", "1"], "pressure": ["more", "good", "less", "good"], "comfort": ["yes"]}


def journal_answers(home: Path) -> list[str]:
    db = sqlite3.connect(home / "journal.sqlite3")
    try:
        rows = db.execute("SELECT data FROM events WHERE event = 'answer' ORDER BY id").fetchall()
        return [json.loads(r[0])["text"] for r in rows]
    finally:
        db.close()


def run_until_killed(env: dict, answers_before_kill: int, delay: float, resume: bool) -> list[str]:
    """Answer questions as they come; kill -9 after some answers. Returns the acknowledged ones."""
    args = [SCRIPT, "play", "--output", "null", "--json"]
    args += ["--resume"] if resume else ["--mode", "partner", "--stage", "subacute", "--minutes", "20"]
    proc = subprocess.Popen(
        args,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )
    acknowledged: list[str] = []
    given = 0
    watchdog = __import__("threading").Timer(60, proc.kill)  # a stuck session fails, never hangs
    watchdog.start()
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] == "answer":
                acknowledged.append(event["text"])
            if event["event"] == "segment" and event["kind"] == "checkpoint":
                if given == answers_before_kill:
                    time.sleep(delay)
                    break
                choices = ANSWERS.get(event.get("question"), ["good"])
                proc.stdin.write(choices[given % len(choices)] + "\n")
                proc.stdin.flush()
                given += 1
    finally:
        watchdog.cancel()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    return acknowledged


@pytest.mark.parametrize("seed", range(5))
def test_kill_9_loses_no_acknowledged_answer_and_resume_finishes(seed, cli, voiceguide_home):
    assert cli("screen", input="no\n" * 19).exit_code == 0
    rng = random.Random(seed)
    env = dict(os.environ)
    acknowledged = run_until_killed(env, rng.randint(0, 4), rng.uniform(0, 0.05), resume=False)
    journaled = journal_answers(voiceguide_home)
    assert journaled[: len(acknowledged)] == acknowledged  # every answer the user saw taken is kept
    # and once more, killed while resumed
    more = run_until_killed(env, rng.randint(0, 2), rng.uniform(0, 0.05), resume=True)
    journaled = journal_answers(voiceguide_home)
    for text in acknowledged + more:
        assert text in journaled
    done = subprocess.run(
        [SCRIPT, "play", "--resume", "--output", "null", "--json"],
        env=env,
        input="good\n" * 30,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 7), done.stderr
    db = sqlite3.connect(voiceguide_home / "journal.sqlite3")
    statuses = db.execute("SELECT status FROM sessions").fetchall()
    db.close()
    assert statuses in ([("finished",)], [("stopped",)])


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
