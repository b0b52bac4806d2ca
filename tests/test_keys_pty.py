"""Keys through a real terminal during a session on the sound device (the PulseAudio null sink).

Regression test for a new-user trial (2026-12-01): '+' pressed between questions raised P02
(range 1-2) to 3, because that path did not pass the technique's cap. Every path now goes
through one conversation that builds the cap in one place.
"""

from __future__ import annotations

import json
import os
import pty
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from killing import resume_to_the_end

from voiceguide.audio.speech import open_cache
from voiceguide.cues import CUE_SECONDS
from voiceguide.plan import Plan, Segment, renumber

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
pytestmark = pytest.mark.slow


def p02_plan() -> Plan:
    """Half a minute of P02 at pressure 2 (its own top), then a pressure question."""
    cache = open_cache()

    def say(text: str) -> Segment:
        return Segment(0, 0, cache.seconds(text) + 0.4, "speech", text=text, technique="P02", pressure=2)

    question = "How is the pressure?"
    segments = [
        Segment(0, 0, CUE_SECONDS["start"], "cue", sound="start"),
        say("Long slow strokes up the lower back."),
        Segment(0, 0, 20.0, "hold", technique="P02", area="lower-back", pressure=2),
        Segment(0, 0, CUE_SECONDS["question"], "cue", sound="question"),
        Segment(
            0,
            0,
            cache.seconds(question) + 4.0,
            "checkpoint",
            question="pressure",
            text=question,
            technique="P02",
            area="lower-back",
        ),
        Segment(0, 0, CUE_SECONDS["end"], "cue", sound="end"),
    ]
    return Plan(
        mode="partner",
        stage="subacute",
        minutes=3,
        max_pressure=4,
        conditions=[],
        segments=renumber(segments),
    )


