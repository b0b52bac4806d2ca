"""The stop detector alone on people's takes: a look before a benchmark, not a measure of a session.

    python scripts/stop_scores.py --commands DIR [DETECTOR.npz ...]

Each take of the benchmark's people (bench_recognition.py --commands: Speech Commands' test part,
each recording once) is heard whole through `stopword.stop_probability` (no gate, no decoder, no
word listener): how many of their stops the detector puts under each level, and how many of their
other words at or over it. The shipped detector first, then each file named. Seconds, not minutes:
a retrained detector can be looked at before the 20-minute `bench_recognition.py --commands-only`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402

LEVELS = (0.2, 0.5, 0.9, 0.98)


def counts(detector, stops: list[dict], others: list[dict]) -> tuple[list[int], list[int]]:
    """Stops under each of LEVELS, other words at or over each."""
    from voiceguide.feedback import stopword

    p = np.array([stopword.stop_probability(c["samples"], c["rate"], detector) for c in stops])
    q = np.array([stopword.stop_probability(c["samples"], c["rate"], detector) for c in others])
    return [int(np.sum(p < t)) for t in LEVELS], [int(np.sum(q >= t)) for t in LEVELS]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--commands", required=True, help="Speech Commands' test part (as bench_recognition.py)")
    ap.add_argument("detectors", nargs="*", type=Path, help="more stop detectors (npz)")
    args = ap.parse_args()
    from bench_recognition import commands_once

    from voiceguide.feedback import stopword

    once = commands_once(args.commands)
    stops, others = once["stop"], once["other"]
    if not stops:
        ap.error(f"no stop recordings found in {args.commands} (a Speech Commands folder with stop/*.wav)")
    levels = " / ".join(f"{t:g}" for t in LEVELS)
    print(f"| detector | people's stops under {levels} ({len(stops)}) | other words at or over {levels} "
          f"({len(others)}) |\n|---|---|---|")  # fmt: skip
    for name, path in [("shipped", stopword.MODEL)] + [(str(p), p) for p in args.detectors]:
        under, over = counts(stopword.load(path), stops, others)
        print(f"| {name} | {' / '.join(map(str, under))} | {' / '.join(map(str, over))} |")


if __name__ == "__main__":
    main()
