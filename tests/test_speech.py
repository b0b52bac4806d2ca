"""Speech with the real engines: espeak-ng on the command line, pyttsx3 guarded, the verified cache.

Nothing here is mocked: clips are rendered by the espeak-ng installed on this
machine (and by pyttsx3 driving it), and the failure cases use small fake
`espeak-ng` programs put first on PATH, which is how a broken installation
looks to voiceguide.
"""

from __future__ import annotations

import json
import os
import stat
import statistics
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import voiceguide.audio.speech as speech
from voiceguide.audio.pcm import SAMPLE_RATE, read_clip, wav_bytes
from voiceguide.audio.speech import (
    EspeakEngine,
    Pyttsx3Engine,
    SpeechCache,
    make_engine,
    open_cache,
)
from voiceguide.errors import NoSpeechEngine

SENTENCE = "Press slowly into the muscle and hold it there."

# Clearly different lengths: 1, 4, 9, 15 and 22 words.
GRADED = [
    "Breathe.",
    "Rest your hands now.",
    "Press slowly into the muscle and hold it there.",
    "Move your thumbs along the outer edge of the buttock, slowly, and keep breathing out.",
    "Keep the pressure steady while you work down the back of the thigh, "
    "and tell me at once if you feel tingling.",
]


def seconds_of(path: Path) -> float:
    return len(read_clip(path)) / SAMPLE_RATE


def header(path: Path) -> tuple[int, int, int, int]:
    with wave.open(str(path)) as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()


def write_program(folder: Path, name: str, body: str) -> Path:
    """An executable Python program called `name` in folder, run by this venv's python
    (by absolute path, so it works with any PATH)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(0o755)
    return path


HANGING_ENGINE = """\
import os, sys, time
with open(os.environ["FAKE_ENGINE_PIDFILE"], "w") as f:
    f.write(str(os.getpid()))
while True:
    time.sleep(60)
"""

GARBAGE_ENGINE = """\
import os, sys
args = sys.argv[1:]
out = args[args.index("-w") + 1]
with open(out, "wb") as f:
    f.write(os.urandom(48_000))
