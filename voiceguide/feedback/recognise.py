"""Offline recognition of spoken answers (pocketsphinx, grammar search).

One buffered answer in, one `Answer` out (source="voice"). The pipeline:

1. Gates before any decoding: empty, too short, too quiet, or not speech-like
   (no voiced frames, or a flat level such as hum or steady noise) -> "unknown".
2. Resample to 16 kHz by linear interpolation (8 kHz phone audio included),
   pad with 0.3 s of digital zeros, decode the whole answer with a JSGF
   grammar narrowed to the question (`expect`), `bestpath=False`,
   `full_utt=True`, dither off, a fresh stream state per utterance.
3. Confidence: the grammar path's acoustic score against a free phone loop
   over the same audio (a likelihood ratio per speech frame), turned into
   0-1 by a logistic; below the tuned threshold the answer is "unknown".
   Rejection is deliberate: asking again is better than acting on a guess.

Thresholds were tuned by scripts/bench_recognition.py (leave-speakers-out on
human digits, held-out synthetic voices); see that script for the figures.
"""

from __future__ import annotations

import math
import os
import threading
import warnings

import numpy as np

from voiceguide.errors import NoRecogniser
from voiceguide.feedback.intents import Answer, understand

RATE = 16000
PAD_SECONDS = 0.3
MAX_SECONDS = 8.0  # longer input is not an answer: only its start is decoded

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
MORE_WORDS = ["more", "harder", "firmer"]
LESS_WORDS = ["less", "softer", "lighter"]
GOOD_WORDS = ["good", "okay", "yes"]
ALWAYS_WORDS = ["stop", "tingling", "numb", "burning", "shooting", "dizzy", "repeat", "again", "pause"]
FLOW_WORDS = ["continue", "resume"]
EXPECTS = ("number", "pressure", "yesno", "any")

# Log-likelihood ratio (grammar path minus free phone loop, per speech frame,
# pocketsphinx log units) at which an answer is accepted; confidence 0.5 there.
DEFAULT_THRESHOLD = 10.0
CONFIDENCE_SCALE = 8.0
# Gates (dBFS of 20 ms frames; fraction of voiced frames; level spread).
MIN_ACTIVE_DB = -50.0
MIN_SPEECH_SECONDS = 0.12
MIN_VOICED_FRAMES = 2
MIN_LEVEL_SPREAD_DB = 6.0

INSTALL_HINT = "Install it with: pip install pocketsphinx (the wheel includes an en-US model)."


def words_for(expect: str) -> list[str]:
    """The single answer words a grammar accepts for one kind of question."""
    if expect == "number":
        return NUMBER_WORDS + ALWAYS_WORDS + FLOW_WORDS
    if expect == "pressure":
        return MORE_WORDS + LESS_WORDS + GOOD_WORDS + ALWAYS_WORDS + FLOW_WORDS + ["skip", "next"]
    if expect == "yesno":
        return GOOD_WORDS + ["no"] + ALWAYS_WORDS + FLOW_WORDS
    return (
        NUMBER_WORDS
        + MORE_WORDS
        + LESS_WORDS
        + GOOD_WORDS
        + ALWAYS_WORDS
        + FLOW_WORDS
        + ["no", "skip", "next"]
    )


def grammar(expect: str) -> str:
    """JSGF for one question: its words, short carrier phrases, and the words heard at every question."""
    if expect not in EXPECTS:
        expect = "any"
    alternatives = [" | ".join(words_for(expect))]
    rules = []
    if expect in ("number", "any"):
        rules.append("<num> = {};".format(" | ".join(NUMBER_WORDS)))
        alternatives.append("(it's | it is | about | it's about) <num>")
    if expect in ("pressure", "any"):
        rules.append("<press> = {};".format(" | ".join(MORE_WORDS + LESS_WORDS)))
        alternatives.append("(a little | a bit | a little bit) <press>")
        alternatives.append("(that is | that's | that feels) (good | okay)")
    alternatives.append("please stop")
    body = " | ".join(f"({a})" for a in alternatives)
    return "#JSGF V1.0;\ngrammar answer;\n{}\npublic <answer> = {};\n".format("\n".join(rules), body)


def speech_gate(samples: np.ndarray, rate: int) -> str | None:
    """Why this clip is not worth decoding (None if it may be speech)."""
    if samples.size == 0:
        return "empty"
    if not np.all(np.isfinite(samples)):
        return "invalid samples"
    frame = max(1, int(rate * 0.02))
    n = len(samples) // frame
    if n < 3:
        return "too short"
    frames = samples[: n * frame].astype(np.float64).reshape(n, frame)
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = np.mean(frames**2, axis=1)
    db = 10 * np.log10(np.maximum(energy, 1e-12))
    active = db > max(MIN_ACTIVE_DB, float(np.max(db)) - 35.0)
    if not active.any() or np.max(db) < MIN_ACTIVE_DB:
        return "silence"
    if active.sum() * 0.02 < MIN_SPEECH_SECONDS:
        return "too short"
    # Speech rises and falls; steady noise and hum do not.
    if np.percentile(db, 95) - np.percentile(db, 10) < MIN_LEVEL_SPREAD_DB:
        return "steady noise"
    # Voiced frames: a clear autocorrelation peak at a pitch period of 70-400 Hz.
    voiced = 0
    lo, hi = int(rate / 400), int(rate / 70)
    for i in np.flatnonzero(active):
        x = frames[i]
        if len(x) <= hi:
            x = samples[i * frame : i * frame + 2 * hi].astype(np.float64)
            x = x - x.mean()
            if len(x) <= hi:
                continue
        ac = np.correlate(x, x, mode="full")[len(x) - 1 :]
        if ac[0] <= 0:
            continue
        peak = np.max(ac[lo:hi]) / ac[0]
        if peak > 0.35:
            voiced += 1
            if voiced >= MIN_VOICED_FRAMES:
                return None
    return "not voiced"


