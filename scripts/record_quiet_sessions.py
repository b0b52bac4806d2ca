"""Record sessions in which nobody speaks, for scripts/replay_listen.py.

    python scripts/record_quiet_sessions.py DIR [--count 6] [--fresh] [--seconds 16]

Each session is the plan of tests/test_voice_live.py (welcome with "say stop" in it, a pain
question, a pressure check) played with `--feedback voice` on the default device for its first
`--seconds`, with VOICEGUIDE_RECORD_LISTEN=DIR/sN, then ended as `kill` ends it. The microphone is
the default source: on the PulseAudio null sink (`bash scripts/pulse.sh start`; `pactl
set-default-source vg.monitor`), it hears everything the player says and nothing else. The data
folder is DIR/home, so each session starts from the echo path the one before kept, unless
`--fresh`. The first session of a run may hear nothing of the player (replay_listen.py says "no
echo" for it: 2 of 18 on 2026-12-04, each a run's first). Needs the test tools (pytest), since
the plan is the test's.
Used for docs/recognition.md, "The third try: two likenesses at one place" (18 sessions: 6 as
they come, 6 under four busy loops, 6 with --fresh).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--count", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=16.0)
    ap.add_argument("--fresh", action="store_true", help="each session from nothing (no kept echo path)")
    args = ap.parse_args()
    os.environ.pop("VOICEGUIDE_TTS", None)  # the natural voice, as a new user's sessions speak
    import test_voice_live as live  # noqa: PLC0415 (pulls in pytest: only when run)

    home = args.folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, VOICEGUIDE_HOME=str(home))
    from voiceguide.audio.speech import open_cache  # noqa: PLC0415
    from voiceguide.player import spoken_texts  # noqa: PLC0415

    made = live.plan_with_questions()
    # rendered first: on a cold cache the natural voice was still being made when the first two
    # sessions of 2026-12-04 ended, and their microphones heard nothing of the player
    open_cache().ensure([s.text for s in made.segments if s.text] + list(spoken_texts("self")))
    plan = args.folder / "plan.json"
    plan.write_text(made.to_json())
    subprocess.run(
        [live.SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True
    )
    command = [live.SCRIPT, "play", "--plan", str(plan), "--feedback", "voice", "--output", "device"]
    for i in range(args.count):
        if args.fresh:
            for kept in home.rglob("echo-path*.json"):
                kept.unlink()
        where = args.folder / f"s{i}"
        where.mkdir(exist_ok=True)
        session = subprocess.Popen(
            [*command, "--json", "--answer-timeout", "5"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(env, VOICEGUIDE_RECORD_LISTEN=str(where)),
        )
        time.sleep(args.seconds)
        session.terminate()
        session.wait(10)
        frames = [p.name for p in sorted(where.glob("listen-*.frames"))]
        print(f"{where}: {', '.join(frames) or 'nothing recorded'}")


if __name__ == "__main__":
    main()
