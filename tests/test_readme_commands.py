"""The README's command table is the one generated from the command line: it cannot drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import readme_commands  # noqa: E402


def test_the_readme_table_is_up_to_date():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_commands.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr  # fix: python scripts/readme_commands.py


def test_every_command_and_option_is_in_the_table():
    table = readme_commands.table()
    for needle in (
        "`voiceguide play [NAME]`",  # a named session (voiceguide sessions) is optional
        "`--answer-timeout FLOAT RANGE`",
        "`--include [lower-back",
        "`voiceguide voice enroll` |",
        "`voiceguide hear FILES...`",
        "`voiceguide doctor` |",
        "`--sound`",
    ):
        assert needle in table, needle
    enroll = next(line for line in table.splitlines() if line.startswith("| `voiceguide voice enroll`"))
    assert "`--json`" in enroll
    assert "--help" not in table


def test_a_drifted_readme_fails_the_check_and_is_rewritten(tmp_path, capsys):
    readme = tmp_path / "README.md"
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    drifted = current.replace(" `--answer-timeout FLOAT RANGE`", "", 1)
    assert drifted != current
    readme.write_text(drifted, encoding="utf-8")
    assert readme_commands.main(["--check", "--readme", str(readme)]) == 1
    assert "run: python scripts/readme_commands.py" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == drifted  # --check never writes
    assert readme_commands.main(["--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == current
    assert readme_commands.main(["--check", "--readme", str(readme)]) == 0
