"""Answers at the microphone's level: how often they are understood as the voice gets fainter, and
with the speech gate's floor at the listener's (-55 dBFS) against -50 before, and
how often `recognise.too_quiet` marks an answer too quiet (then a session asking again says "That
came through too quietly for the microphone..."); offline, prints markdown.

    .venv/bin/python scripts/bench_level.py [--data DIR] [--commands DIR] [--person DIR]

- **--data DIR** (default ../shared/data/fsdd-tune): FSDD digits (takes 7-9, no rule was chosen on
  them; QUIET_DB was chosen on takes 3 and 5) as recorded and 10, 20 and 30 dB quieter, at a
  number question: understood, and marked too quiet among those understood and among the rest.
  Where to get it: https://github.com/Jakobovski/free-spoken-digit-dataset.
- **--commands DIR**: 156 people's own takes (Speech Commands' test set) at their own level, and its
  background noises: how often a real person's answer, or a room with nobody talking, is marked.
- **--person DIR**: one man's takes and his room, the same.
- Always: the benchmark's synthetic noises and hums (`bench_recognition.noise_clips`).

The baseline in the same run: the same clips with the gate's floor at -50 dBFS, as before; and each
set at the level it was recorded.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402
import numpy as np  # noqa: E402

from voiceguide.feedback import recognise  # noqa: E402

QUIETER_DB = (0, 10, 20, 30)
GATE_BEFORE = -50.0  # recognise.MIN_ACTIVE_DB before 2026-12-06


def quieted(c: dict, quieter: float) -> np.ndarray:
    return (c["samples"] * 10 ** (-quieter / 20)).astype(np.float32)


def heard(clips: list[dict], rec, quieter: float = 0.0) -> dict[str, float]:
    """Understood %, and % marked quiet among the understood and among the rest; and, as the
    baseline, understood % with the speech gate's floor where it was before (GATE_BEFORE)."""
    shipped = recognise.MIN_ACTIVE_DB
    recognise.MIN_ACTIVE_DB = GATE_BEFORE
    try:
        before = sum(
            bench.session_outcome(
                rec.hear(quieted(c, quieter), c["rate"], c["expect"]), c["text"], c["expect"]
            )
            in ("ac", "cc")
            for c in clips
            if c["text"]
        )
    finally:
        recognise.MIN_ACTIVE_DB = shipped
    out: Counter = Counter()
    for c in clips:
        answer = rec.hear(quieted(c, quieter), c["rate"], c["expect"])
        ok = bench.session_outcome(answer, c["text"], c["expect"]) in ("ac", "cc") if c["text"] else False
        out[(ok, answer.quiet)] += 1
    understood = out[(True, False)] + out[(True, True)]
    rest = len(clips) - understood
    return {
        "before": 100 * before / max(1, len(clips)),
        "understood": 100 * understood / max(1, len(clips)),
        "quiet_understood": 100 * out[(True, True)] / max(1, understood),
        "quiet_rest": 100 * out[(False, True)] / max(1, rest),
    }


def row(name: str, clips: list[dict], rec, quieter: float = 0.0) -> str:
    r = heard(clips, rec, quieter)
    cells = (r["before"], r["understood"], r["quiet_understood"], r["quiet_rest"])
    return f"| {name} | {len(clips)} | " + " | ".join(f"{v:.1f}" for v in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fsdd-tune"))
    parser.add_argument("--commands", help="Speech Commands' test set: " + bench.COMMANDS_SOURCE)
    parser.add_argument("--person", help="one man's recordings: " + bench.PERSON_SOURCE)
    args = parser.parse_args()
    rec = recognise.Recogniser()
    print(
        f"# Answers at the microphone's level (too_quiet: loudest 20 ms under {recognise.QUIET_DB:g} dBFS)\n"
    )
    print(
        f"| set | clips | understood %, gate at {GATE_BEFORE:g} dBFS (before) | understood % now "
        "| marked too quiet: of those understood % | of the rest % |"
    )
    print("|---|---|---|---|---|---|")
    digits = [dict(c, expect="number") for c in bench.fsdd_takes(args.data, 10) if c["index"] >= 7]
    for quieter in QUIETER_DB if digits else ():
        label = "as recorded" if quieter == 0 else f"{quieter} dB quieter"
        print(row(f"FSDD digits, takes 7-9, {label}", digits, rec, quieter), flush=True)
    noise = [dict(c, rate=16000, expect="any") for c in bench.noise_clips(100)]
    print(row("synthetic noises, hums, silence (no word)", noise, rec), flush=True)
    if args.commands and os.path.isdir(args.commands):
        found = bench.commands_clips(args.commands)
        people = [dict(c, expect="any") for c in found["stop"]] + [
            dict(c, expect="yesno") for kind in ("yes", "no") for c in found[kind]
        ]
        people += [dict(c, expect="number") for c in found["digit"]]
        print(row("156 people's stop, yes, no and digits, their own level", people, rec), flush=True)
        room = [dict(c, expect="any") for c in found["none"]]
        print(row("their background noises (no word)", room, rec), flush=True)
    elif args.commands:
        print(f"\n({args.commands} is missing: {bench.COMMANDS_SOURCE})")
    if args.person and os.path.isdir(args.person):
        found = bench.person_clips(args.person)
        his = [dict(c, expect="any") for c in found["stop"]]
        his += [dict(c, expect="number") for c in found["other"] if c["text"] in bench.DIGITS]
        print(row("one man's stops and digits, his own level", his, rec), flush=True)
        print(row("his room (no word)", [dict(c, expect="any") for c in found["none"]], rec), flush=True)
    elif args.person:
        print(f"\n({args.person} is missing: {bench.PERSON_SOURCE})")


if __name__ == "__main__":
    main()
