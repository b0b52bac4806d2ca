"""Environment variables are read when asked for, in one place, and nowhere else in the package."""

from __future__ import annotations

import re
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
