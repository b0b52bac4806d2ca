"""The talk benchmark and the stop detector's training never share a sentence: train_stop.py --talk
fits on speechocean762's train part, bench_talk.py reports on its test part, and both name a
speaker as the corpus does (utt2spk). Keys alone named the wrong speaker: "000010011" is speaker
0001, and its first four characters put speakers 0001-0009 together."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.pcm import wav_bytes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_talk  # noqa: E402
import train_stop  # noqa: E402


def corpus(root: Path) -> None:
    """A speechocean762 layout in miniature: two parts, Kaldi lists, a WAV per sentence."""
    said = {
        "train": {"000010011": ("0001", "WE CALL IT BEAR"), "000020035": ("0002", "PLEASE STOP NOW")},
        "test": {"000030011": ("0003", "ZERO THREE FIVE ONE"), "000030012": ("0003", "A RED BOOK")},
    }
    for part, sentences in said.items():
        lists = {"text": [], "wav.scp": [], "utt2spk": []}
        for key, (speaker, text) in sentences.items():
            path = f"WAVE/SPEAKER{speaker}/{key}.WAV"
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(wav_bytes(np.random.default_rng(1).standard_normal(800) * 0.03, 16000))
            lists["text"].append(f"{key}\t{text}")
            lists["wav.scp"].append(f"{key}\t{path}")
            lists["utt2spk"].append(f"{key} {speaker}")
        (root / part).mkdir()
        for name, lines in lists.items():
            (root / part / name).write_text("\n".join(lines) + "\n")


def test_the_benchmark_hears_the_test_part_by_speaker(tmp_path):
    corpus(tmp_path)
    found = bench_talk.speechocean(str(tmp_path))
    assert list(found) == ["0003"]
    assert [text for _, text in found["0003"]] == ["ZERO THREE FIVE ONE", "A RED BOOK"]
    both = bench_talk.speechocean(str(tmp_path), parts=("train", "test"))
    assert sorted(both) == ["0001", "0002", "0003"]


def test_training_reads_the_train_part_only_and_never_a_stop(tmp_path):
    corpus(tmp_path)
    talk = train_stop.talk_recordings([tmp_path])
    kept = talk["training"] + talk["validation"]
    assert [(speaker, path.name) for speaker, path in kept] == [("0001", "000010011.WAV")]


def test_a_level_tried_is_in_force_only_while_tried():
    """--try names a level of recognise or stopword; it holds for the run that tries it, and the
    shipped value is back after (the benchmark's baseline column runs in the same processes)."""
    import bench_recognition

    from voiceguide.feedback import recognise, stopword

    before = (stopword.ASK_AT, recognise.STOP_VETO)
    changes = bench_recognition.tried(["ASK_AT=0.955", "STOP_VETO=0.45"])
    assert changes == {"ASK_AT": 0.955, "STOP_VETO": 0.45}
    with bench_recognition.levels_changed(changes):
        assert (stopword.ASK_AT, recognise.STOP_VETO) == (0.955, 0.45)
    assert before == (stopword.ASK_AT, recognise.STOP_VETO)
    for wrong in ("NO_SUCH_LEVEL=1", "ASK_AT=high", "ask_at=0.9"):
        with pytest.raises(SystemExit, match="give NAME=VALUE"):
            bench_recognition.tried([wrong])


def test_a_stop_in_the_same_breath_follows_or_leads_the_sentence_at_its_level():
    """--stops: the speech of each take, STOP_GAP apart (the rooms around them cut off), the stop
    scaled to the sentence's speaking level, after the sentence or before it."""
    rng = np.random.default_rng(3)
    room = lambda n: rng.standard_normal(n).astype(np.float32) * 1e-4  # noqa: E731
    sentence = np.concatenate([room(8000), rng.standard_normal(32000).astype(np.float32) * 0.3, room(8000)])
    stop = np.concatenate([room(4000), rng.standard_normal(6400).astype(np.float32) * 0.01, room(5600)])
    gap = int(bench_talk.STOP_GAP * 16000)
    after = bench_talk.stop_in_talk(sentence, stop, after=True)
    before = bench_talk.stop_in_talk(sentence, stop, after=False)
    assert abs(len(after) - (32000 + gap + 6400)) <= 320 and len(before) == len(after)
    said, tail = after[:32000], after[-6400:]
    assert np.std(tail) == pytest.approx(np.std(said), rel=0.1)  # the stop at the sentence's level
    assert np.all(after[32000 + 160 : 32000 + gap - 160] == 0)  # the breath between them
    assert np.std(before[:6400]) == pytest.approx(np.std(said), rel=0.1)


def test_the_talk_benchmark_names_the_sign_a_stop_came_from(tmp_path):
    """bench_talk.why_a_stop, the breakdown of talk's stops: the first sign that holds, as
    Recogniser.hear weighs them, and the answer's length."""
    from test_stopword import _Unsure, speak

    from voiceguide.audio.pcm import resample
    from voiceguide.feedback import recognise
    from voiceguide.feedback.listen import RATE

    word, rate = speak("window", "en-us", tmp_path)
    talk, _ = speak(
        "I walked down to the window this morning and looked out at the garden", "en-us", tmp_path
    )
    word, talk = (resample(x, rate, RATE).astype(np.float32) for x in (word, talk))  # the listener's rate
    sure = recognise.Recogniser(helper=False, stop_net=lambda x: np.full(len(x), 0.99))
    assert bench_talk.why_a_stop(sure, talk) == "detector sure, long"
    unsure = recognise.Recogniser(helper=False, stop_net=_Unsure())
    assert bench_talk.why_a_stop(unsure, word) == "detector unsure, short"
    deaf = recognise.Recogniser(helper=False, stop_net=lambda x: np.zeros(len(x)))
    assert bench_talk.why_a_stop(deaf, talk) == "none when heard alone, long"


def _the_player_did(given) -> str | None:
    """What a session does with `given`, heard during its first hold: `bench_talk.outcome`'s words for
    it, read from the player's own events (a "no" to "did you say ...?", so that it goes on)."""
    from player_harness import Script, play

    from voiceguide import library, planner
    from voiceguide.feedback.intents import understand

    class Given(Script):
        def __init__(self, events) -> None:
            super().__init__(events, ["3"])
            self.given, self.asked = given, False

        def poll(self):
            last = next((d for e, d in reversed(self.events) if e == "segment"), None)
            if self.given is None or last is None or last.get("kind") != "hold":
                return None
            self.events.append(("given", {}))
            heard, self.given = self.given, None
            return heard

        def answer(self, expect, timeout, realtime):
            if expect == "yesno" and self.given is None and not self.asked:
                self.asked = True
                return understand("no", "yesno", source="keys")
            return super().answer(expect, timeout, realtime)

    request = planner.Request(mode="self", stage="acute", minutes=5)
    _, events, _, _ = play(library.load(), request, [], script=Given)
    start = next(i for i, (e, _) in enumerate(events) if e == "given")
    for event, data in events[start + 2 :]:  # after the answer's own event
        if event == "ignored":
            return None
        if event == "readback" and data["question"] == "confirm-stop":
            return bench_talk.ASKED_STOP if "stop" in data["text"] else "asked about a symptom"
        if event == "action":
            names = {"stop": "stopped", "pause": "paused", "repeat": "repeated"}
            return "a symptom acted on" if data["rule"] == "symptom" else names.get(data["action"])
    raise AssertionError("the player did nothing with the answer")


@pytest.mark.parametrize(
    "word, confidence",
    [
        ("stop", 0.95),
        ("stop", None),  # heard, not clearly: "did you say stop?"
        ("numb", 0.95),
        ("numb", None),
        ("pause", 0.95),
        ("pause", 0.7),  # a doubtful pause, said once
        ("repeat", 0.95),
        ("continue", 0.95),  # nothing to resume while the session plays
        ("more", 0.95),
        ("seven", 0.95),
    ],
)
def test_the_benchmark_counts_what_the_player_does(monkeypatch, word, confidence):
    """bench_talk.outcome names what a session does with an answer heard while it plays; it follows
    Player.between_questions' order itself, so the two are held to the same here, on the player."""
    from player_harness import unsure

    from voiceguide.feedback.intents import understand
    from voiceguide.player import playback

    monkeypatch.setattr(playback, "POLL", 0.0)
    given = (
        unsure(word) if confidence is None else understand(word, "any", source="voice", confidence=confidence)
    )
    assert bench_talk.outcome(given, playback.PauseAgain(), 0.0) == _the_player_did(given)


def test_a_take_at_another_speed_is_shorter_and_higher_and_as_loud():
    """train_stop.at_speed: a take played faster or slower, as another speaker might say it."""
    tone = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000)
    for factor in (0.85, 1.1):
        faster = train_stop.at_speed(tone, factor)
        assert len(faster) == round(16000 / factor)
        peak = np.fft.rfftfreq(len(faster), 1 / 16000)[np.argmax(np.abs(np.fft.rfft(faster)))]
        assert abs(peak - 1000 * factor) < 2
        assert np.sqrt(np.mean(faster**2)) == pytest.approx(np.sqrt(0.5), rel=0.01)


