"""Weigh decision.ASKED_ABOUT on benchmark dumps, without decoding again.

    python scripts/bench_recognition.py --cache DIR --person DIR --dump run.jsonl   (about 25 minutes)
    python scripts/try_asked_about.py run.jsonl [more.jsonl ...]                    (seconds)

ASKED_ABOUT names the answers that are asked about ("Did you ask to pause?", "Did you say yes?")
rather than acted on unread when heard between the read-back and the acting levels, per kind of
question. Every clip of a pressure or yes/no set (and every yes/no clip again as the offer after a
stop) is decided through Recogniser.answer and decision.at_question, the path a session and
`voiceguide hear` share, with each variant of the table in turn. Printed per set and variant:
acted on at once right (AR) and wrong (AW), asked about or read back right (CR) and wrong (CW),
asked again (R), % of the set's clips.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceguide.feedback import decision  # noqa: E402
from voiceguide.feedback.decision import ACT, FLOW, REJECT, at_question  # noqa: E402
from voiceguide.feedback.intents import CONFIRM, understand  # noqa: E402
from voiceguide.feedback.recognise import Recogniser  # noqa: E402

_rec = Recogniser.__new__(Recogniser)  # the decision only: no model is loaded
_rec.threshold = CONFIRM

VARIANTS = {
    "number questions only (before 385efc2)": {"number": FLOW},
    "skip and continue only": {"number": FLOW, "pressure": ("skip",), "yesno": ("continue",)},
    "skip, continue and pause": {
        "number": FLOW, "pressure": ("skip", "continue", "pause"), "yesno": ("continue", "pause"),
    },  # fmt: skip
    "every flow word and skip, no offer (385efc2)": {
        "number": FLOW, "pressure": (*FLOW, "skip"), "yesno": FLOW,
    },  # fmt: skip
    "shipped (a615e61)": dict(decision.ASKED_ABOUT),
}


def cells(clips: list[dict], expect: str) -> str:
    """AR / AW / CR / CW / R for the clips decided at a question of kind `expect`."""
    out: Counter[str] = Counter()
    for c in clips:
        d = at_question(_rec.answer(c["info"], c["expect"]), expect)
        if d.action == REJECT:
            out["rej"] += 1
            continue
        said = understand(c["text"], c["expect"]) if c["text"] else None
        right = said is not None and (said.intent, said.value) == (d.answer.intent, d.answer.value)
        out[("a" if d.action == ACT else "c") + ("c" if right else "w")] += 1
    n = max(1, len(clips))
    return " | ".join(f"{100 * out[k] / n:.1f}" for k in ("ac", "aw", "cc", "cw", "rej"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dumps", nargs="+", help="dumps from bench_recognition.py --dump")
    sets: dict[str, list[dict]] = {}
    for path in ap.parse_args().dumps:
        found: dict[str, list[dict]] = {}
        with open(path) as f:
            for line in f:
                c = json.loads(line)
                if c["expect"] in ("pressure", "yesno"):
                    found.setdefault(c["set"], []).append(c)
        sets |= {name: clips for name, clips in found.items() if name not in sets}  # the first dump's
    print("| variant | set | decided at | clips | AR | AW | CR | CW | R |")
    print("|---|---|---|---|---|---|---|---|---|")
    shipped = decision.ASKED_ABOUT
    try:
        for label, table in VARIANTS.items():
            decision.ASKED_ABOUT = table  # at_question reads it at each call
            for name, clips in sets.items():
                kinds = [clips[0]["expect"]] + (["offer"] if clips[0]["expect"] == "yesno" else [])
                for kind in kinds:
                    print(f"| {label} | {name} | {kind} | {len(clips)} | {cells(clips, kind)} |")
    finally:
        decision.ASKED_ABOUT = shipped


if __name__ == "__main__":
    main()
