"""Many more sessions answered at random than the test suite plays, and what they covered.

    .venv/bin/python scripts/random_answers.py [--seeds 320:4320]

Each seed is one session of tests/test_random_answers.py (its plans, its answerer, its checks:
caps, areas left out after a stop, no work after the end, every answer used and followed by
something heard, every stop honoured, the end tone last). The test plays seeds 0-319 in CI; this
plays any others, and prints how many sessions broke a rule (with the first problems of each),
how they ended, and how often each rule fired, so a change to the conversation can be shown to
break nothing across thousands of sessions. About 13 sessions a second on one core.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from player_harness import play  # noqa: E402
from test_random_answers import RandomScript, broken_rules, random_request  # noqa: E402

from voiceguide import library  # noqa: E402
from voiceguide.player import playback  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="320:4320", help="FIRST:END, END not included (default 320:4320)")
    first, end = (int(x) for x in ap.parse_args().seeds.split(":"))
    playback.POLL = 0.0  # the harness's tape moves on each look: no need to wait between looks
    lib = library.load()
    broken: dict[int, list[str]] = {}
    endings: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    started = time.monotonic()
    for seed in range(first, end):
        rng = random.Random(seed)
        request = random_request(rng)
        outcome, events, _, player = play(lib, request, [], script=lambda e, r=rng: RandomScript(e, r))
        endings[outcome.reason] += 1
        rules.update(d["rule"] for e, d in events if e == "action")
        if problems := broken_rules(lib, player.plan, events):
            broken[seed] = problems
    print(f"{end - first} sessions (seeds {first}-{end - 1}) in {time.monotonic() - started:.0f} s")
    print(f"broke a rule: {len(broken)}")
    for seed, problems in list(broken.items())[:10]:
        print(f"  seed {seed}: {'; '.join(problems[:3])}")
    print("ended: " + ", ".join(f"{k} {v}" for k, v in endings.most_common()))
    print("rules fired: " + ", ".join(f"{k} {v}" for k, v in rules.most_common()))
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
