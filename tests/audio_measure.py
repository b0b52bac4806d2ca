"""Where each spoken segment really sounded in a recording: for tests and benchmarks
(scripts/bench_audio.py puts tests/ on sys.path to import it; it is not part of the package).

Speech, unlike a tone, cannot match at the wrong place, so each clip is found by
cross-correlation with the engine's own rendering of its text, searched near where
the previous one was found. Results are (delay in seconds, match score 0-1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voiceguide.audio.pcm import SAMPLE_RATE
from voiceguide.plan import Plan

PIECE_SECONDS = 0.8


def locate_speech(
    plan: Plan, recording: np.ndarray, clip_for: Callable[[str], np.ndarray], reach: float = 0.5
) -> list[tuple[float, float]]:
    n = int(PIECE_SECONDS * SAMPLE_RATE)
    out: list[tuple[float, float]] = []
    lag: int | None = None
    for seg in plan.segments:
        if seg.kind not in ("speech", "checkpoint") or not seg.text:
            continue
        piece = clip_for(seg.text)[:n]
        if len(piece) < n // 2:
            continue  # too short to place for sure
        at = int(round(seg.start * SAMPLE_RATE))
        if lag is None:
            lo, hi = 0, len(recording)
        else:
            lo = max(0, at + lag - int(reach * SAMPLE_RATE))
            hi = at + lag + int(reach * SAMPLE_RATE) + len(piece)
        region = recording[lo:hi]
        if len(region) < len(piece):
            break
        corr = np.correlate(region, piece, mode="valid")
        k = int(np.argmax(corr))
        match = region[k : k + len(piece)]
        score = float(corr[k] / (np.linalg.norm(piece) * np.linalg.norm(match) + 1e-9))
        lag = lo + k - at
        out.append((lag / SAMPLE_RATE, score))
    return out


def onset_errors(located: list[tuple[float, float]]) -> list[float]:
    """Each delay minus the first: how far every onset strayed from the plan."""
    return [lag - located[0][0] for lag, _ in located] if located else []
