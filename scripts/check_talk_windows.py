"""Does train_stop.py's recipe make the talk windows a detector was fitted on? Rebuilds the first N
recordings' windows with the detector named by --mine-with and compares them with a --talk-cache
file (its "tx": the windows the fits learnt from).

    python scripts/check_talk_windows.py --talk DIR... --talk-cache talk.npz --mine-with mined.npz
        [--first 40]

Why: the hard talk windows are those where a detector fires, and until 2026-12-07 that was always
the one shipped, so a recipe rerun after shipping its own result made other windows. The windows
before them come from the same random draws, so the first N recordings' windows must match the
cache's first ones exactly. --seed must be the one the fits were made with (train_stop.py's).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import train_stop  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--talk", type=Path, nargs="+", required=True, help="train_stop.py's --talk folders")
    ap.add_argument("--talk-cache", type=Path, required=True, help="train_stop.py's --talk-cache file")
    ap.add_argument("--mine-with", type=Path, required=True, help="the detector to rebuild the windows with")
    ap.add_argument("--first", type=int, default=40, help="recordings to rebuild")
    ap.add_argument("--seed", type=int, default=1, help="train_stop.py's --seed")
    args = ap.parse_args()
    for path in (args.talk_cache, args.mine_with):
        if not path.exists():
            ap.error(f"{path}: no such file")
    with np.load(args.talk_cache) as d:
        cached = d["tx"]
    talk = train_stop.talk_recordings(args.talk)["training"][: args.first]
    for name, miner in ((str(args.mine_with), args.mine_with), ("the shipped detector", train_stop.sw.MODEL)):
        x = train_stop.talk_to_fit(talk, args.seed, miner)
        same = len(x) <= len(cached) and np.array_equal(x, cached[: len(x)])
        print(
            f"mined with {name}: {len(x)} windows from the first {len(talk)} recordings, "
            f"{'identical to' if same else 'different from'} the cache's first {len(x)}"
        )


if __name__ == "__main__":
    main()
