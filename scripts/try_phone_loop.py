"""Try the free phone loop as a check of an answer's first sound, on the tuning voices: measured,
not shipped.

    python scripts/try_phone_loop.py [--cache DIR]

The out-of-vocabulary words still acted on are rhymes of answers (hive -> five, line -> nine,
note -> no): they differ from the answer in the first consonant only. Each answer already has a
decode in the free phone loop (the confidence's `ratio`); if its phones named the first consonant,
a rhyme could be told from the answer by comparing the loop's first phone with the answer's own
pronunciation. Measured on the tuning voices' clips that a session would act on or read back
(never on a set the benchmark reports): how often the loop's first phone, or one of its first two,
is the decoded answer's first phone, for answers heard rightly, and for rhymes and other
out-of-vocabulary words heard as an answer. Result (2026-12-04) in docs/recognition.md,
"The phone loop as a check of the first sound".
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

FILLERS = ("SIL", "+SPN+", "+NSN+")


def sets(folder: str) -> dict[str, tuple[list[dict], str, bool]]:
    """name -> (clips, expect, whether what was said is an answer)."""
    voices, numbers = bench.TUNE_VOICES, bench.DIGITS + ["ten"]
    other = bench.OOV_WORDS[::2] + bench.OOV_SENTENCES[::2]
    return {
        "answers, `any`": (bench.synthetic(bench.VOCAB + bench.CARRIERS, voices, folder, 1), "any", True),
        "numbers, telephone band, `number`": (
            bench.narrowband(bench.synthetic(numbers * 3, voices, folder, 6)), "number", True),
        "rhymes, `any`": (bench.synthetic(bench.TUNING_RHYMES, voices, folder, 90), "any", False),
        "rhymes, telephone band, `number`": (
            bench.narrowband(bench.synthetic(bench.TUNING_RHYMES, voices, folder, 91)), "number", False),
        "OOV words and sentences, `any`": (bench.synthetic(other, voices[:4], folder, 3), "any", False),
    }  # fmt: skip


def first_phones(rec: Recogniser, clip: dict, text: str) -> tuple[list[str], str | None]:
    """The phone loop's phones for the clip, and the first phone of the decoded text."""
    pocket = rec._pocket  # (the decoder the recogniser itself uses: same model, same loop)
    loop = pocket.decode("phones", rec.prepare(clip["samples"], clip["rate"]))
    phones = [p for p in (loop or {}).get("text", "").split() if p not in FILLERS]
    words = text.split()
    pron = pocket._decoder.lookup_word(words[0]) if words else None
    return phones, pron.split()[0] if pron else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    args = ap.parse_args()
    rec = Recogniser(helper=False)
    print("| set | clips heard as an answer (acted on or read back) | loop's first phone is the answer's "
          "| among its first two |")  # fmt: skip
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (clips, expect, said_answer) in sets(args.cache or tmp).items():
            first = second = heard = 0
            for c in clips:
                info = rec.details(c["samples"], c["rate"], expect)
                answer = bench.decide(rec.answer(info, expect), expect)
                if answer.action == "reject":
                    continue
                c["expect"] = expect
                c["decision"] = answer
                if said_answer and bench.outcome(c) not in ("ac", "cc"):
                    continue  # answers: only those heard rightly
                phones, wanted = first_phones(rec, c, info["text"])
                heard += 1
                first += bool(phones) and phones[0] == wanted
                second += wanted in phones[:2]
            n = max(1, heard)
            print(f"| {name} | {heard} | {100 * first / n:.1f} % | {100 * second / n:.1f} % |")


if __name__ == "__main__":
    main()
