"""The natural voice (piper-tts, installed by setup.sh test as for a new user), for real.

Clips are rendered by the real `piper` program at test time. Also here, for both engines: plan
starts are where the voice is heard in the rendered audio, and clips sit at one level.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import voiceguide.audio.speech as speech
from voiceguide import library, planner
from voiceguide.audio import piper
from voiceguide.audio.pcm import SAMPLE_RATE, active_rms_db, read_clip
from voiceguide.audio.speech import EspeakEngine, PiperEngine, SpeechCache, make_engine, open_cache
from voiceguide.audio.tones import SPEECH_LEVEL_DB
from voiceguide.errors import InvalidInput
from voiceguide.speechtime import GenerousSpeech

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
SENTENCE = "Press slowly into the muscle and hold it there."
EDGE = int(0.002 * SAMPLE_RATE)


def onset_seconds(samples: np.ndarray, floor: float = speech.ONSET_FLOOR) -> float:
    """Where a sound is first heard: the first 2 ms frame whose peak is above the floor."""
    n = len(samples) // EDGE
    peaks = np.max(np.abs(samples[: n * EDGE].reshape(n, EDGE)), axis=1)
    loud = np.flatnonzero(peaks > floor)
    assert len(loud), "no sound"
    return float(loud[0] * EDGE / SAMPLE_RATE)


def all_texts() -> list[str]:
    """Every sentence a 20-minute plan of any mode and stage says, and the player's replies."""
    from voiceguide.player import spoken_texts

    lib = library.load()
    texts = []
    for mode in ("self", "partner"):
        for stage in ("acute", "subacute", "chronic"):
            plan = planner.build(lib, planner.Request(mode=mode, stage=stage, minutes=20))
            texts += [s.text for s in plan.segments if s.text]
        texts += spoken_texts(mode)
    return list(dict.fromkeys(texts))


# --- the engine -------------------------------------------------------------------------------


def test_the_packaged_voice_is_found_and_verified():
    model = piper.packaged_model()
    assert model is not None and model.name == "en_US-joe-medium.onnx"
    assert piper.sha256(model) == piper.PACKAGED_SHA256
    voice = piper.packaged_voice()
    assert voice.sample_rate == 22050 and voice.packaged
    assert "CC0" in (piper.model_card() or "")


def test_piper_renders_real_speech_deterministically(tmp_path):
    engine = PiperEngine()
    try:
        first, second = tmp_path / "one.wav", tmp_path / "two.wav"
        began = time.monotonic()
        engine.render(SENTENCE, first)
        engine.render(SENTENCE, second)  # the same process: the voice is loaded once
        took = time.monotonic() - began
        assert first.read_bytes() == second.read_bytes()  # noise scales 0: the same samples
        clip = read_clip(first)
        seconds = len(clip) / SAMPLE_RATE
        assert 2.0 < seconds < 8.0, seconds  # nine words at a calm pace
        assert float(np.max(np.abs(clip))) > 0.05
        assert speech.plausible(first, SENTENCE, engine.rate)
        assert took < 60
        assert len(engine._started) == 1  # one after the other: one process
        proc = engine._started[0].proc
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        assert b"ORT_DISABLE_TELEMETRY=1" in environ  # before onnxruntime loads in it
    finally:
        engine.close()
    assert proc.wait(timeout=5) == 0  # closing stdin ends it


