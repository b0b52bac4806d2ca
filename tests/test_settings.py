"""Environment variables are read when asked for, in one place, and nowhere else in the package."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from voiceguide import settings

PACKAGE = Path(__file__).resolve().parent.parent / "voiceguide"
NOT_YET: set[str] = set()  # every module reads its variables through settings


def test_each_variable_is_read_at_call_time(monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_TTS", "pyttsx3")
    monkeypatch.setenv("VOICEGUIDE_DEBUG_LISTEN", "/tmp/listen.log")
    monkeypatch.setenv("VOICEGUIDE_DEBUG", "1")
    assert settings.tts() == "pyttsx3" and settings.debug_listen() == "/tmp/listen.log" and settings.debug()
    monkeypatch.setenv("VOICEGUIDE_TTS", "")  # empty counts as unset
    monkeypatch.delenv("VOICEGUIDE_DEBUG_LISTEN")
    monkeypatch.delenv("VOICEGUIDE_DEBUG")
    assert settings.tts() is None and settings.debug_listen() == "" and not settings.debug()
    monkeypatch.setenv("VOICEGUIDE_CACHE", "/somewhere")
    assert settings.cache() == "/somewhere" and settings.home()  # conftest sets VOICEGUIDE_HOME


def test_every_variable_is_in_the_table():
    doc = settings.__doc__ or ""
    for name in re.findall(r"VOICEGUIDE_[A-Z_]+", PACKAGE.joinpath("settings.py").read_text()):
        assert name in doc, name


def test_no_other_module_reads_the_environment():
    readers = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "settings.py" and str(path.relative_to(PACKAGE)) not in NOT_YET
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"os\.environ|getenv", line)
    ]
    assert readers == []


def test_the_command_runs_numpy_on_one_blas_thread_unless_told_otherwise():
    """Set by the command itself before numpy loads (conftest sets it for the tests too, so it is
    removed here): the listener's small matrices gain nothing from more threads but lose CPU."""
    probe = (
        "import atexit, os, sys; "
        "said = lambda: print('threads', os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules); "
        "atexit.register(said); "
        "sys.argv = ['voiceguide', '--help']; "
        "from voiceguide.cli import main; main()"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout
    assert out.strip().endswith("threads 1 False"), out  # set, and before numpy was loaded
    env["OPENBLAS_NUM_THREADS"] = ""  # empty counts as unset, as everywhere
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout
    assert out.strip().endswith("threads 1 False"), out
    env["OPENBLAS_NUM_THREADS"] = "3"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout
    assert out.strip().endswith("threads 3 False"), out  # a value the user chose is kept
