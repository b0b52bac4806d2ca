"""Two whole plans kept as golden files: any change to a session shows up in review.

Regenerate after an intended change with: UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from voiceguide import library, planner
from voiceguide.speechtime import EstimatedSpeech

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "plan_partner_subacute_20.json": planner.Request(mode="partner", stage="subacute", minutes=20),
    "plan_self_acute_15.json": planner.Request(mode="self", stage="acute", minutes=15),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_matches_golden_file(name):
    plan = planner.build(library.load(), CASES[name], timer=EstimatedSpeech())
    text = plan.to_json() + "\n"
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == expected
