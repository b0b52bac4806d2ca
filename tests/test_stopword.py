"""The stop word: heard in voices made at test time, at several levels, at every question, in a
24-bit 48 kHz file, with or without enrollment; and the one decision `hear` and a session share."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav
from voiceguide.feedback.decision import ACT, CONFIRM_IT, REJECT, decide
from voiceguide.feedback.intents import Answer

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the stop-word tests (apt-get install espeak-ng)")


def speak(text: str, voice: str, folder, level_db: float = -20.0, seed: int = 0) -> tuple[np.ndarray, int]:
    """espeak-ng speech at a given level (dBFS of the loud part) over a little room noise."""
    path = folder / "tmp.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, capture_output=True)
    x, rate = decode_wav(path.read_bytes())
    x = x.astype(np.float64)
    loud = x[np.abs(x) > 0.05 * np.max(np.abs(x))]
    x = x * 10 ** (level_db / 20) / np.sqrt(np.mean(loud**2))
    pad = np.zeros(int(0.3 * rate))
    x = np.concatenate([pad, x, pad])
    x = x + np.random.default_rng(seed).normal(0, 10 ** ((level_db - 40) / 20), len(x))
    return x.astype(np.float32), rate


def write_wav(path, x: np.ndarray, rate: int, width: int = 2) -> None:
    if width == 2:
        raw = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    else:  # 24-bit little-endian
        ints = (np.clip(x, -1, 1) * 8388607).astype("<i4").tobytes()
        raw = b"".join(ints[i : i + 3] for i in range(0, len(ints), 4))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)


def hear(cli, files, expect="any", *extra) -> list[dict]:
    result = cli("hear", *map(str, files), "--expect", expect, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_decide_stop_words_have_their_own_lower_thresholds():
    def voice(text, conf, intent="unknown"):
        return Answer(text=text, intent=intent, confidence=conf, source="voice")

    assert decide(voice("stop", 0.3), "number").action == ACT
    assert decide(voice("stop", 0.3), "number").answer.intent == "stop"
    assert decide(voice("please stop", 0.1), "yesno").action == CONFIRM_IT  # "did you say stop?"
    assert decide(voice("it's burning", 0.25), "pressure").answer.intent == "symptom"
    assert decide(voice("stop", 0.05), "any").action == REJECT
    assert decide(voice("seven", 0.95, "number"), "number").action == ACT
    assert decide(voice("seven", 0.7, "number"), "number").action == CONFIRM_IT  # read back
    assert decide(voice("seven", 0.5), "number").action == REJECT
    assert decide(voice("seven", 0.99, "number"), "yesno").action == REJECT  # not an answer to yes/no
    assert decide(voice("no", 0.95, "no"), "yesno").answer.intent == "no"
    assert decide(Answer("s", "stop", source="keys"), "number").action == ACT
    assert decide(Answer("q", "unknown", source="keys"), "number").action == REJECT


def test_an_answer_asked_again_with_the_detector_nearly_sure_is_asked_about_as_a_stop():
    """Unseen voices: stops the detector put at 0.80-0.895 were decoded as "pause" or "no", too
    unsure to act on, and asked again (recognise.stop_unless_sure)."""
    from voiceguide.feedback.recognise import STOP_UNSURE, stop_unless_sure

    unsure_no = Answer(text="no", intent="unknown", confidence=0.44, source="voice")
    asked = decide(stop_unless_sure(unsure_no, {"stop_chance": 0.82}, "yesno"), "yesno")
    assert asked.action == CONFIRM_IT and asked.answer.intent == "stop"  # "did you say stop?"
    # below STOP_UNSURE, or when the answer would be acted on or read back, nothing changes
    assert stop_unless_sure(unsure_no, {"stop_chance": STOP_UNSURE - 0.01}, "yesno") is unsure_no
    sure_two = Answer(text="two", intent="number", value=2, confidence=0.95, source="voice")
    assert stop_unless_sure(sure_two, {"stop_chance": 0.85}, "number") is sure_two
    read_back = Answer(text="two", intent="number", value=2, confidence=0.7, source="voice")
    assert stop_unless_sure(read_back, {"stop_chance": 0.85}, "number") is read_back
    pressed = Answer(text="x", intent="unknown", source="keys")  # keys are meant, never second-guessed
    assert stop_unless_sure(pressed, {"stop_chance": 0.85}, "number") is pressed


def test_an_answer_asked_again_that_the_word_listener_names_stop_is_asked_about_as_a_stop():
    """flite's slt voice, which neither network heard: stops asked again while the word listener
    named "stop" first (0.40-0.45); an unseen espeak-ng "stop please" too (0.97)."""
    from voiceguide.feedback.recognise import LISTENER_STOP, stop_unless_sure

    unsure = Answer(text="top", intent="unknown", confidence=0.1, source="voice")
    words = {"stop": 0.42, "other": 0.30, "no": 0.28}
    asked = decide(stop_unless_sure(unsure, {"stop_chance": 0.1, "words": words}, "any"), "any")
    assert asked.action == CONFIRM_IT and asked.answer.intent == "stop"  # "did you say stop?"
    # not when it names something else first, or "stop" under LISTENER_STOP, or the answer is used
    other_first = {"stop": 0.40, "other": 0.45, "no": 0.15}
    assert stop_unless_sure(unsure, {"stop_chance": 0.1, "words": other_first}, "any") is unsure
    faint = {"stop": LISTENER_STOP - 0.01, "other": 0.2, "no": 0.2, "yes": 0.2, "good": 0.1}
    assert stop_unless_sure(unsure, {"stop_chance": 0.1, "words": faint}, "any") is unsure
    two = Answer(text="two", intent="number", value=2, confidence=0.7, source="voice")
    assert stop_unless_sure(two, {"stop_chance": 0.1, "words": words}, "number") is two


def test_the_grammars_stop_is_acted_on_asked_about_or_dropped_by_the_detectors_say():
    """A decoded "stop" (confidence 0.6) is acted on when the stop detector nearly agrees, asked
    about ("did you say stop?") when it is unsure, and dropped when it is nowhere near: top,
    shop and stock were decoded as stop, and a near miss acted on counts towards the two stops
    that end a session."""
    from voiceguide.feedback.recognise import STOP_AGREES, STOP_VETO, Recogniser

    rec = Recogniser.__new__(Recogniser)  # the decision only: no model is loaded
    rec.threshold = 0.63

    def decided(chance: float):
        info = {"text": "stop", "confidence": 0.6, "ratio": 1.0, "stop_chance": chance}
        return decide(rec.answer(info, "pressure"), "pressure")

    assert (decided(STOP_AGREES).action, decided(STOP_AGREES).answer.intent) == (ACT, "stop")
    for chance in (STOP_VETO, STOP_AGREES - 0.01):
        assert (decided(chance).action, decided(chance).answer.intent) == (CONFIRM_IT, "stop")
    assert decided(STOP_VETO - 0.01).action == REJECT
    no_detector = {"text": "stop", "confidence": 0.6, "ratio": 1.0}  # its model missing: the grammar alone
    assert decide(rec.answer(no_detector, "pressure"), "pressure").action == ACT


def test_the_grammars_stop_in_a_long_answer_needs_the_detector_at_the_talk_veto(monkeypatch):
    """Over seconds of talk the detector's highest window passes STOP_VETO by chance, so the
    decoder's "stop" in an answer longer than WEAK_STOP_SPEECH counts from TALK_STOP_VETO; in a
    short answer (a stop said as a command) from STOP_VETO, whatever TALK_STOP_VETO is."""
    from voiceguide.feedback import recognise

    monkeypatch.setattr(recognise, "TALK_STOP_VETO", 0.5)
    rec = recognise.Recogniser.__new__(recognise.Recogniser)  # the decision only: no model is loaded
    rec.threshold = 0.63
    short, long = recognise.WEAK_STOP_SPEECH, recognise.WEAK_STOP_SPEECH + 0.5

    def decided(chance: float, speech: float):
        info = {"text": "stop", "confidence": 0.6, "ratio": 1.0, "stop_chance": chance, "speech": speech}
        return decide(rec.answer(info, "between"), "between").action

    between = (recognise.STOP_VETO + 0.5) / 2
    assert recognise.stop_veto({"speech": short}) == recognise.STOP_VETO
    assert recognise.stop_veto({"speech": long}) == 0.5
    assert decided(between, short) == CONFIRM_IT  # "did you say stop?"
    assert decided(between, long) == REJECT
    assert decided(0.5, long) == CONFIRM_IT  # (asked about in a long answer: asked_in_talk)
    assert not recognise.stop_heard_first({"text": "stop", "stop_chance": between, "speech": long})
    assert recognise.stop_heard_first({"text": "stop", "stop_chance": between, "speech": short})


def test_a_stop_only_the_detector_heard_in_a_sure_answer_at_a_question_is_asked_about():
    """People's "seven" was taken for a stop at a number question, the decoder sure of "seven":
    there (and at every question the session waits for in silence) the stop is asked about, with
    the decoder's words kept for a "no"; while the session plays, or with the decoder unsure, or
    in words the question does not take, the stop is acted on as before."""
    from voiceguide.feedback.recognise import Recogniser

    rec = Recogniser.__new__(Recogniser)  # the decision only: no model is loaded
    rec.threshold = 0.63

    def heard(text: str, confidence: float, expect: str) -> Answer:
        info = {"text": text, "confidence": confidence, "ratio": 1.0, "stop_chance": 0.99}
        return rec.answer(info, expect)

    for expect in ("number", "correction"):
        seven = heard("seven", 0.92, expect)
        assert decide(seven, expect).action == CONFIRM_IT and decide(seven, expect).safety
        assert seven.instead == "seven" and seven.to_dict()["instead"] == "seven"
    yes = heard("yes", 0.95, "yesno")
    assert decide(yes, "yesno").action == CONFIRM_IT and yes.instead == "yes"
    for text, confidence, expect in [
        ("seven", 0.92, "any"),  # said while the session plays (or is paused)
        ("seven", 0.80, "number"),  # the decoder unsure
        ("seven", 0.95, "pressure"),  # a rating is no answer to "more or less?"
        ("numb", 0.95, "number"),  # a symptom word is never asked about in place of a stop
    ]:
        acted = heard(text, confidence, expect)
        decision = decide(acted, expect)
        assert decision.action == ACT and decision.answer.intent == "stop", (text, expect)
        assert acted.instead is None and "instead" not in acted.to_dict()


VOICES = ["en-gb", "en-gb-scotland", "en-029", "en-us-nyc", "en+f4"]


@pytest.mark.parametrize("expect", ["any", "number", "pressure", "yesno"])
def test_stop_is_heard_at_every_question_in_voices_made_now(cli, tmp_path, expect):
    files = []
    for i, voice in enumerate(VOICES):
        for level in (-30.0, -12.0):
            x, rate = speak("stop", voice, tmp_path, level, seed=i)
            path = tmp_path / f"stop_{voice}_{int(-level)}.wav"
            write_wav(path, x, rate)
            files.append(path)
    lines = hear(cli, files, expect)
    missed = [line["file"] for line in lines if line["intent"] != "stop" or line["decision"] == REJECT]
    assert not missed, missed


def test_please_stop_and_stop_stop_are_heard(cli, tmp_path):
    files = []
    for i, voice in enumerate(["en-gb", "en-029", "en-us"]):
        for text in ("please stop", "stop stop"):
            x, rate = speak(text, voice, tmp_path, -20.0, seed=i)
            path = tmp_path / f"{text.replace(' ', '_')}_{voice}.wav"
            write_wav(path, x, rate)
            files.append(path)
    lines = hear(cli, files, "number")
    assert all(line["intent"] == "stop" and line["decision"] != REJECT for line in lines), lines


def test_a_24_bit_48_khz_stop_is_heard(cli, tmp_path):
    x, rate = speak("stop", "en-gb", tmp_path, -18.0)
    t = np.arange(int(len(x) * 48000 / rate)) * rate / 48000
    y = np.interp(t, np.arange(len(x)), x).astype(np.float32)
    path = tmp_path / "stop48k24.wav"
    write_wav(path, y, 48000, width=3)
    [line] = hear(cli, [path], "pressure")
    assert line["intent"] == "stop" and line["decision"] in (ACT, CONFIRM_IT), line


def test_hear_says_what_a_session_would_do(cli, tmp_path):
    """No at a yes/no question is no (not the symptom "numb"); a noise is asked again."""
    x, rate = speak("no", "en-gb", tmp_path, -18.0)
    write_wav(tmp_path / "no.wav", x, rate)
    noise = np.random.default_rng(3).normal(0, 0.05, 16000).astype(np.float32)
    write_wav(tmp_path / "noise.wav", noise, 16000)
    no, hiss = hear(cli, [tmp_path / "no.wav", tmp_path / "noise.wav"], "yesno")
    assert no["intent"] == "no" and no["decision"] in (ACT, CONFIRM_IT), no
    assert hiss["intent"] == "unknown" and hiss["decision"] == REJECT


def enrollment_takes(tmp_path):
    """Takes of stop, seven and more in espeak-ng's en-us, as `voice enroll --from` reads them."""
    takes = tmp_path / "takes"
    takes.mkdir()
    rng = np.random.default_rng(4)
    for word in ("stop", "seven", "more"):
        for n in range(3):
            x, rate = speak(word, "en-us", tmp_path, float(rng.uniform(-24, -14)), seed=n)
            write_wav(takes / f"{word}_{n}.wav", x, rate)
    return takes


