"""Decoding while the end of an answer is still being waited for: what it gains and what it changes.

    .venv/bin/python scripts/bench_early_decode.py [--data DIR] [--cache DIR] [--quick] [--tail N] [--null]

The listener finds the end of an answer after END_FRAMES of silence (210 ms). What it decodes is
now fixed once TAIL_FRAMES of that silence have come (the rest is their sound again), so its
decoding starts (END_FRAMES - TAIL_FRAMES) frames before the end is found (Listener.decode_early).
This script measures what that changes against the utterance as it was (every silent frame as
heard), in the same run:

- each clip in a stream (0.6 s before, 1 s after, a faint noise floor) through the real listener
  frame by frame (VAD, endpointer), once with each tail;
- each utterance through the recogniser and decision.decide, as a session decides: acted on,
  read back or asked again, right or wrong against what was said; how often the two tails give a
  different decision;
- with --null, the baseline for that count: nothing changed but the draw of the stream's faint
  noise (how many decisions any change of the quiet around an answer moves);
- how many drafts were decoded for nothing (speech went on after the tail: the draft's decoding
  is then wasted CPU, and the next answer waits for it).

Clips: the benchmark's unseen espeak-ng voices (scripts/bench_recognition.py TEST_VOICES; answer
words and carrier phrases at `any`, out-of-vocabulary words and sentences at `number`), and the
human digits of the Free Spoken Digit Dataset at `number` when --data holds them
(../shared/data/fsdd-tune beside the project; https://github.com/Jakobovski/free-spoken-digit-dataset).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402

from voiceguide.audio.pcm import resample  # noqa: E402
from voiceguide.feedback.decision import decide  # noqa: E402
from voiceguide.feedback.listen import END_FRAMES, FRAME, RATE, TAIL_FRAMES, Endpointer, Listener  # noqa: E402
from voiceguide.feedback.recognise import Recogniser  # noqa: E402

LEAD, TRAIL, FLOOR_DB = 0.6, 1.0, -70.0
NULL = False  # --null
TAIL = TAIL_FRAMES  # --tail: the silent frames an utterance keeps, compared with all END_FRAMES


def utterances(samples: np.ndarray, rate: int, tail: int, seed: int = 0) -> tuple[list, int]:
    """The utterances the listener finds in this clip (in its stream) with this tail, and how many
    drafts it would have decoded. `seed`: another draw of the stream's faint noise floor."""
    x = resample(np.asarray(samples, dtype=np.float64), rate, RATE)
    rng = np.random.default_rng([len(x), seed])
    stream = np.concatenate([np.zeros(int(LEAD * RATE)), x, np.zeros(int(TRAIL * RATE))])
    stream = stream + rng.standard_normal(len(stream)) * 10 ** (FLOOR_DB / 20)
    listener = Listener(None, recognise=None)
    listener.endpointer = Endpointer(tail=tail)
    found, drafts = [], 0
    for i in range(0, len(stream) - FRAME + 1, FRAME):
        u = listener.process(stream[i : i + FRAME].astype(np.float32), i / RATE)
        drafts += listener.endpointer.draft() is not None
        if u is not None:
            found.append(u)
    return found, drafts


def what(decision) -> tuple:
    return decision.action, decision.answer.intent, decision.answer.value


KINDS = {"ac": "act right", "aw": "act wrong", "cc": "confirm right", "cw": "confirm wrong", "rej": "rej"}


