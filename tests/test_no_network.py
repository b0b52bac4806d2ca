"""Nothing leaves the machine, and the data folder is the owner's alone.

A session, a render and history run with every socket refused in-process, and again in a
subprocess without any network at all (a new network namespace: only a loopback that is down).
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
SCREEN = "no\n" * 19
SHORT = ("--stage", "acute", "--minutes", "3")


def test_a_session_render_and_history_open_no_internet_socket(cli, monkeypatch, tmp_path):
    opened: list[tuple] = []
    real_socket = socket.socket

    class Watched(real_socket):
        def __init__(self, family=-1, *args, **kwargs):
            opened.append((family, *args))
            if family in (socket.AF_INET, socket.AF_INET6):
                raise AssertionError(f"voiceguide opened a network socket: {family}")
            super().__init__(family, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", Watched)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(("connect", *a)))
    assert cli("screen", input=SCREEN).exit_code == 0
    assert cli("play", *SHORT, "--output", "null", input="3\nmore\ngood\n").exit_code == 0
    assert cli("render", *SHORT, "-o", str(tmp_path / "s.wav")).exit_code == 0
    assert cli("history", "--plot", str(tmp_path / "h.png")).exit_code == 0
    assert [o for o in opened if o[0] in (socket.AF_INET, socket.AF_INET6, "connect")] == []


def test_a_session_and_history_work_with_no_network_at_all(voiceguide_home):
    env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home))
    offline = ["unshare", "--net", SCRIPT]
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True)
    assert probe.returncode == 0, f"cannot make a network namespace: {probe.stderr}"
    for args, answers in (
        (["screen"], SCREEN),
        (["play", *SHORT, "--output", "null"], "3\n"),
        (["history"], ""),
    ):
        done = subprocess.run(
            [*offline, *args], env=env, input=answers, capture_output=True, text=True, timeout=90
        )
        assert done.returncode == 0, (args, done.stderr)
    assert "Traceback" not in done.stderr


def test_every_file_is_the_owners_alone_after_a_full_session(cli, voiceguide_home, tmp_path, monkeypatch):
    monkeypatch.delenv("VOICEGUIDE_CACHE")  # the speech cache in the data folder, as for a user
    assert cli("screen", input=SCREEN).exit_code == 0
    assert cli("play", *SHORT, "--output", "null", input="3\ngood\n").exit_code == 0
    assert cli("routine", "save", "evening").exit_code == 0
    assert cli("history").exit_code == 0
    found = list(voiceguide_home.rglob("*"))
    assert any(p.suffix == ".wav" for p in found) and any(p.name == "journal.sqlite3" for p in found)
    assert stat.S_IMODE(voiceguide_home.stat().st_mode) == 0o700
    loose = [
        (str(p.relative_to(voiceguide_home)), oct(stat.S_IMODE(p.stat().st_mode)))
        for p in found
        if stat.S_IMODE(p.stat().st_mode) & 0o077  # anything group or others may read
    ]
    assert loose == []
