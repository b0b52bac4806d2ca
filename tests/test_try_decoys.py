"""scripts/try_decoys.py's rule: decoys never take a stop, a symptom or a benchmark word."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import try_decoys  # noqa: E402

from voiceguide.feedback.intents import meaning  # noqa: E402


def test_one_apart_is_one_phone_changed_added_or_taken_away():
    five = ("F", "AY", "V")
    assert try_decoys.one_apart(five, ("HH", "AY", "V"))  # hive
    assert try_decoys.one_apart(five, ("F", "AY", "V", "Z"))  # fives
    assert try_decoys.one_apart(five, ("AY", "V"))
    assert not try_decoys.one_apart(five, ("N", "AY", "N"))  # nine: two changed


def test_decoys_keep_clear_of_the_stop_word_symptoms_answers_and_the_benchmark():
    chosen = try_decoys.decoys(4)
    words = {w for ws in chosen.values() for w in ws}
    assert "five" in chosen and len(chosen["five"]) == 4  # found some (not vacuous)
    assert "stop" not in chosen and "numb" not in chosen
    assert not words & try_decoys.benchmark_words()  # hive, line, nice, note: measured, never decoys
    assert all(meaning(w)[0] == "unknown" for w in words)
    prons = try_decoys.dictionary()
    guarded = [p for g in try_decoys.GUARDED for p in prons[g]]
    assert not any(try_decoys.one_apart(p, g) for w in words for p in prons[w] for g in guarded)
