"""Real sessions for the progress tests: played once per module, copied into each test's data folder.

Sessions run with `play --output null --feedback keys`, one stdin line per question, as a user
scripting voiceguide would; their dates are then spread over past days in the journal (the
only thing changed by hand), since a test cannot wait a week.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import voiceguide.cli

SCREEN = "no\n" * 19
PARTNER = ("--mode", "partner", "--stage", "subacute", "--minutes", "20")
# Partner, subacute, 20 minutes, no history: ready; pain 5; the left side is worse; P02 firmer then
# good twice (settles on 2); pain 4 at the buttock, P04 good three times (settles on 3, its planned
# rise); pain 4 at the piriformis; P05 firmer, then good three times (settles on 3, the subacute
# cap); pain 3 at the sacrum, P07 good (settles on 1); pain 3 at the end.
CHOOSE = "ready\n5\nleft\nmore\ngood\ngood\n4\ngood\ngood\ngood\n4\nmore\ngood\ngood\ngood\n3\ngood\n3\n"
# The same once pressures are learnt (one check per technique): ready, pain 4, left, good; pain 3,
# good; pain 3, good; pain 3, good; 2 at the end.
LEARNT = "ready\n4\nleft\ngood\n3\ngood\n3\ngood\n3\ngood\n2\n"
# The stop word during the piriformis work, then "no" to going on gently: the session ends
# there (a tingling would stop only that technique now); pain 3 at the end.
HURT = "ready\n4\nleft\ngood\n3\ngood\n3\nstop\nno\n3\n"


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """`voiceguide ARGS` in-process, like the console script (exit code, stdout, stderr)."""
    runner = CliRunner()
    saved = sys.argv
    sys.argv = ["voiceguide", *map(str, args)]
    code = 0
    try:
        with runner.isolation(input=input) as (out, err, _):
            try:
                voiceguide.cli.main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            return code, out.getvalue().decode(), err.getvalue().decode()
    finally:
        sys.argv = saved


def play_sessions(home: Path, cache: Path, answers: list[str], options=PARTNER) -> Path:
    """Screen, then one session per answer script, in a data folder of its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VOICEGUIDE_HOME", str(home))
        mp.setenv("VOICEGUIDE_CACHE", str(cache))
        mp.delenv("VOICEGUIDE_DEBUG", raising=False)
        code, _, err = invoke("screen", input=SCREEN)
        assert code == 0, err
        for script in answers:
            code, _, err = invoke("play", *options, "--output", "null", input=script)
            assert code in (0, 7), err
    return home


def copy_home(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    os.chmod(dst, 0o700)
    return dst


def spread(journal: Path, days_ago: list[int], at: time = time(19, 0)) -> None:
    """Move session i to `days_ago[i]` days before today at `at`, local time (stored in UTC)."""
    db = sqlite3.connect(journal)
    try:
        ids = [r[0] for r in db.execute("SELECT id FROM sessions ORDER BY id")]
        assert len(ids) == len(days_ago)
        for session_id, ago in zip(ids, days_ago, strict=True):
            local = datetime.combine(date.today() - timedelta(days=ago), at).astimezone()
            stamp = local.astimezone(UTC).isoformat(timespec="milliseconds")
            db.execute("UPDATE sessions SET started = ? WHERE id = ?", (stamp, session_id))
        db.commit()
    finally:
        db.close()
