"""Every change a session can make at every moment, and what the person is told after it.

    .venv/bin/python scripts/check_replans.py [--against REV]

For self and partner plans (each stage, 10 to 45 minutes), at every hold and question, the session
is changed as a person's answer would change it: the technique stopped (its area kept, or left out
for today), skipped, or gone on gently away from that area. After each change, what is said next is
checked for three mistakes:

- words for a side the giver is not kneeling at (partner, face down or on the back);
- the giver sent back round to a side they are already at;
- two changes of position with no work between them (a move left behind by a technique left out).

With --against REV the same is counted with the code of another commit (checked out in a temporary
git worktree, run in a process of its own), one line each, so a change to the replanner can be
shown to remove mistakes and add none.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from plan_grid import at_commit, dumped

ROOT = Path(__file__).resolve().parents[1]
MINUTES = (10, 15, 20, 30, 45)
SIDE_WORDS = re.compile(r"(back )?round to (?:kneel at )?your partner's (left|right) side")
GO_TO = re.compile(r"()Kneel at your partner's (left|right) side")
KNEELING = ("belly-lying", "back-lying")


def changes_at(area: str | None) -> list:
    """The changes an answer can make at a moment in this area, with the state after them: the
    technique stopped (its area kept, or left out for today), skipped, gone on gently away."""
    from voiceguide.adapt import Action, Kind, Rule, State  # noqa: PLC0415 (the code being counted)

    away = [area] if area else []
    return [
        (Action(Kind.STOP_TECHNIQUE, Rule.PAIN_HIGH, pain=8), State(cap=2, avoid_areas=[])),
        (Action(Kind.STOP_TECHNIQUE, Rule.PAIN_HIGH, pain=8), State(cap=2, avoid_areas=away)),
        (Action(Kind.SKIP, Rule.PAIN_HIGH), State(cap=4, avoid_areas=[])),
        (Action(Kind.FALLBACK, Rule.PAIN_HIGH), State(cap=2, avoid_areas=away)),
    ]


def giver_mistakes(segments) -> tuple[list[str], int, int]:
    """What a kneeling giver is told that is wrong: the words for a side they are not at, the
    walks back round to a side they are already at, and walks back round at all (a plan made
    now never says one; replan keeps a saved plan's only where it is needed)."""
    wrong: list[str] = []
    same = back = 0
    kneeling, position = None, None
    for s in segments:
        if s.position and s.position != position:
            kneeling, position = None, s.position
        said = SIDE_WORDS.search(s.text or "") or GO_TO.search(s.text or "")
        if said:
            same += bool(said.group(1)) and said.group(2) == kneeling
            back += bool(said.group(1))
            kneeling = said.group(2)
        elif s.kind == "speech" and s.position in KNEELING and s.side not in (None, kneeling):
            wrong.append(s.text)
    return wrong, same, back


def counts(root: Path) -> dict:
    """The counts with the code in `root` (imported from there)."""
    sys.path.insert(0, str(root))
    from voiceguide import library, planner  # noqa: PLC0415
    from voiceguide.replan import Editor  # noqa: PLC0415
    from voiceguide.speechtime import EstimatedSpeech  # noqa: PLC0415

    lib = library.load()
    moves = tuple(planner.CHANGE.values()) + (planner.CHANGE_OTHER,)
    moves += tuple(getattr(planner, "SEAT_CHANGE", {}).values())
    moves += tuple(getattr(planner, "CHANGE_FROM_SIDE", {}).values())
    out = {"changes": 0, "plans": 0, "wrong side": 0, "sent back": 0, "moves with no work between": 0}
    timer = EstimatedSpeech()
    for mode in ("self", "partner"):
        for stage in ("acute", "subacute", "chronic"):
            for minutes in [m for m in MINUTES if stage != "acute" or m <= 20]:
                plan = planner.build(
                    lib, planner.Request(mode=mode, stage=stage, minutes=minutes), timer=timer
                )
                editor = Editor(lib, mode, timer.seconds)
                out["plans"] += 1
                for seg in plan.segments:
                    if seg.kind not in ("hold", "checkpoint") or not seg.technique:
                        continue
                    for action, state in changes_at(seg.area):
                        after = editor.apply(plan.segments, seg.index, action, state)
                        out["changes"] += 1
                        wrong, same, _ = giver_mistakes(after) if mode == "partner" else ([], 0, 0)
                        out["wrong side"] += bool(wrong)
                        out["sent back"] += same > 0
                        moved = False
                        for s in after[seg.index + 1 :]:
                            if (
                                s.kind == "speech"
                                and s.technique is None
                                and (s.text or "").startswith(moves)
                            ):
                                if moved:
                                    out["moves with no work between"] += 1
                                    break
                                moved = True
                            elif s.technique and s.kind == "hold":
                                moved = False
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", metavar="REV", help="count with this commit's code too")
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.dump:
        print(json.dumps(counts(args.dump)))
        return
    rows = [("this tree", dumped(__file__, ROOT))]
    if args.against:
        rows.append((args.against, at_commit(args.against, __file__)))
    keys = ["plans", "changes", "wrong side", "sent back", "moves with no work between"]
    print("| code | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, c in rows:
        print(f"| {name} | " + " | ".join(str(c[k]) for k in keys) + " |")
    print("\n(each mistake counted once per change: the changes after which it was said at least once)")


if __name__ == "__main__":
    main()
