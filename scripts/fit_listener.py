"""Fit how the word listener is weighed beside the decoder, on the tuning voices, and report it.

    python scripts/fit_listener.py [--cache DIR] [--data ../shared/data/fsdd-tune]

What it does, all in one run (about 6 minutes on 2 cores):

1. The benchmark's clip sets (scripts/bench_recognition.py): the tuning voices' vocabulary (`any`)
   and numbers (`number`, telephone band) and their half of the out-of-vocabulary (OOV) list; the
   unseen voices' vocabulary and the other half of the OOV list; FSDD human digits if present.
2. Every clip through the Recogniser (decoder, stop detector, word listener).
3. The word listener's first guess, right or not, per set (docs/recognition.md, "What changed").
4. The fusion logistic (recognise.FUSION_WEIGHTS, FUSION_BIAS) fitted on the tuning sets only,
   over recognise.fusion_candidates, and READ_BACK_AT: the lowest that keeps the tuning answers
   read back or acted on wrongly <= 10 % and the tuning OOV clips taken (acted on or read back)
   <= 25 %. Printed beside the shipped values.
5. Act / confirm / reject per set through Recogniser.answer with the shipped values and with the
   fitted ones.

The action thresholds (NET_DISSENTS, NET_OTHER, NET_CONFIRMS, DECODER_AT_LEAST) are not searched
here: they came from a grid in a throwaway analysis (docs/recognition.md says how); this script
reports what they give.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recognition as bench  # noqa: E402

from voiceguide.feedback import recognise  # noqa: E402
from voiceguide.feedback.decision import decide  # noqa: E402
from voiceguide.feedback.intents import understand  # noqa: E402
from voiceguide.feedback.recognise import Recogniser, fusion_candidates, network_meanings  # noqa: E402

_rec: Recogniser | None = None


def measured(clip: dict) -> dict:
    global _rec
    if _rec is None:
        _rec = Recogniser()
    return _rec.details(clip["samples"], clip["rate"], clip["expect"])


def clip_sets(folder: str, data: str) -> dict[str, list[dict]]:
    """The benchmark's sets, each clip with its `expect` (as bench_recognition makes them)."""
    texts = bench.VOCAB + bench.CARRIERS
    oov = bench.OOV_WORDS, bench.OOV_SENTENCES
    tune, test = bench.TUNE_VOICES, bench.TEST_VOICES
    numbers, half = bench.DIGITS + ["ten"], oov[0][::2] + oov[1][::2]
    sets = {
        "tune_any": (bench.synthetic(texts, tune, folder, 1), "any"),
        "tune_oov": (bench.synthetic(half, tune[:4], folder, 3), "any"),
        "tune_num": (bench.narrowband(bench.synthetic(numbers * 3, tune, folder, 6)), "number"),
        "tune_oovnum": (bench.narrowband(bench.synthetic(half, tune[4:], folder, 7)), "number"),
        "test_any": (bench.synthetic(texts, test, folder, 2), "any"),
        "test_oov": (bench.synthetic(oov[0][1::2] + oov[1][1::2], test[:4], folder, 4), "any"),
    }
    sets["test_oovnum"] = ([dict(c) for c in sets["test_oov"][0]], "number")
    if os.path.isdir(data):
        sets["human"] = (bench.fsdd(data), "number")
    out = {}
    for name, (clips, expect) in sets.items():
        for c in clips:
            c["expect"] = expect
        out[name] = clips
    return out


def truth(c: dict):
    if not c["text"]:
        return None
    a = understand(c["text"], c["expect"])
    return None if a.intent == "unknown" else (a.intent, a.value)


