"""How long each phrasing of a planner sentence takes, in each voice the planner may time it with.

    .venv/bin/python scripts/sentence_seconds.py IF_THEN SAFETY_FULL [--against REV]
    .venv/bin/python scripts/sentence_seconds.py --text "Say pause for a rest." --text "..."

A wording change should not make a session lose a technique, so its sentences are weighed before
`plan_grid.py` shows what the plans did: each phrasing in the estimated timer (EstimatedSpeech),
the natural voice (when installed) and espeak-ng's en-us and en-gb voices, in seconds, with the
change from the first phrasing of the same key (a later phrasing that runs longer than the first
is marked: planner.varied_checks would keep the first one's words there). NAME is a dict of
voiceguide.planner whose values are a sentence or a tuple of phrasings (IF_THEN, SAFETY_FULL,
SAFETY_SHORT, SAFETY_RECORDING, QUESTIONS...). With --against REV, the same dict at REV too
(read from `git show`), each key's phrasings then and now.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voiceguide import planner  # noqa: E402
from voiceguide.errors import VoiceguideError  # noqa: E402
from voiceguide.speechtime import EstimatedSpeech  # noqa: E402

VOICES = (("natural", None, None), ("en-us", "espeak-ng", "en-us"), ("en-gb", "espeak-ng", "en-gb"))


def timers(texts: list[str]) -> dict[str, object]:
    """name -> something with .seconds(text), each voice's clips rendered once (cached)."""
    from voiceguide.audio.speech import open_cache  # noqa: PLC0415

    out: dict[str, object] = {"estimated": EstimatedSpeech()}
    for name, engine, voice in VOICES:
        try:
            cache = open_cache(engine, voice, None)
            cache.ensure(texts)
        except VoiceguideError as e:  # no natural voice installed, no espeak-ng: said, and left out
            print(f"({name}: left out, {e})", file=sys.stderr)
            continue
        out[name] = cache
    return out


def phrasings(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def at_rev(rev: str, name: str) -> dict:
    """planner.NAME as it was at REV: the literal read from the file, nothing of REV imported."""
    source = subprocess.run(
        ["git", "show", f"{rev}:voiceguide/planner.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{name} is not a literal dict in voiceguide/planner.py at {rev}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="dicts of voiceguide.planner")
    parser.add_argument("--text", action="append", default=[], help="a sentence of your own (repeatable)")
    parser.add_argument("--against", metavar="REV", help="the same dicts at this commit too")
    args = parser.parse_args()
    groups: list[tuple[str, tuple[str, ...]]] = [("--text", tuple(args.text))] if args.text else []
    for name in args.names:
        table = getattr(planner, name, None)
        if not isinstance(table, dict):
            raise SystemExit(f"voiceguide.planner has no dict named {name}")
        before = at_rev(args.against, name) if args.against else {}
        for key, value in table.items():
            if key in before and phrasings(before[key]) != phrasings(value):
                groups.append((f"{name}{list(key) if isinstance(key, tuple) else [key]} at {args.against}",
                               phrasings(before[key])))  # fmt: skip
            groups.append((f"{name}{list(key) if isinstance(key, tuple) else [key]}", phrasings(value)))
    if not groups:
        raise SystemExit("nothing to time: give NAME or --text")
    clocks = timers([t for _, texts in groups for t in texts])
    print("| key | # | " + " | ".join(clocks) + " | phrasing |")
    print("|---|---|" + "---|" * len(clocks) + "---|")
    for label, texts in groups:
        firsts = {name: clock.seconds(texts[0]) for name, clock in clocks.items()}
        for i, text in enumerate(texts):
            cells = []
            for name, clock in clocks.items():
                s = clock.seconds(text)
                change = (
                    "" if i == 0 else f" ({s - firsts[name]:+.2f}{' LONGER' if s > firsts[name] else ''})"
                )
                cells.append(f"{s:.2f}{change}")
            print(f"| {label} | {i} | " + " | ".join(cells) + f" | {text} |")


if __name__ == "__main__":
    main()
