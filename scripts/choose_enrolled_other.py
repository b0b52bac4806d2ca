"""Choose enroll.LISTENER_OTHER, and check the choice on people it was not chosen on.

    python scripts/choose_enrolled_other.py --commands DIR --dump enrolled.jsonl   (about 9 minutes)
    python scripts/choose_enrolled_other.py --from-dump enrolled.jsonl             (seconds)

An answer an enrolled person's own takes made is the plain recogniser's answer instead when the
word listener gives "other" at least LISTENER_OTHER (enroll.combine). The takes: the people of
Speech Commands' test set with four takes or more each of stop, yes and no (--commands, as
bench_recognition.commands_enrollment: enrolled on their first three takes of each, heard on the
rest). No other recordings within reach hold people with that many takes of those words, so the
level is chosen on these people, and the rule that chooses it is checked held apart by person:
chosen on a random half of them, counted on the other half, both ways, over HALVINGS halvings.

Rule kept ("halfway"): half way from the highest "other" the listener gave to an answer the
person's takes made and got right (a stop, yes or no understood), to 1. Weighed beside it and not
kept ("lossless"): the lowest level on GRID that loses none of the choosing half's understood
answers; held apart it lost more of them.

Printed: the sweep over GRID on everyone (people's stops, yes and no understood; their other words
acted on wrongly, and taken for a stop), each rule's level on everyone, and each rule held apart.
Then enroll.LONE_STOP_FROM swept the same way (a stop only the person's takes heard, asked about
from that word-listener level; over 1, shipped since 2026-12-07: never, it is the plain answer),
and the other words acted on wrongly only when enrolled, by what they were taken for.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recognition import commands_enrollment, session_outcome  # noqa: E402

from voiceguide.feedback import enroll  # noqa: E402
from voiceguide.feedback.decision import at_question  # noqa: E402
from voiceguide.feedback.intents import Answer  # noqa: E402

GRID = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.86, 0.9, 0.95, 0.99)
NEVER = 2.0  # a level no probability reaches: the veto off
HALVINGS = 20
ANSWERS = ("stop", "yes and no")  # the person's own words, heard on their other takes


def decoded(folder: str) -> list[dict]:
    """Each heard take: its set, word, question, person, plain answer, match and listener's words."""
    from voiceguide.feedback.recognise import Recogniser  # noqa: PLC0415

    rows = []
    for kind, clips in commands_enrollment(folder, Recogniser()).items():
        for c in clips:
            rows.append(
                {
                    "kind": kind,
                    "text": c["text"],
                    "expect": c["expect"],
                    "group": c["group"],
                    "si": asdict(c["si"]),
                    "match": c.get("en_match"),
                    "words": c.get("words"),
                }
            )
    return rows


def jsonable(value):
    """The match's set of enrolled words as a list; numpy numbers as Python's."""
    return sorted(value) if isinstance(value, (set, frozenset)) else value.item()


def plain(row: dict) -> Answer:
    return Answer(**row["si"])


def enrolled(row: dict, level: float, lone: float | None = None) -> Answer:
    return enroll.combine(
        row["match"], plain(row), row["expect"], words=row["words"], other_at=level, lone_stop_from=lone
    )


def understood(row: dict, level: float, lone: float | None = None) -> bool:
    return session_outcome(enrolled(row, level, lone), row["text"], row["expect"]) in ("ac", "cc")


def counts(rows: list[dict], level: float, lone: float | None = None) -> tuple[int, int, int, int, int]:
    """Stops, yes and no understood (of how many); other words acted on wrongly and taken for a
    stop (of how many)."""
    own = [r for r in rows if r["kind"] in ANSWERS]
    other = [r for r in rows if r["kind"] == "other"]
    heard = [(r, enrolled(r, level, lone)) for r in other]
    wrong = sum(session_outcome(a, r["text"], r["expect"]) == "aw" for r, a in heard)
    return sum(understood(r, level, lone) for r in own), len(own), wrong, taken_for_stop(heard), len(other)


def taken_for_stop(heard: list[tuple[dict, Answer]]) -> int:
    """How many of these answers a session would stop for or ask "did you say stop?" about."""
    decided = [at_question(a, r["expect"]) for r, a in heard]
    return sum(d.action != "reject" and d.answer.intent == "stop" for d in decided)


def halfway(rows: list[dict]) -> float:
    """The kept rule: half way from the highest listener "other" among the answers the person's
    takes made and got right, to 1."""
    made = [
        r
        for r in rows
        if r["kind"] in ANSWERS and r["words"] and enrolled(r, NEVER) != plain(r) and understood(r, NEVER)
    ]
    highest = max((r["words"].get("other", 0.0) for r in made), default=0.0)
    return round((1 + highest) / 2, 3)


def lossless(rows: list[dict]) -> float:
    """The rule weighed and not kept: the lowest level on GRID that loses no understood answer."""
    full = counts(rows, NEVER)[0]
    return min([level for level in GRID if counts(rows, level)[0] >= full] + [NEVER])


