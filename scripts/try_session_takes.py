"""Try learning a person's voice from their sessions, on the FSDD speakers: measured, not shipped.

    python scripts/try_session_takes.py [--data ../shared/data/fsdd-tune] [--cache DIR]

Each speaker is enrolled with takes 0-2, as the benchmark does. Takes 3-6 stand for answers given
in sessions: each is heard with the enrolled recogniser, and the ones a session understood are
added to the person's takes, either only those read back and confirmed (the person said yes, so
the word is known) or those acted on too (not checked by the person). The model is built again
with the added takes and compared with the enrolled one on takes 7-9, which nothing here chose
anything on; also on the other speakers' takes 7-9 and on espeak-ng out-of-vocabulary words at a
number question (whether the person's model starts accepting other words). Result (2026-12-04) in
docs/recognition.md, "Learning from a person's sessions".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402

from voiceguide.feedback.recognise import Recogniser  # noqa: E402


def shares(clips: list[dict]) -> tuple[float, int, float, float]:
    """understood %, acted on wrongly (count), acted on wrongly %, read back wrongly %."""
    out = [bench.session_outcome(c["en"], c["text"], c["expect"]) for c in clips]
    n = max(1, len(out))
    understood = 100 * (out.count("ac") + out.count("cc")) / n
    return understood, out.count("aw"), 100 * out.count("aw") / n, 100 * out.count("cw") / n


def learnt(tune: list[dict]) -> dict[str, list[dict]]:
    """The takes a session would add: read back and confirmed; or any answer understood."""
    added: dict[str, list[dict]] = {"confirmed": [], "confirmed or acted on": []}
    for c in tune:
        outcome = bench.session_outcome(c["en"], c["text"], c["expect"])
        if outcome == "cc":
            added["confirmed"].append(c)
        if outcome in ("cc", "ac"):
            added["confirmed or acted on"].append(c)
    return added


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fsdd-tune"))
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    args = ap.parse_args()
    human = bench.fsdd(args.data) if Path(args.data).is_dir() else []
    if not human:
        sys.exit(f"No FSDD recordings at {args.data}: see scripts/bench_recognition.py --help.")
    rec = Recogniser()
    bench.hear_all(human, rec, "number")
    with tempfile.TemporaryDirectory() as tmp:
        oov = bench.synthetic(
            bench.OOV_WORDS + bench.OOV_SENTENCES, bench.TEST_VOICES[:4], args.cache or tmp, 14
        )
    bench.hear_all(oov, rec, "number")
    print("| speaker | model | takes added | takes 7-9: understood / acted on wrongly | other speakers' "
          "takes 7-9: understood / acted on wrongly | OOV at `number`: acted on / read back |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    totals: dict[str, list[float]] = {}
    for speaker, (enrolled, _) in bench.held_apart_models(human, rec).items():
        first = [c for c in human if c["group"] == speaker and c["index"] in bench.ENROLL_TAKES]
        tune = [dict(c) for c in human if c["group"] == speaker and c["index"] in bench.TUNE_TAKES]
        test = [dict(c) for c in human if c["group"] == speaker and c["index"] in bench.REPORT_TAKES]
        others = [dict(c) for c in human if c["group"] != speaker and c["index"] in bench.REPORT_TAKES]
        words = [dict(c) for c in oov]
        bench.hear_enrolled(tune, enrolled)
        models = [("takes 0-2", enrolled, 0)]
        for name, added in learnt(tune).items():
            takes = [(c["name"], c["samples"], c["rate"]) for c in first + added]
            models.append((f"+ {name}", bench.enroll_takes(takes, rec)[0], len(added)))
        for name, model, count in models:
            for clips in (test, others, words):
                bench.hear_enrolled(clips, model)
            own, other, extra = shares(test), shares(others), shares(words)
            totals.setdefault(name, []).append(own[0])
            print(f"| {speaker} | {name} | {count} | {own[0]:.1f} / {own[1]} | {other[0]:.1f} / {other[1]} "
                  f"| {extra[2]:.1f} / {extra[3]:.1f} |")  # fmt: skip
    for name, values in totals.items():
        print(f"\n{name}: all six speakers' takes 7-9 understood {sum(values) / len(values):.1f} %", end="")
    print()


if __name__ == "__main__":
    main()
