"""Break a benchmark dump down by word said: what docs/recognition.md reports beside the tables.

    python scripts/bench_recognition.py --commands DIR --commands-only --dump run.jsonl   (17 minutes)
    python scripts/dump_breakdown.py run.jsonl                                           (seconds)

From the decisions already in the dump (decision.at_question, as a session decides), per set:
- false stops per word said (stop asked about or acted on, where no stop was said), and which
  listener leaned to "stop" (the decoder's text, the stop detector at STOP_VETO, the word listener
  naming it first);
- the stops missed, by what the decoder heard, and how many it heard as "stop" while the stop
  detector vetoed them (under recognise.STOP_VETO); what relaxing that veto for a decoder at 0.3
  or more would gain and cost at `--expect any`;
- the clips asked again that carry the stop hint (recognise.stop_hint), stops and others: what
  asking "did you say stop?" at once on the hint, rather than when it comes twice, would gain and
  cost;
- the wrong actions, by word said and what was acted on;
- for yes and no, acted on right and asked again per word, and the noes asked again although the
  decoder heard "no" while the word listener named "numb";
- at `--expect any`, the wrong actions and the wrong questions ("did you say stop?", "did you say
  numb?") once more as a playing session decides them (decided again from the dumped details as
  `voiceguide hear --expect between`): `any` is a question every answer fits, and a session sets
  aside more of what is said while it plays;
- each set's own "pause", "repeat" and "again" at `any`, acted on the first time while the session
  plays, without and with the word listener's backing (recognise.FLOW_BACKED_AT).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceguide.feedback import recognise  # noqa: E402
from voiceguide.feedback.intents import understand  # noqa: E402

RELAXED_VETO_FROM = 0.3  # the decoder's confidence from which a vetoed "stop" would be asked about


def took_stop(c: dict) -> bool:
    return c["intent"] == "stop" and c["action"] != "reject"


def decoded_stop(c: dict) -> bool:
    return "stop" in c["info"]["text"].split()


def listener_named(c: dict) -> str | None:
    words = c["info"].get("words") or {}
    return max(words, key=words.get) if words else None


def leaning(c: dict) -> str:
    """Which listeners leaned to "stop" for this clip."""
    who = [
        name
        for name, yes in (
            ("decoder", decoded_stop(c)),
            ("detector", c["info"].get("stop_chance", 0.0) >= recognise.STOP_VETO),
            ("word listener", listener_named(c) == "stop"),
        )
        if yes
    ]
    return " + ".join(who) or "none"


def wrong_action(c: dict) -> str | None:
    """What was acted on, when it is not what was said."""
    if c["action"] != "act":
        return None
    said = understand(c["text"], c["expect"]) if c["text"] else None
    if said is not None and (said.intent, said.value) == (c["intent"], c["value"]):
        return None
    return c["answer"] or c["intent"]


@cache
def recogniser() -> recognise.Recogniser:
    """One for every set (it only decides again from dumped details: nothing is decoded)."""
    return recognise.Recogniser()


def while_playing(clips: list[dict]) -> tuple[Counter, Counter, int]:
    """What a playing session does wrongly with these words: each clip's dumped details decided
    again at `between` (decision.at_question, as `hear --expect between`). Returns (word said, what
    was acted on) and (word said, what was asked about: "did you say stop?", "did you say numb?")
    for the clips where that was not what was said, and how many clips decide again at `any` as
    dumped (all, unless the code has changed since the dump)."""
    from voiceguide.feedback.decision import at_question  # noqa: PLC0415

    rec = recogniser()
    wrong: Counter = Counter()
    asked: Counter = Counter()
    same = 0
    for c in clips:
        heard = rec.answer(c["info"], "any")
        same += at_question(heard, "any").action == c["action"]
        decision = at_question(heard, "between")
        said = understand(c["text"], "any") if c["text"] else None
        if decision.action == "reject" or (
            said is not None and (said.intent, said.value) == (decision.answer.intent, decision.answer.value)
        ):
            continue
        what = decision.answer.text or decision.answer.intent
        (wrong if decision.action == "act" else asked)[(c["text"], what)] += 1
    return wrong, asked, same


def share(n: int, total: int) -> str:
    return f"{n} of {total} ({100 * n / max(1, total):.1f} %)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dump", help="a dump from bench_recognition.py --dump")
    sets: dict[str, list[dict]] = defaultdict(list)
    with open(ap.parse_args().dump) as f:
        for line in f:
            c = json.loads(line)
            sets[c["set"]].append(c)
    for name, clips in sets.items():
        print(f"\n## {name} ({len(clips)} clips)\n")
        stops = [c for c in clips if c["text"] == "stop"]
        others = [c for c in clips if c["text"] != "stop"]
        if stops:
            missed = [c for c in stops if not took_stop(c)]
            print(f"- stops missed: {share(len(missed), len(stops))}")
            heard = Counter(c["info"]["text"] or "(nothing)" for c in missed)
            print("  - the decoder heard: " + ", ".join(f"{t} {n}" for t, n in heard.most_common(8)))
            vetoed = [
                c
                for c in missed
                if decoded_stop(c) and c["info"].get("stop_chance", 1.0) < recognise.STOP_VETO
            ]
            print(f'  - decoded "stop", vetoed by the stop detector: {len(vetoed)}')
        hinted = [c for c in clips if c["action"] == "reject" and recognise.stop_hint(c["info"])]
        # what "did you say stop?" at once on the hint (not only when it comes twice) would gain and cost
        for said, kind, is_stop in ((stops, "stops", True), (others, "other clips", False)):
            n = sum((c["text"] == "stop") == is_stop for c in hinted)
            if said:
                print(f"- {kind} asked again with the stop hint: {share(n, len(said))}")
        if others:
            by_word = defaultdict(list)
            for c in others:
                by_word[c["text"] or "(no word)"].append(c)
            false = [c for c in others if took_stop(c)]
            print(f"- false stops: {share(len(false), len(others))}, acted on at once "
                  f"{sum(c['action'] == 'act' for c in false)}")  # fmt: skip
            for word, said in sorted(by_word.items(), key=lambda w: -sum(map(took_stop, w[1]))):
                n = sum(map(took_stop, said))
                if n:
                    print(f"  - {word}: {share(n, len(said))}")
            print(
                "  - leaning to stop: "
                + ", ".join(f"{k} {n}" for k, n in Counter(map(leaning, false)).most_common())
            )
            wrong = Counter((c["text"], w) for c in others if (w := wrong_action(c)))
            print(f"- acted on wrongly: {share(sum(wrong.values()), len(others))}")
            for (word, acted), n in wrong.most_common(8):
                print(f"  - {word or '(no word)'} -> {acted}: {share(n, len(by_word[word or '(no word)']))}")
            if {c["expect"] for c in others} == {"any"}:
                playing, asked, same = while_playing(others)
                print(f"- (decided again at `any` as dumped: {same} of {len(others)})")
                for what, counted in (("acted on wrongly", playing), ("asked about wrongly", asked)):
                    total = share(sum(counted.values()), len(others))
                    print(f"- {what} while the session plays (`between`): {total}")
                    for (word, heard), n in counted.most_common(8):
                        print(
                            f"  - {word or '(no word)'} -> {heard}: "
                            f"{share(n, len(by_word[word or '(no word)']))}"
                        )
        for word in ("yes", "no"):
            said = [c for c in clips if c["text"] == word and c["expect"] == "yesno"]
            if said:
                right = sum(c["action"] == "act" and wrong_action(c) is None for c in said)
                again = [c for c in said if c["action"] == "reject"]
                print(f"- {word}: acted on right {share(right, len(said))}, asked again {len(again)}")
                if word == "no":
                    numb = sum(c["info"]["text"] == "no" and listener_named(c) == "numb" for c in again)
                    print(f'  - asked again though decoded "no", the word listener naming "numb": {numb}')
    relax(sets)
    flow_while_playing(sets)


def flow_while_playing(sets: dict[str, list[dict]]) -> None:
    """Each set's own "pause", "repeat" and "again" said at `any`: acted on the first time while the
    session plays (decided again at `between`), with the word listener's backing
    (recognise.FLOW_BACKED_AT) as shipped and switched off."""
    from voiceguide.feedback.decision import at_question  # noqa: PLC0415

    rec, shipped = recogniser(), recognise.FLOW_BACKED_AT
    rows = []
    for name, clips in sets.items():
        for word in ("pause", "repeat", "again"):
            said = [c for c in clips if c["text"] == word and c["expect"] == "any"]
            meant = understand(word, "any").intent
            counts = []
            for level in (2.0, shipped):  # (above 1: no answer is backed)
                recognise.FLOW_BACKED_AT = level
                decided = [at_question(rec.answer(c["info"], "any"), "between") for c in said]
                counts.append(sum(d.action == "act" and d.answer.intent == meant for d in decided))
            recognise.FLOW_BACKED_AT = shipped
            if said:
                rows.append(f"- {name}: {word} {counts[0]} -> {counts[1]} of {len(said)}")
    if rows:
        print("\n## Pause and repeat acted on the first time while the session plays")
        print("\nWithout the word listener's backing -> as shipped.\n")
        print("\n".join(rows))


def relax(sets: dict[str, list[dict]]) -> None:
    """A decoded "stop" the detector vetoed, asked about from RELAXED_VETO_FROM: gained and cost."""
    gained, cost = 0, Counter()
    for name, clips in sets.items():
        for c in clips:
            info = c["info"]
            vetoed = decoded_stop(c) and info.get("stop_chance", 1.0) < recognise.STOP_VETO
            if (
                c["expect"] != "any"
                or c["action"] != "reject"
                or not vetoed
                or info["confidence"] < RELAXED_VETO_FROM
            ):
                continue
            if c["text"] == "stop":
                gained += 1
            else:
                cost[f"{name.split(',')[0]}: {c['text'] or '(no word)'}"] += 1
    print(
        f'\n## The veto relaxed: a vetoed "stop" decoded at {RELAXED_VETO_FROM} or more asked about (`any`)\n'
    )
    print(f"- stops gained: {gained}")
    print(
        f"- other clips asked about: {sum(cost.values())} ("
        + ", ".join(f"{k} {n}" for k, n in cost.most_common(6))
        + ")"
    )


if __name__ == "__main__":
    main()