def start(plan: Plan, tmp_path: Path, home: Path, cache: Path) -> tuple[subprocess.Popen, int]:
    """A screened person, then `play --plan ... --output device --feedback keys --json` on a pty."""
    env = dict(os.environ, VOICEGUIDE_HOME=str(home), VOICEGUIDE_CACHE=str(cache))
    subprocess.run([SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.to_json())
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [SCRIPT, "play", "--plan", str(plan_file), "--output", "device", "--feedback", "keys", "--json"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    os.close(slave)
    return proc, master


def finish(proc: subprocess.Popen, master: int) -> None:
    if proc.poll() is None:
        proc.kill()
    os.close(master)


_LINES: dict[int, queue.Queue] = {}


def read_events(proc: subprocess.Popen, until, timeout: float = 30.0) -> list[dict]:
    """JSON lines from the session until one satisfies `until` (or the time runs out).

    A thread reads the pipe: select() on a buffered text pipe misses lines already buffered."""
    assert proc.stdout is not None
    if proc.pid not in _LINES:
        lines: queue.Queue = queue.Queue()
        _LINES[proc.pid] = lines
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    out: list[dict] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = _LINES[proc.pid].get(timeout=left)
        except queue.Empty:
            break
        event = json.loads(line)
        out.append(event)
        if until(event):
            return out
    raise AssertionError(f"not seen in {timeout} s; last events: {out[-5:]}")


def test_plus_key_between_questions_never_passes_the_technique_cap(
    pulse, tmp_path, voiceguide_home, shared_speech_cache
):
    proc, master = start(p02_plan(), tmp_path, voiceguide_home, shared_speech_cache)
    try:
        seen = read_events(proc, lambda e: e.get("event") == "segment" and e.get("kind") == "hold")
        os.write(master, b"+")
        seen += read_events(proc, lambda e: e.get("event") == "action")
        plus = seen[-1]
        assert plus["action"] == "extend" and plus["rule"] == "firmer-at-cap", plus
        assert plus["pressure"] == 2 and plus["cap"] == 2 and plus["cap_reached"] is True
        assert "answer" in [e["event"] for e in seen] and any(e.get("source") == "keys" for e in seen)
        os.write(master, b"s")
        seen += read_events(proc, lambda e: e.get("question") == "offer")
        os.write(master, b"x")  # no gentle offer: end
        seen += read_events(proc, lambda e: e.get("event") == "end")
        code = proc.wait(timeout=30)
    finally:
        finish(proc, master)
    assert code == 7, proc.stderr.read() if proc.stderr else ""
    pressures = [e["pressure"] for e in seen if e.get("event") in ("segment", "action") and e.get("pressure")]
    assert pressures and max(pressures) == 2


def opening_then_p02_plan() -> Plan:
    """The opening pain question (tied to the first technique, as in a plan made by the planner:
    a pain question tied to none is the closing one), then P02 with a hold long enough to press a
    key in."""
    cache = open_cache()
    opening = "Before we start, how strong is your pain right now, from zero to ten?"
    base = p02_plan().segments
    segments = [
        base[0],
        Segment(0, 0, CUE_SECONDS["question"], "cue", sound="question"),
        Segment(
            0, 0, cache.seconds(opening) + 6.0, "checkpoint", question="pain", text=opening, technique="P02"
        ),
        *base[1:],
    ]
    return Plan(
        mode="partner",
        stage="subacute",
        minutes=3,
        max_pressure=4,
        conditions=[],
        segments=renumber(segments),
    )


def test_keys_during_the_question_and_between_questions_are_used(
    pulse, tmp_path, voiceguide_home, shared_speech_cache
):
    """A rating pressed while the question is still spoken is the answer (no re-ask), and one
    pressed during a hold goes through the rules: 5 after an opening 3 stops the technique (and
    only the technique: the session ends normally, here with nothing left to do)."""
    proc, master = start(opening_then_p02_plan(), tmp_path, voiceguide_home, shared_speech_cache)
    try:
        seen = read_events(proc, lambda e: e.get("question") == "pain")
        time.sleep(1.0)  # well inside the spoken question
        os.write(master, b"3")
        seen += read_events(proc, lambda e: e.get("event") == "action")
        assert (seen[-1]["rule"], seen[-1]["pain"]) == ("opening-pain", 3)
        assert not [e for e in seen if e["event"] == "reask"]
        seen += read_events(proc, lambda e: e.get("event") == "segment" and e.get("kind") == "hold")
        os.write(master, b"5")
        seen += read_events(proc, lambda e: e.get("event") == "action")
        assert (seen[-1]["action"], seen[-1]["rule"], seen[-1]["baseline"]) == (
            "stop_technique",
            "pain-rose",
            3,
        )
        # nothing left but the lower back: a minute's rest instead, which 'n' moves past
        seen += read_events(proc, lambda e: e.get("kind") == "hold")
        os.write(master, b"n")
        seen += read_events(proc, lambda e: e.get("event") == "end")
        code = proc.wait(timeout=30)
    finally:
        finish(proc, master)
    assert code == 0
    stop = next(i for i, e in enumerate(seen) if e.get("action") == "stop_technique")
    assert not [e for e in seen[stop:] if e.get("technique") == "P02"]  # P02 is not worked again
    assert any(e.get("text", "").startswith("Ease off now") for e in seen[stop:] if e.get("kind") == "speech")
    answers = [e for e in seen if e["event"] == "answer"]
    assert [(a["intent"], a["value"], a["source"]) for a in answers[:2]] == [
        ("number", 3, "keys"),
        ("number", 5, "keys"),
    ]


def opening_p02_closing_plan() -> Plan:
    """The opening pain question, P02 with a hold, then the closing pain question (tied to no
    technique) a few seconds after the hold."""
    cache = open_cache()
    closing = "To finish, how strong is your pain now, from zero to ten?"
    base = opening_then_p02_plan().segments
    segments = [
        *base[:4],
        Segment(0, 0, 8.0, "hold", technique="P02", area="lower-back", pressure=2),
        Segment(0, 0, CUE_SECONDS["question"], "cue", sound="question"),
        Segment(0, 0, cache.seconds(closing) + 4.0, "checkpoint", question="pain", text=closing),
        Segment(0, 0, CUE_SECONDS["end"], "cue", sound="end"),
    ]
    return Plan("partner", "subacute", 3, 4, [], renumber(segments))


def test_a_rating_pressed_just_before_the_last_question_answers_it(
    pulse, tmp_path, voiceguide_home, shared_speech_cache
):
    """"4" pressed in the last hold, a few seconds before "to finish, how strong is your pain
    now?": it is that question's answer (history's pain after), and the question is not asked."""
    plan = opening_p02_closing_plan()
    closing = plan.segments[-2]
    proc, master = start(plan, tmp_path, voiceguide_home, shared_speech_cache)
    try:
        seen = read_events(proc, lambda e: e.get("question") == "pain")
        time.sleep(1.0)
        os.write(master, b"3")
        seen += read_events(proc, lambda e: e.get("event") == "segment" and e.get("kind") == "hold")
        time.sleep(1.0)
        os.write(master, b"4")
        seen += read_events(proc, lambda e: e.get("event") == "end")
        code = proc.wait(timeout=30)
    finally:
        finish(proc, master)
    assert code == 0, proc.stderr.read() if proc.stderr else ""
    rated = [(e["rule"], e["pain"]) for e in seen if e["event"] == "action" and e.get("pain")]
    assert rated == [("opening-pain", 3), ("closing-pain", 4)]
    last = [e for e in seen if e["event"] == "action" and e.get("pain")][-1]["at"]  # (renumbered since)
    assert not [e for e in seen if e["event"] == "segment" and e.get("text") == closing.text]  # never asked
    assert not [e for e in seen if e["event"] in ("reask", "answered-ahead")] and last > 2
    env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home), VOICEGUIDE_CACHE=str(shared_speech_cache))
    rows = json.loads(subprocess.run([SCRIPT, "history", "--json"], env=env, capture_output=True).stdout)
    assert (rows[-1]["pain_before"], rows[-1]["pain_after"]) == (3, 4)


