"""Answers at the edges of a microphone's level: cut flat by one set too loud (voiceguide/feedback/
declip.py: the waveform it gives back, and what the recogniser makes of it), or far under a clear
voice (the speech gate's floor, recognise.too_quiet). How much each helps is measured by
scripts/bench_declip.py and scripts/bench_level.py, not here."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav
from voiceguide.feedback import declip, recognise
from voiceguide.feedback.decision import REJECT, at_question
from voiceguide.feedback.declip import CLIP_LEVEL, clipped_share, restore

RATE = 16000


def sine(amplitude: float, hz: float = 220.0, seconds: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def snr_db(truth: np.ndarray, heard: np.ndarray) -> float:
    """How near `heard` is to `truth` at the best level for it (the listeners ignore level)."""
    scale = float(np.dot(truth, heard) / np.dot(heard, heard))
    error = truth - scale * heard
    return 10 * np.log10(float(np.sum(truth**2)) / float(np.sum(error**2)))


def test_an_answer_with_nothing_at_full_scale_is_given_back_untouched():
    x = sine(0.9)
    assert restore(x) is x
    assert clipped_share(x) == 0.0
    assert clipped_share(np.zeros(0)) == 0.0


def test_a_cut_sine_is_drawn_nearer_to_what_was_said_and_under_full_scale():
    truth = sine(1.6)
    cut = np.clip(truth, -1.0, 1.0)
    assert clipped_share(cut) > 0.3
    drawn = restore(cut)
    assert drawn.dtype == np.float32 and drawn.shape == cut.shape
    assert np.max(np.abs(drawn)) <= 1.0  # never cut again when it is turned into 16-bit samples
    assert snr_db(truth, drawn) > snr_db(truth, cut) + 10.0


@pytest.mark.parametrize("amplitude", [1.3, 3.0, 20.0])
def test_peaks_are_drawn_above_the_cut_but_never_past_twice_full_scale(amplitude):
    cut = np.clip(sine(amplitude), -1.0, 1.0)
    drawn = restore(cut)
    # The whole answer is scaled back under full scale by its highest drawn peak: the samples that
    # were never cut tell by how much.
    untouched = (np.abs(cut) < CLIP_LEVEL) & (np.abs(cut) > 0.1)
    scale = np.abs(cut[untouched]) / np.abs(drawn[untouched])
    assert np.allclose(scale, scale[0], rtol=1e-4)
    assert 1.0 < scale[0] <= declip.MOST + 1e-4
    assert np.max(np.abs(drawn)) == pytest.approx(1.0)


def test_a_run_at_an_end_of_the_clip_stays_flat():
    x = np.concatenate([np.ones(20, np.float32), sine(0.5)])
    drawn = restore(x)
    assert np.all(drawn[:20] == drawn[0])  # nothing before it to draw from


@pytest.fixture(scope="module")
def say(tmp_path_factory):
    if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
        pytest.fail("espeak-ng is needed (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("espeak")

    def speak(text: str, voice: str, gain: float) -> tuple[np.ndarray, int]:
        path = folder / "clip.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
        samples, rate = decode_wav(path.read_bytes())
        return np.clip(samples / np.max(np.abs(samples)) * gain, -1.0, 1.0).astype(np.float32), rate

    return speak


@pytest.fixture(scope="module")
def rec() -> recognise.Recogniser:
    return recognise.Recogniser()


@pytest.mark.parametrize("voice", ["en+m3", "en-gb-scotland", "en+f4"])
def test_a_stop_cut_at_sixteen_times_full_scale_is_still_heard(rec, say, voice):
    """The speech gate judges the clip as it came: en+m3's stop, drawn again, failed its pitch test."""
    samples, rate = say("stop", voice, 16.0)
    assert clipped_share(samples) > 0.1
    info = rec.details(samples, rate, "any")
    assert info["gate"] is None
    decided = at_question(rec.answer(info, "any"), "any")
    assert decided.action != REJECT and decided.answer.intent == "stop"


def test_the_recogniser_hears_the_answer_drawn_again(rec, say, monkeypatch):
    samples, rate = say("seven", "en-us", 4.0)
    seen: list[np.ndarray] = []

    def spy(x: np.ndarray) -> np.ndarray:
        seen.append(x)
        return restore(x)

    monkeypatch.setattr(declip, "restore", spy)
    answer = rec.hear(samples, rate, "number")
    assert len(seen) == 1 and clipped_share(seen[0]) > 0.02
    assert (answer.intent, answer.value) == ("number", 7)


