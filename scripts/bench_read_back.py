"""How the reply to a rating read back ("I heard seven. Is that right?") is taken; prints markdown.

  .venv/bin/python scripts/bench_read_back.py [--cache DIR] [--data DIR] [--quick]

Before 2026-12-05 that reply was heard with the yes/no grammar, so "no, eight" lost its eight
and the question was asked again. Now a number's read-back is answered at `--expect correction`:
yes, no, every number and "no, <number>"; a number heard there is read back in turn, never acted
on at once (decision.decide). The risk: "yes" heard as "six" (a "no" more), or worse, a "no"
heard as a yes. Each reply below is heard both ways in the same run, and ends as the dialogue
takes it (`dialogue.reply_to_read_back`, which the read-back itself calls):

- agreed: the rating read back is acted on (right for yes, okay, good; wrong for anything else);
- read back: a number said in turn is read back ("I heard eight..."), right or wrong number;
- asked again: the question is asked again (right for "no"; what "no, eight" got before);
- stop: silence, or "did you say stop?".

Replies are spoken by the benchmark's unseen voices (bench_recognition.TEST_VOICES: espeak-ng
voices no threshold was tuned on) and flite's slt when installed (each reply three times), at random
speeds, levels and noises; --tuning: the voices the rules were chosen on instead. Human digits
(the FSDD tuning set, --data, when present) are bare numbers said in reply.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_recognition as bench  # noqa: E402 (beside this script: the same clips and voices)

from voiceguide.feedback.intents import Answer  # noqa: E402
from voiceguide.feedback.recognise import Recogniser  # noqa: E402
from voiceguide.player.dialogue import reply_to_read_back  # noqa: E402

AGREE = ["yes", "okay", "good"]
NUMBERS = bench.DIGITS + ["ten"]
REPLIES = {
    "yes, okay, good": AGREE * 3,
    "no": ["no"] * 6,
    "no, <number>": [f"no, {n}" for n in NUMBERS],
    "no, it's <number>": [f"no, it's {n}" for n in NUMBERS[::2]],
    "<number> alone": NUMBERS,
}
# The reply to "I heard more. Is that right?" (a spoken "more" is always read back)
PRESSURE_REPLIES = {
    "yes, okay, good": AGREE * 3,
    "no": ["no"] * 6,
    "no, less / softer / lighter": ["no, less", "no, softer", "no, lighter"] * 3,
    "no, it's good / that's okay": ["no, it's good", "no, that's okay", "no, it's okay"] * 3,
}
OUTCOMES = ("agreed", "read back right", "read back wrong", "asked again", "stop")
PRESSURE_OUTCOMES = ("agreed", "lighter", "stays", "asked again", "stop")


SEVEN = Answer("seven", "number", 7, source="voice")  # what was read back: "I heard seven..."
MORE = Answer("more", "more", source="voice")  # "I heard more..."


def taken(heard, expect: str, said: str) -> str:
    """What the read-back of a rating does with the reply `heard` (at the grammar `expect`)."""
    kind, meant = reply_to_read_back(SEVEN, heard)
    if kind == "read back" and meant is not None:
        spoken = said.replace(",", " ").split()[-1]
        return "read back right" if meant.value == bench.understand(spoken).value else "read back wrong"
    return {"stop": "stop", "agreed": "agreed"}.get(kind, "asked again")


def taken_for_more(heard, expect: str, said: str) -> str:
    """What the read-back of "more" does with the reply `heard` (at the grammar `expect`)."""
    kind, meant = reply_to_read_back(MORE, heard)
    if kind == "meant" and meant is not None:
        return "lighter" if meant.intent == "less" else "stays"
    return {"stop": "stop", "agreed": "agreed"}.get(kind, "asked again")


def right(kind: str, outcome: str) -> bool:
    if kind == "yes, okay, good":
        return outcome == "agreed"
    if kind == "no":
        return outcome in ("asked again", "stop")
    if kind.startswith("no, less"):
        return outcome == "lighter"
    if kind.startswith("no, it's good"):
        return outcome == "stays"
    return outcome == "read back right"


def table(rows: dict[str, list[tuple[str, str]]], title: str, now: str = "correction") -> None:
    outcomes_shown = OUTCOMES if now == "correction" else PRESSURE_OUTCOMES
    print(f"\n### {title}\n")
    print("| reply | clips | grammar | " + " | ".join(outcomes_shown) + " | taken right |")
    print("|---" * (len(outcomes_shown) + 4) + "|")
    for kind, outcomes in rows.items():
        for expect in ("yesno", now):
            got = Counter(o for e, o in outcomes if e == expect)
            n = sum(got.values())
            if not n:
                continue
            cells = " | ".join(f"{100 * got[o] / n:.1f}" for o in outcomes_shown)
            ok = sum(v for o, v in got.items() if right(kind, o))
            print(f"| {kind} | {n} | {expect} | {cells} | **{100 * ok / n:.1f}** |")
    for expect in ("yesno", now):  # the one wrong action: what the person denied, acted on
        denied = [o for kind, got in rows.items() if kind.startswith("no") for e, o in got if e == expect]
        if denied:
            agreed = denied.count("agreed")
            print(f"\nA reply that said no, taken for a yes (what was read back acted on), {expect}: "
                  f"{agreed} of {len(denied)} ({100 * agreed / len(denied):.1f} %)", end="")  # fmt: skip
    print()


def heard_both_ways(rec, replies, now, take, voices, folder, seed, tuning):
    """{voices' name: {reply kind: [(grammar, outcome)]}}: each reply heard at yesno and at `now`."""
    groups: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for n, (kind, texts) in enumerate(replies.items()):
        clips = bench.synthetic(texts, voices, folder, seed + n)
        clips += [] if tuning else bench.unseen_engine(texts * 3, folder, seed + 50 + n)
        for c in clips:
            name = "flite slt" if c["group"].startswith("flite") else "espeak-ng voices"
            for expect in ("yesno", now):
                heard = rec.hear(c["samples"], c["rate"], expect)
                groups.setdefault(name, {}).setdefault(kind, []).append(
                    (expect, take(heard, expect, c["text"]))
                )
    return groups


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(root.parent / "shared" / "data" / "fsdd-tune"))
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--quick", action="store_true", help="three voices (a smoke run)")
    ap.add_argument(
        "--tuning", action="store_true", help="the tuning voices instead (what the rules were chosen on)"
    )
    ap.add_argument("--part", choices=["rating", "more", "both"], default="both", help="which read-back")
    args = ap.parse_args()
    rec = Recogniser()
    voices = bench.TUNE_VOICES if args.tuning else bench.TEST_VOICES
    voices = voices[:3] if args.quick else voices
    said = lambda name: f"{name} ({', '.join(voices) if name.startswith('espeak') else 'another engine'})"  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.cache or tmp
        os.makedirs(folder, exist_ok=True)
        if args.part in ("rating", "both"):
            print("## Replies to a rating read back: the yes/no grammar (before) and `correction` (now)")
            print("\nCells: % of the clips of each row. `python scripts/bench_read_back.py`")
            groups = heard_both_ways(rec, REPLIES, "correction", taken, voices, folder, 900, args.tuning)
            for name, rows in groups.items():
                table(rows, said(name))
            if os.path.isdir(args.data):
                rows = {"<number> alone": []}
                for c in bench.fsdd(args.data):
                    for expect in ("yesno", "correction"):
                        heard = rec.hear(c["samples"], c["rate"], expect)
                        rows["<number> alone"].append((expect, taken(heard, expect, c["text"])))
                table(rows, f"human digits, FSDD tuning set ({args.data})")
            else:
                print(f"\n(no human digits: {args.data} is missing; the FSDD is at "
                      "https://github.com/Jakobovski/free-spoken-digit-dataset)")  # fmt: skip
        if args.part in ("more", "both"):
            print(
                '\n## Replies to "I heard more": the yes/no grammar (before) and `correction-pressure` (now)'
            )
            groups = heard_both_ways(
                rec,
                PRESSURE_REPLIES,
                "correction-pressure",
                taken_for_more,
                voices,
                folder,
                1000,
                args.tuning,
            )
            for name, rows in groups.items():
                table(rows, said(name), now="correction-pressure")


if __name__ == "__main__":
    main()
