"""Answers cut flat by a too-loud microphone, heard as they came and with their peaks drawn again
(voiceguide/feedback/declip.py), in one run; offline, prints markdown.

    .venv/bin/python scripts/bench_declip.py [--person DIR] [--commands DIR] [--enrollment]

Sets:

- **Synthetic** (always; espeak-ng, no data to fetch): the stop phrases, the digits and "more, less,
  good" in the benchmark's eight unseen voices, each made 2, 4, 8 and 16 times louder than full
  scale allows and cut there, at the questions that take them.
- **--person DIR**: one man's own recordings (`bench_recognition.py --person`: where to get them),
  grouped by the share of each take's samples at full scale (none or under 0.2 %, 0.2-2 %, 2 % or
  more): his digits at a number question, his stops at `any`, his other words (front, back, left,
  right) at `any`, where an answer acted on as a stop is a false stop.
- **--commands DIR**: the takes of Google's Speech Commands test set with any sample at full scale
  (most people's phones did not clip), each at its question, each recording once
  (`bench_recognition.commands_once`).
- **--enrollment** (with --person): his enrollment across days (`bench_recognition.person_enrollment`:
  enrolled on the first day with three unclipped takes of each word, heard on his other days).

Baseline in the same run: the recogniser (and the enrolled match) with `declip.restore` left out.
Nothing was tuned on these recordings: the level is enrollment's, the fit's three samples a side
and its cap were set before the first run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402
import numpy as np  # noqa: E402

from voiceguide.feedback import declip, enroll, recognise  # noqa: E402
from voiceguide.feedback.decision import at_question  # noqa: E402

GAINS = (2.0, 4.0, 8.0, 16.0)
BANDS = ((0.0, 0.002, "under 0.2 %"), (0.002, 0.02, "0.2-2 %"), (0.02, 1.01, "2 % or more"))


@contextlib.contextmanager
def as_they_came():
    """The recogniser and the enrolled match without declip.restore."""
    kept = recognise.declip.restore, enroll.restore
    recognise.declip.restore = enroll.restore = lambda x: x
    try:
        yield
    finally:
        recognise.declip.restore, enroll.restore = kept


def outcomes(clips: list[dict], rec) -> tuple[Counter, int, float]:
    """Session outcomes (bench_recognition.session_outcome), answers acted on or asked about as a
    stop, and the mean milliseconds per answer."""
    out: Counter = Counter()
    stops = 0
    start = time.perf_counter()
    for c in clips:
        answer = rec.answer(rec.details(c["samples"], c["rate"], c["expect"]), c["expect"])
        out[bench.session_outcome(answer, c["text"], c["expect"])] += 1
        decided = at_question(answer, c["expect"])
        stops += decided.action != "reject" and decided.answer.intent == "stop"
    return out, stops, 1000 * (time.perf_counter() - start) / max(1, len(clips))


def cells(out: Counter, stops: int, ms: float, own_words: bool) -> str:
    n = max(1, sum(out.values()))

    def pc(*keys):
        return f"{100 * sum(out[k] for k in keys) / n:.1f}"

    said = f"**{pc('ac', 'cc')}** / {pc('aw')} / {pc('cw')} / {pc('rej')}" if own_words else f"{pc('aw')}"
    return f"{said} | {stops} | {ms:.0f}"


HEAD = (
    "| set | clips | as they came: **understood** / acted on wrongly / read back wrongly / asked again "
    "| taken for a stop | ms | drawn again: the same | taken for a stop | ms |\n"
    "|---|---|---|---|---|---|---|---|"
)


def row(name: str, clips: list[dict], rec, own_words: bool = True) -> str:
    """One set heard both ways. Other words (`own_words` False): only "acted on wrongly" counts."""
    with as_they_came():
        before = outcomes(clips, rec)
    after = outcomes(clips, rec)
    return f"| {name} | {len(clips)} | {cells(*before, own_words)} | {cells(*after, own_words)} |"


def synthetic(folder: str) -> list[tuple[str, list[dict]]]:
    """espeak-ng answers in the unseen voices, made too loud and cut at full scale: a set per gain."""
    words = (
        ("stop phrases, --expect any", bench.STOP_PHRASES, "any"),
        ("digits, --expect number", bench.DIGITS, "number"),
        ("more, less, good, --expect pressure", ["more", "less", "good"], "pressure"),
    )
    sets: dict[str, list[dict]] = {}
    for name, texts, expect in words:
        for gain in GAINS:
            chosen = sets.setdefault(f"synthetic, 8 unseen voices, {gain:g} times full scale: {name}", [])
            for voice in bench.TEST_VOICES:
                for text in texts:
                    s, r = bench.espeak(text, voice, 160, folder)
                    cut = np.clip(s / (float(np.max(np.abs(s))) or 1.0) * gain, -1.0, 1.0).astype(np.float32)
                    chosen.append({"text": text, "samples": cut, "rate": r, "expect": expect})
    return list(sets.items())


def person(folder: str) -> list[tuple[str, list[dict], bool]]:
    found = bench.person_clips(folder)
    kinds = (
        (
            "his digits, --expect number",
            [c for c in found["other"] if c["text"] in bench.DIGITS],
            "number",
            True,
        ),
        ("his stops, --expect any", found["stop"], "any", True),
        (
            "his other words, --expect any",
            [c for c in found["other"] if c["text"] not in bench.DIGITS],
            "any",
            False,
        ),
    )
    sets = []
    for name, clips, expect, own in kinds:
        for lo, hi, band in BANDS:
            chosen = [dict(c, expect=expect) for c in clips if lo <= declip.clipped_share(c["samples"]) < hi]
            if chosen:
                sets.append((f"{name}, {band} at full scale", chosen, own))
    return sets


def commands(folder: str) -> list[tuple[str, list[dict], bool]]:
    found = bench.commands_once(folder)
    expects = (
        ("stop", "any", True), ("yes", "yesno", True), ("no", "yesno", True), ("digit", "number", True),
        ("other", "any", False), ("none", "any", False),
    )  # fmt: skip
    sets = []
    for kind, expect, own in expects:
        chosen = [
            dict(c, expect=expect) for c in found.get(kind, []) if declip.clipped_share(c["samples"]) > 0
        ]
        if chosen:
            label = "background noise" if kind == "none" else f"{kind} ({len(found[kind])} in all)"
            sets.append((f"{label}, any sample at full scale, --expect {expect}", chosen, own))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--person", help="one man's recordings: " + bench.PERSON_SOURCE)
    parser.add_argument("--commands", help="Speech Commands' test set: " + bench.COMMANDS_SOURCE)
    parser.add_argument("--enrollment", action="store_true", help="with --person: his enrollment across days")
    parser.add_argument(
        "--cap",
        type=float,
        default=declip.MOST,
        help="the highest a peak is drawn, in full scales (declip.MOST)",
    )
    args = parser.parse_args()
    declip.MOST = args.cap  # 4 gives the figures the shipped 2 was chosen against
    rec = recognise.Recogniser()
    print(
        "# Answers cut flat at full scale: as they came, and drawn again "
        f"(declip.restore, cap {declip.MOST:g})\n"
    )
    print('Other words and background noise: every answer is wrong, so only "acted on wrongly" is given.\n')
    print(HEAD)
    with tempfile.TemporaryDirectory() as folder:
        for name, clips in synthetic(folder):
            print(row(name, clips, rec), flush=True)
    for option, source, make in (
        (args.person, bench.PERSON_SOURCE, person),
        (args.commands, bench.COMMANDS_SOURCE, commands),
    ):
        if option and not os.path.isdir(option):
            print(f"\n({option} is missing: {source})")
        elif option:
            for name, clips, own in make(option):
                print(row(name, clips, rec, own), flush=True)
    if args.enrollment and args.person and os.path.isdir(args.person):
        print("\n## His enrollment across days, as his takes came\n")
        with as_they_came():
            bench.person_enrollment(args.person, rec)
        bench._DETAILS.clear()  # decoded again, not the answers kept from the pass above
        print("\n## The same, drawn again\n")
        bench.person_enrollment(args.person, rec)


if __name__ == "__main__":
    main()