def test_an_answer_far_under_a_clear_voice_is_too_quiet_and_silence_and_noise_are_not(say, rec):
    """recognise.microphone_level: the loudest 20 ms under QUIET_DB, yet not digital silence nor
    what the speech gate calls noise; found once, by `details`, and kept on the answer."""

    def level(x: np.ndarray, rate: int) -> str | None:
        return recognise.microphone_level(x, rate, recognise.speech_gate(x, rate))

    samples, rate = say("seven", "en-us", 1.0)
    faint = samples * 10 ** (recognise.QUIET_DB / 20) * 0.3  # about 10 dB under the level
    assert level(samples * 0.5, rate) is None
    assert level(faint, rate) == "quiet"
    assert level(np.clip(samples * 4.0, -1.0, 1.0), rate) == "loud"
    assert level(np.zeros(16000, np.float32), 16000) is None
    assert level(samples[:100], rate) is None  # too short to tell
    hum = (0.003 * np.sin(2 * np.pi * 50 * np.arange(16000) / 16000)).astype(np.float32)
    assert recognise.speech_gate(hum, 16000) == "steady noise" and level(hum, 16000) is None
    info = rec.details(faint, rate, "number")
    assert info["level"] == "quiet" and rec.answer(info, "number").quiet  # what a benchmark decides too


def test_a_quiet_click_or_rustle_is_not_called_a_quiet_voice(say):
    """A faint burst of noise too short for the speech gate (or under its floor) never had the
    gate's voicing test; too_quiet gives it: unvoiced, it is not "quiet", so a session asking again
    does not tell the person to speak up when nobody spoke (52 of 408 recorded background noises
    were marked before, 16 now). A faint short voice still is."""
    rate = 16000
    rng = np.random.default_rng(3)
    for seconds, db, room in ((0.08, -45.0, 0.0), (0.5, -60.0, 0.0), (0.5, -60.0, 10 ** (-58 / 20))):
        burst = (rng.standard_normal(rate) * room).astype(np.float32)
        n = int(seconds * rate)
        burst[4000 : 4000 + n] += rng.standard_normal(n) * 10 ** (db / 20)
        gate = recognise.speech_gate(burst, rate)  # (in a quiet room, a rustle over the floor: not voiced)
        assert gate in ("too short", "silence", "not voiced") and not recognise.too_quiet(burst, rate, gate)
    samples, rate = say("seven", "en-us", 1.0)
    for db in (-45.0, -60.0):
        faint = (samples / np.max(np.abs(samples)) * 10 ** (db / 20)).astype(np.float32)
        gate = recognise.speech_gate(faint, rate)
        assert recognise.too_quiet(faint, rate, gate), (db, gate)


def test_hear_says_an_answer_came_through_too_quietly(cli, tmp_path, say):
    from test_hear_cli import write_wav

    samples, rate = say("seven", "en-us", 1.0)
    faint = tmp_path / "faint.wav"
    write_wav(faint, samples * 10 ** ((recognise.QUIET_DB - 10) / 20), rate)
    result = cli("hear", str(faint), "--json", "--expect", "number")
    assert result.exit_code == 0, result.stderr
    heard = json.loads(result.stdout)
    assert heard["quiet"] is True and "loud" not in heard
    assert "too quiet for the microphone" in cli("hear", str(faint)).stdout


def test_the_speech_gate_refuses_no_clip_for_its_level_that_the_listener_takes_for_speech(say, rec):
    from voiceguide.feedback.listen import SPEECH_FLOOR_DB

    assert recognise.MIN_ACTIVE_DB == SPEECH_FLOOR_DB
    samples, rate = say("seven", "en-us", 1.0)
    loudest = float(np.max(recognise._frames_db(samples, rate)[1]))
    faint = samples * 10 ** ((SPEECH_FLOOR_DB + 7 - loudest) / 20)  # its loudest 20 ms at -48 dBFS
    info = rec.details(faint, rate, "number")  # (with the floor at -50, as before: "too short")
    assert info["gate"] is None
    assert (rec.answer(info, "number").intent, rec.hear(faint, rate, "number").quiet) == ("number", True)


def test_the_speech_gates_floor_goes_down_in_a_quiet_room_only():
    from voiceguide.feedback import floor

    assert floor.over_room(np.array([])) == floor.SPEECH_FLOOR_DB
    assert floor.over_room(np.full(50, -60.0)) == floor.SPEECH_FLOOR_DB  # an ordinary room: -51 capped
    assert floor.over_room(np.full(50, -75.0)) == -75.0 + floor.ROOM_MARGIN_DB
    assert floor.over_room(np.full(50, -120.0)) == floor.LOWEST_FLOOR_DB  # digital silence
    # the quietest tenth is the room: a word over most of the clip does not raise it
    levels = np.concatenate([np.full(12, -76.0), np.full(88, -30.0)])
    assert floor.over_room(levels) == -76.0 + floor.ROOM_MARGIN_DB


def test_a_faint_voice_in_a_quiet_room_passes_the_speech_gate(say):
    samples, rate = say("seven", "en-us", 1.0)
    loudest = float(np.max(recognise._frames_db(samples, rate)[1]))
    voice = samples * 10 ** ((-62.0 - loudest) / 20)  # under the fixed floor of -55 dBFS
    room = np.random.default_rng(1).standard_normal(len(samples) + rate) * 10 ** (-82 / 20)
    room[rate // 2 : rate // 2 + len(samples)] += voice
    assert recognise.speech_gate(room.astype(np.float32), rate) is None
    loud_room = np.random.default_rng(1).standard_normal(len(room)) * 10 ** (-66 / 20)
    assert recognise.speech_gate((loud_room + room).astype(np.float32), rate) is not None