def test_enrollment_never_weakens_the_stop_word(cli, tmp_path):
    """Enrolling stop, seven and more from espeak-ng takes: the same stop clips are heard at least as well."""
    takes = enrollment_takes(tmp_path)
    clips = []
    for i, voice in enumerate(["en-us", "en-gb", "en-029", "en+f4"]):
        x, rate = speak("stop", voice, tmp_path, -20.0, seed=10 + i)
        write_wav(tmp_path / f"stop_{voice}.wav", x, rate)
        clips.append(tmp_path / f"stop_{voice}.wav")
    before = hear(cli, clips, "number")
    result = cli("voice", "enroll", "--from", str(takes))
    assert result.exit_code == 0, result.stderr
    after = hear(cli, clips, "number")
    for b, a in zip(before, after, strict=True):
        assert b["intent"] == "stop" and a["intent"] == "stop", (b, a)
        assert a["confidence"] >= b["confidence"] and a["decision"] == b["decision"], (b, a)


def frames_through_listener(signal: np.ndarray, expect: str = "any", busy=None) -> tuple[list, list]:
    """30 ms frames of a 16 kHz microphone signal through the listener (no sound card, no player):
    the stops it heard while the utterance went on, with their frame times, and the utterances."""
    from voiceguide.feedback.listen import FRAME, RATE, Listener

    listener = Listener(mic=None, recognise=lambda samples, rate, expect: Answer("", "unknown"), busy=busy)
    listener.expect = expect
    early, ends = [], []
    for k in range(0, len(signal) - FRAME + 1, FRAME):
        at = k / RATE
        utterance = listener.process(signal[k : k + FRAME].astype(np.float32), at)
        heard = listener.spot(at)
        if heard is not None:
            early.append((at + FRAME / RATE, heard))
        if utterance is not None:
            ends.append(utterance)
            listener.spotted = False
    return early, ends


