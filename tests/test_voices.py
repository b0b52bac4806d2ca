"""`voiceguide voices` and what doctor says about the voice."""

from __future__ import annotations

import json
import shlex

from voiceguide import doctor
from voiceguide.audio import piper


def test_voices_lists_the_natural_voice_first_then_espeak(cli):
    done = cli("voices")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].startswith("* natural") and piper.PACKAGED_VOICE in lines[0]
    assert "try: voiceguide render --voice natural" in lines[1]
    assert any(line.split()[0] == "en-gb" for line in lines[2:] if line.strip())
    data = json.loads(cli("voices", "--json").stdout)["voices"]
    assert [v["engine"] for v in data][:2] == ["piper", "espeak-ng"]
    assert [v["name"] for v in data if v["default"]] == ["natural"]


def test_each_sample_command_works(cli, tmp_path):
    data = json.loads(cli("voices", "--json").stdout)["voices"]
    for voice in (data[0], next(v for v in data if v["name"] == "en-us")):
        args = shlex.split(voice["sample"])[1:]
        args[args.index("sample.wav")] = str(tmp_path / f"{voice['name']}.wav")
        done = cli(*args)
        assert done.exit_code == 0, done.output
        assert (tmp_path / f"{voice['name']}.wav").stat().st_size >= 3 * 60 * 22050 * 2  # 3 minutes


def test_voices_without_the_natural_voice(cli, monkeypatch):
    monkeypatch.setattr(piper, "packaged_model", lambda: None)
    done = cli("voices")
    assert done.exit_code == 0
    assert "natural voice is not installed" in done.stdout
    assert "* en-gb" in done.stdout


def test_doctor_says_which_voice_speaks_the_model_check_and_how_to_switch(monkeypatch):
    monkeypatch.delenv("VOICEGUIDE_TTS", raising=False)
    speaks = doctor.check_speech()
    assert speaks.ok and "natural voice en_US-joe-medium" in speaks.detail
    assert "VOICEGUIDE_TTS=espeak-ng" in speaks.detail and "voiceguide voices" in speaks.detail
    model = doctor.check_natural_voice()
    assert model.ok and "model checked" in model.detail
    monkeypatch.setattr(piper, "PACKAGED_SHA256", "1" * 64)
    bad = doctor.check_natural_voice()
    assert not bad.ok and bad.warning and "failed its check" in bad.detail
    assert "force-reinstall" in bad.fix
    fallback = doctor.check_speech()
    assert fallback.ok and fallback.detail.startswith("espeak-ng")
