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


def python_example() -> str:
    """The code block of the README's section about using voiceguide from Python."""
    text = README.read_text()
    section = re.search(r"^## [^\n]*Python[^\n]*\n(.*?)(?=^## )", text, flags=re.M | re.S)
    assert section, "the README has a section with Python in its heading"
    block = re.search(r"^```python\n(.*?)^```", section.group(1), flags=re.M | re.S)
    assert block, "that section has a python code block"
    return block.group(1)


def test_the_python_example_runs_as_written(voiceguide_home, tmp_path):
    import os
    import subprocess
    import sys
    import wave

    done = subprocess.run(
        [sys.executable, "-c", python_example()],
        cwd=tmp_path,
        env=dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home)),
        stdin=subprocess.DEVNULL,  # not a terminal: nothing may wait for an answer
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Planned 5.0 minutes" in done.stdout and "0 sessions in the journal." in done.stdout
    assert "voiceguide screen" in done.stderr  # the reminder went to notify's default, stderr
    with wave.open(str(tmp_path / "session.wav")) as wav:
        assert 4 * 60 < wav.getnframes() / wav.getframerate() < 6 * 60
