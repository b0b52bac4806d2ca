"""Two of an answer's three decodes in a helper process: how much sooner an answer is decided.

    .venv/bin/python scripts/bench_decode_helper.py [--data DIR] [--cache DIR] [--quick] [--repeat N]

`Recogniser.details` decodes an answer three times with pocketsphinx (the grammar with its n-best
list, the same half a frame later, a free phone loop) and asks the stop detector and the word
listener about it. pocketsphinx keeps the interpreter lock while it decodes, so a thread cannot
run beside it (tried: scripts/bench_overlap.py in commit 05821df, wall ratio 1.00). A helper
process (voiceguide/feedback/decode_helper.py, decode_worker.py) decodes the second and third looks while the
recogniser decodes the first and runs the two listeners.

This script times `details` on the same clips with two recognisers in the same run, alternating
which goes first on each clip: one decoding everything itself (as shipped before 2026-12-04) and
one with its helper. It prints wall time per answer (what a person waits for, from the end of the
answer), CPU time per answer (the recogniser's process and the helper's together), the ratio, and
how many answers came out differently (they must not: the same decodes, in another process).

Clips: the benchmark's unseen espeak-ng voices saying the answer words and phrases at `any`, and
the human digits of the Free Spoken Digit Dataset at `number` when --data holds them
(../shared/data/fsdd-tune beside the project; https://github.com/Jakobovski/free-spoken-digit-dataset).
Run it on an otherwise idle machine: the helper needs a second core.
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


def helper_cpu(rec: recognise.Recogniser) -> float:
    """CPU seconds the recogniser's helper process has used so far (0 without one)."""
    helper = rec._helper
    if helper is None or not helper.alive:
        return 0.0
    fields = Path(f"/proc/{helper.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    """A process's resident memory now (VmRSS), MB."""
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def timed(rec: recognise.Recogniser, clip: dict, expect: str) -> tuple[float, float, dict]:
    wall, cpu = time.perf_counter(), time.process_time() + helper_cpu(rec)
    info = rec.details(clip["samples"], clip["rate"], expect)
    used = time.process_time() + helper_cpu(rec) - cpu
    return (time.perf_counter() - wall) * 1000, used * 1000, info


def run(
    name: str, clips: list[dict], expect: str, recs: dict[bool, recognise.Recogniser], repeat: int
) -> dict:
    times: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    differ = 0
    for i, clip in enumerate(clips):
        for r in range(repeat):
            order = (False, True) if (i + r) % 2 == 0 else (True, False)
            infos = {}
            for helped in order:
                wall, used, infos[helped] = timed(recs[helped], clip, expect)
                times[helped].append(wall)
                cpu[helped].append(used)
            differ += infos[False] != infos[True]
    helper = recs[True]._helper
    if helper is None or not helper.alive:
        sys.exit("the helper process stopped during the run: its times are not the helper's")
    return {"name": name, "answers": len(clips) * repeat, "times": times, "cpu": cpu, "differ": differ}


def p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def report(rows: list[dict]) -> None:
    print("| clips | answers | all in one process: wall median / p90 / mean ms | with the helper | "
          "wall ratio (mean) | CPU per answer, ms (one process / with the helper) | "
          "answers that differ |")  # fmt: skip
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
    print(f"\n({os.cpu_count()} CPUs; CPU time: the recogniser's process and its helper's)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fsdd-tune"))
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--quick", action="store_true", help="two voices and ten human digits per speaker")
    ap.add_argument("--repeat", type=int, default=2, help="times each clip is timed each way")
    args = ap.parse_args()
    voices = bench.TEST_VOICES[:2] if args.quick else bench.TEST_VOICES
    recs = {False: recognise.Recogniser(helper=False), True: recognise.Recogniser(helper=True)}
    if recs[True]._helper is None:
        sys.exit("the helper process could not be started")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        answers = bench.synthetic(bench.VOCAB + bench.CARRIERS, voices, args.cache or tmp, 7)
        for rec in recs.values():  # load the networks, and wait for the helper's model, before timing
            if rec._helper is not None and not rec._helper.wait_ready(30.0):
                sys.exit("the helper process did not load its model in 30 s")
            rec.details(answers[0]["samples"], answers[0]["rate"])
        rows.append(run("unseen voices, answers, `any`", answers, "any", recs, args.repeat))
    takes = 1 if args.quick else 3
    if human := bench.fsdd_takes(args.data, takes):
        name = f"human digits (FSDD takes 0-{takes - 1}), `number`"
        rows.append(run(name, human, "number", recs, args.repeat))
    report(rows)
    helper = recs[True]._helper
    if helper is not None and helper.alive:
        print(f"The helper process's resident memory after the run: {resident_mb(helper.pid):.0f} MB "
              f"(this process, with both recognisers: {resident_mb(os.getpid()):.0f} MB).")  # fmt: skip


if __name__ == "__main__":
    main()
