"""A detector of its own for the stop word: "stop", "stop stop", "please stop", "ow, stop".

The grammar decoder hears a whole answer after its end and weighs "stop" against every other
answer word; in voices unlike the model's American English it often heard "okay" or "no". This
detector asks one question only — did the last 0.6 s end in "stop"? — of a small network over
log-mel features, every 30 ms while audio comes in (so it can fire before the end of an
utterance is found) and over every window of a finished answer.

The network (two small convolutions, numpy only at run time) is trained by
`scripts/train_stop.py` on synthetic speech made at build time by three engines (espeak-ng voices
and variants, flite, the natural voice), at many speeds, pitches, levels, noises, rooms and the
telephone band, against answer words, near misses said like the positives (top, stock, shop,
spot...), sentences and noise; and, since 2026-12-05, on people's own takes: the training part of
Google's Speech Commands (Warden 2018, CC BY 4.0): 798 takes of "stop" by 553 people, and 9,726 takes of
seven other short words. On the dataset's validation part (people it never heard), it fires on
74-77 % of the windows ending a "stop" (each fit; 11 % trained on synthetic speech alone); with
the decoder, 156 held-out people's "stop" is heard the first time 94.4 % of the time (86.6 %
before): docs/recognition.md, "The stop detector learns from people's voices".
"""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

import numpy as np

RATE = 16000
WIN = 400  # 25 ms analysis frames
HOP = 160  # every 10 ms
NFFT = 512
MELS = 32
CONTEXT = 64  # frames in one look (0.64 s): "please stop" ends inside it, "stop" fills half
POOL = 2  # frames averaged in pairs: 32 x 32 inputs
FLOOR_DB = -75.0  # log-mel floor: digital silence looks like a quiet room
MODEL = Path(__file__).with_name("stop_model.npz")
# From ACT_AT a stop is acted on at once, even while it is said; from ASK_AT the sound stops and
# "did you say stop?". First chosen for the espeak-ng-only fit on train_stop.py's held-out variants
# (per window: 69.7 % and 86.9 % of stops). Chosen again for the detector shipped, on whole answers
# no fit learnt from (Speech Commands' validation part, train_stop's VALIDATION voices;
# scripts/choose_stop_levels.py): the same pair. From ACT_AT 0.95 to 0.997 people's stops acted on
# at once move 84.4 -> 82.6 % and their other words acted on as a stop 0.8 -> 0.5 %; ASK_AT from
# 0.93 misses one more stop in 96 (docs/recognition.md, "The stop levels chosen again"). Kept for
# the detector that learnt from people's talk (2026-12-07): the same script would move them to 0.95
# and 0.93 (people's stops acted on at once 87.0 -> 87.5 %). Weighed on talk (scripts/bench_talk.py
# --try): ASK_AT 0.95 moves talk taken for a stop only 9.6 -> 9.4 and 21.6 -> 19.2 % of sentences
# (docs/recognition.md, "The stop levels weighed on talk").
ACT_AT = 0.98
ASK_AT = 0.9


