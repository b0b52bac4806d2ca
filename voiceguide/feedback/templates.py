"""Speaker-dependent word matching: log-mel cepstra and dynamic time warping.

Pure numpy, no I/O. A person's own takes of each answer word become templates;
an answer is compared with every template and the nearest word wins, unless it
is not clearly nearer than the next word or is far from everything the person
said at enrollment (then the matcher abstains and the caller decides).

Why this and not decoder adaptation: with three takes per word, nearest-template
DTW on the person's own voice beat the speaker-independent decoder by a wide
margin on the FSDD speakers (scripts/bench_recognition.py --enrollment), costs a
few milliseconds, and needs no training tools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16000
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
NFFT = 512
MEL_BANDS = 24
CEPSTRA = 13
LOW_HZ = 100.0
HIGH_HZ = 3800.0  # telephone band: the same features for 8 kHz and 16 kHz recordings
TRIM_DB = 35.0  # frames this far below the loudest frame are silence at the ends
MIN_FRAMES = 8
FLOOR_DB = 50.0  # log-mel floor below the loudest band energy of the word


def _mel(hz: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def _mel_filterbank() -> np.ndarray:
    edges_mel = np.linspace(_mel(LOW_HZ), _mel(HIGH_HZ), MEL_BANDS + 2)
    edges_hz = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(NFFT, 1.0 / RATE)
    bank = np.zeros((MEL_BANDS, len(bins)))
    for b in range(MEL_BANDS):
        lo, mid, hi = edges_hz[b], edges_hz[b + 1], edges_hz[b + 2]
        rise = (bins - lo) / (mid - lo)
        fall = (hi - bins) / (hi - mid)
        bank[b] = np.maximum(0.0, np.minimum(rise, fall))
    return bank


def _dct_matrix() -> np.ndarray:
    n = np.arange(MEL_BANDS)
    k = np.arange(CEPSTRA)[:, None]
    return np.cos(np.pi * k * (2 * n + 1) / (2 * MEL_BANDS)) * np.sqrt(2.0 / MEL_BANDS)


_BANK = _mel_filterbank()
_DCT = _dct_matrix()
_WINDOW = np.hamming(FRAME)
# Weights the middle cepstra up (they separate words; the first ones carry the voice and the room).
_LIFTER = ((1.0 + 11.0 * np.sin(np.pi * np.arange(CEPSTRA) / 22.0)) / 10.0)[1:]


def to_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Float mono at any rate -> float64 at RATE (linear interpolation, as the decoder does)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if rate == RATE or len(x) < 2:
        return x
    n = int(round(len(x) * RATE / rate))
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x)


def _frames(x: np.ndarray) -> np.ndarray:
    if len(x) < FRAME:
        x = np.concatenate([x, np.zeros(FRAME - len(x))])
    n = 1 + (len(x) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    return x[idx]


def speech_span(log_energy: np.ndarray) -> tuple[int, int]:
    """First and last frame (exclusive end) within TRIM_DB of the loudest: the word without its silence."""
    if len(log_energy) == 0:
        return 0, 0
    loud = np.flatnonzero(log_energy > log_energy.max() - TRIM_DB / 10.0 * np.log(10.0))
    start, end = int(loud[0]), int(loud[-1]) + 1
    return max(0, start - 2), min(len(log_energy), end + 2)


def features(samples: np.ndarray, rate: int) -> np.ndarray:
    """One word's cepstra c1..c12 with deltas (frames x 24), silence trimmed.

    Level-independent: c0 (the loudness) is dropped and the log-mel floor sits a
    fixed distance below the loudest band. There is deliberately no per-word mean
    normalisation: on three-syllable-or-shorter words it removed what tells "two"
    from "four" (FSDD nicolas: 87 % -> 91 % nearest-template, confident share
    61 % -> 77 %); the person's takes and answers come from the same microphone.
    """
    x = to_rate(samples, rate)
    if len(x) == 0:
        x = np.zeros(FRAME)
    x = np.append(x[:1], x[1:] - 0.97 * x[:-1])
    frames = _frames(x) * _WINDOW
    power = np.abs(np.fft.rfft(frames, NFFT)) ** 2
    bands = power @ _BANK.T
    # A floor well below the loudest band keeps background hiss from deciding quiet frames.
    mel = np.log(bands + bands.max() * 10 ** (-FLOOR_DB / 10.0) + 1e-12)
    energy = np.log(np.sum(power, axis=1) + 1e-12)
    start, end = speech_span(energy)
    ceps = (mel[start:end] @ _DCT.T)[:, 1:] * _LIFTER
    if len(ceps) < MIN_FRAMES:
        pad = MIN_FRAMES - len(ceps)
        ceps = np.pad(ceps, ((pad // 2, pad - pad // 2), (0, 0)), mode="edge")
    padded = np.pad(ceps, ((2, 2), (0, 0)), mode="edge")
    delta = (padded[4:] - padded[:-4] + 0.5 * (padded[3:-1] - padded[1:-3])) / 5.0
    return np.hstack([ceps, delta]).astype(np.float32)


def _frame_costs(query: np.ndarray, templates: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance of every query frame to every template frame: (templates, width, query), lengths."""
    lengths = np.array([len(t) for t in templates])
    width = int(lengths.max())
    stack = np.zeros((len(templates), width, query.shape[1]))
    for i, t in enumerate(templates):
        stack[i, : len(t)] = t
    q = query.astype(np.float64)
    cross = np.einsum("kwd,nd->kwn", stack, q)
    squared = np.sum(stack**2, axis=2)[:, :, None] + np.sum(q**2, axis=1)[None, None, :] - 2 * cross
    return np.sqrt(np.maximum(squared, 0.0)), lengths


