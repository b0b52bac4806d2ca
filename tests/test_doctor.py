"""doctor reports what works, with the fix for what does not."""

from __future__ import annotations

import json


def test_doctor_json_lists_every_check(cli):
    result = cli("doctor", "--json")
    data = json.loads(result.stdout)
    names = {c["name"] for c in data["checks"]}
    assert {"speech engine", "sound output", "microphone", "speech recogniser", "data folder"} <= names
    assert result.exit_code == (0 if data["can_play"] else 1)
    for check in data["checks"]:
        if not check["ok"]:
            assert check["fix"], check


def test_doctor_can_play_with_speech_and_the_null_sink(cli):
    # CI starts PulseAudio with a null sink, and espeak-ng is installed: a session can play.
    result = cli("doctor")
    assert "ok  speech engine" in result.stdout
    assert "ok  sound output" in result.stdout
    assert result.exit_code == 0


def test_doctor_without_a_sound_server_says_what_to_do(run_voiceguide, monkeypatch, tmp_path):
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/none")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(tmp_path / "asound.conf"))
    (tmp_path / "asound.conf").write_text("pcm.!default { type hw card 99 }\n")
    done = run_voiceguide("doctor")
    assert done.returncode == 1
    assert "NO  sound output" in done.stdout and "--output FILE.wav" in done.stdout
    assert "ALSA lib" not in done.stderr and "Traceback" not in done.stderr