class Recogniser:
    """Recognises one spoken answer at a time; thread-safe, reusable."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, confidence_scale: float = CONFIDENCE_SCALE
    ) -> None:
        self.threshold = threshold
        self.confidence_scale = confidence_scale
        self._lock = threading.Lock()
        try:
            import pocketsphinx  # noqa: PLC0415 (heavy and optional: imported only when listening)

            model = pocketsphinx.get_model_path()
            config = pocketsphinx.Config(
                hmm=os.path.join(model, "en-us", "en-us"),
                dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
                lm=None,
                loglevel="FATAL",
                bestpath=False,
                dither=False,
            )
            self._decoder = pocketsphinx.Decoder(config)
            for expect in EXPECTS:
                self._decoder.add_jsgf_string("answer_" + expect, grammar(expect))
            self._decoder.add_allphone_file("phones", os.path.join(model, "en-us", "en-us-phone.lm.bin"))
            self._logmath = self._decoder.get_logmath()
        except ImportError as e:
            raise NoRecogniser("The speech recogniser (pocketsphinx) is not installed.", INSTALL_HINT) from e
        except (RuntimeError, OSError, AttributeError, ValueError) as e:
            raise NoRecogniser(
                f"The speech recogniser (pocketsphinx) failed to start ({e}).", INSTALL_HINT
            ) from e

    # -- helpers -----------------------------------------------------------------

    def _log(self, score: float) -> float | None:
        """Scores come back as exponentials (pitfall 4): back to log units; None when underflowed."""
        if score is None or not score > 0:
            return None
        return float(self._logmath.log(score))

    def _decode(self, search: str, raw: bytes):
        d = self._decoder
        d.activate_search(search)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # start_stream is deprecated, but it resets noise statistics
            d.start_stream()
        d.start_utt()
        try:
            if raw:
                d.process_raw(raw, full_utt=True)
        finally:
            d.end_utt()
        hyp = d.hyp()
        if hyp is None:
            return None, None, 0
        frames = 0
        for seg in d.seg():
            if seg is None or seg.word is None:
                continue
            if seg.word.startswith("<") or seg.word.startswith("[") or seg.word == "(NULL)":
                continue
            frames += max(0, seg.end_frame - seg.start_frame + 1)
        return hyp.hypstr or "", self._log(hyp.score), frames

    @staticmethod
    def prepare(samples: np.ndarray, rate: int) -> bytes:
        """float mono at any rate -> 16 kHz int16 bytes with zero padding."""
        from voiceguide.audio.pcm import resample

        x = np.asarray(samples, dtype=np.float32)
        if x.ndim > 1:
            x = x.mean(axis=1) if x.shape[1] <= 8 else x.mean(axis=0)
        x = x[: int(MAX_SECONDS * rate)]
        x = resample(x, rate, RATE)
        pad = np.zeros(int(PAD_SECONDS * RATE), dtype=np.float32)
        x = np.concatenate([pad, x, pad])
        return (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

    def confidence(self, ratio: float) -> float:
        z = (ratio - self.threshold) / self.confidence_scale
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    # -- the public call ----------------------------------------------------------

    def details(self, samples: np.ndarray, rate: int, expect: str = "any") -> dict:
        """Everything measured about one answer (for benchmarks and debugging)."""
        if expect not in EXPECTS:
            expect = "any"
        x = np.asarray(samples, dtype=np.float32)
        if x.ndim > 1:
            x = x.mean(axis=1) if x.shape[1] <= 8 else x.mean(axis=0)
        if rate < 1000:
            return {"text": "", "gate": "bad rate", "ratio": None}
        gate = speech_gate(x[: int(MAX_SECONDS * rate)], rate)
        if gate:
            return {"text": "", "gate": gate, "ratio": None}
        raw = self.prepare(x, rate)
        with self._lock:
            text, score, frames = self._decode("answer_" + expect, raw)
            if not text or score is None or frames == 0:
                return {"text": text or "", "gate": "no hypothesis", "ratio": None}
            if understand(text, expect).intent == "unknown":
                return {"text": text, "gate": None, "ratio": None}
            _, phone_score, _ = self._decode("phones", raw)
        ratio = math.inf if phone_score is None else (score - phone_score) / frames
        return {"text": text, "gate": None, "ratio": ratio, "frames": frames}

    def hear(self, samples: np.ndarray, rate: int, expect: str = "any") -> Answer:
        """One buffered answer -> Answer(source="voice"); "unknown" unless confidently understood."""
        info = self.details(samples, rate, expect)
        text = info["text"]
        ratio = info["ratio"]
        if ratio is None:
            return Answer(text=text, intent="unknown", value=None, confidence=0.0, source="voice")
        conf = self.confidence(ratio)
        if ratio < self.threshold:
            return Answer(text=text, intent="unknown", value=None, confidence=round(conf, 3), source="voice")
        return understand(text, expect, source="voice", confidence=round(conf, 3))
