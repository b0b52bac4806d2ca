"""Reliability benchmark: bad inputs, kills, faults, a long soak and a big journal, in one table.

    python scripts/bench_reliability.py                   # everything but the real-time device soak
    python scripts/bench_reliability.py --device --device-minutes 90   # also the soak on the sound server
    flock /tmp/vg-pulse.lock python scripts/bench_reliability.py --device ...   (a shared server)

The bad-input corpus and the kill rounds are the ones the tests use (tests/test_bad_input.py,
tests/killing.py), run here through the real console script and at full size (50 kills).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import killing  # noqa: E402
import test_bad_input as corpus  # noqa: E402

SCRIPT = killing.SCRIPT
SCREEN = "no\n" * 19
rows: list[tuple[str, str, str]] = []


def row(section: str, what: str, figure: str) -> None:
    rows.append((section, what, figure))
    print(f"  {section:<10} {what:<58} {figure}", flush=True)


def home_env(base: Path, name: str, **extra: str) -> tuple[dict, Path]:
    home = base / name
    env = dict(os.environ, VOICEGUIDE_HOME=str(home), **extra)
    subprocess.run([SCRIPT, "screen"], input=SCREEN, text=True, env=env, check=True, capture_output=True)
    return env, home


def run(env: dict, *args: str, input: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SCRIPT, *args], env=env, input=input, capture_output=True, text=True, timeout=timeout
    )


# --- bad input ------------------------------------------------------------------------------


def bad_inputs(base: Path) -> None:
    env, home = home_env(base, "inputs")
    valid_plan = json.loads(run(env, "plan", "--stage", "acute", "--minutes", "3", "--json").stdout)
    out = base / "out"
    out.mkdir()

    def judge(result: subprocess.CompletedProcess, allowed: tuple[int, ...]) -> bool:
        leftover = list(out.iterdir()) if result.returncode != 0 else []
        for p in out.iterdir():
            p.unlink()
        return (
            result.returncode in allowed
            and "Traceback" not in result.stderr
            and "unexpected error" not in result.stderr
            and not leftover
        )

    kinds = {
        "plan (render --plan)": (
            corpus.plan_files(base / "plans", valid_plan),
            lambda p: run(env, "render", "--plan", str(p), "-o", str(out / "s.wav")),
        ),
        "plan (play --plan)": (
            corpus.plan_files(base / "plans2", valid_plan),
            lambda p: run(env, "play", "--plan", str(p), "--output", "null", input="good\n" * 20),
        ),
    }
    run(env, "routine", "save", "evening")
    run(env, "routine", "export", "evening", "-o", str(base / "exported.toml"))
    run(env, "routine", "delete", "evening")
    kinds["routine (routine import)"] = (
        corpus.routine_files(base / "routines", (base / "exported.toml").read_bytes()),
        lambda p: run(env, "routine", "import", str(p)),
    )
    wavs = corpus.bad_wavs(base / "wavs")
    wavs.update(corpus.odd_but_good_wavs(base / "goodwavs"))
    kinds["WAV (hear)"] = (wavs, lambda p: run(env, "hear", str(p), "--json"))
    profile = home / "profile.toml"
    saved = profile.read_bytes()
    profiles = corpus.damaged_files(base / "profiles", saved, "toml")

    def with_profile(p: Path) -> subprocess.CompletedProcess:
        profile.write_bytes(p.read_bytes()[: corpus.HUGE])
        try:
            return run(
                env, "play", "--minutes", "3", "--stage", "acute", "--output", "null", "--feedback", "none"
            )
        finally:
            profile.write_bytes(saved)

    kinds["profile (play)"] = (profiles, with_profile)
    for kind, (files, command) in kinds.items():
        failures = []
        for name, path in files.items():
            t0 = time.monotonic()
            try:
                ok = judge(command(path), (0, 3, 7))
            except subprocess.TimeoutExpired:
                ok = False
            if not ok or time.monotonic() - t0 > 60:
                failures.append(name)
        row("input", f"{kind}: {len(files)} files", f"{len(failures)} failures {failures or ''}")


# --- kills -------------------------------------------------------------------------------


def kills(base: Path, count: int, answers: str = "plain") -> None:
    landed = lost = unsound = tracebacks = unfinished = wrong_exit = asked_again = 0
    by_signal = {signal.SIGKILL: 0, signal.SIGINT: 0, signal.SIGTERM: 0}
    given = killing.VARIED_ANSWERS if answers == "varied" else killing.ANSWERS
    for seed in range(count):
        env, home = home_env(base, f"kill-{seed}")
        sig = killing.kill_signal(seed)
        found = killing.one_kill_round(env, home, seed, sig, given)
        landed += found["landed"]
        by_signal[sig] += found["landed"]
        lost += found["lost"]
        unsound += not found["journal_sound"]
        tracebacks += found["traceback"]
        unfinished += not found["finished"]
        wrong_exit += not found["exit_ok"]
        asked_again += found.get("asked_again", 0)
    row(
        "kills",
        f"{count} seeded moments ({answers} answers): {by_signal[signal.SIGKILL]} kill -9, "
        f"{by_signal[signal.SIGINT]} Ctrl-C, "
        f"{by_signal[signal.SIGTERM]} kill (SIGTERM)",
        f"{landed} survived; events lost {lost}; journals unsound {unsound}; "
        f"not resumed to the end {unfinished}; answered questions asked again {asked_again}; "
        f"wrong exit {wrong_exit}; tracebacks {tracebacks}",
    )


# --- faults --------------------------------------------------------------------------------

FAULT_TESTS = {
    "test_env_faults.py::test_the_sound_server_dying_mid_session_saves_it_and_resume_finishes": (
        "sound server killed mid-session",
        "exit 4, saved as interrupted, resume finished",
    ),
    "test_env_faults.py::test_no_microphone_for_spoken_answers_is_exit_6_with_what_to_do": (
        "no microphone for --feedback voice",
        "exit 6, says --feedback keys",
    ),
    "test_env_faults.py::test_a_second_play_while_one_runs_is_refused_and_the_first_is_unharmed": (
        "two plays at once",
        "second refused, exit 2; first finished",
    ),
    "test_env_faults.py::test_a_corrupted_speech_cache_file_is_found_and_rebuilt": (
        "corrupted speech-cache files (4 kinds)",
        "rebuilt, identical render",
    ),
    "test_env_faults.py::test_a_read_only_data_folder_refuses_a_session_clearly_and_still_shows_history": (
        "read-only data folder",
        "exit 3 with what to do; history shown",
    ),
    "test_device.py::test_no_sound_device_is_exit_4_with_what_to_do": ("no sound device", "exit 4"),
    "test_faults.py::test_a_full_disk_stops_the_session_with_a_clear_message_and_keeps_what_was_written": (
        "full disk (256 KB tmpfs)",
        "exit 3, answers kept, --resume named",
    ),
    "test_faults.py::test_a_damaged_journal_is_kept_aside_and_a_new_one_started": (
        "damaged journal",
        "kept aside, fresh one, user told",
    ),
    "test_speech.py": ("no / hung / garbage speech engine", "exit 5 with what to do"),
}


def sound_server_lock():
    """The PulseAudio server may be shared (several people testing at once): one user at a time."""
    import fcntl

    f = open(os.environ.get("VG_PULSE_LOCK", "/tmp/vg-pulse.lock"), "a")  # noqa: SIM115 - held until closed
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def faults() -> None:
    tests = [str(ROOT / "tests" / name) for name in FAULT_TESTS]
    with sound_server_lock():
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    for name, (what, ending) in FAULT_TESTS.items():
        test = name.split("::")[-1]
        failed = any(line.startswith("FAILED") and test in line for line in done.stdout.splitlines())
        row("fault", what, "FAILED" if failed else ending)


# --- soak --------------------------------------------------------------------------------


def soak_plan(minutes: float) -> dict:
    """A plan with a question every 30 s: speech, a hold, the question cue and a pressure check."""
    from voiceguide.audio.speech import open_cache
    from voiceguide.cues import CUE_SECONDS
    from voiceguide.plan import Plan, Segment, renumber

    cache = open_cache()
    step, ask = "Keep the slow circles going, gently.", "How is the pressure?"
    segments = [Segment(0, 0, CUE_SECONDS["start"], "cue", sound="start")]
    while sum(s.duration for s in segments) < minutes * 60 - 30:
        segments += [
            Segment(0, 0, cache.seconds(step) + 0.5, "speech", technique="S01", area="lower-back", text=step),
            Segment(
                0,
                0,
                30 - cache.seconds(step) - cache.seconds(ask) - 4.5,
                "hold",
                technique="S01",
                area="lower-back",
                pressure=2,
            ),
            Segment(0, 0, CUE_SECONDS["question"], "cue", sound="question"),
            Segment(
                0,
                0,
                cache.seconds(ask) + 4.0 - CUE_SECONDS["question"],
                "checkpoint",
                technique="S01",
                area="lower-back",
                question="pressure",
                text=ask,
            ),
        ]
    segments.append(Segment(0, 0, CUE_SECONDS["end"], "cue", sound="end"))
    plan = Plan(
        mode="self",
        stage="chronic",
        minutes=min(90, max(3, round(minutes))),
        max_pressure=3,
        conditions=[],
        segments=renumber(segments),
    )
    return plan.to_dict()


def proc_figures(pid: int) -> tuple[float, float]:
    """(RSS in MB, CPU seconds) of a running process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return rss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def soak(base: Path, output: str, minutes: float) -> None:
    env, home = home_env(base, f"soak-{output}")
    plan_file = base / f"soak-{output}.json"
    plan = soak_plan(minutes)
    plan_file.write_text(json.dumps(plan))
    questions = sum(1 for s in plan["segments"] if s["kind"] == "checkpoint")
    proc = subprocess.Popen(
        [SCRIPT, "play", "--plan", str(plan_file), "--output", output, "--json"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    samples: list[tuple[float, float, float, float]] = []  # session t, wall, rss, cpu
    events = []
    answers = ["good", "more", "good", "less"]
    wall0 = time.monotonic()
    for line in proc.stdout:
        event = json.loads(line)
        events.append((time.monotonic() - wall0, event))
        if event["event"] == "segment" and event["kind"] == "checkpoint":
            proc.stdin.write(answers[len(samples) % 4] + "\n")
            proc.stdin.flush()
            with contextlib.suppress(OSError, StopIteration):
                samples.append((event["t"], time.monotonic() - wall0, *proc_figures(proc.pid)))
    proc.wait()
    err = proc.stderr.read()
    ok = proc.returncode == 0 and "Traceback" not in err
    warm = samples[min(4, len(samples) - 1)]  # after the first questions: caches are warm
    last = samples[-1]
    hours = max(last[0] - warm[0], 1) / 3600
    growth = (last[2] - warm[2]) / hours
    row(
        "soak",
        f"{output}: {plan['total_seconds'] / 60:.0f} min, {questions} answers (one per 30 s)",
        "finished" if ok else f"FAILED ({proc.returncode}) {err[-200:]}",
    )
    row(
        "soak", f"{output}: RSS {warm[2]:.0f} MB -> {last[2]:.0f} MB", f"{growth:+.1f} MB per hour of session"
    )
    if output == "device":
        cpu = (last[3] - warm[3]) / max(last[1] - warm[1], 1) * 100
        row("soak", "device: CPU while playing and holding (average)", f"{cpu:.1f} %")
        # Onset timing on the device is measured by scripts/bench_audio.py: here the answers rewrite
        # the plan (checks after each change), so plan starts are no reference.


# --- a big journal -------------------------------------------------------------------------


def big_journal(base: Path, sessions: int) -> None:
    env, home = home_env(base, "journal-big")
    empty_env, _ = home_env(base, "journal-empty")
    first = run(env, "play", "--minutes", "10", "--output", "null", input="3\nmore\ngood\n2\n" * 5)
    assert first.returncode == 0, first.stderr
    db = sqlite3.connect(home / "journal.sqlite3")
    cols = (
        "started, person, mode, stage, minutes, plan, output, status, ended, end_reason, stop_reason, "
        "seconds_played, resumed_from"
    )
    row_ = db.execute(f"SELECT {cols} FROM sessions WHERE id = 1").fetchone()
    events = db.execute("SELECT t, wall, event, data FROM events WHERE session_id = 1").fetchall()
    rng = random.Random(1)
    with db:
        for n in range(sessions - 1):
            day = f"20{20 + n // 3650:02d}-{1 + n // 300 % 12:02d}-{1 + n % 28:02d}T18:00:00.000+00:00"
            cur = db.execute(
                f"INSERT INTO sessions ({cols}) VALUES ({', '.join('?' * 13)})", (day, *row_[1:])
            )
            sid = cur.lastrowid
            db.executemany(
                "INSERT INTO events (session_id, t, wall, event, data) VALUES (?, ?, ?, ?, ?)",
                [
                    (sid, t, day, ev, data.replace('"3"', f'"{rng.randint(0, 6)}"'))
                    for t, _, ev, data in events
                ],
            )
    total_events = db.execute("SELECT count(*) FROM events").fetchone()[0]
    db.close()

    def timed(e: dict, *args: str, input: str = "") -> float:
        best = []
        for _ in range(3):
            t0 = time.monotonic()
            done = run(e, *args, input=input)
            best.append(time.monotonic() - t0)
            assert done.returncode == 0, done.stderr
        return min(best)

    def first_sound(e: dict) -> float:
        best = []
        for _ in range(3):
            t0 = time.monotonic()
            proc = subprocess.Popen(
                [SCRIPT, "play", "--minutes", "10", "--output", "null", "--feedback", "none", "--json"],
                env=e,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            proc.stdout.readline()
            best.append(time.monotonic() - t0)
            proc.kill()
            proc.wait()
            # the killed session is left unfinished: mark it, so the next start is the same work
            db = sqlite3.connect(Path(e["VOICEGUIDE_HOME"]) / "journal.sqlite3")
            with db:
                db.execute("DELETE FROM sessions WHERE status = 'running'")
            db.close()
        return min(best)

    # the sessions were copied without summaries, as in a journal from before them: the first
    # read summarises each one from its events and keeps it (once); the runs below read summaries
    t0 = time.monotonic()
    once = run(env, "history")
    assert once.returncode == 0, once.stderr
    row(
        "journal",
        f"first history of a journal without summaries ({sessions} sessions), once",
        f"{time.monotonic() - t0:.2f} s",
    )
    row(
        "journal",
        f"history, {sessions} sessions ({total_events} events), best of 3",
        f"{timed(env, 'history'):.2f} s (empty: {timed(empty_env, 'history'):.2f} s)",
    )
    row("journal", "history --json of the same", f"{timed(env, 'history', '--json'):.2f} s")
    row(
        "journal",
        f"play start-up to the first event, {sessions} sessions vs empty",
        f"{first_sound(env):.2f} s vs {first_sound(empty_env):.2f} s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument(
        "--kill-answers", choices=["plain", "varied"], default="plain", help="varied: stops, pauses, pain 8-9"
    )
    parser.add_argument("--minutes", type=float, default=90, help="length of the --output null soak")
    parser.add_argument("--device", action="store_true", help="also soak on the sound device (real time)")
    parser.add_argument("--device-minutes", type=float, default=90)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["inputs", "kills", "faults", "soak", "journal"]
    )
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="vg-bench-cache-")
    os.environ.setdefault("VOICEGUIDE_CACHE", cache)
    with tempfile.TemporaryDirectory(prefix="vg-bench-") as tmp:
        base = Path(tmp)
        os.environ["VOICEGUIDE_HOME"] = str(base / "main-home")
        print(f"voiceguide reliability, {date.today()}", flush=True)
        if "inputs" not in args.skip:
            bad_inputs(base)
        if "kills" not in args.skip:
            kills(base, args.kills, args.kill_answers)
        if "faults" not in args.skip:
            faults()
        if "soak" not in args.skip:
            soak(base, "null", args.minutes)
            if args.device:
                with sound_server_lock():
                    soak(base, "device", args.device_minutes)
        if "journal" not in args.skip:
            big_journal(base, args.sessions)
    print(f"\n| what | figure |  (python scripts/bench_reliability.py, {date.today()})")
    print("|---|---|")
    for section, what, figure in rows:
        print(f"| {section}: {what} | {figure} |")


if __name__ == "__main__":
    main()
