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
from voiceguide.feedback.intents import ACCEPT, CONFIRM, NUMBER_WORDS, Answer
from voiceguide.feedback.recognise import network_meanings, second_opinion, words_for

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


def test_agreement_lifts_a_fair_read_back_to_an_action_but_not_a_weak_one():
    fair, weak = voice("softer", 0.75), voice("softer", 0.65)
    info = {"text": "softer", "words": probs(softer=0.97)}
    assert decide(fair, "pressure").action == "confirm"
    assert decide(second_opinion(fair, info, "pressure"), "pressure").action == "act"
    assert decide(second_opinion(weak, info, "pressure"), "pressure").action == "confirm"


def test_a_lukewarm_network_lifts_nothing():
    heard = Answer(text="seven", intent="unknown", value=None, confidence=0.3, source="voice")
    assert second_opinion(heard, {"text": "seven", "words": probs(seven=0.6)}, "number") == heard


def test_dissent_turns_an_action_into_a_read_back():
    heard = voice("harder", 0.95)
    assert decide(heard, "any").action == "act"
    d = decide(second_opinion(heard, {"text": "harder", "words": probs(softer=0.95)}, "any"), "any")
    assert (d.action, d.answer.intent) == ("confirm", "more")  # still the decoder's word, read back
    assert heard.confidence >= ACCEPT


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
