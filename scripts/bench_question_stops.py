"""People's words said at a pain question, through the listener as a session's thread runs it: what
the session does with each, and how soon; offline, prints markdown.

    .venv/bin/python scripts/bench_question_stops.py --commands DIR [--stops-every N]

DIR: Google's Speech Commands test set, as `bench_recognition.py --commands` takes it (where to get
it: `bench_recognition.py --help`). Each digit (240) and every Nth stop (393 with N = 1), each
recording once (`bench_recognition.commands_once`), is padded with quiet room noise and fed to a
`Listener` 30 ms at a time at a number question with nothing played (the session waits for the
answer in silence): the stop detector while the word is said, the recogniser at the end of the
utterance, and the answer decided as the dialogue decides it
(`decision.at_question`).

Baseline in the same run: the listener as it was before 2026-12-06, acting on a sure stop while it
is said at a question too (`Listener.waits_for_whole_answer` off), and no words kept beside a stop
only the detector heard (`recognise.INSTEAD_FROM` above 1).

"How soon": from the end of the word (the clip's last sample above 5 % of its peak) to the answer,
on the frames' own clock (the endpoint's wait) plus the recogniser's time on this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402
import numpy as np  # noqa: E402

from voiceguide.feedback import recognise, stopword  # noqa: E402
from voiceguide.feedback.decision import ACT, REJECT, at_question  # noqa: E402
from voiceguide.feedback.intents import Answer, understand  # noqa: E402
from voiceguide.feedback.listen import FRAME, RATE, Listener, safety_first  # noqa: E402

EXPECT = "number"
LEAD, TAIL = 0.5, 0.8  # seconds of quiet before and after each word
OUTCOMES = (
    "stopped",
    'asked "did you say stop?", a no takes the words',
    'asked "did you say stop?"',
    "the number, right",
    "another answer",
    "asked again",
)


@contextlib.contextmanager
def as_before():
    """The listener and recogniser of 2026-12-06 morning."""
    kept = Listener.waits_for_whole_answer, recognise.INSTEAD_FROM
    Listener.waits_for_whole_answer = lambda self, at: False
    recognise.INSTEAD_FROM = 1.01
    try:
        yield
    finally:
        Listener.waits_for_whole_answer, recognise.INSTEAD_FROM = kept


def outcome(answer: Answer, said: str) -> str:
    decision = at_question(answer, EXPECT)
    if decision.action == REJECT:
        return OUTCOMES[5]
    if decision.safety:
        if decision.action == ACT:
            return OUTCOMES[0]
        return OUTCOMES[1] if decision.answer.instead else OUTCOMES[2]
    meant = understand(said, EXPECT)
    right = (decision.answer.intent, decision.answer.value) == (meant.intent, meant.value)
    return OUTCOMES[3] if right else OUTCOMES[4]


def heard(listener: Listener, rec, x: np.ndarray, word_end: float) -> tuple[Answer | None, float]:
    """The first answer the listener gives for this clip, and seconds from the word's end to it."""
    for k in range(0, len(x) - FRAME + 1, FRAME):
        at = k / RATE
        frame = x[k : k + FRAME]
        utterance = listener.process(frame, at)
        early = listener.early(frame, at)
        if early is not None:
            return early.answer, at + FRAME / RATE - word_end
        if utterance is None or listener.set_aside(utterance):
            continue
        started = time.perf_counter()
        answer = listener.stop_kept(safety_first(rec.hear(utterance.samples, RATE, EXPECT), EXPECT), EXPECT)
        return answer, at + FRAME / RATE - word_end + time.perf_counter() - started
    return None, 0.0


def run(clips: list[dict], rec) -> tuple[Counter, list[float]]:
    counts: Counter = Counter()
    soon: list[float] = []
    noise = np.random.default_rng(0)
    for c in clips:
        word = stopword.to_16k(stopword.mono(c["samples"]), c["rate"]).astype(np.float32)
        lead = noise.normal(0, 10 ** (-62 / 20), int(LEAD * RATE)).astype(np.float32)
        tail = noise.normal(0, 10 ** (-62 / 20), int(TAIL * RATE)).astype(np.float32)
        loud = np.flatnonzero(np.abs(word) > 0.05 * np.max(np.abs(word)))
        word_end = (len(lead) + (loud[-1] if len(loud) else 0)) / RATE
        listener = Listener(mic=None, recognise=lambda *_: Answer("", "unknown"))
        listener.expect = EXPECT
        answer, seconds = heard(listener, rec, np.concatenate([lead, word, tail]), word_end)
        if answer is None:
            counts["not heard"] += 1
            continue
        counts[outcome(answer, c["text"])] += 1
        soon.append(seconds)
    return counts, soon


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commands", required=True, help="Speech Commands' test set, unpacked")
    ap.add_argument("--stops-every", type=int, default=1, help="every Nth stop (1: all 393)")
    args = ap.parse_args()
    found = bench.commands_once(args.commands)
    if not found.get("stop"):
        sys.exit(f"no Speech Commands recordings at {args.commands}: {bench.COMMANDS_SOURCE}")
    rec = recognise.Recogniser()
    sets = [("people's digits", found["digit"]), ("people's stops", found["stop"][:: args.stops_every])]
    print(f"# A pain question, offline through the listener ({time.strftime('%Y-%m-%d %H:%M')})\n")
    for title, clips in sets:
        with as_before():
            before, soon_before = run(clips, rec)
        after, soon_after = run(clips, rec)
        print(f"### {title} ({len(clips)}), % of clips: before -> now\n")
        print("| outcome | before | now |\n|---|---|---|")
        for name in (*OUTCOMES, "not heard"):
            if before[name] or after[name]:
                shares = (100 * before[name] / len(clips), 100 * after[name] / len(clips))
                print(f"| {name} | {shares[0]:.1f} | {shares[1]:.1f} |")
        for label, soon in (("before", soon_before), ("now", soon_after)):
            if soon:
                ms = 1000 * np.array(soon)
                print(f"\nword's end to the answer, {label}: median {np.median(ms):.0f} ms, "
                      f"p95 {np.percentile(ms, 95):.0f} ms, max {ms.max():.0f} ms")  # fmt: skip
        print()


if __name__ == "__main__":
    main()
