"""bench_recognition hears each of Speech Commands' recordings once: the test set holds 119 of them
under two names or three, and a copy counted its speaker's one take twice (a missed stop's copy was
even its own second try)."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402


def take(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = (np.random.default_rng(seed).standard_normal(1600) * 3000).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())


def test_a_recording_kept_twice_under_two_names_is_heard_once(tmp_path):
    take(tmp_path / "stop" / "aaaa1111_nohash_0.wav", 1)
    take(tmp_path / "stop" / "aaaa1111_nohash_4.wav", 1)  # the same bytes again
    take(tmp_path / "stop" / "aaaa1111_nohash_5.wav", 2)
    take(tmp_path / "stop" / "bbbb2222_nohash_0.wav", 3)
    stops = bench.commands_clips(str(tmp_path))["stop"]
    assert len(stops) == 4
    assert bench.copies(stops) == 1
    kept = bench.originals(stops)
    assert [c["name"] for c in kept] == [
        "aaaa1111_nohash_0.wav",
        "aaaa1111_nohash_5.wav",
        "bbbb2222_nohash_0.wav",
    ]


def test_a_take_that_copies_an_enrolled_one_is_left_out_too():
    enrolled = {"samples": np.arange(10, dtype=np.int16)}
    heard = [{"samples": np.arange(10, dtype=np.int16)}, {"samples": np.arange(1, 11, dtype=np.int16)}]
    own = {enrolled["samples"].tobytes()}
    assert bench.originals(heard, own) == [heard[1]]


def test_the_benchmarks_that_hear_the_whole_test_set_hear_each_recording_once(tmp_path):
    """bench_gate_stops, bench_question_stops, bench_level and bench_declip read it through
    commands_once: a copy under another name, even in another word's folder, is left out."""
    take(tmp_path / "stop" / "aaaa1111_nohash_0.wav", 1)
    take(tmp_path / "stop" / "aaaa1111_nohash_1.wav", 1)
    take(tmp_path / "stop" / "cccc3333_nohash_0.wav", 2)
    take(tmp_path / "_unknown_" / "off_dddd4444_nohash_0.wav", 2)  # the same take filed under "off"
    take(tmp_path / "no" / "bbbb2222_nohash_0.wav", 3)
    whole, once = bench.commands_clips(str(tmp_path)), bench.commands_once(str(tmp_path))
    assert (len(whole["stop"]), len(whole["other"]), len(whole["no"])) == (3, 1, 1)
    assert [c["name"] for c in once["stop"]] == ["aaaa1111_nohash_0.wav", "cccc3333_nohash_0.wav"]
    assert once["other"] == [] and [c["name"] for c in once["no"]] == ["bbbb2222_nohash_0.wav"]
