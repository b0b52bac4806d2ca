"""Try decoy words in the answer grammars, on the tuning voices: measured, not shipped.

    python scripts/try_decoys.py [--per-word 2 4 8] [--cache DIR]

Why decoys: a grammar that holds only the answers makes the decoder pick the nearest answer for
any word, so "hive" comes back as "five" and "note" as "no", sometimes surely enough to be acted
on. A decoy is a common word one sound away from an answer ("dive" beside "five"); in the grammar
it gives such a word somewhere else to land, and a decoy heard is not an answer (asked again, or
read back if the word listener names an answer).

The rule, from the pocketsphinx dictionary and its language model's word frequencies only:

- one phone away from an answer word (one phone changed, added or taken away);
- at least three letters and two phones, a plain word, not an answer's homophone;
- not the answer with a piece added or taken away (hard / harder, seventy / seven): a clipped or
  trailing answer must still land on the answer;
- never near the stop word or a symptom word (one phone away from any of their pronunciations):
  decoys must not take a stop or a symptom from the decoder;
- not in any set the benchmark reports or tunes on (scripts/bench_recognition.py: OOV words and
  sentences, near misses, tuning rhymes, carrier phrases), so that its out-of-vocabulary figures
  measure words the rule did not see;
- the N most frequent per answer word (--per-word).

What it measures, each clip through Recogniser.answer and decision.decide as a session decides, with
no decoys and with each --per-word: the tuning voices' vocabulary and carrier phrases (`any`),
their numbers in the telephone band (`number`), and the rhymes kept for tuning (TUNING_RHYMES, at
both). Result (2026-12-04) in docs/recognition.md, "Decoy words in the grammar": not shipped.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402

from voiceguide.feedback import recognise  # noqa: E402
from voiceguide.feedback.intents import SPOKEN_SYMPTOMS, meaning, tokens  # noqa: E402
from voiceguide.feedback.recognise import PRONUNCIATIONS, Recogniser, words_for  # noqa: E402

GUARDED = ["stop", *SPOKEN_SYMPTOMS]


@functools.cache
def dictionary() -> dict[str, list[tuple[str, ...]]]:
    """The pocketsphinx dictionary's pronunciations, with recognise.PRONUNCIATIONS (read once)."""
    import pocketsphinx  # noqa: PLC0415

    path = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")
    prons: dict[str, list[tuple[str, ...]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, *phones = line.split()
            prons.setdefault(word.split("(")[0], []).append(tuple(phones))
    for word, pron in PRONUNCIATIONS:
        prons.setdefault(word.split("(")[0], []).append(tuple(pron.split()))
    return prons


def frequency():
    """log P(word) under the model's unigrams (how common a word is)."""
    import pocketsphinx  # noqa: PLC0415

    path = os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin")
    pocketsphinx.set_loglevel("FATAL")
    model = pocketsphinx.NGramModel(pocketsphinx.Config(loglevel="FATAL"), pocketsphinx.LogMath(), path)
    return lambda word: model.prob([word])


def one_apart(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One phone changed, added or taken away (or the same)."""
    if a == b:
        return True
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def benchmark_words() -> set[str]:
    texts = bench.OOV_WORDS + bench.OOV_SENTENCES + bench.NEAR_MISSES + bench.TUNING_RHYMES + bench.CARRIERS
    return {w for t in texts for w in tokens(t)}


def decoys(per_word: int) -> dict[str, list[str]]:
    prons = dictionary()
    common = frequency()
    vocab = {w: prons[w] for w in words_for("any") if w in prons}
    answers = [w for w in vocab if w not in GUARDED]
    guarded = [p for w in GUARDED for p in prons.get(w, [])]
    spoken = {p for ps in vocab.values() for p in ps}
    held = benchmark_words()
    found: dict[str, list[tuple[int, str]]] = {}
    for word, ps in prons.items():
        if not word.isalpha() or len(word) < 3 or word in vocab or word in held:
            continue
        if meaning(word)[0] != "unknown" or any(len(p) < 2 or p in spoken for p in ps):
            continue
        if any(one_apart(p, g) for p in ps for g in guarded):
            continue
        for answer in answers:
            if answer in word or word in answer:
                continue
            if any(one_apart(p, q) for p in ps for q in vocab[answer]):
                found.setdefault(answer, []).append((common(word), word))
    return {a: [w for _, w in sorted(found.get(a, []), reverse=True)[:per_word]] for a in answers}


def with_decoys(chosen: dict[str, list[str]]):
    """recognise.grammar with the chosen decoys as one more alternative (what a Recogniser made
    while it is in place compiles)."""
    plain = recognise.grammar

    def grammar(expect: str) -> str:
        text = plain(expect)
        answers = words_for(expect if expect in recognise.EXPECTS else "any")
        extra = sorted({d for w in answers for d in chosen.get(w, ())} - set(answers))
        if not extra:
            return text
        return text.rstrip().removesuffix(";") + " | ({});\n".format(" | ".join(extra))

    return grammar


def clip_sets(folder: str) -> dict[str, list[dict]]:
    tune = bench.TUNE_VOICES
    numbers = bench.DIGITS + ["ten"]
    return {
        "vocabulary + carriers, any": [
            dict(c, expect="any") for c in bench.synthetic(bench.VOCAB + bench.CARRIERS, tune, folder, 1)
        ],
        "numbers, telephone band, number": [
            dict(c, expect="number") for c in bench.narrowband(bench.synthetic(numbers * 3, tune, folder, 6))
        ],
        "rhymes, any": [
            dict(c, expect="any") for c in bench.synthetic(bench.TUNING_RHYMES, tune, folder, 90)
        ],
        "rhymes, telephone band, number": [
            dict(c, expect="number")
            for c in bench.narrowband(bench.synthetic(bench.TUNING_RHYMES, tune, folder, 91))
        ],
    }


def outcomes(rec: Recogniser, clips: list[dict]) -> list[float]:
    for c in clips:
        c["decision"] = bench.decide(rec.hear(c["samples"], c["rate"], c["expect"]), c["expect"])
    return bench.decision_shares(clips)


def vetoed(shipped: list, rec: Recogniser, clips: list[dict]) -> list[float]:
    """The shipped decisions, an action read back instead when the grammar with decoys lands on a
    decoy (one more decode, only for what would be acted on)."""
    for c, d in zip(clips, shipped, strict=True):
        c["decision"] = d
        if d.action == "act" and d.answer.intent not in ("stop", "symptom"):
            text = rec.details(c["samples"], c["rate"], c["expect"], word_listener=False)["text"]
            if text and meaning(text)[0] == "unknown":
                c["decision"] = replace(d, action="confirm")
    return bench.decision_shares(clips)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-word", type=int, nargs="+", default=[2, 4, 8])
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--show", type=int, default=0, help="print the decoys chosen at this --per-word")
    args = ap.parse_args()
    if args.show:
        for answer, words in decoys(args.show).items():
            print(f"{answer}: {', '.join(words) or '-'}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        sets = clip_sets(args.cache or tmp)
    plain = recognise.grammar

    def row(label: str, name: str, clips: list[dict], figures: list[float]) -> None:
        ac, aw, cc, cw, rej = figures
        print(f"| {label} | {name} | {len(clips)} | {ac:.1f} / {aw:.1f} | {cc:.1f} / {cw:.1f} | {rej:.1f} |")

    print(
        "| decoys per word | set | clips | acted on right / wrong | read back right / wrong | asked again |"
    )
    print("|---|---|---|---|---|---|")
    shipped = {}
    rec = Recogniser()
    for name, clips in sets.items():
        row("none (shipped)", name, clips, outcomes(rec, clips))
        shipped[name] = [c["decision"] for c in clips]
    for per_word in args.per_word:
        chosen = decoys(per_word)
        recognise.grammar = with_decoys(chosen)
        try:
            rec = Recogniser()
        finally:
            recognise.grammar = plain
        label = f"{per_word} ({sum(len(w) for w in chosen.values())} words)"
        for name, clips in sets.items():
            row(f"{label}, in the grammar", name, clips, outcomes(rec, clips))
        for name, clips in sets.items():
            row(f"{label}, veto of an action only", name, clips, vetoed(shipped[name], rec, clips))


if __name__ == "__main__":
    main()