def _warp(cost: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Mean frame cost of the best warp, many pairs at once: cost is (pairs, row frames, column frames).

    Each row frame is used exactly once; a column frame may repeat or one may be
    skipped (slope 0 to 2), so each step only needs the previous row and all
    pairs advance together. rows/cols: each pair's real lengths (the rest is padding).
    """
    k, height, width = cost.shape
    cost = np.where(np.arange(width)[None, None, :] < cols[:, None, None], cost, np.inf)
    acc = np.full((k, width), np.inf)
    acc[:, 0] = cost[:, 0, 0]
    result = np.where(rows == 1, acc[np.arange(k), cols - 1], np.inf)
    gap1 = np.full((k, 1), np.inf)
    gap2 = np.full((k, 2), np.inf)
    for r in range(1, height):
        step = np.concatenate([gap1, acc[:, :-1]], axis=1)
        skip = np.concatenate([gap2, acc[:, :-2]], axis=1)
        acc = cost[:, r] + np.minimum(np.minimum(acc, step), skip)
        done = rows == r + 1
        if done.any():
            result[done] = acc[done, cols[done] - 1]
    return result / rows


def distances(query: np.ndarray, templates: list[np.ndarray]) -> np.ndarray:
    """Symmetric DTW distance of one answer to each template: the mean of both warping directions.

    Infinite when one is more than twice as long as the other (no path).
    """
    if not templates:
        return np.zeros(0)
    cost, lengths = _frame_costs(query, templates)  # (k, template frames, query frames)
    n = np.full(len(templates), len(query))
    backward = _warp(cost, lengths, n)
    forward = _warp(np.transpose(cost, (0, 2, 1)), n, lengths)
    return (forward + backward) / 2.0


@dataclass(frozen=True)
class Match:
    word: str | None  # None: the matcher abstains
    distance: float  # to the nearest template of the best word
    runner_up: str | None
    runner_distance: float
    limit: float  # the person's own acceptance distance


def word_scores(dist: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Each word's distance: the nearest of its templates."""
    scores: dict[str, float] = {}
    for d, word in zip(dist, labels, strict=True):
        if word not in scores or d < scores[word]:
            scores[word] = float(d)
    return scores


def decide(scores: dict[str, float], limit: float, margin: float) -> Match:
    """The nearest word if it is near enough and clearly nearer than the next; else abstain."""
    if not scores:
        return Match(None, float("inf"), None, float("inf"), limit)
    ranked = sorted(scores.items(), key=lambda item: item[1])
    best, d1 = ranked[0]
    second, d2 = ranked[1] if len(ranked) > 1 else (None, float("inf"))
    ok = d1 <= limit and d2 - d1 >= margin * d1
    return Match(best if ok else None, d1, second, d2, limit)


def _path_costs(rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
    """Local frame costs along the best warp of `cols` onto `rows` (same steps as _warp); None if no path."""
    cost = np.sqrt(
        np.maximum(
            np.sum(rows.astype(np.float64) ** 2, axis=1)[:, None]
            + np.sum(cols.astype(np.float64) ** 2, axis=1)[None, :]
            - 2 * rows.astype(np.float64) @ cols.astype(np.float64).T,
            0.0,
        )
    )
    n, m = cost.shape
    acc = np.full(m, np.inf)
    acc[0] = cost[0, 0]
    back = np.zeros((n, m), dtype=np.int8)
    columns = np.arange(m)
    for r in range(1, n):
        choices = np.stack([acc, np.r_[np.inf, acc[:-1]], np.r_[np.inf, np.inf, acc[:-2]]])
        pick = np.argmin(choices, axis=0)
        acc = cost[r] + choices[pick, columns]
        back[r] = pick
    if not np.isfinite(acc[-1]):
        return None
    path = np.empty(n)
    j = m - 1
    for r in range(n - 1, -1, -1):
        path[r] = cost[r, j]
        j -= int(back[r, j])
    return path


def peak_cost(a: np.ndarray, b: np.ndarray, width: int = 5) -> float:
    """The worst stretch (about 50 ms) of the best warp between two words, in either direction.

    A mean distance hides one wrong sound in a word ("tree" against "three",
    "gate" against "eight"); the worst stretch of the alignment shows it.
    """
    worst = 0.0
    for rows, cols in ((a, b), (b, a)):
        costs = _path_costs(rows, cols)
        if costs is None:
            return float("inf")
        if len(costs) >= width:
            costs = np.convolve(costs, np.ones(width) / width, mode="valid")
        worst = max(worst, float(costs.max()))
    return worst