def opening_p02_middle_question_plan() -> Plan:
    """The opening pain question, P02 with a hold, a pain question after it, then more of P02."""
    cache = open_cache()
    middle = "How is your pain now, from zero to ten?"
    base = opening_then_p02_plan().segments
    more = "Once more, long slow strokes up the lower back."
    segments = [
        *base[:4],
        Segment(0, 0, 10.0, "hold", technique="P02", area="lower-back", pressure=2),
        Segment(0, 0, CUE_SECONDS["question"], "cue", sound="question"),
        Segment(
            0, 0, cache.seconds(middle) + 4.0, "checkpoint", question="pain", text=middle, technique="P02"
        ),
        Segment(0, 0, cache.seconds(more) + 0.4, "speech", text=more, technique="P02", pressure=2),
        Segment(0, 0, 3.0, "hold", technique="P02", area="lower-back", pressure=2),
        Segment(0, 0, CUE_SECONDS["end"], "cue", sound="end"),
    ]
    return Plan("partner", "subacute", 3, 4, [], renumber(segments))


def test_a_question_answered_ahead_is_not_asked_again_after_a_kill(
    pulse, tmp_path, voiceguide_home, shared_speech_cache
):
    """"3" pressed in a hold answers the pain question after it; a kill -9 before that question
    would have come, then `play --resume`, went back to the start of the block and asked it
    again. The journal keeps where it was answered, and the resumed session goes on after it."""
    plan = opening_p02_middle_question_plan()
    middle = plan.segments[6]
    assert middle.kind == "checkpoint"
    proc, master = start(plan, tmp_path, voiceguide_home, shared_speech_cache)
    try:
        read_events(proc, lambda e: e.get("question") == "pain")
        time.sleep(1.0)
        os.write(master, b"3")
        read_events(proc, lambda e: e.get("event") == "segment" and e.get("kind") == "hold")
        time.sleep(1.0)
        os.write(master, b"3")
        noted = read_events(proc, lambda e: e.get("event") == "action" and e.get("pain") == 3 and e["at"] > 2)
        proc.kill()  # kill -9, within the hold: the question is still ahead
        proc.wait(timeout=10)
    finally:
        finish(proc, master)
    assert noted[-1]["rule"] == "pain-noted"
    db = sqlite3.connect(voiceguide_home / "journal.sqlite3")
    found = db.execute("SELECT data FROM events WHERE event = 'answered-ahead'").fetchall()
    (ahead,) = [json.loads(data) for (data,) in found]
    db.close()
    assert ahead["text"] == middle.text and ahead["index"] == noted[-1]["at"]  # (renumbered since)
    env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home), VOICEGUIDE_CACHE=str(shared_speech_cache))
    resumed = resume_to_the_end(env, "--feedback", "none")
    assert resumed.returncode == 0, resumed.stderr
    events = [json.loads(line) for line in resumed.stdout.splitlines()]
    assert next(e for e in events if e["event"] == "block")["first"] == ahead["index"] + 1
    assert not [e for e in events if e.get("text") == middle.text or e.get("at") == ahead["index"]]
    assert any(e.get("text", "").startswith("Once more") for e in events if e["event"] == "segment")
    rows = json.loads(subprocess.run([SCRIPT, "history", "--json"], env=env, capture_output=True).stdout)
    assert rows[-1]["resumed"] == 1 and rows[-1]["pain_before"] == 3


def test_s_pressed_while_paused_is_said_stops_at_once(pulse, tmp_path, voiceguide_home, shared_speech_cache):
    """Space pauses, and the session says "Paused. Say continue, or press space."; 's' pressed
    just after is read at once, not when that sentence ends (sentences outside the blocks were
    heard in full before anything was read, 2026-12-06)."""
    from voiceguide.player.playback import PAUSED

    said = open_cache().seconds(PAUSED)
    proc, master = start(p02_plan(), tmp_path, voiceguide_home, shared_speech_cache)
    try:
        read_events(proc, lambda e: e.get("event") == "segment" and e.get("kind") == "hold")
        os.write(master, b" ")
        read_events(proc, lambda e: e.get("event") == "waiting")
        time.sleep(0.3)  # into the sentence
        pressed = time.monotonic()
        os.write(master, b"s")
        read_events(proc, lambda e: e.get("event") == "action" and e.get("action") == "stop")
        took = time.monotonic() - pressed
        read_events(proc, lambda e: e.get("question") == "offer")
        os.write(master, b"x")
        read_events(proc, lambda e: e.get("event") == "end")
        proc.wait(timeout=30)
    finally:
        finish(proc, master)
    assert said > 2.0 and took < 0.5, (said, took)
