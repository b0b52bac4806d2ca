"""The offline recogniser, on speech synthesised at test time with espeak-ng.

What must never be acted on (noise, sentences, a word that does not answer the
question) and a few clear answers that must be; the accuracy over many voices is
measured by scripts/bench_recognition.py, not here.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav, resample

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the recogniser tests (apt-get install espeak-ng)")

from voiceguide.feedback import recognise  # noqa: E402
from voiceguide.feedback.recognise import ACCEPT, CONFIRM, Recogniser, features, speech_seconds  # noqa: E402


@pytest.fixture(scope="module")
def rec() -> Recogniser:
    return Recogniser()


@pytest.fixture(scope="module")
def say(tmp_path_factory):
    folder = tmp_path_factory.mktemp("espeak")

    def speak(text: str, voice: str = "en-us", rate: int = 150) -> tuple[np.ndarray, int]:
        path = folder / "clip.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text], check=True)
        samples, sr = decode_wav(path.read_bytes())
        pad = np.zeros(int(0.2 * sr), np.float32)
        return np.concatenate([pad, samples, pad]), sr

    return speak


def test_silence_and_noise_are_unknown(rec):
    rng = np.random.default_rng(1)
    for samples in (
        np.zeros(16000, np.float32),
        (rng.standard_normal(16000) * 0.1).astype(np.float32),
        np.zeros(0, np.float32),
    ):
        a = rec.hear(samples, 16000, "any")
        assert a.intent == "unknown" and a.value is None


def test_low_rumble_is_not_voiced_but_speech_is(say):
    """Brown noise correlates at every lag (it was decoded as "numb", a symptom acted on); a pitch
    period is a peak. Speech in low and high voices, and at phone quality, still passes."""
    rng = np.random.default_rng(2)
    for gain in (0.05, 0.25, 0.9):
        rumble = np.clip(np.cumsum(rng.normal(0, 0.01, 16000)) * gain, -1, 1)
        assert recognise.speech_gate(rumble.astype(np.float32), 16000) == "not voiced"
    for voice in ("en-us", "en+f4", "en-gb-scotland"):
        x, rate = say("seven", voice)
        assert recognise.speech_gate(x, rate) is None, voice
        assert recognise.speech_gate(resample(x, rate, 8000), 8000) is None, voice


def test_a_whispered_stop_passes_the_gate_that_refuses_a_whisper(rec, say):
    """The speech gate finds no voice in a whisper, but the stop detector hears a stop in it: the
    answer is a stop at every kind of question, as a session's listener acts on it while it is
    said. A whispered other word is still refused."""
    x, rate = say("stop", "en-us+whisper")
    assert recognise.speech_gate(x, rate) == "not voiced"
    assert recognise.gate_unless_stop(x, rate, rec._stop_net) is None
    for expect in ("any", "number", "pressure", "yesno"):
        a = rec.hear(x, rate, expect=expect)
        assert a.intent == "stop", (expect, a)
    other, rate = say("seven", "en-us+whisper")
    assert recognise.speech_gate(other, rate) == "not voiced"
    assert recognise.gate_unless_stop(other, rate, rec._stop_net) == "not voiced"
    assert rec.hear(other, rate, expect="any").intent == "unknown"


@pytest.mark.parametrize("text", ["the weather is nice today", "I need to check my phone"])
def test_out_of_vocabulary_sentence_is_never_acted_on(rec, say, text):
    # At most read back for a yes/no ("I heard less - is that right?"), never acted on directly.
    for expect in ("any", "pressure"):
        a = rec.hear(*say(text), expect=expect)
        assert a.intent == "unknown" or a.confidence < ACCEPT, a


def test_number_is_not_a_pressure_answer(rec, say):
    a = rec.hear(*say("seven"), expect="pressure")
    assert a.intent not in ("more", "less", "good"), a


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
@pytest.mark.parametrize(
    ("text", "expect", "intent"), [("yes", "yesno", "good"), ("tingling", "number", "symptom")]
)
def test_clear_answers_are_acted_on(rec, say, voice, text, expect, intent):
    a = rec.hear(*say(text, voice), expect=expect)
    assert a.intent == intent and a.source == "voice"
    assert a.confidence >= ACCEPT, a


def test_a_pressure_answer_is_understood(rec, say):
    a = rec.hear(*say("softer"), expect="pressure")
    assert a.intent == "less" and a.confidence >= CONFIRM, a


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_a_number_answer_at_phone_quality_is_understood(rec, say, voice):
    samples, rate = say("two", voice)
    spectrum = np.fft.rfft(samples)
    spectrum[np.fft.rfftfreq(len(samples), 1 / rate) > 3800] = 0
    narrow = resample(np.fft.irfft(spectrum, len(samples)).astype(np.float32), rate, 8000)
    a = rec.hear(narrow, 8000, expect="number")
    assert (a.intent, a.value) == ("number", 2) and a.confidence >= CONFIRM, a


def test_a_sentence_is_not_taken_for_a_number(rec, say):
    # The grammar matches "one" inside it; the answer covers little of what was said.
    a = rec.hear(*say("what time is it"), expect="number")
    assert a.intent == "unknown" and a.confidence < CONFIRM, a


def test_details_report_every_feature_of_a_decoded_answer(rec, say):
    info = rec.details(*say("three"), expect="number")
    assert info["text"] == "three" and info["gate"] is None
    values = features(info)
    assert values is not None and len(values) == len(recognise.FEATURES) == len(recognise.WEIGHTS)
    assert 0.0 <= info["confidence"] <= 1.0


def test_thresholds_order_and_confidence_of_nothing():
    assert 0.0 < CONFIRM < ACCEPT < 1.0
    assert Recogniser.confidence({"text": "", "ratio": None}) == 0.0


def test_confidence_rises_with_a_clear_margin_and_falls_with_an_implausible_ratio():
    info = {"ratio": 5.0, "margin": 2.0, "posterior": 0.9, "agree": True, "frames": 24, "phones": 3}
    base = Recogniser.confidence(info)
    assert Recogniser.confidence(dict(info, margin=25.0)) > base
    assert Recogniser.confidence(dict(info, agree=False)) < base
    # a sentence with one answer word in it: the phone loop pays for many sounds the grammar skipped
    assert Recogniser.confidence(dict(info, ratio=150.0, coverage=0.15)) < base


def test_speech_seconds_measures_the_spoken_stretch():
    rate = 16000
    t = np.arange(int(0.5 * rate)) / rate
    burst = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    clip = np.concatenate([np.zeros(rate, np.float32), burst, np.zeros(rate, np.float32)])
    assert speech_seconds(clip, rate) == pytest.approx(0.5, abs=0.05)
    assert speech_seconds(np.zeros(rate, np.float32), rate) == 0.0


def test_prepare_lays_a_repeatable_noise_floor_under_digital_silence():
    rate = 16000
    t = np.arange(rate // 2) / rate
    burst = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    raw = Recogniser.prepare(burst, rate)
    assert raw == Recogniser.prepare(burst, rate)  # seeded: the same answer decodes the same way
    pcm = np.frombuffer(raw, "<i2").astype(np.float64) / 32767
    pad = pcm[: int(recognise.PAD_SECONDS * rate)]
    floor_db = 20 * np.log10(np.sqrt(np.mean(pad**2)) / np.sqrt(np.mean(burst.astype(np.float64) ** 2)))
    assert floor_db == pytest.approx(-recognise.NOISE_FLOOR_DB, abs=1.5)
    silence = np.frombuffer(Recogniser.prepare(np.zeros(rate, np.float32), rate), "<i2")
    assert not silence.any()  # nothing to measure a floor against: left as it is


def test_missing_pocketsphinx_raises_no_recogniser(monkeypatch):
    import builtins

    from voiceguide.errors import NoRecogniser

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "pocketsphinx":
            raise ImportError("no pocketsphinx")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(NoRecogniser) as e:
        Recogniser()
    assert "pip install pocketsphinx" in e.value.hint


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_the_number_meant_is_heard_in_reply_to_a_read_back(rec, say, voice):
    """"I heard seven. Is that right?" "No, eight.": the reply's own grammar (correction) keeps the
    eight, and a number there is read back in turn, never acted on; "yes" still agrees."""
    from voiceguide.feedback.decision import CONFIRM_IT, decide

    for text, value in (("no, eight", 8), ("no, it's three", 3), ("four", 4)):
        a = rec.hear(*say(text, voice), expect="correction")
        assert (a.intent, a.value) == ("number", value), (text, a)
        assert decide(a, "correction").action == CONFIRM_IT, (text, a)
    before = rec.hear(*say("no, eight", voice), expect="yesno")  # what the reply was heard with before
    assert before.value is None
    agreed = rec.hear(*say("yes", voice), expect="correction")
    assert agreed.intent == "good" and decide(agreed, "correction").action == "act", agreed


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_less_or_good_is_heard_in_reply_to_more_read_back(rec, say, voice):
    """"I heard more. Is that right?" "No, softer." / "No, that's okay.": the reply's own grammar
    (correction-pressure) keeps what was meant instead of more; "yes" still agrees."""
    from voiceguide.feedback.decision import decide
    from voiceguide.player.dialogue import pressure_meant

    for text, intent in (("no, softer", "less"), ("no, that's okay", "good")):
        a = rec.hear(*say(text, voice), expect="correction-pressure")
        meant = pressure_meant(a)
        assert meant is not None and meant.intent == intent, (text, a)
    agreed = rec.hear(*say("yes", voice), expect="correction-pressure")
    assert agreed.intent == "good" and pressure_meant(agreed) is None
    assert decide(agreed, "correction-pressure").action == "act"
