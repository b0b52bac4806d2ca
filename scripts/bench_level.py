"""Answers at the microphone's level: how often they are understood as the voice gets fainter, and
with the speech gate's floor at the listener's (-55 dBFS) against -50 before, and
how often `recognise.too_quiet` marks an answer too quiet (then a session asking again says "That
came through too quietly for the microphone..."); offline, prints markdown.

    .venv/bin/python scripts/bench_level.py [--data DIR] [--commands DIR] [--person DIR]

- **--data DIR** (default ../shared/data/fsdd-tune): FSDD digits (takes 7-9, no rule was chosen on
  them; QUIET_DB was chosen on takes 3 and 5) as recorded and 10, 20 and 30 dB quieter, at a
  number question: understood, and marked too quiet among those understood and among the rest.
  Where to get it: https://github.com/Jakobovski/free-spoken-digit-dataset.
- **--commands DIR**: 156 people's own takes (Speech Commands' test set) at their own level, its
  background noises, and every fourth of their other words: how often a real person's answer, or
  a room with nobody talking, is marked, and whether the lower floor acts on anything more.
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
from voiceguide.feedback.decision import ACT, CONFIRM_IT, REJECT, at_question  # noqa: E402

QUIETER_DB = (0, 10, 20, 30)
GATE_BEFORE = -50.0  # recognise.MIN_ACTIVE_DB before 2026-12-06


def quieted(c: dict, quieter: float) -> np.ndarray:
    return (c["samples"] * 10 ** (-quieter / 20)).astype(np.float32)


def one_pass(clips: list[dict], rec, quieter: float, floor: float) -> Counter:
    """Each clip heard with the speech gate's floor at `floor`: understood, marked quiet (among the
    understood and the rest), acted on, asked about, and acted on or asked about as a stop."""
    shipped, recognise.MIN_ACTIVE_DB = recognise.MIN_ACTIVE_DB, floor
    out: Counter = Counter()
    try:
        for c in clips:
            answer = rec.hear(quieted(c, quieter), c["rate"], c["expect"])
            ok = bool(c["text"]) and bench.session_outcome(answer, c["text"], c["expect"]) in ("ac", "cc")
            decided = at_question(answer, c["expect"])
            out["understood"] += ok
            out["quiet understood" if ok else "quiet rest"] += answer.quiet
            out["acted"] += decided.action == ACT
            out["asked"] += decided.action == CONFIRM_IT
            out["stop"] += decided.action != REJECT and decided.answer.intent == "stop"
    finally:
        recognise.MIN_ACTIVE_DB = shipped
    return out


def row(name: str, clips: list[dict], rec, quieter: float = 0.0) -> str:
    """One set, with the gate's floor as before (the baseline) and as shipped."""
    before, now = (one_pass(clips, rec, quieter, floor) for floor in (GATE_BEFORE, recognise.MIN_ACTIVE_DB))
    n, understood = len(clips), now["understood"]

    def pc(count: int, of: int) -> str:
        return f"{100 * count / max(1, of):.1f}"

    changes = " | ".join(f"{before[k]} -> {now[k]}" for k in ("acted", "asked", "stop"))
    return (
        f"| {name} | {n} | {pc(before['understood'], n)} | {pc(understood, n)} | "
        f"{pc(now['quiet understood'], understood)} | {pc(now['quiet rest'], n - understood)} | {changes} |"
    )


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
        "| marked too quiet: of those understood % | of the rest % "
        "| acted on, before -> now | asked about | acted on or asked about as a stop |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
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
        other = [dict(c, expect="any") for c in found["other"][::4]]  # no question takes these
        print(row("every fourth of their other words (go, up, off...), --expect any", other, rec), flush=True)
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