def run(name: str, clips: list[dict], expect: str, rec: Recogniser, oov: bool = False) -> dict:
    got = {tail: {k: 0 for k in KINDS} for tail in (END_FRAMES, TAIL)}
    differ = pairs = wasted = ends = 0
    cpu = {END_FRAMES: 0.0, TAIL: 0.0}
    for c in clips:
        decided = {}
        for tail in (END_FRAMES, TAIL):
            if NULL and tail == TAIL:  # the same tail as before, only the noise floor drawn again
                found, drafts = utterances(c["samples"], c["rate"], END_FRAMES, seed=1)
            else:
                found, drafts = utterances(c["samples"], c["rate"], tail)
            t = time.process_time()
            decided[tail] = [decide(rec.hear(u.samples, RATE, expect), expect) for u in found]
            cpu[tail] += time.process_time() - t
            first = decided[tail][0] if decided[tail] else None
            said = {"decision": first, "text": "" if oov else c["text"], "expect": expect}
            kind = "rej" if first is None else bench.outcome(said)
            got[tail][kind] += 1
            if tail == TAIL:
                wasted += max(0, drafts - len(found))
                ends += len(found)
        for a, b in zip(decided[END_FRAMES], decided[TAIL], strict=False):
            pairs += 1
            differ += what(a) != what(b)
        differ += abs(len(decided[END_FRAMES]) - len(decided[TAIL]))
    return {"name": name, "n": len(clips), "got": got, "differ": differ, "pairs": pairs,
            "wasted": wasted, "ends": ends, "cpu": cpu}  # fmt: skip


def report(rows: list[dict]) -> None:
    head = " / ".join(KINDS.values())
    print(f"| clips | n | kept silence | {head} (% of clips) | decisions that differ | drafts for nothing |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        for tail in (END_FRAMES, TAIL):
            shares = " / ".join(f"{100 * r['got'][tail][k] / max(1, r['n']):.1f}" for k in KINDS)
            kept = f"{tail * FRAME * 1000 // RATE} ms" + (" (as before)" if tail == END_FRAMES else "")
            if NULL and tail != END_FRAMES:
                kept = f"{END_FRAMES * FRAME * 1000 // RATE} ms, the faint noise drawn again"
            if tail == END_FRAMES:
                print(f"| {r['name']} | {r['n']} | {kept} | {shares} | | |")
            else:
                print(
                    f"| | | {kept} | {shares} | {r['differ']} of {r['pairs']} | "
                    f"{r['wasted']} per {r['ends']} answers |"
                )
    if not NULL:
        saved = (END_FRAMES - TAIL) * FRAME * 1000 // RATE
        print(f"\nThe decode starts {saved} ms before the end of the answer is found (was: when found).")
    answers = max(1, sum(r["ends"] for r in rows))
    cpu = {t: sum(r["cpu"][t] for r in rows) / answers for t in (END_FRAMES, TAIL)}
    print(
        f"CPU per answer decoded: {cpu[END_FRAMES] * 1000:.0f} ms as before, {cpu[TAIL] * 1000:.0f} ms "
        f"with the shorter tail (ratio {cpu[TAIL] / max(1e-9, cpu[END_FRAMES]):.2f})."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fsdd-tune"))
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--quick", action="store_true", help="two voices and ten human digits per speaker")
    ap.add_argument("--tail", type=int, default=TAIL_FRAMES, help="silent frames kept (shipped: %(default)s)")
    ap.add_argument(
        "--null",
        action="store_true",
        help="a baseline for 'decisions that differ': all silence kept, the faint noise drawn again",
    )
    args = ap.parse_args()
    global TAIL, NULL
    TAIL, NULL = args.tail, args.null
    voices = bench.TEST_VOICES[:2] if args.quick else bench.TEST_VOICES
    rec = Recogniser()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.cache or tmp
        answers = bench.synthetic(bench.VOCAB + bench.CARRIERS, voices, folder, 7)
        rows.append(run("unseen voices, answers, `any`", answers, "any", rec))
        oov = bench.synthetic(bench.OOV_WORDS + bench.OOV_SENTENCES, voices, folder, 8)
        rows.append(run("unseen voices, out of vocabulary, `number`", oov, "number", rec, oov=True))
    takes = 1 if args.quick else 5
    if human := bench.fsdd_takes(args.data, takes):
        rows.append(run(f"human digits (FSDD takes 0-{takes - 1}), `number`", human, "number", rec))
    report(rows)


if __name__ == "__main__":
    main()