def test_at_a_question_the_whole_answer_decides_a_stop_unless_the_player_sounds(tmp_path):
    """At a question the session waits for in silence, a stop is not answered while it is said:
    the whole answer's decode decides (recognise.stop_or_instead). While the player sounds, as
    when it speaks what follows an answer before the question's kind is reset, it is."""
    from voiceguide.feedback.stopword import to_16k

    x, rate = speak("stop", "en-029", tmp_path, -22.0)
    lead = np.random.default_rng(0).normal(0, 10 ** (-62 / 20), 16000).astype(np.float32)
    signal = np.concatenate([lead, to_16k(x, rate), lead])
    early, ends = frames_through_listener(signal, expect="number")
    assert early == [] and len(ends) == 1
    early, _ = frames_through_listener(signal, expect="any")
    assert len(early) == 1 and early[0][1].answer.intent == "stop"

    from voiceguide.feedback.listen import Listener, Reference

    def listener(played: float, expect: str = "number") -> Listener:
        """`played`: the level of what the player played over the last seconds."""
        tone = played * np.sin(np.arange(16000) / 5.0)
        between = lambda a, b: (np.linspace(a, b, 16000), tone)  # noqa: E731
        reference = Reference(between, 16000)
        one = Listener(mic=None, recognise=lambda *_: Answer("", "unknown"), reference=reference)
        one.expect = expect
        return one

    assert listener(0.0).waits_for_whole_answer(5.0)
    assert not listener(0.3).waits_for_whole_answer(5.0)  # the player speaks what follows an answer
    assert not listener(0.0, "any").waits_for_whole_answer(5.0)
    quiet = Listener(mic=None, recognise=lambda *_: Answer("", "unknown"), busy=lambda: False)
    quiet.expect = "yesno"
    assert quiet.waits_for_whole_answer(5.0)