sys.exit(0)
"""


# --- espeak-ng ------------------------------------------------------------------


def test_espeak_renders_a_sentence_of_plausible_length(tmp_path):
    engine = EspeakEngine()
    out = tmp_path / "sentence.wav"
    engine.render(SENTENCE, out)
    clip = read_clip(out)
    seconds = len(clip) / SAMPLE_RATE
    # Nine words at 165 words a minute is about 3.3 s of speech.
    assert 1.8 < seconds < 6.0, seconds
    assert float(np.max(np.abs(clip))) > 0.05  # there is a voice in it, not silence
    assert speech.plausible(out, SENTENCE, engine.rate)


def test_espeak_is_deterministic(tmp_path):
    engine = EspeakEngine()
    first, second = tmp_path / "one.wav", tmp_path / "two.wav"
    engine.render(SENTENCE, first)
    engine.render(SENTENCE, second)
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size > 10_000


# --- choosing the engine --------------------------------------------------------


def test_make_engine_default_on_linux_is_the_natural_voice_then_espeak(monkeypatch):
    assert sys.platform.startswith("linux")
    monkeypatch.delenv("VOICEGUIDE_TTS", raising=False)
    assert make_engine().name == "piper"  # installed by setup.sh test, as for a new user
    from voiceguide.audio import piper

    monkeypatch.setattr(piper, "piper_command", lambda: None)  # as without voiceguide[natural]
    engine = make_engine()
    assert isinstance(engine, EspeakEngine)
    assert engine.name == "espeak-ng"
    assert Path(engine.binary).name in ("espeak-ng", "espeak")


def test_make_engine_pyttsx3_from_environment(monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_TTS", "pyttsx3")
    engine = make_engine()
    assert isinstance(engine, Pyttsx3Engine)
    assert engine.name == "pyttsx3"


def test_make_engine_unknown_name(monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_TTS", "festival-9000")
    with pytest.raises(NoSpeechEngine) as info:
        make_engine()
    assert "festival-9000" in str(info.value)
    assert info.value.exit_code == 5


# --- pyttsx3: its defects must not reach the user -----------------------------------


def test_pyttsx3_files_hold_their_own_sentences(tmp_path):
    assert [len(t.split()) for t in GRADED] == [1, 4, 9, 15, 22]
    espeak = EspeakEngine()
    reference = []
    for i, text in enumerate(GRADED):
        out = tmp_path / f"espeak-{i}.wav"
        espeak.render(text, out)
        reference.append(seconds_of(out))

    engine = Pyttsx3Engine()  # one engine, one process, five sentences in a row
    durations = []
    for i, text in enumerate(GRADED):
        out = tmp_path / f"pyttsx3-{i}.wav"
        engine.render(text, out)
        durations.append(seconds_of(out))

    ratios = [d / r for d, r in zip(durations, reference, strict=True)]
    median = statistics.median(ratios)
    assert all(abs(r / median - 1) <= 0.35 for r in ratios), (durations, reference, ratios)
    # Longer sentence, longer clip: a file holding the previous (or next) text breaks the order.
    assert durations == sorted(durations) and len(set(durations)) == 5, durations


def test_pyttsx3_prints_nothing_in_process(tmp_path, capfd):
    capfd.readouterr()
    engine = Pyttsx3Engine()
    for i, text in enumerate(GRADED):
        engine.render(text, tmp_path / f"pyttsx3-{i}.wav")
    captured = capfd.readouterr()
    assert "Audio saved" not in captured.out
    assert captured.out == ""


def test_pyttsx3_chatter_stays_off_a_piped_stdout(run_voiceguide, monkeypatch):
    # The ordinary case `voiceguide plan --json | jq`: stdout is a pipe, so Python buffers it.
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    monkeypatch.delenv("VOICEGUIDE_CACHE", raising=False)  # every clip really rendered by pyttsx3
    monkeypatch.setenv("VOICEGUIDE_TTS", "pyttsx3")
    done = run_voiceguide("plan", "--minutes", "3", "--stage", "acute", "--json")
    assert done.returncode == 0, done.stderr
    assert "Audio saved" not in done.stdout
    plan = json.loads(done.stdout)
    assert plan["segments"]


# --- the cache ----------------------------------------------------------------------


def test_cache_renders_private_clips_in_the_data_folder(voiceguide_home, monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_TTS", "espeak-ng")
    monkeypatch.delenv("VOICEGUIDE_CACHE", raising=False)  # the default place, not a shared cache
    cache = open_cache()
    assert cache.folder == voiceguide_home / "cache" / "speech"
    cache.ensure([SENTENCE])
    path = cache.path(SENTENCE)
    assert path.parent == voiceguide_home / "cache" / "speech"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    channels, width, rate, frames = header(path)
    assert (channels, width, rate) == (1, 2, SAMPLE_RATE)
    assert frames > SAMPLE_RATE  # more than a second of speech
    # no temporary files left: the clip, and the engine's measured gain (one per engine and voice)
    assert sorted(p.name for p in cache.folder.iterdir()) == sorted([path.name, cache.gain_path().name])


def test_shared_cache_folder_from_environment(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("VOICEGUIDE_CACHE", str(shared))
    cache = open_cache("espeak-ng")
    cache.ensure([SENTENCE])
    assert cache.path(SENTENCE).parent == shared
    assert stat.S_IMODE(cache.path(SENTENCE).stat().st_mode) == 0o600


def test_cache_key_depends_on_text_voice_and_rate(tmp_path):
    gb = SpeechCache(EspeakEngine(voice="en-gb"), tmp_path)
    us = SpeechCache(EspeakEngine(voice="en-us"), tmp_path)
    fast = SpeechCache(EspeakEngine(voice="en-gb", rate=220), tmp_path)
    keys = {
        gb.key(SENTENCE),
        gb.key(SENTENCE + " "),
        gb.key("Breathe."),
        us.key(SENTENCE),
        fast.key(SENTENCE),
    }
    assert len(keys) == 5
    assert gb.key(SENTENCE) == SpeechCache(EspeakEngine(), tmp_path).key(SENTENCE)  # stable

    for cache in (gb, us, fast):
        cache.ensure([SENTENCE])
    files = [c.path(SENTENCE).read_bytes() for c in (gb, us, fast)]
    assert len(set(files)) == 3
    assert fast.seconds(SENTENCE) < 0.9 * gb.seconds(SENTENCE)  # 220 wpm is quicker than 165


def test_cache_seconds_is_the_real_clip_length(tmp_path):
    cache = SpeechCache(EspeakEngine(), tmp_path / "speech")
    seconds = cache.seconds(SENTENCE)
    path = cache.path(SENTENCE)
    assert seconds == header(path)[3] / SAMPLE_RATE
    assert seconds == len(read_clip(path)) / SAMPLE_RATE
    # The same text rendered directly by the engine has the same length.
    direct = tmp_path / "direct.wav"
    EspeakEngine().render(SENTENCE, direct)
    shaped = speech.shape(read_clip(direct), cache.gain_db())  # trimmed, at the engine's one gain
    assert seconds == pytest.approx(len(shaped) / SAMPLE_RATE, abs=1 / SAMPLE_RATE)
    assert seconds < seconds_of(direct)  # the silence around the voice is cut
    # A new cache over the same folder reads the length back from the file.
    assert SpeechCache(EspeakEngine(), tmp_path / "speech").seconds(SENTENCE) == seconds


def _truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(100)


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _short_silence(path: Path) -> None:
    path.write_bytes(wav_bytes(np.zeros(int(0.05 * SAMPLE_RATE), dtype=np.float32)))


DAMAGE = {"truncated": _truncate, "garbage": _garbage, "short-silence": _short_silence}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_entry_is_rebuilt(tmp_path, damage):
    folder = tmp_path / "speech"
    SpeechCache(EspeakEngine(), folder).ensure([SENTENCE])
    path = SpeechCache(EspeakEngine(), folder).path(SENTENCE)
    good = path.read_bytes()
    good_seconds = header(path)[3] / SAMPLE_RATE

    DAMAGE[damage](path)
    broken = path.read_bytes()
    assert broken != good

    cache = SpeechCache(EspeakEngine(), folder)  # the next run finds the damaged file
    cache.ensure([SENTENCE])
    rebuilt = path.read_bytes()
    assert rebuilt != broken
    assert rebuilt == good  # espeak-ng is deterministic: the very same clip again
    assert cache.seconds(SENTENCE) == good_seconds
    assert len(cache.clip(SENTENCE)) == round(good_seconds * SAMPLE_RATE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_while_the_cache_is_open_is_caught_on_load(tmp_path, damage):
    cache = SpeechCache(EspeakEngine(), tmp_path / "speech")
    good_clip = cache.clip(SENTENCE)
    path = cache.path(SENTENCE)
    good = path.read_bytes()

    DAMAGE[damage](path)
    clip = cache.clip(SENTENCE)
    assert path.read_bytes() == good
    assert np.array_equal(clip, good_clip)
    assert cache.seconds(SENTENCE) == len(good_clip) / SAMPLE_RATE


def test_cache_renders_many_texts_in_parallel(tmp_path):
    texts = [
        f"Step {n}: press gently for {n + 2} slow breaths, then let the hand rest." for n in range(1, 21)
    ]
    cache = SpeechCache(EspeakEngine(), tmp_path / "speech")
    cache.ensure(texts, workers=8)
    files = sorted(p.name for p in cache.folder.iterdir())
    clips = [cache.path(t).name for t in texts]
    assert files == sorted([*clips, cache.gain_path().name])  # 20 clips, the gain, no temporary files
    direct = tmp_path / "direct.wav"
    engine = EspeakEngine()
    for text in texts:
        path = cache.path(text)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert speech.plausible(path, text, cache.engine.rate)
        # Each file holds its own text: the same samples as rendering it alone.
        engine.render(text, direct)
        cached, alone = read_clip(path), speech.shape(read_clip(direct), cache.gain_db())
        assert len(cached) == len(alone)
        assert np.allclose(cached, alone, atol=2 / 32768)  # stored as 16-bit again: within 1 step
        assert cache.seconds(text) == len(alone) / SAMPLE_RATE


# --- no engine, a hung engine, a broken engine -----------------------------------------


def _assert_clean_failure(done, workdir: Path) -> None:
    assert done.returncode == 5, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert "espeak-ng" in done.stderr
    assert done.stdout == ""
    assert not (workdir / "out.wav").exists()
    assert not (workdir / "out.wav.part").exists()


def test_no_speech_engine_installed(run_voiceguide, tmp_path, monkeypatch):
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python").symlink_to(sys.executable)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("PATH", str(bare))
    monkeypatch.setenv("VOICEGUIDE_TTS", "espeak-ng")
    monkeypatch.delenv("VOICEGUIDE_CACHE", raising=False)  # cached clips would hide the engine
    done = run_voiceguide("render", "--minutes", "3", "--stage", "acute", "-o", "out.wav")
    _assert_clean_failure(done, work)
    assert "apt-get install espeak-ng" in done.stderr
    assert list(work.iterdir()) == []


def test_hung_engine_times_out(tmp_path, monkeypatch):
    fake = tmp_path / "fakebin"
    write_program(fake, "espeak-ng", HANGING_ENGINE)
    pidfile = tmp_path / "engine.pid"
    monkeypatch.setenv("FAKE_ENGINE_PIDFILE", str(pidfile))
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(speech, "ENGINE_TIMEOUT", 1.0)

    engine = EspeakEngine()
    assert engine.binary == str(fake / "espeak-ng")
    folder = tmp_path / "speech"
    began = time.monotonic()
    with pytest.raises(NoSpeechEngine) as info:
        SpeechCache(engine, folder).ensure(["Hello there."])
    assert time.monotonic() - began < 5.0
    assert "did not finish" in str(info.value)
    assert list(folder.iterdir()) == []  # no half-written clip left in the cache
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):  # the hung engine was killed and reaped
        os.kill(pid, 0)


def test_engine_writing_garbage_in_process(tmp_path, monkeypatch):
    fake = tmp_path / "fakebin"
    write_program(fake, "espeak-ng", GARBAGE_ENGINE)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    engine = EspeakEngine()
    assert engine.binary == str(fake / "espeak-ng")
    folder = tmp_path / "speech"
    with pytest.raises(NoSpeechEngine) as info:
        SpeechCache(engine, folder).ensure(["Hello there."])
    assert "espeak-ng" in str(info.value)
    assert list(folder.iterdir()) == []


def test_engine_writing_garbage_via_cli(run_voiceguide, voiceguide_home, tmp_path, monkeypatch):
    fake = tmp_path / "fakebin"
    write_program(fake, "espeak-ng", GARBAGE_ENGINE)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("PATH", str(fake))  # the console script finds python by absolute path
    monkeypatch.setenv("VOICEGUIDE_TTS", "espeak-ng")
    monkeypatch.delenv("VOICEGUIDE_CACHE", raising=False)  # cached clips would hide the engine
    done = run_voiceguide("render", "--minutes", "3", "--stage", "acute", "-o", "out.wav")
    _assert_clean_failure(done, work)
    assert list(work.iterdir()) == []
    speech_dir = voiceguide_home / "cache" / "speech"
    assert not speech_dir.exists() or list(speech_dir.iterdir()) == []


def test_spoken_answers_are_spoken_with_the_default_voice(monkeypatch):
    """The natural voice with spoken answers too (its own words are kept out by the listener,
    tests/test_voice_live.py); a chosen voice is kept."""
    from voiceguide.session import voice_for

    monkeypatch.delenv("VOICEGUIDE_TTS", raising=False)
    assert voice_for(None, None).engine is None  # the default: the natural voice when installed
    assert voice_for("natural", None).voice == "natural" and voice_for("en-gb", 180).rate == 180


class SlowEngine:
    """A speech engine that is one process taking 50 ms a clip (as piper is, slower), writing a
    tone as long as the words would be."""

    name, voice, rate, settings, gain_db = "slow", "tone", 165, "", 0.0

    def __init__(self) -> None:
        self.rendered: list[str] = []  # in the order they were done

    def render(self, text: str, out: Path) -> None:
        time.sleep(0.05)
        seconds = speech.EstimatedSpeech(self.rate).seconds(text)
        t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
        out.write_bytes(wav_bytes(0.3 * np.sin(2 * np.pi * 220 * t)))
        self.rendered.append(text)


def test_a_clip_wanted_now_goes_before_the_ones_rendered_ahead(tmp_path):
    """A session on a cold cache renders the rest of its clips in the background while it plays;
    a clip it needs now (a re-ask no one planned for) waits for one clip at most, not for the whole
    queue. (Checked while looking for why a session on a cold cache went silent, 2026-12-03: the
    engine's lock is handed over fairly enough, so it was not this.)"""
    engine = SlowEngine()
    cache = SpeechCache(engine, tmp_path)
    cache.render_ahead([f"Sentence number {i} of the session, rendered ahead." for i in range(60)])
    time.sleep(0.2)
    wanted = "Say a number from zero to ten, or press a key."
    done_before = len(engine.rendered)
    clip = cache.clip(wanted)
    assert len(clip) > SAMPLE_RATE
    # counted in clips, not timed (a timed form failed under the test workers' load): the one in
    # progress, then this one (a second one ahead allowed, for a thread woken late)
    assert engine.rendered.index(wanted) - done_before <= 2, engine.rendered
    assert cache.rendering_ahead()  # the 60 clips ahead (3 s) are not done: this one went first
    cache.wait_ahead()
    assert all(cache.has(f"Sentence number {i} of the session, rendered ahead.") for i in range(60))
