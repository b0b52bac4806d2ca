"""Every plan size at once, and what a change of the planner or the library did to each.

    .venv/bin/python scripts/plan_grid.py [--against REV] [--real-voice] [--recording] [--session N]

Builds a plan for self and partner, each stage, 5 to 45 minutes in steps of 2.5 (the acute stage
to 20), with the planner's own speech timer (EstimatedSpeech), or with --real-voice the true
lengths of the default voice's clips as `voiceguide plan` uses them (rendered once and cached; the
natural voice speaks slower than the estimate, so fewer techniques fit), and prints one line per plan: its
techniques, how many technique steps it says, its length, and a digest of every word it says.
With --against REV, the same grid is built from REV too (checked out in a temporary git worktree,
imported from there) and only the plans that differ are printed, with what differs: so a change
meant to alter only the words can be shown to leave every plan's techniques and steps alone.
--recording builds the plans `render` makes (its questions said as what to do); --session N the
plans of a person's Nth session (the first sessions explain more, and phrasings vary by number).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINUTES = [5.0 + 2.5 * i for i in range(17)]


def grid(root: Path, real_voice: bool = False, recording: bool = False, session: int = 1) -> dict[str, dict]:
    """The grid as the voiceguide in `root` builds it (run in a process of its own)."""
    sys.path.insert(0, str(root))
    from voiceguide import library, planner  # noqa: PLC0415
    from voiceguide.session import Voice, plan_with_real_speech  # noqa: PLC0415
    from voiceguide.speechtime import EstimatedSpeech  # noqa: PLC0415

    lib, out = library.load(), {}
    for mode in ("self", "partner"):
        for stage in ("acute", "subacute", "chronic"):
            for minutes in [m for m in MINUTES if stage != "acute" or m <= 20]:
                request = planner.Request(
                    mode=mode, stage=stage, minutes=minutes, recording=recording, session_number=session
                )
                if real_voice:
                    plan = plan_with_real_speech(lib, request, Voice())[0]
                else:
                    plan = planner.build(lib, request, timer=EstimatedSpeech())
                said = [s for s in plan.segments if s.kind in ("speech", "checkpoint") and s.text]
                out[f"{mode} {stage} {minutes:g}"] = {
                    "techniques": list(dict.fromkeys(s.technique for s in plan.segments if s.technique)),
                    "steps": sum(1 for s in said if s.step is not None),
                    "seconds": round(plan.total_seconds),
                    "words": hashlib.sha1("\n".join(s.text for s in said).encode()).hexdigest()[:8],
                }
    return out


def dumped(script: str, root: Path, *options: str) -> dict:
    """What `script --dump root` prints (JSON), run in a process of its own so that it imports
    the voiceguide in `root`."""
    done = subprocess.run(
        [sys.executable, script, "--dump", str(root), *options], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{Path(script).name} with the code in {root} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def at_commit(rev: str, script: str, *options: str) -> dict:
    """`dumped` with the code of another commit, checked out in a temporary git worktree."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), rev], check=True
        )
        try:
            return dumped(script, tree, *options)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", metavar="REV", help="print only what differs from the grid at this commit")
    ap.add_argument(
        "--real-voice", action="store_true", help="time speech with the default voice's real clips"
    )
    ap.add_argument("--recording", action="store_true", help="the plans render makes, for a recording")
    ap.add_argument("--session", type=int, default=1, metavar="N", help="the person's Nth session")
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # (the grid of one tree, as JSON)
    args = ap.parse_args()
    if args.dump:
        print(json.dumps(grid(args.dump, args.real_voice, args.recording, args.session)))
        return
    options = ["--real-voice"] * args.real_voice + ["--recording"] * args.recording
    options += ["--session", str(args.session)]
    now = dumped(__file__, ROOT, *options)
    if not args.against:
        for key, p in now.items():
            techniques = " ".join(p["techniques"])
            print(f"{key}: {techniques}; {p['steps']} steps, {p['seconds']} s, words {p['words']}")
        return
    then = at_commit(args.against, __file__, *options)
    changed = {k: [f for f in now[k] if now[k][f] != then.get(k, {}).get(f)] for k in now}
    for key, fields in changed.items():
        if fields:
            was, is_ = then.get(key, {}), now[key]
            print(f"{key}: " + "; ".join(f"{f} {was.get(f)} -> {is_[f]}" for f in fields))
    counts = {
        f: sum(f in fields for fields in changed.values())
        for f in ("techniques", "steps", "seconds", "words")
    }
    print(
        f"\n{len(now)} plans against {args.against}: "
        + ", ".join(f"{f} differ in {n}" for f, n in counts.items())
    )


if __name__ == "__main__":
    main()
