"""Faults of the machine around a session: each ends with a clear message and the right exit code.

Covered here: the sound server dying mid-session, no microphone, two sessions at once, a
corrupted speech cache, a read-only data folder. (No sound device, full disk, damaged journal:
test_device.py and test_faults.py; no, hung or garbage speech engine: test_speech.py.)
Tests that play to the PulseAudio server must run alone on it (CI runs one suite at a time).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from killing import resume_to_the_end

pytestmark = pytest.mark.slow  # kills and restarts the sound server, fills disks

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = str(Path(sys.executable).parent / "voiceguide")
SCREEN = "no\n" * 19
SHORT = ["--stage", "acute", "--minutes", "3"]


def screened_env(home: Path, **extra: str) -> dict:
    env = dict(os.environ, VOICEGUIDE_HOME=str(home), **extra)
    subprocess.run([SCRIPT, "screen"], input=SCREEN, text=True, env=env, check=True, capture_output=True)
    return env


def sessions(home: Path) -> list[tuple]:
    db = sqlite3.connect(home / "journal.sqlite3")
    try:
        return db.execute("SELECT status, end_reason, stop_reason FROM sessions ORDER BY id").fetchall()
    finally:
        db.close()


def start_pulse() -> None:
    """Bring the shared server back after a test here killed it (under the `pulse` fixture's lock)."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pulse.sh"), "start"], capture_output=True, text=True
    )
    assert done.returncode == 0, f"could not start PulseAudio: {done.stderr}"


def test_the_sound_server_dying_mid_session_saves_it_and_resume_finishes(pulse, voiceguide_home):
    env = screened_env(voiceguide_home)
    proc = subprocess.Popen(
        [SCRIPT, "play", *SHORT, "--output", "device", "--feedback", "none", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:  # wait until speech is really playing
            if json.loads(line).get("kind") == "speech":
                break
        time.sleep(1.0)
        subprocess.run(["pulseaudio", "--kill"], check=True)
        killed = time.monotonic()
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - killed
    finally:
        if proc.poll() is None:
            proc.kill()
        start_pulse()  # the server is shared: always bring it back
    assert proc.returncode == 4, err
    assert took < 10  # noticed within seconds, not at the end of the session
    assert "sound output stopped" in err and "--output" in err and "Traceback" not in err
    assert sessions(voiceguide_home) == [("interrupted", "interrupted", "sound output failed")]
    resumed = resume_to_the_end(env, "--feedback", "none")
    assert resumed.returncode == 0, resumed.stderr
    assert sessions(voiceguide_home)[0][0] == "finished"


def test_no_microphone_for_spoken_answers_is_exit_6_with_what_to_do(pulse, voiceguide_home):
    env = screened_env(voiceguide_home, PULSE_SOURCE="no-such-microphone")
    done = subprocess.run(
        [SCRIPT, "play", *SHORT, "--output", "device", "--feedback", "voice"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 6, done.stderr
    assert "microphone" in done.stderr and "--feedback keys" in done.stderr
    assert "Traceback" not in done.stderr
    journal = voiceguide_home / "journal.sqlite3"
    assert not journal.exists() or sessions(voiceguide_home) == []  # nothing half-started


def test_a_second_play_while_one_runs_is_refused_and_the_first_is_unharmed(voiceguide_home):
    env = screened_env(voiceguide_home)
    first = subprocess.Popen(
        [SCRIPT, "play", *SHORT, "--output", "null", "--json"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in first.stdout:  # the first session now waits for an answer
            event = json.loads(line)
            if event["event"] == "segment" and event["kind"] == "checkpoint":
                break
        for args in (["play", *SHORT], ["play", "--resume"]):
            second = subprocess.run(
                [SCRIPT, *args, "--output", "null"],
                env=env,
                input="",
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert second.returncode == 2, second.stderr
            assert "already playing" in second.stderr and f"process {first.pid}" in second.stderr
            assert "Traceback" not in second.stderr
        first.stdin.write("3\n" + "good\n" * 20)
        first.stdin.close()
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, first.stderr.read()
    assert sessions(voiceguide_home) == [("finished", "finished", None)]
    # and once it is over, the next one plays
    third = subprocess.run(
        [SCRIPT, "play", *SHORT, "--output", "null", "--feedback", "none"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert third.returncode == 0


def test_a_corrupted_speech_cache_file_is_found_and_rebuilt(voiceguide_home, tmp_path, monkeypatch):
    cache = tmp_path / "own-cache"  # not the shared one: this test damages it
    monkeypatch.setenv("VOICEGUIDE_CACHE", str(cache))
    env = screened_env(voiceguide_home)
    plan = tmp_path / "plan.json"
    subprocess.run([SCRIPT, "plan", *SHORT, "-o", str(plan)], env=env, check=True, capture_output=True)
    render = [SCRIPT, "render", "--plan", str(plan), "-o"]
    assert (
        subprocess.run([*render, str(tmp_path / "first.wav")], env=env, capture_output=True).returncode == 0
    )
    from voiceguide.audio.speech import open_cache

    texts = [s["text"] for s in json.loads(plan.read_text())["segments"] if s.get("text")]
    good = {open_cache().path(text): None for text in texts[:4]}
    good = {path: path.read_bytes() for path in good}
    damaged = list(good)
    damaged[0].write_bytes(good[damaged[0]][: len(good[damaged[0]]) // 3])  # cut short
    damaged[1].write_bytes(b"\x00garbage" * 500)  # not a WAV
    damaged[2].write_bytes(good[damaged[2]][:44] + bytes(len(good[damaged[2]]) - 44))  # header, then silence
    damaged[-1].write_bytes(b"")  # empty
    again = subprocess.run([*render, str(tmp_path / "second.wav")], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    for path, data in good.items():
        assert path.read_bytes() == data, path.name  # rebuilt: espeak-ng output is deterministic
    assert (tmp_path / "first.wav").read_bytes() == (tmp_path / "second.wav").read_bytes()


@pytest.fixture
def read_only_home(tmp_path):
    """A data folder with a played session, on a tmpfs then remounted read-only (CI runs as root,
    which ignores permission bits, so the disk itself is made read-only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    assert done.returncode == 0, done.stderr
    try:
        home = mount / "home"
        env = screened_env(home)
        played = subprocess.run(
            [SCRIPT, "play", *SHORT, "--output", "null"],
            env=env,
            input="ready\n4\n",
            capture_output=True,
            text=True,
        )
        assert played.returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield env, home
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_read_only_data_folder_refuses_a_session_clearly_and_still_shows_history(read_only_home):
    env, home = read_only_home
    for args in (["play", *SHORT, "--output", "null"], ["screen"], ["routine", "save", "x"]):
        done = subprocess.run(
            [SCRIPT, *args], env=env, input=SCREEN, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 3, (args, done.stderr)
        assert "Read-only file system" in done.stderr and "VOICEGUIDE_HOME" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    shown = subprocess.run([SCRIPT, "history", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)[0]["pain_before"] == 4