def test_a_stop_left_to_the_whole_answer_is_never_lost_there():
    """The whole utterance's decode can miss a stop its frames showed while it was said (2 of 411
    people's stops, scripts/bench_question_stops.py): the stop as heard is kept, and asked about
    only when the decoder is sure of words the question takes."""
    from voiceguide.feedback.listen import Listener

    listener = Listener(mic=None, recognise=lambda *_: Answer("", "unknown"))
    missed = Answer("", "unknown", None, 0.0, "voice")
    assert listener.stop_kept(missed, "number") is missed  # nothing was left to it
    listener.deferred = 0.99
    kept = decide(listener.stop_kept(missed, "number"), "number")
    assert (kept.action, kept.answer.intent) == (ACT, "stop") and listener.deferred == 0.0
    listener.deferred = 0.99
    seven = listener.stop_kept(Answer("seven", "number", 7, 0.92, "voice"), "number")
    assert decide(seven, "number").action == CONFIRM_IT and seven.instead == "seven"
    listener.deferred = 0.99
    stop = Answer("stop", "stop", None, 0.9, "voice")
    assert listener.stop_kept(stop, "number") is stop


@pytest.mark.parametrize("voice", ["en-gb-scotland", "en-029", "en-us-nyc"])
def test_the_stop_word_is_spotted_while_it_is_said(tmp_path, voice):
    """Heard from the frames as they come, before the utterance's end is found: within 300 ms of the
    end of the word, acted on; and only once."""
    from voiceguide.feedback.stopword import to_16k

    x, rate = speak("stop", voice, tmp_path, -22.0)
    x = to_16k(x, rate)
    lead = np.random.default_rng(0).normal(0, 10 ** (-62 / 20), 16000).astype(np.float32)
    signal = np.concatenate([lead, x, lead])
    loud = np.flatnonzero(np.abs(x) > 0.05 * np.max(np.abs(x)))
    word_end = (len(lead) + loud[-1]) / 16000
    early, _ = frames_through_listener(signal)
    assert len(early) == 1, early
    at, heard = early[0]
    assert heard.answer.intent == "stop" and decide(heard.answer).action == ACT
    assert at - word_end <= 0.3, (at, word_end)


