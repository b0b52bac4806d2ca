"""doctor reports what works, with the fix for what does not, and never contradicts itself."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from voiceguide import doctor
from voiceguide.doctor import Check, SoundServer
from voiceguide.profile import Profile

SCREEN_CLEAR = "no\n" * 19


def test_doctor_json_lists_every_check(cli):
    result = cli("doctor", "--json")
    data = json.loads(result.stdout)
    names = {c["name"] for c in data["checks"]}
    assert {"speech engine", "sound output", "microphone", "speech recogniser", "data folder"} <= names
    assert result.exit_code == (0 if data["can_play"] else 1)
    for check in data["checks"]:
        if not check["ok"]:
            assert check["fix"], check
    assert result.stderr == ""  # no progress line with --json


def test_doctor_can_play_with_speech_and_the_null_sink(cli):
    # CI starts PulseAudio with a null sink, and espeak-ng is installed: after the screen, a session can play.
    assert cli("screen", input=SCREEN_CLEAR).exit_code == 0
    result = cli("doctor")
    assert "ok  speech engine" in result.stdout
    assert "ok  sound output" in result.stdout
    assert "ok  safety screen" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("Ready to play a session")
    assert result.exit_code == 0


def test_without_a_screen_doctor_is_not_ready_and_says_to_run_it(cli):
    result = cli("doctor")
    assert result.exit_code == 1
    assert "NO  safety screen" in result.stdout and "Run: voiceguide screen" in result.stdout
    assert "Ready to play" not in result.stdout
    last = result.stdout.rstrip().splitlines()[-1]
    assert last == "Not ready to play: first fix the safety screen (see fix: above)."


def test_an_emergency_or_old_screen_is_not_ready():
    now = datetime.now(UTC)
    emergency = doctor.screen_check(Profile(screened=now, outcome="emergency"))
    assert not emergency.ok and emergency.needed_to_play and "clinician" in emergency.fix
    old = doctor.screen_check(Profile(screened=now - timedelta(days=120), outcome="clear"))
    assert not old.ok and old.needed_to_play and "out of date" in old.detail
    assert "voiceguide screen" in old.fix
    clear = doctor.screen_check(Profile(screened=now, outcome="clear"))
    assert clear.ok and clear.needed_to_play
    for check in (emergency, old):
        lines = doctor.report([Check("speech engine", True, "espeak-ng", needed_to_play=True), check])
        assert lines[-1].startswith("Not ready to play") and not doctor.can_play([check])


@pytest.mark.slow  # 4 s: a full doctor run (screen_check is tested quickly above)
def test_an_emergency_screen_through_the_cli(cli):
    assert cli("screen", input="yes\n").exit_code != 0  # saddle numbness: emergency, saved as such
    result = cli("doctor")
    assert result.exit_code == 1
    assert "NO  safety screen      emergency" in result.stdout and "See a clinician" in result.stdout
    assert "Ready to play" not in result.stdout


def test_a_microphone_hearing_digital_silence_is_a_warning(monkeypatch):
    silent = doctor.microphone_check("default (44100 Hz)", -120.0)
    assert not silent.ok and silent.warning and silent.status == "warn"
    assert "digital silence" in silent.detail and "--feedback keys" in silent.fix
    hiss = doctor.microphone_check("default (44100 Hz)", -78.0)
    assert hiss.ok and hiss.status == "ok"
    nothing = doctor.microphone_check("default (44100 Hz)", None)
    assert not nothing.ok and not nothing.warning and nothing.status == "NO"
    # the real check, with the device's answer faked to zeros
    monkeypatch.setattr(doctor, "_listen_briefly", lambda seconds=0.5: -120.0)
    assert doctor.check_microphone().status == "warn"
    lines = doctor.report([Check("sound output", True, "PortAudio", needed_to_play=True), silent])
    assert lines[1].startswith("warn microphone")
    assert lines[-1] == "Ready to play a session; for voice answers see the fix under: microphone."


def test_a_sound_server_installed_but_stopped_gets_the_command_to_start_it():
    stopped = doctor.output_fix(SoundServer("pulseaudio", running=False))
    assert "pulseaudio --start" in stopped and "install" not in stopped and "--output FILE.wav" in stopped
    pipewire = doctor.output_fix(SoundServer("pipewire", running=False))
    assert "systemctl --user start pipewire" in pipewire and "install" not in pipewire
    missing = doctor.output_fix(SoundServer("", running=False))
    assert "install pulseaudio" in missing and "--output FILE.wav" in missing
    elsewhere = doctor.output_fix(SoundServer("pulseaudio", running=False, address="unix:/run/x"))
    assert "PULSE_SERVER=unix:/run/x" in elsewhere and "--start" not in elsewhere
    running = doctor.output_fix(SoundServer("pulseaudio", running=True))
    assert "pactl info" in running and "install" not in running and "--start" not in running


def test_the_probe_sees_the_sound_server_of_this_machine(monkeypatch):
    monkeypatch.delenv("PULSE_SERVER", raising=False)
    server = doctor.probe_sound_server()
    assert server == SoundServer("pulseaudio", running=True)  # .ci/run starts it


def test_progress_names_each_check_before_it_runs_then_clears(monkeypatch):
    def check_python() -> Check:
        return Check("python", True, "3")

    def check_data_dir() -> Check:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(doctor, "CHECKS", [check_python, check_data_dir])
    seen: list[str] = []
    results = doctor.run_checks(progress=seen.append)
    assert seen == ["checking Python…", "checking data folder…", ""]
    assert results[1] == Check("data folder", False, "check failed: disk on fire")


def test_progress_only_on_a_terminal():
    assert doctor.terminal_progress(io.StringIO()) is None

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    show = doctor.terminal_progress(out)
    assert show is not None
    show("checking Python…")
    show("")
    assert out.getvalue() == "\r\x1b[Kchecking Python…\r\x1b[K"


@pytest.mark.slow  # 10 s: two full doctor runs
def test_the_real_command_shows_progress_on_a_terminal_and_never_with_json(voiceguide_home):
    script = str(Path(sys.executable).parent / "voiceguide")
    env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home))

    def stderr_on_a_terminal(*args: str) -> tuple[str, str]:
        leader, follower = pty.openpty()
        done = subprocess.run(
            [script, "doctor", *args], stdout=subprocess.PIPE, stderr=follower, env=env, timeout=60, text=True
        )
        os.close(follower)
        err = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            err += chunk
        os.close(leader)
        return done.stdout, err.decode()

    out, err = stderr_on_a_terminal()
    assert "checking speech engine…" in err and "checking safety screen…" in err
    assert err.endswith("\r\x1b[K")  # the line is cleared before the report
    assert "checking" not in out and "ok  speech engine" in out
    out, err = stderr_on_a_terminal("--json")
    assert err == "" and json.loads(out)["checks"]


@pytest.mark.slow  # 10 s: waits for the shared sound server, plays in real time
def test_doctor_sound_plays_a_chime_through_the_sound_output(cli, pulse):
    started = time.monotonic()
    check = doctor.check_sound()
    took = time.monotonic() - started
    assert check.ok and check.name == "test sound" and "played the 'next' chime (0.6 s)" in check.detail
    assert took >= 0.6  # played to the end in real time, not dropped
    result = cli("doctor", "--sound", "--json")
    sound = [c for c in json.loads(result.stdout)["checks"] if c["name"] == "test sound"]
    assert sound and sound[0]["ok"] and "did you hear it?" in sound[0]["detail"]


def test_doctor_without_a_sound_server_says_what_to_do(run_voiceguide, monkeypatch, tmp_path):
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/none")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(tmp_path / "asound.conf"))
    (tmp_path / "asound.conf").write_text("pcm.!default { type hw card 99 }\n")
    done = run_voiceguide("doctor")
    assert done.returncode == 1
    assert "NO  sound output" in done.stdout and "--output FILE.wav" in done.stdout
    assert "ALSA lib" not in done.stderr and "Traceback" not in done.stderr
    assert f"PULSE_SERVER=unix:{tmp_path}/none" in done.stdout  # the server it was told to use, not ours


def test_doctor_names_the_word_listener_and_warns_when_it_is_missing(monkeypatch):
    """With it, the recogniser check says where it is; without it, a warning with the pip line
    (answers still work through the grammar decoder, so a session can play)."""
    from voiceguide.feedback import wordnet

    here = doctor.check_recogniser()
    assert here.ok and "word listener" in here.detail
    monkeypatch.setattr(wordnet, "BACKBONE_PACKAGE", "no_such_package_here")
    wordnet.backbone.cache_clear()
    wordnet.network.cache_clear()
    try:
        missing = doctor.check_recogniser()
    finally:
        wordnet.backbone.cache_clear()
        wordnet.network.cache_clear()
    assert not missing.ok and missing.warning and not missing.needed_to_play
    assert "openwakeword==0.4.0" in missing.fix and "not the word listener" in missing.detail
