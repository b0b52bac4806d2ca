"""A second listener for whole answers: a small network that names the answer word, or "other".

The grammar decoder's acoustic model is American English read speech; in voices unlike it, it
often picks a wrong word with fair confidence, or the right one with too little. This network was
trained (scripts/train_words.py) on synthetic speech only, from three engines (espeak-ng accents
and variants, flite, the natural voice), with noise, rooms and the telephone band, to name which
answer word an utterance carries ("it's about seven" -> seven, "a bit softer" -> softer) or that
it is none of them. The recogniser weighs its word beside the decoder's (recognise.Recogniser).
No recording of a person is in it. Plain numpy at run time, a few milliseconds per answer.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from voiceguide.feedback import stopword as sw

MODEL = Path(__file__).with_name("word_model.npz")
OTHER = "other"
STEPS = 100  # 2 s of 10 ms frames, pooled in pairs
TRIM_DB = 35.0  # frames this far below the loudest are outside the answer
EDGE_FRAMES = 10  # 0.1 s kept either side of the answer


def answer_mel(samples: np.ndarray, rate: int) -> np.ndarray:
    """(frames, MELS) log-mel of the answer itself: its loud part and 0.1 s around it, the last 2 s."""
    mel = sw.logmel(sw.to_16k(samples, rate))
    energy = mel.max(axis=1)
    loud = np.flatnonzero(energy > energy.max() - TRIM_DB)
    if len(loud):
        mel = mel[max(0, loud[0] - EDGE_FRAMES) : loud[-1] + 1 + EDGE_FRAMES]
    return mel[-2 * STEPS :]


def inputs(mel: np.ndarray) -> np.ndarray:
    """(STEPS, MELS) relative to the loudest band energy, floored 60 dB below it, pooled in pairs,
    the answer at the end (right-aligned: the answer word ends most phrases)."""
    w = np.maximum(mel - mel.max(), -60.0) / 20.0 + 1.5
    n = len(w) // 2 * 2
    w = w[:n].reshape(-1, 2, sw.MELS).mean(axis=1) if n else np.zeros((0, sw.MELS))
    out = np.zeros((STEPS, sw.MELS), dtype=np.float32)  # 0 = the floor
    out[STEPS - len(w) :] = w[-STEPS:]
    return out


class WordNet:
    """Three convolutions over time, mean and max over the answer, softmax over the words.

    (STEPS x MELS) -> conv 5, 64, ReLU -> max-pool 2 -> conv 3, 64, ReLU -> max-pool 2
    -> conv 3, 96, ReLU -> mean and max over time (192) -> one score per word and "other".
    """

    NAMES = ("c1", "b1", "c2", "b2", "c3", "b3", "w", "b")

    def __init__(self, words: list[str], **weights: np.ndarray) -> None:
        self.words = list(words)
        for name in self.NAMES:
            setattr(self, name, weights[name])

    @staticmethod
    def _pool(h: np.ndarray) -> np.ndarray:
        return h[:, :, : h.shape[2] // 2 * 2].reshape(h.shape[0], h.shape[1], -1, 2).max(axis=3)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(n, STEPS, MELS) -> (n, words) probabilities."""
        h = np.asarray(x, dtype=np.float32).transpose(0, 2, 1)
        h = self._pool(sw.Net._conv(h, self.c1, self.b1))
        h = self._pool(sw.Net._conv(h, self.c2, self.b2))
        h = sw.Net._conv(h, self.c3, self.b3)
        z = np.concatenate([h.mean(axis=2), h.max(axis=2)], axis=1) @ self.w.T + self.b
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        weights = {name: getattr(self, name) for name in self.NAMES}
        np.savez_compressed(path, words=np.array(self.words), **weights)

    @classmethod
    def load(cls, path: Path) -> WordNet:
        with np.load(path) as d:
            return cls([str(w) for w in d["words"]], **{n: d[n].astype(np.float32) for n in cls.NAMES})


@functools.lru_cache(maxsize=1)
def network() -> WordNet:
    return WordNet.load(MODEL)


def probabilities(samples: np.ndarray, rate: int, net: WordNet | None = None) -> dict[str, float]:
    """Each word's (and "other"'s) probability for one answer."""
    net = net or network()
    p = net(inputs(answer_mel(samples, rate))[None])[0]
    return {w: float(v) for w, v in zip(net.words, p, strict=True)}