def first_guess(sets: dict[str, list[dict]]) -> None:
    print("\n## The word listener's first guess (among the question's words and 'other')\n")
    print("| set | clips | right |\n|---|---|---|")
    for name, clips in sets.items():
        right = 0
        for c in clips:
            q = network_meanings(c["info"].get("words") or {}, c["expect"])
            guess = max(q, key=q.get) if q else None
            want = truth(c) or "other"
            right += guess == want
        print(f"| {name} | {len(clips)} | {100 * right / len(clips):.1f} % |")


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01) -> np.ndarray:
    """Weights then bias, by Newton's method with a little L2 (not on the bias)."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ w))
        g = x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0]
        h = (x.T * (p * (1 - p))) @ x / len(y) + l2 * np.eye(len(w))
        w -= np.linalg.solve(h, g)
        if np.abs(g).max() < 1e-8:
            break
    return w


def outcome(rec: Recogniser, c: dict) -> str:
    d = decide(rec.answer(c["info"], c["expect"]), c["expect"])
    if d.action == "reject":
        return "R"
    right = (d.answer.intent, d.answer.value) == truth(c)
    return ("A" if d.action == "act" else "C") + ("R" if right else "W")


def shares(rec: Recogniser, clips: list[dict]) -> dict[str, float]:
    o = [outcome(rec, c) for c in clips]
    return {k: 100 * o.count(k) / len(o) for k in ("AR", "AW", "CR", "CW", "R")}


def table(rec: Recogniser, sets: dict[str, list[dict]], title: str) -> None:
    print(f"\n## {title}\n")
    print("| set | AR | AW | CR | CW | R | understood |\n|---|---|---|---|---|---|---|")
    for name, clips in sets.items():
        s = shares(rec, clips)
        cells = " | ".join(f"{s[k]:.1f}" for k in ("AR", "AW", "CR", "CW", "R"))
        print(f"| {name} | {cells} | {s['AR'] + s['CR']:.1f} |")


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--data", default=str(root.parent / "shared" / "data" / "fsdd-tune"))
    args = ap.parse_args()
    folder = args.cache or tempfile.mkdtemp(prefix="vg-fit-")
    os.makedirs(folder, exist_ok=True)
    sets = clip_sets(folder, args.data)
    if "human" not in sets:
        print(f"(no FSDD recordings at {args.data}: the human row is left out)", file=sys.stderr)
    every = [c for clips in sets.values() for c in clips]
    with Pool(2) as pool:
        for c, info in zip(every, pool.map(measured, every, chunksize=8), strict=True):
            c["info"] = info
    first_guess(sets)

    rec = Recogniser.__new__(Recogniser)  # answer() needs only the threshold
    rec.threshold = recognise.CONFIRM
    tune = [c for name in ("tune_any", "tune_num", "tune_oov", "tune_oovnum") for c in sets[name]]
    x, y = [], []
    for c in tune:
        words = c["info"].get("words")
        if words:
            for key, f in fusion_candidates(c["info"], network_meanings(words, c["expect"]), c["expect"]):
                x.append(f)
                y.append(1.0 if key == truth(c) else 0.0)
    w = fit_logistic(np.array(x), np.array(y))
    shipped = (recognise.FUSION_WEIGHTS, recognise.FUSION_BIAS, recognise.READ_BACK_AT)
    table(rec, sets, f"Shipped: weights {shipped[0]}, bias {shipped[1]}, READ_BACK_AT {shipped[2]}")

    recognise.FUSION_WEIGHTS = tuple(round(float(v), 4) for v in w[:-1])
    recognise.FUSION_BIAS = round(float(w[-1]), 4)
    answers = sets["tune_any"] + sets["tune_num"]
    safety = ("stop", "symptom")  # a decoded stop or symptom word has its own path
    oov = [
        c
        for c in sets["tune_oov"] + sets["tune_oovnum"]
        if understand(c["info"]["text"], "any").intent not in safety
    ]
    for t in np.round(np.arange(0.1, 1.0, 0.02), 2):
        recognise.READ_BACK_AT = float(t)
        a, o = shares(rec, answers), shares(rec, oov)
        if a["AW"] + a["CW"] <= 10.0 and o["AW"] + o["CW"] <= 25.0:
            break
    table(rec, sets, f"Fitted now: weights {recognise.FUSION_WEIGHTS}, bias {recognise.FUSION_BIAS}, "
                     f"READ_BACK_AT {recognise.READ_BACK_AT}")  # fmt: skip


if __name__ == "__main__":
    main()
