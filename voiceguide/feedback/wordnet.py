"""A second listener for whole answers: names the answer word an utterance carries, or "other".

The grammar decoder's acoustic model is American English read speech; in voices unlike it, it
often picks a wrong word with fair confidence, or the right one with too little. This listener
has two parts:

- a frozen speech-embedding network (Google's speech_embedding, trained by Google on a large
  body of human speech; the ONNX files that openwakeword 0.4.0 installs). It turns each 0.76 s
  of audio into 96 numbers that describe the sounds, whoever speaks them;
- a small head of our own over those numbers, trained (scripts/train_words.py) on synthetic
  speech only (espeak-ng, flite, the natural voice; rooms, noise, telephone band), that names the
  answer word ("it's about seven" -> seven, "a bit softer" -> softer) or "other".

The embedding is what carries the head from synthetic voices to people: with the same synthetic
training, a head over our own log-mel features named 55 % of real human digits right, this one
about 80 % (docs/recognition.md). The recogniser weighs its word beside the decoder's
(recognise.second_opinion). No recording of a person was used to train the head.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import zipfile
from pathlib import Path

import numpy as np

from voiceguide.feedback import stopword as sw

MODEL = Path(__file__).with_name("word_model.npz")
OTHER = "other"
BACKBONE_PACKAGE = "openwakeword"  # 0.4.0 is the last release whose wheel carries the ONNX files
SECONDS = 2.4  # the answer's last 2.1 s, then 0.3 s of quiet: 21 embeddings
TAIL_SECONDS = 0.3
TRIM_DB = 35.0  # frames this far below the loudest are outside the answer
EDGE_FRAMES = 15  # 0.15 s kept either side of the answer
PEAK = 0.5  # every answer is heard at the same level
WINDOW, STRIDE = 76, 8  # mel frames per embedding, and between embeddings (the backbone's own)
SCALE = 16.0  # the embeddings' spread; the head sees them divided by it


class NoBackbone(OSError):
    """The speech-embedding network is not installed (the decoder then decides alone)."""


def segment(samples: np.ndarray, rate: int) -> np.ndarray:
    """SECONDS of 16 kHz audio: the answer's loud part (and 0.15 s around it), at one peak level,
    ending TAIL_SECONDS before the end (the answer word ends most phrases), over a faint fixed hiss
    so that digital silence looks like a quiet room."""
    x = sw.to_16k(samples, rate).astype(np.float32)
    mel = sw.logmel(x)
    if len(mel):
        energy = mel.max(axis=1)
        loud = np.flatnonzero(energy > energy.max() - TRIM_DB)
        hop = len(x) / len(mel)
        if len(loud):
            x = x[max(0, int((loud[0] - EDGE_FRAMES) * hop)) : int((loud[-1] + EDGE_FRAMES + 1) * hop)]
    n, tail = int(SECONDS * sw.RATE), int(TAIL_SECONDS * sw.RATE)
    x = x[-(n - tail) :]
    x = x / (np.max(np.abs(x), initial=0.0) + 1e-9) * PEAK
    out = _hiss(n).copy()
    out[n - tail - len(x) : n - tail] += x
    return out


@functools.lru_cache(maxsize=1)
def _hiss(n: int) -> np.ndarray:
    return (np.random.default_rng(0).standard_normal(n) * 3e-4).astype(np.float32)


class Backbone:
    """The frozen mel-spectrogram and speech-embedding networks, run by onnxruntime."""

    def __init__(self, folder: Path) -> None:
        from voiceguide import settings  # noqa: PLC0415

        settings.telemetry_off_in_this_process()  # before onnxruntime loads (design.md)
        import onnxruntime as ort  # noqa: PLC0415 (heavy; only when an answer is heard)

        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        cpu = ["CPUExecutionProvider"]
        self.mel = ort.InferenceSession(str(folder / "melspectrogram.onnx"), options, providers=cpu)
        self.embedding = ort.InferenceSession(str(folder / "embedding_model.onnx"), options, providers=cpu)

    def __call__(self, segments: list[np.ndarray]) -> np.ndarray:
        """(n, samples) at 16 kHz -> (n, embeddings, 96)."""
        # One clip at a time: the mel network floors its decibels below the loudest value of the
        # whole batch, so a batch would make a clip's features depend on its neighbours.
        pcm = [(s[None] * 32767).astype(np.float32) for s in segments]  # 16-bit levels, as trained
        spec = np.stack([self.mel.run(None, {"input": one})[0][0, 0] for one in pcm])
        spec = spec / 10 + 2  # as openwakeword scales it for speech_embedding
        starts = range(0, spec.shape[1] - WINDOW + 1, STRIDE)
        windows = np.stack([spec[:, s : s + WINDOW] for s in starts], axis=1)
        out = self.embedding.run(None, {"input_1": windows.reshape(-1, WINDOW, spec.shape[2], 1)})[0]
        return out.reshape(len(segments), len(starts), -1)


def backbone_folder() -> Path:
    """Where openwakeword's wheel put the ONNX files (found without importing the package)."""
    spec = importlib.util.find_spec(BACKBONE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NoBackbone(f"{BACKBONE_PACKAGE} is not installed (pip install {BACKBONE_PACKAGE}==0.4.0)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "resources" / "models"
    if not (folder / "embedding_model.onnx").is_file():
        raise NoBackbone(f"no speech-embedding model in {folder} (openwakeword 0.4.0 carries it)")
    return folder


@functools.lru_cache(maxsize=1)
def backbone() -> Backbone:
    folder = backbone_folder()
    try:
        return Backbone(folder)
    except ImportError as e:
        raise NoBackbone(f"onnxruntime is not installed ({e})") from e
    except Exception as e:  # onnxruntime's own errors (InvalidProtobuf, Fail...) derive from Exception
        raise NoBackbone(f"the speech-embedding model in {folder} cannot be loaded ({e})") from e


def embeddings(samples: np.ndarray, rate: int) -> np.ndarray:
    """(embeddings, 96) for one answer. The last answer's are kept: an enrolled person's answer is
    heard by the word listener and then matched against their takes, and the embedding is the
    costly part (30-35 ms)."""
    x = np.ascontiguousarray(samples, dtype=np.float32)
    key = (rate, x.shape, hashlib.blake2b(x.tobytes(), digest_size=16).digest())
    if _last.get("key") != key:
        _last.update(key=key, value=backbone()([segment(x, rate)])[0])
    return _last["value"]


_last: dict = {}


class WordNet:
    """The head: two convolutions over the embeddings, mean and max over time, softmax over words.

    (21 x 96) / SCALE -> conv 3, 128, ReLU -> conv 3, 128, ReLU -> mean and max (256) -> words.
    """

    NAMES = ("c1", "b1", "c2", "b2", "w", "b")

    def __init__(self, words: list[str], **weights: np.ndarray) -> None:
        self.words = list(words)
        for name in self.NAMES:
            setattr(self, name, weights[name])

    def pooled(self, x: np.ndarray) -> np.ndarray:
        """(n, embeddings, 96) -> (n, 256): what the last layer sees, the answer's word in 256 numbers."""
        h = (np.asarray(x, dtype=np.float32) / SCALE).transpose(0, 2, 1)
        h = sw.Net._conv(sw.Net._conv(h, self.c1, self.b1), self.c2, self.b2)
        return np.concatenate([h.mean(axis=2), h.max(axis=2)], axis=1)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(n, embeddings, 96) -> (n, words) probabilities."""
        z = self.pooled(x) @ self.w.T + self.b
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        weights = {name: getattr(self, name) for name in self.NAMES}
        np.savez_compressed(path, words=np.array(self.words), **weights)

    @classmethod
    def load(cls, path: Path) -> WordNet:
        try:
            with np.load(path) as d:
                return cls([str(w) for w in d["words"]], **{n: d[n].astype(np.float32) for n in cls.NAMES})
        except zipfile.BadZipFile as e:  # damaged: a ValueError, which callers answer without the head
            raise ValueError(f"{path} is damaged: {e}") from e


@functools.lru_cache(maxsize=1)
def network() -> WordNet:
    """The head, once its backbone is known to load (NoBackbone, an OSError, if it does not)."""
    backbone()
    return WordNet.load(MODEL)


def probabilities(samples: np.ndarray, rate: int, net: WordNet | None = None) -> dict[str, float]:
    """Each word's (and "other"'s) probability for one answer."""
    net = net or network()
    p = net(embeddings(samples, rate)[None])[0]
    return {w: float(v) for w, v in zip(net.words, p, strict=True)}


def word_print(samples: np.ndarray, rate: int, net: WordNet | None = None) -> np.ndarray:
    """One answer as the head sees it before naming a word (256 numbers). Enrollment compares a
    person's answers with their own takes this way too: it describes the sounds much as a person's
    other takes of the word do, in a noisy room as in a quiet one (docs/recognition.md)."""
    net = net or network()
    return net.pooled(embeddings(samples, rate)[None])[0]


@functools.lru_cache(maxsize=1)
def head_digest() -> str:
    """Which head made a person's stored word prints (another head, other prints)."""
    return hashlib.sha1(MODEL.read_bytes()).hexdigest()[:12]
