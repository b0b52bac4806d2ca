"""scripts/choose_stop_levels.py decides held-apart answers again at each pair of stop levels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def row(group: str, text: str, decoded: str, stop: float, words: dict | None = None) -> dict:
    info = {"text": decoded, "confidence": 0.3, "ratio": 1.0, "stop_chance": stop, "words": words or {}}
    return {"set": group, "group": "p1", "text": text, "expect": "any", "info": info}


def sweep(tmp_path, rows: list[dict]) -> str:
    dump = tmp_path / "levels.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows))
    script = ROOT / "scripts" / "choose_stop_levels.py"
    command = [sys.executable, str(script), "--from-dump", str(dump)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cells(out: str, act: str, ask: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.startswith(f"| {act}") and x.split(" | ")[1] == ask)
    return [c.strip() for c in line.strip("| ").split(" | ")[2:]]


def test_a_level_that_acts_on_a_word_as_a_stop_is_not_chosen(tmp_path):
    """A person's "stop" at 0.991 is acted on at once from ACT_AT 0.99 and asked about above it; "up"
    at 0.96 is acted on as a stop from ACT_AT 0.95, which is therefore not chosen; the pair that acts
    on the stop at once and on nothing else is."""
    rows = [
        row("people: stop", "stop", "pause", 0.991),  # (the decoder's "stop" would be acted on at 0.8)
        row("people: other words", "up", "pause", 0.96),
        row("synthetic: stop phrases", "please stop", "please stop", 0.999),
        row("synthetic: digits", "seven", "seven", 0.01),
    ]
    out = sweep(tmp_path, rows)
    #                               people's stop        synthetic stops   "up" (other words)  digits
    assert cells(out, "0.95", "0.9") == ["100.0 / 0.0 / 0.0", "100.0 / 0.0 / 0.0", "100.0 / 0.0", "0.0 / 0.0"]
    assert cells(out, "0.995", "0.9")[0] == "0.0 / 100.0 / 0.0"  # asked about, not missed
    assert cells(out, "0.98 (shipped)", "0.9")[2] == "0.0 / 100.0"  # "up": asked about only
    assert "Chosen: ACT_AT 0.99, ASK_AT 0.97:" in out  # (ties: the higher levels; 0.97 the highest swept)


def test_a_false_stop_is_put_down_to_the_listener_that_brought_it(tmp_path):
    """"up" asked about as a stop because the word listener named it first; "down" because the
    decoder heard "stop" and the detector did not veto it."""
    rows = [
        row("people: stop", "stop", "stop", 0.999),
        row("people: other words", "up", "pause", 0.02, {"stop": 0.6, "other": 0.4}),
        row("people: other words", "down", "stop", 0.5),
    ]
    out = sweep(tmp_path, rows)
    lines = {x.split(" | ")[0].strip("| "): x for x in out.splitlines() if x.startswith(("| up ", "| down "))}
    assert "the word listener 1" in lines["up"] and "| 0 | 1 |" in lines["up"]
    assert "the decoder's stop, the detector not against it 1" in lines["down"]
