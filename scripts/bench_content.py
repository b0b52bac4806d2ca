"""What the sessions are made of, per mode x stage at 10, 20 and 30 minutes (issue 14).

For each plan (estimated speech lengths, seed 0): the share of the time spent speaking, asking
(question words and answer windows) and silent (holds, pauses, tones), the longest stretch with
no spoken word, the techniques used, and how many sentences differ between session 1 and
session 4 (the phrasings chosen by the session's number). The acute stage stops at 20 minutes.

Run: .venv/bin/python scripts/bench_content.py
"""

from __future__ import annotations

import re

from voiceguide import domain, library, planner
from voiceguide.plan import Plan
from voiceguide.speechtime import PAUSE_AFTER_SPEECH

LENGTHS = (10, 20, 30)


def shares(plan: Plan, answer_window: float = planner.ANSWER_WINDOW) -> tuple[float, float, float]:
    """Fractions of the session: words said, questions (words and the wait for an answer), silence."""
    total = plan.total_seconds or 1.0
    speech = sum(s.duration - PAUSE_AFTER_SPEECH for s in plan.segments if s.kind == "speech")
    questions = sum(s.duration for s in plan.segments if s.kind == "checkpoint")
    return speech / total, questions / total, 1 - (speech + questions) / total


def longest_silence(plan: Plan, answer_window: float = planner.ANSWER_WINDOW) -> float:
    """The longest stretch without a spoken word: pauses, answer windows, holds and tones."""
    longest, run = 0.0, 0.0
    for seg in plan.segments:
        if seg.kind in ("speech", "checkpoint"):
            longest = max(longest, run)
            run = PAUSE_AFTER_SPEECH if seg.kind == "speech" else answer_window
        else:
            run += seg.duration
    return max(longest, run)


def sentences(plan: Plan) -> set[str]:
    return {
        part
        for s in plan.segments
        if s.kind in ("speech", "checkpoint") and s.text
        for part in re.split(r"(?<=[.!?])\s+", s.text)
    }


def main() -> None:
    lib = library.load()
    print(
        f"{'mode':8} {'stage':9} {'min':>3}  {'speech':>6} {'asking':>6} {'silent':>6}  "
        f"{'longest':>7}  {'changed 1->4':>12}  techniques"
    )
    for mode in domain.MODES:
        for stage in domain.STAGES:
            for minutes in LENGTHS:
                if stage == "acute" and minutes > domain.ACUTE_MAX_MINUTES:
                    continue
                first = planner.build(lib, planner.Request(mode=mode, stage=stage, minutes=minutes))
                fourth = planner.build(
                    lib, planner.Request(mode=mode, stage=stage, minutes=minutes, session_number=4)
                )
                speech, asking, silent = shares(first)
                used = list(dict.fromkeys(s.technique for s in first.segments if s.technique))
                changed = len(sentences(first) - sentences(fourth))
                print(
                    f"{mode:8} {stage:9} {minutes:>3}  {speech:>6.0%} {asking:>6.0%} {silent:>6.0%}  "
                    f"{longest_silence(first):>6.1f}s  {changed:>12}  {' '.join(used)}"
                )


if __name__ == "__main__":
    main()
