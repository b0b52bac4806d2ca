"""Kill `play` at a random moment and check what survived: shared by tests and scripts/bench_reliability.py.

A moment is chosen from the session's own events (it prints each one after journaling it),
so that kills land before any answer, while an answer is being journaled, and just after
one was acknowledged.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
ANSWERS = {
    "ready": ["ready"],
    "pain": ["3", "2", "3", "1"],
    "side": ["left"],
    "pressure": ["more", "good", "less", "good"],
    "offer": ["yes"],
}
# Answers that change the session: a stop and its offer, pain that stops a technique, lighter, a
# pause at a question (then "continue" when the session waits)
VARIED_ANSWERS = {
    "ready": ["ready"],
    "pain": ["3", "8", "2", "9", "1"],
    "side": ["right", "left"],
    "pressure": ["less", "stop", "more", "good", "pause"],
    "offer": ["yes", "no"],
}
MOMENTS = ("before-answers", "while-journaling", "after-answer")
PLAY = ["play", "--output", "null", "--json", "--mode", "partner", "--stage", "subacute", "--minutes", "20"]


@dataclass
class Kill:
    moment: str
    signal: int
    acknowledged: list[str]  # answers the session printed as taken (journaled first)
    returncode: int
    stderr: str
    landed: bool  # False when the session had already ended by itself


def kill_signal(seed: int) -> int:
    """Every third round is a Ctrl-C or a plain `kill` (SIGTERM), in turn; the others a kill -9."""
    if seed % 3 != 2:
        return signal.SIGKILL
    return signal.SIGINT if seed % 6 == 2 else signal.SIGTERM


def kill_play(env: dict, rng: random.Random, sig: int, answers: dict = ANSWERS) -> Kill:
    """Run `play` driven by stdin and send `sig` at one random moment."""
    moment = rng.choice(MOMENTS)
    answers_first = rng.randint(0, 4) if moment != "before-answers" else 0
    events_first = rng.randint(1, 6)  # for before-answers: how many events to let through
    delay = rng.uniform(0.0, 0.02)
    args = [SCRIPT, *PLAY]
    proc = subprocess.Popen(
        args,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    watchdog = threading.Timer(90, proc.kill)  # a stuck session fails the check, never hangs it
    watchdog.start()
    acknowledged: list[str] = []
    given = 0
    seen = 0
    try:
        for line in proc.stdout:
            event = json.loads(line)
            seen += 1
            if event["event"] == "answer":
                acknowledged.append(event["text"])
                if moment == "after-answer" and len(acknowledged) > answers_first:
                    break
            if moment == "before-answers" and seen >= events_first:
                break
            if event["event"] == "waiting":  # paused: go on
                proc.stdin.write("continue\n")
                proc.stdin.flush()
            if event["event"] == "segment" and event["kind"] == "checkpoint":
                choices = answers.get(event.get("question"), ["good"])
                proc.stdin.write(choices[given % len(choices)] + "\n")
                proc.stdin.flush()
                given += 1
                if moment == "while-journaling" and given > answers_first:
                    break
            if event["event"] == "end":
                break
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    finished = False
    for line in out.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # the last line, cut by the kill
            continue
        if event["event"] == "answer":
            acknowledged.append(event["text"])
        finished = finished or (event["event"] == "end" and event["reason"] != "interrupted")
    return Kill(moment, sig, acknowledged, proc.returncode, err, landed=not finished)


def journal_answers(home: Path) -> list[str]:
    db = sqlite3.connect(home / "journal.sqlite3")
    try:
        rows = db.execute("SELECT data FROM events WHERE event = 'answer' ORDER BY id").fetchall()
        return [json.loads(r[0])["text"] for r in rows]
    finally:
        db.close()


def journal_is_sound(home: Path) -> bool:
    db = sqlite3.connect(home / "journal.sqlite3")
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def statuses(home: Path) -> list[str]:
    db = sqlite3.connect(home / "journal.sqlite3")
    try:
        return [r[0] for r in db.execute("SELECT status FROM sessions ORDER BY id")]
    finally:
        db.close()


def lost_answers(acknowledged: list[str], journaled: list[str]) -> int:
    """How many acknowledged answers are missing from the journal (in order)."""
    rest = iter(journaled)
    return sum(1 for text in acknowledged if not any(text == j for j in rest))


def answered_questions(home: Path) -> set[int]:
    """The questions of the last session the journal holds an answer's effect for: an action at
    the question (a pause there leaves it unanswered), or a rating that answered it ahead."""
    db = sqlite3.connect(home / "journal.sqlite3")
    try:
        (plan,) = db.execute("SELECT plan FROM sessions ORDER BY id DESC LIMIT 1").fetchone()
        questions = {s["index"] for s in json.loads(plan)["segments"] if s["kind"] == "checkpoint"}
        rows = db.execute("SELECT event, data FROM events WHERE event IN ('action', 'answered-ahead')")
        found = set()
        for event, data in rows:
            d = json.loads(data)
            if event == "answered-ahead":
                found.add(d["index"])
            elif d["action"] not in ("pause", "resume") and d["at"] in questions:
                found.add(d["at"])
        return found
    finally:
        db.close()


def asked_again(answered: set[int], resumed_stdout: str) -> int:
    """Questions the resumed session asked that were answered before the kill."""
    events = [json.loads(line) for line in resumed_stdout.splitlines() if line.startswith("{")]
    asked = [e["index"] for e in events if e["event"] == "segment" and e["kind"] == "checkpoint"]
    return sum(1 for index in asked if index in answered)


def resume_to_the_end(env: dict, *options: str) -> subprocess.CompletedProcess:
    """`play --resume` on the null output, answering "good" on stdin (or, with options such as
    --feedback none, not at all)."""
    return subprocess.run(
        [SCRIPT, "play", "--resume", "--output", "null", "--json", *options],
        env=env,
        input="good\n" * 40,
        capture_output=True,
        text=True,
        timeout=90,
    )


def one_kill_round(env: dict, home: Path, seed: int, sig: int, answers: dict = ANSWERS) -> dict:
    """Kill once at a random moment, check the journal, resume to the end. Returns the findings."""
    rng = random.Random(seed)
    kill = kill_play(env, rng, sig, answers)
    sound = journal_is_sound(home)
    lost = lost_answers(kill.acknowledged, journal_answers(home))
    expected_code = -signal.SIGKILL if sig == signal.SIGKILL else 130  # SIGINT, SIGTERM: saved, 130
    result = {
        "moment": kill.moment,
        "landed": kill.landed,
        "acknowledged": len(kill.acknowledged),
        "lost": lost,
        "journal_sound": sound,
        "exit_ok": (not kill.landed) or kill.returncode == expected_code,
        "returncode": kill.returncode,
        "traceback": "Traceback" in kill.stderr,
        "stderr": kill.stderr[-500:],
    }
    if kill.landed:
        answered = answered_questions(home)
        done = resume_to_the_end(env)
        result["asked_again"] = asked_again(answered, done.stdout)
        result["resume_code"] = done.returncode
        result["resume_stderr"] = done.stderr[-500:]
        result["traceback"] = result["traceback"] or "Traceback" in done.stderr
    final = statuses(home)
    result["finished"] = bool(final) and all(s in ("finished", "stopped") for s in final)
    return result
