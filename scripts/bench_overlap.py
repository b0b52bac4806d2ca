"""The two listeners beside the decoder, on a thread of their own: how much sooner an answer is decided.

    .venv/bin/python scripts/bench_overlap.py [--data DIR] [--cache DIR] [--quick] [--repeat N]

`Recogniser.details` decodes an answer three times with pocketsphinx (the grammar with its n-best
list, the same half a frame later, a free phone loop), and asks the stop detector and the word
listener about it. pocketsphinx holds the interpreter lock while it decodes; onnxruntime (the word
listener's embedding) and numpy's larger operations let go of it. So the two listeners can run on
a second thread while the decoder works (`recognise.OVERLAP`).

This script times `details` on the same clips both ways in the same run, alternating which goes
first on each clip: one after the other (OVERLAP False, as shipped before 2026-12-04) and
overlapped. It prints wall time (what a person waits for, from the end of the answer) and CPU time
per answer, the ratio, and how many answers came out differently (they must not: the same
measurements, in another order).

Clips: the benchmark's unseen espeak-ng voices saying the answer words and phrases at `any`, and
the human digits of the Free Spoken Digit Dataset at `number` when --data holds them
(../shared/data/fsdd-tune beside the project; https://github.com/Jakobovski/free-spoken-digit-dataset).
Run it on an otherwise idle machine: the overlap needs a second core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402

from voiceguide.feedback import recognise  # noqa: E402


def timed(rec: recognise.Recogniser, clip: dict, expect: str, overlap: bool) -> tuple[float, float, dict]:
    recognise.OVERLAP = overlap
    wall, cpu = time.perf_counter(), time.process_time()
    info = rec.details(clip["samples"], clip["rate"], expect)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, info


def run(name: str, clips: list[dict], expect: str, rec: recognise.Recogniser, repeat: int) -> dict:
    times: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    differ = 0
    for i, clip in enumerate(clips):
        for r in range(repeat):
            order = (False, True) if (i + r) % 2 == 0 else (True, False)
            infos = {}
            for overlap in order:
                wall, used, infos[overlap] = timed(rec, clip, expect, overlap)
                times[overlap].append(wall)
                cpu[overlap].append(used)
            differ += rec.answer(infos[False], expect) != rec.answer(infos[True], expect)
    return {"name": name, "answers": len(clips) * repeat, "times": times, "cpu": cpu, "differ": differ}


def p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def report(rows: list[dict]) -> None:
    print("| clips | answers | one after the other: wall median / p90 / mean ms | overlapped | "
          "wall ratio (mean) | CPU per answer, ms (before / overlapped) | answers that differ |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        before, after = row["times"][False], row["times"][True]
        cells = [
            f"{statistics.median(v):.0f} / {p90(v):.0f} / {statistics.fmean(v):.0f}" for v in (before, after)
        ]
        ratio = statistics.fmean(after) / statistics.fmean(before)
        cpu = " / ".join(f"{statistics.fmean(row['cpu'][k]):.0f}" for k in (False, True))
        line = [row["name"], str(row["answers"]), *cells, f"{ratio:.2f}", cpu, str(row["differ"])]
        print("| " + " | ".join(line) + " |")
    print(f"\n({os.cpu_count()} CPUs; CPU time counts every thread of the process)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fsdd-tune"))
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--quick", action="store_true", help="two voices and ten human digits per speaker")
    ap.add_argument("--repeat", type=int, default=2, help="times each clip is timed each way")
    args = ap.parse_args()
    voices = bench.TEST_VOICES[:2] if args.quick else bench.TEST_VOICES
    rec = recognise.Recogniser()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        answers = bench.synthetic(bench.VOCAB + bench.CARRIERS, voices, args.cache or tmp, 7)
        rec.details(answers[0]["samples"], answers[0]["rate"])  # load the networks before timing
        rows.append(run("unseen voices, answers, `any`", answers, "any", rec, args.repeat))
    if os.path.isdir(args.data):
        takes = 1 if args.quick else 3
        human = [c for c in bench.fsdd(args.data) if c["index"] < takes]
        name = f"human digits (FSDD takes 0-{takes - 1}), `number`"
        rows.append(run(name, human, "number", rec, args.repeat))
    else:
        print(f"(no human digits: {args.data} is missing; the Free Spoken Digit Dataset is at "
              "https://github.com/Jakobovski/free-spoken-digit-dataset)\n")  # fmt: skip
    report(rows)


if __name__ == "__main__":
    main()
