"""The README's quick start, run as a new user would (play to the null output, answered by stdin)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def quick_start() -> list[list[str]]:
    lines = re.findall(r"^\.venv/bin/voiceguide (.+?)(?:\s+#.*)?$", README.read_text(), flags=re.M)
    return [shlex.split(line) for line in lines]


@pytest.mark.slow  # 7 s: a real session and a render through the console script
def test_the_quick_start_works(run_voiceguide, tmp_path, monkeypatch):
    commands = quick_start()
    assert [c[0] for c in commands] == ["screen", "plan", "play", "render", "doctor"]
    monkeypatch.chdir(tmp_path)
    for args in commands:
        if args[0] == "screen":
            done = run_voiceguide(*args, input="no\n" * 19)
        elif args[0] == "play":  # on CI the device is the null sink; answers come from stdin
            done = run_voiceguide(*args, "--output", "null", input="3\ngood\ngood\n2\n")
        else:
            done = run_voiceguide(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert (tmp_path / "session.mp3").stat().st_size > 10_000
    assert "<html" in (tmp_path / "session.html").read_text().lower()