def test_piper_is_not_imported_into_voiceguide(tmp_path):
    """GPL-3.0 piper runs as a separate program: rendering never imports it here."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from voiceguide.audio.speech import SpeechCache, make_engine;"
            f"c = SpeechCache(make_engine('piper'), pathlib.Path({str(tmp_path)!r}));"
            "c.ensure(['Breathe out slowly.']);"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('piper', 'onnxruntime')))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_cache_key_holds_engine_voice_model_and_settings(tmp_path):
    natural = SpeechCache(PiperEngine(), tmp_path)
    slower = SpeechCache(PiperEngine(rate=120), tmp_path)
    robot = SpeechCache(EspeakEngine(), tmp_path)
    keys = {c.key(SENTENCE) for c in (natural, slower, robot)}
    assert len(keys) == 3
    assert piper.PACKAGED_SHA256 in natural.ident() and "length=1.5" in natural.ident()
    assert slower.engine.length_scale > natural.engine.length_scale


def test_default_engine_and_the_choices(monkeypatch):
    monkeypatch.delenv("VOICEGUIDE_TTS", raising=False)
    assert make_engine().name == "piper"
    assert make_engine(voice="natural").name == "piper"
    assert make_engine(voice="en-gb").name == "espeak-ng"  # an espeak-ng voice asked for
    monkeypatch.setenv("VOICEGUIDE_TTS", "espeak-ng")
    assert make_engine().name == "espeak-ng"
    assert make_engine(voice="natural").name == "piper"  # --voice, typed now, wins
    monkeypatch.setenv("VOICEGUIDE_TTS", "piper")
    assert make_engine().name == "piper"


def test_a_packaged_model_that_fails_its_check_falls_back_to_espeak(monkeypatch, capsys):
    monkeypatch.delenv("VOICEGUIDE_TTS", raising=False)
    monkeypatch.setattr(piper, "PACKAGED_SHA256", "0" * 64)
    engine = make_engine()
    assert engine.name == "espeak-ng"
    err = capsys.readouterr().err
    assert "failed its check" in err and "espeak-ng instead" in err
    with pytest.raises(InvalidInput):  # asked for by name: an error (exit 3), not a quiet swap
        make_engine("piper")


# --- bad voice files: exit 3 with a message ------------------------------------------------------


def bad_voice(folder: Path, kind: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "voice.onnx"
    config = piper.packaged_model().with_name("en_US-joe-medium.onnx.json")
    if kind == "text":
        model.write_text("this is not a model\n" * 10_000)
        shutil.copy(config, model.with_name("voice.onnx.json"))
    elif kind == "no-json":
        shutil.copy(piper.packaged_model(), model)
    elif kind == "bad-rate":
        shutil.copy(piper.packaged_model(), model)
        settings = json.loads(config.read_text())
        settings["audio"]["sample_rate"] = 3
        model.with_name("voice.onnx.json").write_text(json.dumps(settings))
    elif kind == "missing":
        pass
    return model


@pytest.mark.parametrize(
    "kind,words",
    [
        ("text", "not an ONNX file"),
        ("no-json", "voice.onnx.json is missing"),
        ("bad-rate", "sample rate 3 Hz"),
        ("missing", "no such voice file"),
    ],
)
def test_a_bad_voice_file_is_refused_with_exit_3(cli, tmp_path, kind, words):
    model = bad_voice(tmp_path / "voices", kind)
    done = cli("render", "--minutes", "5", "--voice", str(model), "-o", str(tmp_path / "out.wav"))
    assert done.exit_code == 3, done.output
    assert words in done.stderr
    assert "Traceback" not in done.output
    assert not (tmp_path / "out.wav").exists()


def test_another_piper_voice_by_path_speaks(tmp_path):
    folder = tmp_path / "voices"
    folder.mkdir()
    model = folder / "my-voice.onnx"
    shutil.copy(piper.packaged_model(), model)
    shutil.copy(piper.packaged_model().with_name("en_US-joe-medium.onnx.json"), folder / "my-voice.onnx.json")
    engine = make_engine(voice=str(model))
    assert engine.name == "piper" and engine.voice == str(model) and engine.gain_db is None
    cache = SpeechCache(engine, tmp_path / "speech")
    try:
        assert 1.0 < cache.seconds("Breathe out slowly, and let the shoulders drop.") < 6.0
        assert abs(cache.gain_db() - piper.PACKAGED_GAIN_DB) < 1.0  # measured: the same voice
    finally:
        engine.close()


# --- calm delivery, both engines --------------------------------------------------------------------


@pytest.mark.parametrize("engine_name", ["piper", "espeak-ng"])
def test_clips_start_at_the_voice_and_sit_at_the_cue_level(engine_name):
    cache = open_cache(engine_name)
    texts = all_texts()[:12]
    cache.ensure(texts)
    levels = []
    for text in texts:
        clip = cache.clip(text)
        assert onset_seconds(clip) <= 0.004  # the voice begins at once: no silence before it
        assert onset_seconds(clip[::-1]) <= 0.03  # and the clip ends with it (20 ms release)
        levels.append(active_rms_db(clip))
        assert float(np.max(np.abs(clip))) <= 1.0
    # one fixed gain per voice: levels vary only as speech does, around the cues' level
    assert abs(float(np.median(levels)) - SPEECH_LEVEL_DB) < 1.5, levels
    assert max(levels) - min(levels) < 6.0, levels


def test_generous_lengths_hold_every_clip_of_the_natural_voice():
    """The fast start times a plan with GenerousSpeech before clips exist: each real clip must fit."""
    cache = open_cache("piper")
    texts = all_texts()
    cache.ensure(texts)
    tight = max(texts, key=lambda t: cache.seconds(t) / GenerousSpeech().seconds(t))
    assert cache.seconds(tight) < GenerousSpeech().seconds(tight), tight
    words = sum(len(t.split()) for t in texts)
    pace = words / sum(cache.seconds(t) for t in texts) * 60
    assert 125 < pace < 155, pace  # a relaxed pace (README: about 140 words a minute)


@pytest.mark.parametrize("engine_name", ["piper", "espeak-ng"])
def test_plan_starts_are_where_the_voice_is_heard_in_render(cli, tmp_path, monkeypatch, engine_name):
    monkeypatch.setenv("VOICEGUIDE_TTS", engine_name)
    plan_file, out = tmp_path / "plan.json", tmp_path / "out.wav"
    assert cli("plan", "--minutes", "5", "-o", str(plan_file)).exit_code == 0
    done = cli("render", "--plan", str(plan_file), "-o", str(out))
    assert done.exit_code == 0, done.output
    assert_starts_audible(json.loads(plan_file.read_text())["segments"], read_clip(out))


def assert_starts_audible(segments: list[dict], audio: np.ndarray, start_key: str = "start") -> None:
    """Each speech after a quiet stretch (after speech or a hold, not a cue's ringing tail) begins
    where its segment starts, within 10 ms."""
    checked = []
    for before, seg in zip(segments, segments[1:], strict=False):
        if seg["kind"] not in ("speech", "checkpoint") or before["kind"] == "cue":
            continue
        at = int(round(seg[start_key] * SAMPLE_RATE))
        window = audio[at - int(0.1 * SAMPLE_RATE) : at + SAMPLE_RATE]
        quiet_before = np.max(np.abs(window[: int(0.08 * SAMPLE_RATE)]))
        assert quiet_before < speech.ONSET_FLOOR, (seg, quiet_before)  # the sound before has ended
        checked.append(onset_seconds(window) - 0.1)
    assert len(checked) >= 4
    assert max(abs(c) for c in checked) <= 0.010, checked


def test_fast_start_play_starts_are_true_on_a_cold_cache(tmp_path, voiceguide_home):
    """play renders the first clip, then the rest in the background as it plays: the starts it
    reports (--json) are where each voice is heard in what it played."""
    env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home), VOICEGUIDE_CACHE=str(tmp_path / "cold"))
    env.pop("VOICEGUIDE_TTS", None)
    subprocess.run([SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True)
    out = tmp_path / "played.wav"
    done = subprocess.run(
        [SCRIPT, "play", "--minutes", "5", "--feedback", "none", "--output", str(out), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    segments = [e for e in events if e["event"] == "segment"]
    assert_starts_audible(segments, read_clip(out), start_key="t")
    started = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import json; from voiceguide.journal import open_journal;"
                "j = open_journal(None); print(json.dumps(j.events(1, ('segment',))))",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    )
    assert [round(e["t"], 3) for e in started] == [round(e["t"], 3) for e in segments]  # journal agrees


# --- privacy -----------------------------------------------------------------------------------------


def test_render_without_network_leaves_no_telemetry(tmp_path):
    """voiceguide promises no network: in a namespace with none, the natural voice still renders,
    and onnxruntime leaves nothing behind (~/.cache/Microsoft, /tmp/.ses*)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed for this test")
    home = tmp_path / "home"
    home.mkdir()
    tmp_before = {p.name for p in Path("/tmp").iterdir() if p.name.startswith(".ses")}
    env = dict(
        os.environ,
        HOME=str(home),
        VOICEGUIDE_HOME=str(tmp_path / "data"),
        VOICEGUIDE_TTS="piper",
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    env.pop("VOICEGUIDE_CACHE", None)  # a cold cache: piper must run
    unshare = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "--map-root-user"]
    done = subprocess.run(
        [*unshare, SCRIPT, "render", "--minutes", "3", "-o", str(tmp_path / "out.wav")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(read_clip(tmp_path / "out.wav")) > 170 * SAMPLE_RATE
    assert not (home / ".cache" / "Microsoft").exists()
    assert [p for p in home.rglob("*") if "microsoft" in str(p).lower()] == []
    tmp_after = {p.name for p in Path("/tmp").iterdir() if p.name.startswith(".ses")}
    assert tmp_after - tmp_before == set()


def test_the_folder_of_a_killed_session_is_swept_by_the_next():
    """kill -9 skips every clean-up: the piper folder it left (with a half-written clip in it) goes
    when the next voiceguide starts piper, and a running voiceguide's folder stays."""
    code = (
        "import sys, time\n"
        "from voiceguide.audio import piper\n"
        "p = piper.PiperProcess(piper.packaged_voice(), piper.LENGTH_SCALE)\n"
        "(p.folder / 'half.wav').write_bytes(b'RIFF')\n"
        "print(p.folder, flush=True)\n"
        "time.sleep(60)\n"
    )
    killed = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    left = Path(killed.stdout.readline().strip())
    killed.kill()
    killed.wait()
    assert left.is_dir() and left.name.startswith(f"voiceguide-piper-{killed.pid}-")
    running = piper.PiperProcess(piper.packaged_voice(), piper.LENGTH_SCALE)
    try:
        assert not left.exists()
        assert running.folder.is_dir() and running.folder.name.startswith(f"voiceguide-piper-{os.getpid()}-")
        piper.sweep_folders_of_ended_processes()  # another voiceguide starting: this one's stays
        assert running.folder.is_dir()
    finally:
        running.close()
    assert not running.folder.exists()