def _mel_matrix() -> np.ndarray:
    def mel(hz):
        return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)

    edges = 700.0 * (10 ** (np.linspace(mel(100.0), mel(7600.0), MELS + 2) / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(NFFT, 1.0 / RATE)
    out = np.zeros((MELS, len(bins)))
    for m in range(MELS):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        out[m] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0.0, None)
    return out


_MEL = _mel_matrix()
_WINDOW = np.hanning(WIN)


def logmel(samples: np.ndarray) -> np.ndarray:
    """(frames, MELS) log-mel energies in dB of 16 kHz float audio, one row per 10 ms."""
    x = np.asarray(samples, dtype=np.float64)
    if len(x) < WIN:
        x = np.concatenate([x, np.zeros(WIN - len(x))])
    n = 1 + (len(x) - WIN) // HOP
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    frames = x[idx] * _WINDOW
    power = np.abs(np.fft.rfft(frames, NFFT)) ** 2 / WIN
    return 10.0 * np.log10(np.maximum(power @ _MEL.T, 10 ** (FLOOR_DB / 10)))


def window_inputs(mel: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The network's inputs for windows of CONTEXT frames ending (exclusive) at each of `ends`.

    Each window is taken relative to its own loudest band energy (level does not matter) and
    floored 60 dB below it (noise below that does not either); earlier than the audio is floor.
    """
    pad = np.full((CONTEXT, MELS), FLOOR_DB)
    full = np.concatenate([pad, mel])
    out = np.empty((len(ends), (CONTEXT // POOL) * MELS), dtype=np.float32)
    for i, end in enumerate(ends):
        w = full[end : end + CONTEXT]  # frames end-CONTEXT .. end-1 of `mel`
        w = np.maximum(w - w.max(), -60.0) / 20.0 + 1.5
        w = w.reshape(CONTEXT // POOL, POOL, MELS).mean(axis=1)
        out[i] = w.reshape(-1)
    return out


class Net:
    """Two convolutions over time, pooled over the window, one output. Plain numpy at run time.

    inputs (32 steps x 32 mel bands) -> conv 5 steps, 48 channels, ReLU -> max-pool 2
    -> conv 3 steps, 64 channels, ReLU -> mean and max over time -> 128 -> logistic.
    """

    NAMES = ("c1", "b1", "c2", "b2", "w", "b")

    def __init__(self, **weights: np.ndarray) -> None:
        self.c1, self.b1 = weights["c1"], weights["b1"]  # (48, MELS, 5), (48,)
        self.c2, self.b2 = weights["c2"], weights["b2"]  # (64, 48, 3), (64,)
        self.w, self.b = weights["w"], weights["b"]  # (1, 128), (1,)

    @staticmethod
    def _conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """x (n, channels, time), kernel (out, channels, k): "valid" cross-correlation, ReLU."""
        k = kernel.shape[2]
        t = x.shape[2] - k + 1
        # (n, c, t, k): copied for the listener's one window a frame, a strided view for batches
        # (each the faster there); tensordot, not einsum, which searched for a path on every call
        # (bench_stop_start.py, CPU per frame, two fits: 4.56 ms with einsum, 2.87 with this)
        if len(x) < 16:
            cols = np.stack([x[:, :, i : i + t] for i in range(k)], axis=3)
        else:
            cols = np.lib.stride_tricks.sliding_window_view(x, k, axis=2)
        y = np.tensordot(cols, kernel, axes=([1, 3], [1, 2]))  # (n, t, out)
        return np.maximum(y.transpose(0, 2, 1) + bias[None, :, None], 0.0)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        steps = CONTEXT // POOL
        h = np.asarray(x, dtype=np.float32).reshape(len(x), steps, MELS).transpose(0, 2, 1)
        h = self._conv(h, self.c1, self.b1)
        h = h[:, :, : h.shape[2] // 2 * 2].reshape(h.shape[0], h.shape[1], -1, 2).max(axis=3)
        h = self._conv(h, self.c2, self.b2)
        pooled = np.concatenate([h.mean(axis=2), h.max(axis=2)], axis=1)
        z = pooled @ self.w.T + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(z.reshape(-1), -50, 50)))

    def save(self, path: Path) -> None:
        np.savez_compressed(path, **{name: getattr(self, name) for name in self.NAMES})


class Nets:
    """Several fits of Net heard together: the mean of their probabilities. Two fits on different
    word lists make different mistakes: together they fire on fewer other words than either and
    hear as many stops as the first alone (docs/recognition.md, "Two fits heard together")."""

    def __init__(self, members: list[Net]) -> None:
        self.members = members

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.mean([net(x) for net in self.members], axis=0)

    def save(self, path: Path) -> None:
        weights = {f"{i}.{n}": getattr(net, n) for i, net in enumerate(self.members) for n in Net.NAMES}
        np.savez_compressed(path, **weights)


class AnyOf(Nets):
    """The same fits, a window's probability the highest of theirs: for the listening that only
    keeps a stop it would otherwise set aside (the spotters through an unlearnt echo, and
    Listener.person_said_stop after them), where a stop either fit hears is worth the question
    "did you say stop?" (measured live 2026-12-03: a stop said over the player that the first fit
    heard and the mean did not)."""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.max([net(x) for net in self.members], axis=0)


Detector = Net | Nets


def fits(net: Detector) -> list[Net]:
    return net.members if isinstance(net, Nets) else [net]


def any_of(net: Detector) -> Detector:
    return AnyOf(fits(net)) if isinstance(net, Nets) else net


def load(path: Path) -> Detector:
    """One fit (keys c1, b1, ...) or several (keys 0.c1, 0.b1, ..., 1.c1, ...) from an npz file.
    A damaged file is a ValueError, as a wrong one is: callers then listen without the detector."""
    try:
        with np.load(path) as d:
            if "c1" in d.files:
                return Net(**{name: d[name].astype(np.float32) for name in Net.NAMES})
            count = len({key.split(".")[0] for key in d.files})
            members = [{n: d[f"{i}.{n}"].astype(np.float32) for n in Net.NAMES} for i in range(count)]
            return Nets([Net(**weights) for weights in members])
    except zipfile.BadZipFile as e:
        raise ValueError(f"{path} is damaged: {e}") from e


@functools.lru_cache(maxsize=1)
def network() -> Detector:
    """The shipped detector, or the one VOICEGUIDE_STOP_MODEL names (for developers and tests).
    A named file that cannot be read is an error, not a session without the detector: the shipped
    file's absence is tolerated by the callers (the stop word is then heard by the recogniser),
    but a typo in the name must not quietly weaken the stop word."""
    from voiceguide import settings
    from voiceguide.errors import InvalidInput

    other = settings.stop_model()
    if not other:
        return load(MODEL)
    try:
        return load(Path(other))
    except (OSError, KeyError, ValueError) as e:
        raise InvalidInput(
            f"VOICEGUIDE_STOP_MODEL names {other}, which is not a stop detector that can be read ({e}).",
            hint="Unset VOICEGUIDE_STOP_MODEL to use the stop detector voiceguide ships with.",
        ) from e


def confidence(chance: float) -> float:
    """The detector's probability on decision.decide's scale for the stop word: from ACT_AT it
    maps to STOP_ACT and up (acted on), from ASK_AT to STOP_ASK and up ("did you say stop?")."""
    from voiceguide.feedback.decision import STOP_ACT, STOP_ASK

    if chance >= ACT_AT:
        return round(STOP_ACT + (1.0 - STOP_ACT) * (chance - ACT_AT) / max(1e-9, 1.0 - ACT_AT), 3)
    if chance >= ASK_AT:
        return round(STOP_ASK + (STOP_ACT - STOP_ASK) * (chance - ASK_AT) / (ACT_AT - ASK_AT), 3)
    return 0.0


def mono(samples: np.ndarray) -> np.ndarray:
    """float32, one channel: frames x channels (up to 8) or channels x frames, averaged."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim > 1:
        x = x.mean(axis=1) if x.shape[1] <= 8 else x.mean(axis=0)
    return x


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    from voiceguide.audio.pcm import resample

    x = mono(samples)
    return resample(x, rate, RATE) if rate != RATE else x


def stop_probability(samples: np.ndarray, rate: int, net: Detector | None = None) -> float:
    """The highest probability, over every 30 ms of the clip, that the audio so far ended in "stop".

    Callers gate first (Recogniser.details: recognise.speech_gate; the listener: voice activity)."""
    x = to_16k(samples, rate)
    if len(x) == 0:
        return 0.0
    x = np.concatenate([x, np.zeros(int(0.1 * RATE), dtype=np.float32)])  # the end of a final "p"
    mel = logmel(x)
    if len(mel) == 0:
        return 0.0
    ends = np.arange(min(len(mel), 20), len(mel) + 1, 3)
    return float(np.max((net or network())(window_inputs(mel, ends)), initial=0.0))


class Spotter:
    """Streaming: 30 ms frames in; the probability that the audio just heard ended in "stop"."""

    def __init__(self, net: Detector | None = None) -> None:
        self.net = net or network()
        self.tail = np.zeros(0, dtype=np.float32)
        self.mel = np.full((CONTEXT, MELS), FLOOR_DB)

    def reset(self) -> None:
        self.tail = np.zeros(0, dtype=np.float32)
        self.mel = np.full((CONTEXT, MELS), FLOOR_DB)

    def feed(self, frame: np.ndarray) -> float:
        """One frame of 16 kHz audio (any length): the probability after it."""
        x = np.concatenate([self.tail, np.asarray(frame, dtype=np.float32)])
        n = 0 if len(x) < WIN else 1 + (len(x) - WIN) // HOP
        if n == 0:
            self.tail = x
            return 0.0
        new = logmel(x[: (n - 1) * HOP + WIN])
        self.tail = x[n * HOP :]
        self.mel = np.concatenate([self.mel, new])[-CONTEXT:]
        return float(self.net(window_inputs(self.mel, np.array([CONTEXT])))[0])
