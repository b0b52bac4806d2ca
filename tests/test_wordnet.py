"""The answer-word network and how its say is weighed beside the decoder's (recognise.second_opinion).

The rule is tested on made-up network outputs; the network itself on speech synthesised now with
espeak-ng in voices it was never trained on (the accent en-gb-scotland and the variant f5 are held
apart).
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from voiceguide.audio.pcm import decode_wav

if shutil.which("espeak-ng") is None:  # pragma: no cover - CI installs it
    pytest.fail("espeak-ng is needed for the word-network tests (apt-get install espeak-ng)")
from voiceguide.feedback import wordnet
from voiceguide.feedback.decision import decide
from voiceguide.feedback.intents import ACCEPT, CONFIRM, NUMBER_WORDS, Answer, understand
from voiceguide.feedback.recognise import (
    RHYMED,
    RHYMED_ACT_FROM,
    network_meanings,
    rhymes_read_back,
    second_opinion,
    words_for,
)

WORDS = wordnet.network().words


def probs(**named: float) -> dict[str, float]:
    """A network output: the named words at their probabilities, the rest shared evenly."""
    rest = (1.0 - sum(named.values())) / (len(WORDS) - len(named))
    return {w: named.get(w, rest) for w in WORDS}


def voice(text: str, confidence: float) -> Answer:
    from voiceguide.feedback.intents import understand

    return understand(text, "any", source="voice", confidence=confidence)


def test_meanings_add_synonyms_and_leave_out_answers_the_question_does_not_take():
    p = probs(harder=0.3, more=0.3, seven=0.2)
    q = network_meanings(p, "pressure")
    allowed = p[wordnet.OTHER] + sum(p[w] for w in words_for("pressure"))  # no numbers, no "no"
    assert not set(NUMBER_WORDS) & set(words_for("pressure"))
    assert q[("more", None)] == pytest.approx((0.6 + p["firmer"]) / allowed)
    assert ("number", 7) not in q and sum(q.values()) == pytest.approx(1.0)
    assert network_meanings(probs(seven=0.9), "number")[("number", 7)] > 0.9


def test_agreement_lifts_a_rejected_answer_to_a_read_back():
    heard = Answer(text="seven", intent="unknown", value=None, confidence=0.3, source="voice")
    info = {"text": "seven", "words": probs(seven=0.95)}
    assert decide(heard, "number").action == "reject"
    lifted = second_opinion(heard, info, "number")
    d = decide(lifted, "number")
    assert (d.action, d.answer.intent, d.answer.value) == ("confirm", "number", 7)


def test_only_both_listeners_sure_turn_a_read_back_into_an_action():
    fair, weak = voice("softer", 0.75), voice("softer", 0.65)
    sure = {"text": "softer", "words": probs(softer=0.995)}
    fairly = {"text": "softer", "words": probs(softer=0.97)}
    assert decide(fair, "pressure").action == "confirm"
    assert decide(second_opinion(fair, sure, "pressure"), "pressure").action == "act"
    assert decide(second_opinion(fair, fairly, "pressure"), "pressure").action == "confirm"
    assert decide(second_opinion(weak, sure, "pressure"), "pressure").action == "confirm"


def test_a_lukewarm_listener_alone_lifts_nothing():
    """At a number question a read-back starts lower (READ_BACK_AT_NUMBER): the listener's "seven" at
    0.3 alone is read back there, and not at a question that takes any answer."""
    nothing = Answer(text="", intent="unknown", value=None, confidence=0.0, source="voice")
    cases = (("any", 0.3, "reject"), ("number", 0.2, "reject"), ("number", 0.3, "confirm"))
    for expect, listener, action in cases:
        lifted = second_opinion(nothing, {"text": "", "ratio": None, "words": probs(seven=listener)}, expect)
        assert decide(lifted, expect).action == action, (expect, listener)


def test_dissent_turns_an_action_into_a_read_back():
    heard = voice("harder", 0.95)
    assert decide(heard, "any").action == "act"
    info = {"text": "harder", "ratio": 5.0, "confidence": 0.95, "words": probs(softer=0.95)}
    d = decide(second_opinion(heard, info, "any"), "any")
    assert d.action == "confirm"  # read back: the listener's "softer" scores higher than "harder"
    assert (d.answer.intent, d.answer.text) == ("less", "softer")
    assert heard.confidence >= ACCEPT


def test_a_listener_that_hears_no_answer_word_turns_an_action_into_a_question():
    heard = voice("seven", 0.95)
    assert decide(heard, "number").action == "act"
    info = {"text": "seven", "ratio": 5.0, "confidence": 0.95, "words": probs(other=0.6, seven=0.2)}
    assert decide(second_opinion(heard, info, "number"), "number").action != "act"


@pytest.mark.parametrize("word", sorted(RHYMED))
def test_a_rhymed_answer_is_acted_on_only_when_the_decoder_is_very_sure(word):
    """ "fine" came back as nine, "pine" and "hive" as five, "hen" as ten, "pour" as four, with
    both listeners sure: an action on these words needs the decoder at RHYMED_ACT_FROM, below it
    the answer is read back. Other answers, stops and symptom words are left as they were."""
    sure = probs(**{word: 0.995})
    for expect in ("number", "any"):
        for decoder, action in ((RHYMED_ACT_FROM - 0.03, "confirm"), (RHYMED_ACT_FROM + 0.02, "act")):
            heard = understand(word, expect, source="voice", confidence=max(decoder, ACCEPT))
            info = {"text": word, "ratio": 5.0, "confidence": decoder, "words": sure}
            d = decide(rhymes_read_back(second_opinion(heard, info, expect), info, expect), expect)
            assert (d.action, d.answer.text) == (action, word), (expect, decoder)
    seven = understand("seven", "number", source="voice", confidence=0.9)
    info = {"text": "seven", "ratio": 5.0, "confidence": 0.9, "words": probs(seven=0.995)}
    assert decide(rhymes_read_back(seven, info, "number"), "number").action == "act"
    stop = Answer(text="stop", intent="stop", value=None, confidence=0.5, source="voice")
    assert rhymes_read_back(stop, {"text": "stop", "confidence": 0.5}, "number") == stop


@pytest.mark.parametrize("expect", ["any", "number", "pressure", "yesno"])
def test_a_pause_the_listener_is_sure_of_is_acted_on_while_the_session_plays(expect, monkeypatch):
    """en-gb's "pause" is decoded "four" while the listener is all but sure of "pause": read back at
    CONFIRM, it was set aside while the session plays until said again. Backed (FLOW_BACKED_AT),
    it is acted on there; at a question it is read back as before (one man's "four" is the
    listener's sure "pause" too)."""
    from voiceguide.feedback import recognise
    from voiceguide.feedback.decision import at_question

    monkeypatch.setattr(recognise, "FLOW_BACKED_AT", recognise.NET_CONFIRMS)  # (as shipped, or on)
    heard = understand("four", expect, source="voice", confidence=0.81)
    info = {"text": "four", "ratio": 5.0, "confidence": 0.81, "words": probs(pause=0.995)}
    backed = second_opinion(heard, info, expect)
    assert (backed.intent, backed.confidence, backed.backed) == ("pause", CONFIRM, True)
    assert decide(backed, expect).action == "confirm"  # at a question: "Did you ask to pause?"
    assert at_question(backed, "between").action == "act"  # while it plays: paused at once
    unsure = second_opinion(heard, {**info, "words": probs(pause=0.97)}, expect)
    assert unsure.intent == "pause" and not unsure.backed
    assert at_question(unsure, "between").action == "reject"
    seven = understand("seven", expect, source="voice", confidence=0.5)
    assert not second_opinion(seven, {**info, "text": "seven", "words": probs(seven=0.995)}, expect).backed
    # never over a stop or a symptom word, which have their own paths
    stop = Answer(text="stop", intent="stop", value=None, confidence=0.5, source="voice")
    assert second_opinion(stop, {**info, "text": "stop"}, expect) == stop
    numb = understand("numb", expect, source="voice", confidence=0.9)
    assert second_opinion(numb, {**info, "text": "numb"}, expect).intent != "pause"


def test_a_network_all_but_sure_alone_is_read_back_never_acted_on():
    heard = Answer(text="", intent="unknown", value=None, confidence=0.0, source="voice")
    d = decide(second_opinion(heard, {"text": "", "words": probs(three=0.995)}, "number"), "number")
    assert (d.action, d.answer.intent, d.answer.value) == ("confirm", "number", 3)
    assert d.answer.confidence == CONFIRM


def test_the_stop_word_is_left_to_its_own_detector():
    heard = Answer(text="stop", intent="stop", value=None, confidence=0.9, source="voice")
    assert second_opinion(heard, {"text": "stop", "words": probs(top=0.0, okay=0.99)}, "any") == heard
    nothing = Answer(text="", intent="unknown", value=None, confidence=0.0, source="voice")
    d = decide(second_opinion(nothing, {"text": "", "words": probs(stop=0.999)}, "any"), "any")
    assert d.action == "reject"  # the network never raises a stop: that is the detector's job


def test_a_symptom_word_the_network_disputes_is_asked_about_not_acted_on():
    heard = Answer(text="dizzy", intent="unknown", value=None, confidence=0.4, source="voice")
    assert decide(heard, "any").action == "act"  # symptom words are acted on from 0.2
    d = decide(second_opinion(heard, {"text": "dizzy", "words": probs(repeat=0.8)}, "any"), "any")
    assert (d.action, d.answer.intent) == ("confirm", "symptom")
    d = decide(second_opinion(heard, {"text": "dizzy", "words": probs(dizzy=0.8)}, "any"), "any")
    assert d.action == "act"


def test_a_symptom_word_the_network_does_not_back_is_asked_about_at_every_question():
    """ "note" at a number question: the network heard "no", which that question does not take, so
    among the words it does take "numb" came first; over its whole vocabulary numb was 0.4 %."""
    heard = Answer(text="numb", intent="unknown", value=None, confidence=0.5, source="voice")
    for expect in ("number", "any"):
        d = decide(second_opinion(heard, {"text": "numb", "words": probs(no=0.99)}, expect), expect)
        assert (d.action, d.answer.intent) == ("confirm", "symptom")
    backed = {"text": "numb", "words": probs(numb=0.7, tingling=0.1)}
    assert decide(second_opinion(heard, backed, "number"), "number").action == "act"


def test_keys_and_answers_without_a_network_are_untouched():
    key = Answer(text="7", intent="number", value=7, confidence=1.0, source="key")
    assert second_opinion(key, {"words": probs(three=0.999)}, "number") == key
    heard = voice("seven", 0.5)
    assert second_opinion(heard, {"text": "seven"}, "number") == heard


def test_the_network_names_most_answers_in_voices_it_never_heard(tmp_path):
    """Every answer word in two voices held out of its training (accent and variant): it names most
    of them (about 90 % of the benchmark's unseen-voice clips), and is rarely sure of a wrong one."""
    right = sure_wrong = 0
    texts = [(w, w) for w in WORDS if w != wordnet.OTHER] + [
        ("a bit softer", "softer"),
        ("it's about two", "two"),
    ]
    for v in ("en-gb-scotland", "en-us+f5"):
        for text, word in texts:
            path = tmp_path / "a.wav"
            subprocess.run(["espeak-ng", "-v", v, "-s", "150", "-w", str(path), text], check=True)
            p = wordnet.probabilities(*decode_wav(path.read_bytes()))
            assert sum(p.values()) == pytest.approx(1.0, abs=1e-4)
            top = max(p, key=p.get)
            right += top == word
            sure_wrong += top != word and p[top] >= 0.99
    assert right >= 0.75 * 2 * len(texts), right
    assert sure_wrong <= 2, sure_wrong


def test_the_network_does_not_name_a_sentence_or_noise_as_a_sure_answer(tmp_path):
    path = tmp_path / "s.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "where did I leave my glasses"], check=True)
    samples, rate = decode_wav(path.read_bytes())
    for x in (samples, np.random.default_rng(3).standard_normal(16000).astype(np.float32) * 0.05):
        p = wordnet.probabilities(x, rate if x is samples else 16000)
        assert max(v for w, v in p.items() if w != wordnet.OTHER) < 0.99  # never read back on its own


def test_an_answer_is_heard_as_its_loud_part_at_one_level_whatever_came_before():
    """A long, quiet lead-in and a loud answer: the segment keeps the answer, at the same peak,
    ending before its last 0.3 s (which hold only the faint hiss)."""
    rate = 16000
    rng = np.random.default_rng(1)
    word = np.sin(2 * np.pi * 300 * np.arange(int(0.5 * rate)) / rate) * np.hanning(int(0.5 * rate))
    for level in (0.02, 0.8):
        x = np.concatenate([rng.standard_normal(4 * rate) * 1e-4, word * level, np.zeros(rate // 4)])
        seg = wordnet.segment(x.astype(np.float32), rate)
        assert len(seg) == int(wordnet.SECONDS * rate)
        assert np.max(np.abs(seg)) == pytest.approx(wordnet.PEAK, abs=0.01)
        assert np.max(np.abs(seg[-int(wordnet.TAIL_SECONDS * rate) :])) < 0.01
        assert np.max(np.abs(seg[: rate // 2])) < 0.01  # the lead-in is gone


def test_the_backbone_loads_without_importing_openwakeword_and_with_telemetry_off():
    import os
    import sys

    wordnet.backbone()
    assert os.environ.get("ORT_DISABLE_TELEMETRY") == "1"
    assert "openwakeword" not in sys.modules  # only its ONNX files are read
    e = wordnet.embeddings(np.zeros(16000, dtype=np.float32), 16000)
    assert e.shape == (21, 96) and np.all(np.isfinite(e))


def test_without_the_backbone_the_decoder_decides_alone(monkeypatch):
    from voiceguide.feedback import recognise

    monkeypatch.setattr(wordnet, "BACKBONE_PACKAGE", "no_such_package_here")
    wordnet.backbone.cache_clear()
    wordnet.network.cache_clear()
    try:
        with pytest.raises(wordnet.NoBackbone, match="not installed"):
            wordnet.network()
        assert recognise._word_network() is None
    finally:
        wordnet.backbone.cache_clear()
        wordnet.network.cache_clear()


def test_a_stop_the_detector_hears_is_not_slowed_by_the_word_listener(tmp_path):
    from voiceguide.feedback.recognise import Recogniser

    rec = Recogniser()
    heard = {}
    for text in ("please stop", "seven"):
        path = tmp_path / "a.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
        heard[text] = rec.details(*decode_wav(path.read_bytes()), "number")
    assert heard["please stop"]["stop_chance"] >= 0.9 and "words" not in heard["please stop"]
    words = heard["seven"]["words"]
    assert max(words, key=words.get) == "seven"
    path = tmp_path / "a.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), "please stop"], check=True)
    rec.stop_chance = lambda *args: 0.5  # the decoder's own "stop", the detector unsure: asked about
    decoded = rec.details(*decode_wav(path.read_bytes()), "number")
    assert "stop" in decoded["text"] and "words" not in decoded
    # ...the detector deaf to it (a veto): the listener is asked, and its "stop" is asked about
    rec.stop_chance = lambda *args: 0.0
    vetoed = rec.details(*decode_wav(path.read_bytes()), "number")
    assert "stop" in vetoed["text"] and max(vetoed["words"], key=vetoed["words"].get) == "stop"
    assert decide(rec.answer(vetoed, "number"), "number").answer.intent == "stop"


def test_a_damaged_backbone_file_is_no_backbone_not_a_broken_recogniser(tmp_path, monkeypatch):
    from voiceguide.feedback import recognise

    for name in ("melspectrogram.onnx", "embedding_model.onnx"):
        (tmp_path / name).write_bytes(b"not a model")
    monkeypatch.setattr(wordnet, "backbone_folder", lambda: tmp_path)
    wordnet.backbone.cache_clear()
    wordnet.network.cache_clear()
    try:
        with pytest.raises(wordnet.NoBackbone, match="cannot be loaded"):
            wordnet.network()
        assert recognise._word_network() is None  # the decoder decides alone
    finally:
        wordnet.backbone.cache_clear()
        wordnet.network.cache_clear()