def test_takes_at_other_speeds_come_after_the_takes_as_made_without_them(tmp_path):
    """--speed adds windows and changes none of those made without it: a fit with it differs from
    the shipped one by the new takes alone."""
    rng = np.random.default_rng(3)
    takes = []
    for word in ("stop", "up", "stop", "go"):
        path = tmp_path / f"{word}_{len(takes)}.wav"
        burst = np.concatenate([np.zeros(4000), rng.standard_normal(6000) * 0.1, np.zeros(6000)])
        path.write_bytes(wav_bytes(burst))
        takes.append((word, path))
    x, y, kinds = train_stop.real_examples(takes, 5, [])
    sx, sy, skinds = train_stop.real_examples(takes, 5, [], speed=True)
    assert len(sy) > len(y) and np.array_equal(sx[: len(x)], x) and np.array_equal(sy[: len(y)], y)
    assert set(skinds[len(kinds) :]) == {"pos", "near"}  # every word once more, not only the stops


def test_the_detector_alone_is_counted_under_and_over_each_level():
    """scripts/stop_scores.py: stops under each level, other words at or over it, heard whole."""
    import stop_scores

    noise = np.random.default_rng(2).standard_normal(16000).astype(np.float32) * 0.1
    clip = {"samples": noise, "rate": 16000}
    sure = lambda x: np.full(len(x), 0.95)  # noqa: E731
    under, over = stop_scores.counts(sure, [clip, clip], [clip])
    assert under == [0, 0, 0, 2] and over == [1, 1, 1, 0]
