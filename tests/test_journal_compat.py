"""A journal written by voiceguide 0.1.0 (actions kept only as sentences) gives the same history.

tests/data/journal-0.1.0.sqlite3.gz was made by the 0.1.0 release: four sessions (pressures
chosen, learnt pressures, a stop for tingling at the piriformis, 'more' at an acute cap), and
journal-0.1.0.history.json is what that release's `history --json` printed for it.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

DATA = Path(__file__).parent / "data"
KEPT = (
    "id",
    "mode",
    "stage",
    "ended",
    "stop_reason",
    "pain_before",
    "pain_after",
    "answers",
    "highest_pressure",
    "chosen_pressure",
    "stopped_areas",
    "stopped_techniques",
)


def test_history_of_a_0_1_0_journal_is_unchanged(cli, voiceguide_home):
    voiceguide_home.mkdir(mode=0o700)
    journal = voiceguide_home / "journal.sqlite3"
    journal.write_bytes(gzip.decompress((DATA / "journal-0.1.0.sqlite3.gz").read_bytes()))
    os.chmod(journal, 0o600)
    result = cli("history", "--json")
    assert result.exit_code == 0, result.stderr
    now = json.loads(result.stdout)
    then = json.loads((DATA / "journal-0.1.0.history.json").read_text())
    assert len(now) == len(then) == 4
    for new, old in zip(now, then, strict=True):
        assert {k: new[k] for k in KEPT} == {k: old[k] for k in KEPT}
    assert then[1]["chosen_pressure"] == {"P02": 2, "P05": 4} and then[2]["stopped_areas"] == ["piriformis"]
