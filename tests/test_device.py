"""Real playback through a PulseAudio null sink, recorded from its monitor.

.ci/run starts the server; the `pulse` fixture (conftest) starts it too when it is absent. It
never skips: a machine without PulseAudio fails here, as it should in CI.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from audio_measure import locate_speech
from killing import resume_to_the_end

from voiceguide import replan
from voiceguide.audio.pcm import SAMPLE_RATE, read_clip
from voiceguide.audio.speech import open_cache
from voiceguide.cues import CUE_SECONDS
from voiceguide.plan import Plan, Segment, renumber

pytestmark = pytest.mark.slow  # real playback on the shared sound server, recorded

SCRIPT = str(Path(sys.executable).parent / "voiceguide")


def short_plan(answer_window: float = 1.5) -> Plan:
    """About 14 s, three blocks: enough to test block scheduling without a long test."""
    cache = open_cache()
    say = lambda text: Segment(0, 0, cache.seconds(text) + 0.4, "speech", text=text)  # noqa: E731
    cue = lambda name: Segment(0, 0, CUE_SECONDS[name], "cue", sound=name)  # noqa: E731

    def ask(text: str) -> list[Segment]:
        return [
            cue("question"),
            Segment(0, 0, cache.seconds(text) + answer_window, "checkpoint", question="pressure", text=text),
        ]

    segments = [
        cue("start"),
        say("Left hand on the lower back."),
        Segment(0, 0, 1.0, "hold"),
        cue("next"),
        say("Right hand now."),
        *ask("How is the pressure?"),
        cue("switch"),
        say("Both hands."),
        Segment(0, 0, 0.7, "hold"),
        *ask("Still good?"),
        say("All done."),
        cue("end"),
    ]
    return Plan(
        mode="self", stage="acute", minutes=3, max_pressure=2, conditions=[], segments=renumber(segments)
    )


def screened_env(home: Path, cache: str) -> dict:
    env = dict(os.environ, VOICEGUIDE_HOME=str(home), VOICEGUIDE_CACHE=cache)
    subprocess.run([SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True)
    return env


def test_played_onsets_match_the_render(pulse, tmp_path, voiceguide_home, shared_speech_cache):
    env = screened_env(voiceguide_home, str(shared_speech_cache))
    plan = short_plan()
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.to_json())
    rendered = tmp_path / "rendered.wav"
    subprocess.run(
        [SCRIPT, "render", "--plan", str(plan_file), "-o", str(rendered)],
        env=env,
        check=True,
        capture_output=True,
    )
    recording = tmp_path / "monitor.wav"
    rec = subprocess.Popen(
        [
            "parecord",
            "-d",
            f"{pulse}.monitor",
            "--rate",
            str(SAMPLE_RATE),
            "--channels",
            "1",
            "--file-format=wav",
            str(recording),
        ]
    )
    try:
        time.sleep(1.5)  # the monitor may drop its first second: let it settle first
        played = subprocess.run(
            [SCRIPT, "play", "--plan", str(plan_file), "--output", "device", "--feedback", "none", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        time.sleep(0.5)
    finally:
        rec.send_signal(signal.SIGINT)
        rec.wait(timeout=10)
    assert played.returncode == 0, played.stderr
    clip = open_cache().clip
    played_at = locate_speech(plan, read_clip(recording), clip, reach=0.25)
    rendered_at = locate_speech(plan, read_clip(rendered), clip, reach=0.25)
    assert len(played_at) == len(rendered_at) >= 5
    # gaps, not absolute times: the monitor recording starts at an unknown moment
    errors = [
        abs((p - played_at[0][0]) - (r - rendered_at[0][0]))
        for (p, _), (r, _) in zip(played_at, rendered_at, strict=True)
    ]
    assert max(errors) <= 0.020, (played_at, rendered_at)  # every spoken segment where the render has it
    assert min(score for _, score in played_at) > 0.9  # and it is the same sound
    events = [json.loads(line) for line in played.stdout.splitlines()]
    assert events[-1]["event"] == "end" and events[-1]["reason"] == "finished"


def test_ctrl_c_saves_and_resume_finishes(pulse, tmp_path, voiceguide_home, shared_speech_cache):
    env = screened_env(voiceguide_home, str(shared_speech_cache))
    proc = subprocess.Popen(
        [
            SCRIPT,
            "play",
            "--stage",
            "acute",
            "--minutes",
            "3",
            "--output",
            "device",
            "--feedback",
            "none",
            "--json",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait until the session is really playing
    first = proc.stdout.readline()
    assert json.loads(first)["event"] in ("block", "segment")
    time.sleep(2.0)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert time.monotonic() - t0 < 5
    assert "session saved" in err.lower() and "--resume" in err
    assert "Traceback" not in err
    db = sqlite3.connect(voiceguide_home / "journal.sqlite3")
    assert db.execute("SELECT status FROM sessions").fetchall() == [("interrupted",)]
    db.close()
    resumed = resume_to_the_end(env, "--feedback", "none")
    assert resumed.returncode == 0, resumed.stderr
    db = sqlite3.connect(voiceguide_home / "journal.sqlite3")
    assert db.execute("SELECT status FROM sessions").fetchall() == [("finished",)]
    db.close()


def test_no_sound_device_is_exit_4_with_what_to_do(tmp_path, voiceguide_home, shared_speech_cache):
    env = screened_env(voiceguide_home, str(shared_speech_cache))
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-such-server"
    env["ALSA_CONFIG_PATH"] = str(tmp_path / "asound.conf")
    (tmp_path / "asound.conf").write_text("pcm.!default { type hw card 99 }\n")
    done = subprocess.run(
        [SCRIPT, "play", "--stage", "acute", "--minutes", "3", "--output", "device", "--feedback", "none"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 4, done.stderr
    assert "--output" in done.stderr and "Traceback" not in done.stderr
    assert "ALSA lib" not in done.stderr
    journal = voiceguide_home / "journal.sqlite3"
    if journal.exists():  # nothing half-started is left to resume
        db = sqlite3.connect(journal)
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)
        db.close()


def test_keys_pause_next_and_stop_on_a_terminal(pulse, tmp_path, voiceguide_home, shared_speech_cache):
    """Single keys, no Enter, while a session plays on the sound device (stdin is a real pty)."""
    import pty

    env = screened_env(voiceguide_home, str(shared_speech_cache))
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen(
        [SCRIPT, "play", "--stage", "acute", "--minutes", "3", "--output", "device", "--json"],
        env=env,
        stdin=child_fd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    os.close(child_fd)
    events = []

    def read_until(predicate) -> dict:
        for line in proc.stdout:
            event = json.loads(line)
            events.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"session ended early: {events[-3:]}")

    try:
        read_until(lambda e: e["event"] == "segment" and e["kind"] == "speech")
        os.write(main_fd, b" ")  # pause
        read_until(lambda e: e["event"] == "action" and e["action"] == "pause")
        os.write(main_fd, b" ")  # resume
        read_until(lambda e: e["event"] == "action" and e["action"] == "resume")
        os.write(main_fd, b"n")  # next step
        read_until(lambda e: e["event"] == "action" and e["action"] == "skip")
        pressed = time.monotonic()
        os.write(main_fd, b"s")  # stop
        read_until(lambda e: e["event"] == "action" and e["action"] == "stop")
        acted = time.monotonic() - pressed
        read_until(lambda e: e["event"] == "segment" and e["kind"] == "checkpoint")  # the offer
        os.write(main_fd, b"s")  # no rocking: end
        read_until(lambda e: e["event"] == "segment" and e["kind"] == "checkpoint")  # closing pain
        os.write(main_fd, b"2")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main_fd)
    assert acted < 0.3  # the stop key acts at once
    assert proc.returncode == 7
    events += [json.loads(line) for line in proc.stdout]
    spoken = [e["text"] for e in events if e["event"] == "segment" and e["kind"] == "speech"]
    assert any(t == replan.SAY["stop_self"] for t in spoken)
    assert events[-1]["event"] == "end" and events[-1]["stop_reason"] == "stop word"