def held_apart(rows: list[dict], rule) -> str:
    """`rule` chosen on half the people, counted on the other half, both ways, HALVINGS times."""
    people = sorted({r["group"] for r in rows})
    levels, before, after = [], [0, 0, 0, 0], [0, 0, 0, 0]  # understood, answers, wrong, other words
    for seed in range(HALVINGS):
        shuffled = people[:]
        random.Random(seed).shuffle(shuffled)
        halves = (set(shuffled[: len(people) // 2]), set(shuffled[len(people) // 2 :]))
        for choose, report in (halves, halves[::-1]):
            level = rule([r for r in rows if r["group"] in choose])
            counted = [r for r in rows if r["group"] in report]
            levels.append(level)
            for sums, (own, n_own, wrong, _, n_other) in (
                (before, counts(counted, NEVER)),
                (after, counts(counted, level)),
            ):
                for i, n in enumerate((own, n_own, wrong, n_other)):
                    sums[i] += n
    return (
        f"levels {min(levels)}-{max(levels)}; stops, yes and no understood "
        f"{100 * before[0] / before[1]:.2f} -> {100 * after[0] / after[1]:.2f} %; other words acted on "
        f"wrongly {100 * before[2] / before[3]:.2f} -> {100 * after[2] / after[3]:.2f} %"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commands", help="Speech Commands' test set, as bench_recognition.py --commands")
    ap.add_argument("--dump", help="write the decoded takes here (JSON lines)")
    ap.add_argument("--from-dump", help="read the decoded takes from here instead of decoding")
    args = ap.parse_args()
    if args.from_dump:
        rows = [json.loads(line) for line in Path(args.from_dump).read_text().splitlines()]
    elif args.commands:
        rows = decoded(args.commands)
        if args.dump:
            with open(args.dump, "w") as out:
                for r in rows:
                    out.write(json.dumps(r, default=jsonable))
                    out.write("\n")
    else:
        ap.error("give --commands DIR or --from-dump FILE")
    people = len({r["group"] for r in rows})
    shipped = enroll.LISTENER_OTHER
    print(f"\n## enroll.LISTENER_OTHER, {people} people enrolled on stop, yes and no (shipped: {shipped})\n")
    print("| level | stops, yes and no understood | other words acted on wrongly | taken for a stop |")
    print("|---|---|---|---|")
    for level in (NEVER, *GRID):
        own, n_own, wrong, stops, n_other = counts(rows, level)
        name = "never (the veto off)" if level == NEVER else str(level)
        print(
            f"| {name} | {100 * own / n_own:.1f} % | {100 * wrong / n_other:.1f} % | {stops} of {n_other} |"
        )
    for name, rule in (("halfway (kept)", halfway), ("lossless (not kept)", lossless)):
        print(f"\n{name}: on everyone {rule(rows)}; held apart by person: {held_apart(rows, rule)}")
    lone_stops(rows, people)
    wrong_only_enrolled(rows)


def wrong_only_enrolled(rows: list[dict]) -> None:
    """The other words acted on wrongly enrolled (at the shipped levels) and not plain: what they
    were taken for, most often first."""
    taken = Counter()
    for r in (r for r in rows if r["kind"] == "other"):
        heard = enrolled(r, enroll.LISTENER_OTHER)
        wrong = session_outcome(heard, r["text"], r["expect"]) == "aw"
        if wrong and session_outcome(plain(r), r["text"], r["expect"]) != "aw":
            taken[(r["text"], heard.text)] += 1
    listed = ", ".join(f'"{said}" as "{heard}" {n}' for (said, heard), n in taken.most_common())
    print(f"\nOther words acted on wrongly only when enrolled: {sum(taken.values())} ({listed or 'none'})")


def lone_stops(rows: list[dict], people: int) -> None:
    """enroll.LONE_STOP_FROM swept: the word listener's "stop" from which a stop only the person's
    takes heard is asked about (0: always, as before 96d19d6; 0.05: 96d19d6 to 2026-12-07)."""
    print(f"\n## enroll.LONE_STOP_FROM, the same {people} people (shipped: {enroll.LONE_STOP_FROM})\n")
    print("| level | their stops understood | other words taken for a stop | plain: both |")
    print("|---|---|---|---|")
    stops = [r for r in rows if r["kind"] == "stop"]
    other = [r for r in rows if r["kind"] == "other"]
    heard_plain = sum(session_outcome(plain(r), r["text"], r["expect"]) in ("ac", "cc") for r in stops)
    plain_stops = taken_for_stop([(r, plain(r)) for r in other])
    for lone in (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, enroll.LONE_STOP_FROM):
        own = sum(understood(r, enroll.LISTENER_OTHER, lone) for r in stops)
        taken = counts(rows, enroll.LISTENER_OTHER, lone)[3]
        print(
            f"| {lone} | {own} of {len(stops)} | {taken} of {len(other)} | "
            f"{heard_plain} of {len(stops)}; {plain_stops} of {len(other)} |"
        )


if __name__ == "__main__":
    main()