def test_other_words_are_not_spotted_as_stop(tmp_path):
    from voiceguide.feedback.stopword import to_16k

    parts = []
    for i, word in enumerate(["okay", "good", "seven", "more", "softer", "that is fine thank you"]):
        x, rate = speak(word, "en-gb-scotland" if i % 2 else "en-029", tmp_path, -22.0, seed=i)
        parts += [to_16k(x, rate), np.zeros(8000, np.float32)]
    signal = np.concatenate(parts) + np.random.default_rng(1).normal(0, 1e-3, sum(map(len, parts)))
    early, ends = frames_through_listener(signal.astype(np.float32))
    assert early == [] and len(ends) >= 5


def test_several_fits_in_one_file_are_heard_as_the_mean_of_their_probabilities(tmp_path):
    """stop_model.npz may hold one fit or several; several load as one detector, each window's
    probability the mean of theirs, and a file of one fit still loads as it always did."""
    from voiceguide.feedback import stopword as sw

    rng = np.random.default_rng(3)

    def fit(scale: float) -> sw.Net:
        shapes = {"c1": (48, sw.MELS, 5), "b1": (48,), "c2": (64, 48, 3), "b2": (64,)}
        shapes |= {"w": (1, 128), "b": (1,)}
        return sw.Net(**{k: (scale * rng.normal(size=s)).astype(np.float32) for k, s in shapes.items()})

    a, b = fit(0.05), fit(0.08)
    windows = rng.normal(-40, 10, size=(6, sw.CONTEXT // sw.POOL * sw.MELS)).astype(np.float32)
    a.save(tmp_path / "one.npz")
    sw.Nets([a, b]).save(tmp_path / "two.npz")
    one, two = sw.load(tmp_path / "one.npz"), sw.load(tmp_path / "two.npz")
    assert isinstance(one, sw.Net) and np.allclose(one(windows), a(windows))
    assert isinstance(two, sw.Nets) and len(two.members) == 2
    assert np.allclose(two(windows), (a(windows) + b(windows)) / 2)
    assert not np.allclose(a(windows), b(windows))  # the two fits differ: the mean is a real mean
    # the listening that only keeps a stop it would set aside hears what any fit hears
    assert np.allclose(sw.any_of(two)(windows), np.maximum(a(windows), b(windows)))
    assert sw.any_of(one) is one


def test_a_damaged_model_file_is_listened_without_not_a_traceback(tmp_path, monkeypatch):
    """A stop detector or word-listener file cut short (a broken copy, a full disk) is refused as
    the wrong file would be: the listener goes on without that detector, the grammar still hears
    "stop"."""
    from voiceguide.feedback import listen, wordnet
    from voiceguide.feedback import stopword as sw

    for model, loader in ((sw.MODEL, sw.load), (wordnet.MODEL, wordnet.WordNet.load)):
        cut = tmp_path / model.name
        cut.write_bytes(model.read_bytes()[:5000])
        with pytest.raises(ValueError, match="damaged"):
            loader(cut)
    monkeypatch.setattr(sw, "MODEL", tmp_path / sw.MODEL.name)
    sw.network.cache_clear()
    try:
        assert listen.spotter() is None
    finally:
        sw.network.cache_clear()


def slt(text: str, folder, stretch: float = 1.0) -> tuple[np.ndarray, int]:
    """flite's slt voice (a woman's; an engine neither network heard), with a little silence around."""
    assert shutil.which("flite"), "flite is needed here (the test set-up installs it: apt-get install flite)"
    path = folder / "slt.wav"
    options = ["-voice", "slt", "--setf", f"duration_stretch={stretch}", "-t", text, "-o", str(path)]
    subprocess.run(["flite", *options], check=True, capture_output=True)
    x, rate = decode_wav(path.read_bytes())
    pad = np.zeros(int(0.3 * rate))
    return np.concatenate([pad, x.astype(np.float64) * 0.5, pad]).astype(np.float32), rate


@pytest.mark.parametrize("stretch", [1.0, 1.1, 1.5])
def test_a_stop_in_a_voice_no_network_heard_silences_the_session_the_first_time(tmp_path, stretch):
    """flite slt's "stop" (a woman's voice, an engine neither network heard): the detector trained
    on synthetic speech alone scored it 0.03-0.12 and vetoed the decoder's "stop", so it was asked
    again. Trained on people's takes too (2026-12-05) it was acted on, said at her own speed; since
    it also learnt from people's talk (2026-12-07), it scores that one 0.75 and the session falls
    silent and asks "Did you say stop?", as for her slower ones (1.5 times as slow: asked again
    before, 0.52)."""
    from voiceguide.feedback.recognise import Recogniser
    from voiceguide.player.dialogue import doubtful_stop

    x, rate = slt("stop", tmp_path, stretch)
    heard = Recogniser(helper=False).hear(x, rate, "any")
    acted = heard.intent == "stop" and decide(heard, "any").action == ACT
    assert acted or doubtful_stop(heard), heard


class _Deaf:
    """A stop detector that hears nothing: for a voice it misses, whichever voice that is."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.full(len(x), 0.03)


@pytest.mark.parametrize("stretch", [1.0, 1.1])
def test_a_stop_the_detector_misses_is_asked_about_when_said_again(tmp_path, stretch):
    """The decoder hears "stop", the stop detector vetoes it, and it is asked again; said a second
    time in a row, the person is asked "did you say stop?"."""
    from voiceguide.feedback.listen import StopAgain
    from voiceguide.feedback.recognise import Recogniser
    from voiceguide.player.dialogue import doubtful_stop, stop_check_text

    x, rate = slt("stop", tmp_path, stretch)
    recogniser = Recogniser(helper=False, stop_net=_Deaf())
    heard = recogniser.hear(x, rate, "any")
    assert decide(heard, "any").action == REJECT and heard.stop_hint  # once: nothing is done
    again = StopAgain()
    assert again(heard, 10.0, "any") is heard
    asked = again(heard, 12.5, "any")  # said again 2.5 s later
    assert doubtful_stop(asked) and stop_check_text(asked) == "Did you say stop?"
    assert asked.to_dict()["stop_hint"] is True  # the journal says why it was asked


def test_a_stop_hint_said_twice_in_a_row_is_asked_about_and_nothing_else_is():
    from voiceguide.feedback.listen import STOP_AGAIN_SECONDS, StopAgain

    hinted = Answer(text="five", intent="unknown", confidence=0.3, source="voice", stop_hint=True)
    plain = Answer(text="five", intent="unknown", confidence=0.3, source="voice")
    understood = Answer(
        text="five", intent="number", value=5, confidence=0.95, source="voice", stop_hint=True
    )

    def asked(*steps: tuple[Answer, float]) -> bool:
        rule = StopAgain()
        return [decide(rule(a, at, "number"), "number").action for a, at in steps][-1] == CONFIRM_IT

    assert asked((hinted, 0.0), (hinted, 3.0))
    assert not asked((hinted, 0.0), (hinted, STOP_AGAIN_SECONDS + 0.1))  # too far apart
    assert not asked((hinted, 0.0), (plain, 2.0), (hinted, 4.0))  # not in a row
    assert not asked((hinted, 0.0), (understood, 2.0), (hinted, 4.0))  # an answer in between
    assert not asked((plain, 0.0), (plain, 2.0))
    assert asked((hinted, 0.0), (hinted, 2.0), (hinted, 4.0)) is False  # asked once, then afresh
    key = Answer(text="x", intent="unknown", source="keys", stop_hint=True)
    assert not asked((key, 0.0), (key, 1.0))  # keys are meant, never second-guessed
    assert "stop_hint" not in plain.to_dict()  # journals without the hint stay as they were
    # after a hinted one, the decoder's own "stop" under the hint's level counts too (seen live: slt's
    # four clean stops carried the hint only 1st and 4th); never before one, nor other words
    vetoed = Answer(text="stop", intent="unknown", confidence=0.0, source="voice")
    assert asked((hinted, 0.0), (vetoed, 2.5))
    assert not asked((vetoed, 0.0), (vetoed, 2.5))
    assert not asked((hinted, 0.0), (plain, 2.5))
    assert not asked((hinted, 0.0), (vetoed, STOP_AGAIN_SECONDS + 0.1))


def test_the_stop_hint_is_what_one_of_the_three_listeners_leaned_to():
    from voiceguide.feedback.intents import CONFIRM
    from voiceguide.feedback.recognise import LISTENER_STOP, STOP_VETO, stop_hint

    assert stop_hint({"text": "stop", "confidence": CONFIRM})  # the decoder's stop, vetoed
    assert not stop_hint({"text": "stop", "confidence": CONFIRM - 0.01})
    assert stop_hint({"text": "five", "confidence": 0.9, "stop_chance": STOP_VETO})
    assert not stop_hint({"text": "five", "confidence": 0.9, "stop_chance": STOP_VETO - 0.01})
    leaning = {"other": 0.5, "stop": LISTENER_STOP, "five": 0.1}  # first but for "other"
    assert stop_hint({"text": "five", "confidence": 0.1, "words": leaning})
    assert not stop_hint(
        {"text": "five", "confidence": 0.1, "words": {"other": 0.5, "stop": 0.3, "six": 0.35}}
    )


def test_enrollment_keeps_the_stop_hint(cli, tmp_path, monkeypatch):
    """After enrolling, a "stop" the detector misses (asked again) still carries the hint that makes
    it asked about when said again, and slt's stops are decided at least as strongly as without
    enrolling: enrollment never weakens the stop word."""
    from voiceguide.feedback import enroll
    from voiceguide.feedback import stopword as sw
    from voiceguide.feedback.recognise import Recogniser

    strength = {REJECT: 0, CONFIRM_IT: 1, ACT: 2}
    assert cli("voice", "enroll", "--from", str(enrollment_takes(tmp_path))).exit_code == 0
    for stretch in (1.0, 1.5):
        x, rate = slt("stop", tmp_path, stretch)
        plain = decide(Recogniser(helper=False).hear(x, rate, "number"), "number").action
        enrolled = decide(enroll.recogniser_for(None, helper=False).hear(x, rate, "number"), "number").action
        assert strength[enrolled] >= strength[plain] >= strength[CONFIRM_IT], (stretch, plain, enrolled)
    monkeypatch.setattr(sw, "network", _Deaf)
    heard = enroll.recogniser_for(None, helper=False).hear(*slt("stop", tmp_path), "number")
    assert decide(heard, "number").action == REJECT and heard.stop_hint


def test_hear_says_when_an_answer_asked_again_is_like_stop(cli, tmp_path, monkeypatch):
    """`hear` says what a session would do: slt's "stop", the detector missing it, is asked again,
    and said twice in a row it would be asked about; an answer understood carries no such note."""
    from voiceguide.feedback import stopword as sw

    monkeypatch.setattr(sw, "network", _Deaf)
    x, rate = slt("stop", tmp_path)
    write_wav(tmp_path / "slt_stop.wav", x, rate)
    y, rate_y = speak("seven", "en-us", tmp_path, -20.0)
    write_wav(tmp_path / "seven.wav", y, rate_y)
    stop, seven = hear(cli, [tmp_path / "slt_stop.wav", tmp_path / "seven.wav"], "number")
    assert stop["decision"] == "reject" and stop["stop_hint"] is True
    assert seven["decision"] != "reject" and "stop_hint" not in seven
    plain = cli("hear", str(tmp_path / "slt_stop.wav"))
    assert plain.exit_code == 0 and "like stop: said twice, it is asked about" in plain.stdout


class _Unsure:
    """A stop detector unsure everywhere (0.85: over STOP_UNSURE, under its ASK_AT), as the shipped
    one is over many windows of people's talk."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.full(len(x), 0.85)


def test_weak_signs_of_a_stop_count_in_a_short_answer_not_in_a_stretch_of_talk(tmp_path, monkeypatch):
    """People's read sentences brought "did you say stop?" in about half of them, mostly from the
    weak signs (the detector unsure, the stop hint said twice: scripts/bench_talk.py). A stop said
    as a command is short; over seconds of talk those signs come by chance, so they count only up
    to WEAK_STOP_SPEECH seconds of speech. A sure stop counts at any length; in a longer answer it
    is asked about rather than acted on (recognise.asked_in_talk)."""
    from voiceguide.feedback.listen import StopAgain
    from voiceguide.feedback.recognise import WEAK_STOP_SPEECH, Recogniser
    from voiceguide.player.dialogue import doubtful_stop

    recogniser = Recogniser(helper=False, stop_net=_Unsure())
    word, rate = speak("window", "en-us", tmp_path)
    info = recogniser.details(word, rate, "any")
    assert info["speech"] < WEAK_STOP_SPEECH
    short = recogniser.answer(info, "any")
    assert doubtful_stop(short)  # "did you say stop?"
    talk, rate = speak(
        "I walked down to the window this morning and looked out at the garden for a while", "en-us", tmp_path
    )
    info = recogniser.details(talk, rate, "any")
    assert info["speech"] > WEAK_STOP_SPEECH
    heard = recogniser.answer(info, "any")
    assert not doubtful_stop(heard) and not heard.stop_hint
    assert decide(heard, "between").action == REJECT and not decide(heard, "between").safety
    again = StopAgain()  # two such stretches in a row ask nothing either
    assert again(heard, 10.0, "any") is heard and again(heard, 14.0, "any") is heard
    sure = Recogniser(helper=False, stop_net=lambda x: np.full(len(x), 0.99))
    assert decide(sure.hear(talk, rate, "any"), "between").safety  # a sure stop is heard at any length,
    assert doubtful_stop(sure.hear(talk, rate, "any"))  # in talk asked about (the sound stops the same)
    assert decide(sure.hear(word, rate, "any"), "between").action == ACT  # a short one acted on at once
    monkeypatch.setattr("voiceguide.feedback.recognise.WEAK_STOP_SPEECH", float("inf"))
    assert doubtful_stop(recogniser.answer(info, "any"))  # as it was: the talk asked about
    assert decide(sure.hear(talk, rate, "any"), "between").action == ACT  # ... and a sure stop acted on


def test_another_detector_can_be_named_for_a_session(tmp_path, monkeypatch, cli):
    """VOICEGUIDE_STOP_MODEL puts another detector in place of the shipped one (a new fit tried
    live; the live test of a missed stop gives one that hears nothing). A name that is no detector
    is a clear error, never a session that quietly listens without one."""
    from stand_in_detectors import write_deaf_detector

    from voiceguide.errors import ExitCode
    from voiceguide.feedback import stopword as sw

    deaf = write_deaf_detector(tmp_path / "deaf.npz")
    x, rate = slt("stop", tmp_path, 1.5)
    write_wav(tmp_path / "slt_stop.wav", x, rate)
    sw.network.cache_clear()
    try:
        assert sw.stop_probability(x, rate) >= sw.ASK_AT  # the shipped detector hears her
        monkeypatch.setenv("VOICEGUIDE_STOP_MODEL", str(deaf))
        sw.network.cache_clear()
        assert sw.stop_probability(x, rate) < 0.01
        monkeypatch.setenv("VOICEGUIDE_STOP_MODEL", str(tmp_path / "no-such-detector.npz"))
        sw.network.cache_clear()
        result = cli("hear", str(tmp_path / "slt_stop.wav"))
        assert result.exit_code == ExitCode.INVALID_INPUT, result.output
        assert "VOICEGUIDE_STOP_MODEL" in result.stderr and "Traceback" not in result.stderr
    finally:
        monkeypatch.delenv("VOICEGUIDE_STOP_MODEL", raising=False)
        sw.network.cache_clear()
