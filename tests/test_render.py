"""render writes exactly the plan: speech where the plan says, the length it says."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.pcm import SAMPLE_RATE, read_clip
from voiceguide.audio.speech import open_cache

PARTNER = ("--mode", "partner", "--stage", "subacute", "--minutes", "20")


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, shared_speech_cache):
    """One 20-minute render and its plan, shared by the checks below."""
    import os
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("render")
    env = dict(
        os.environ,
        VOICEGUIDE_HOME=str(folder / "home"),
        VOICEGUIDE_CACHE=str(shared_speech_cache),
        VOICEGUIDE_TTS="espeak-ng",  # as the tests' own caches (module fixtures run before conftest's)
    )
    script = str(Path(sys.executable).parent / "voiceguide")
    plan_file, wav, vtt, html = (folder / n for n in ("plan.json", "s.wav", "s.vtt", "s.html"))
    subprocess.run([script, "plan", *PARTNER, "-o", str(plan_file)], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [
            script,
            "render",
            "--plan",
            str(plan_file),
            "-o",
            str(wav),
            "--captions",
            str(vtt),
            "--script",
            str(html),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(plan_file.read_text()), wav, vtt, html, env


def test_length_matches_the_plan(rendered):
    plan, wav, *_ = rendered
    assert abs(wav_seconds(wav) - plan["total_seconds"]) <= 0.05


def test_speech_onsets_are_where_the_plan_says(rendered, monkeypatch):
    plan, wav, _, _, env = rendered
    monkeypatch.setenv("VOICEGUIDE_CACHE", env["VOICEGUIDE_CACHE"])
    audio = read_clip(wav)
    cache = open_cache()
    errors = []
    for seg in plan["segments"]:
        if seg["kind"] not in ("speech", "checkpoint"):
            continue
        clip = cache.clip(seg["text"])[:SAMPLE_RATE]  # the first second is enough to place it
        at = int(round(seg["start"] * SAMPLE_RATE))
        margin = int(0.1 * SAMPLE_RATE)
        window = audio[max(0, at - margin) : at + margin + len(clip)]
        corr = np.correlate(window, clip, mode="valid")
        lag = int(np.argmax(corr)) - min(margin, at)
        errors.append(abs(lag) / SAMPLE_RATE)
    assert len(errors) > 20
    assert max(errors) <= 0.020


def test_captions_follow_the_spoken_segments(rendered):
    plan, _, vtt, *_ = rendered
    text = vtt.read_text()
    assert text.startswith("WEBVTT")
    starts = []
    for line in text.splitlines():
        if "-->" in line:
            h, m, s = line.split(" --> ")[0].split(":")
            starts.append(int(h) * 3600 + int(m) * 60 + float(s))
    spoken = [s["start"] for s in plan["segments"] if s["kind"] in ("speech", "checkpoint")]
    for start in spoken:
        assert any(abs(start - c) < 0.002 for c in starts), start


def test_printable_script_has_the_safety_notice_and_every_technique(rendered):
    plan, _, _, html, _ = rendered
    page = html.read_text()
    assert "@page" in page and "stop" in page.lower()
    for tid in {s.get("technique") for s in plan["segments"]} - {None}:
        assert tid in page


def test_mp3_render(cli, tmp_path):
    out = tmp_path / "s.mp3"
    result = cli("render", "--stage", "acute", "--minutes", "3", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert len(data) > 10_000
    # an ID3 tag with the chapters (tests/test_chapters.py), then MPEG audio frames: a frame sync
    assert data[:3] == b"ID3"
    tag = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    assert data[tag] == 0xFF and (data[tag + 1] & 0xE0) == 0xE0
    assert not (tmp_path / "s.mp3.part").exists()


def test_bad_plan_file_is_refused_without_partial_output(cli, tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps({"version": 1, "mode": "self", "segments": [{"kind": "hold"}]}))
    out = tmp_path / "s.wav"
    result = cli("render", "--plan", str(bad), "-o", str(out))
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr
    assert not out.exists() and not (tmp_path / "s.wav.part").exists()


def test_render_rejects_unknown_file_types(cli, tmp_path):
    result = cli("render", "--stage", "acute", "-o", str(tmp_path / "s.ogg"))
    assert result.exit_code == 2
    assert ".wav or .mp3" in result.stderr
