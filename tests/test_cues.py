"""The cue tones: the committed WAVs, how they sound, how they are found, and that the wheel carries them."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import wave
import zipfile
from pathlib import Path

import numpy as np
import pytest

import voiceguide.audio.tones as tones
from voiceguide.audio.pcm import SAMPLE_RATE, active_rms_db, read_clip, wav_bytes
from voiceguide.audio.speech import EspeakEngine
from voiceguide.cues import CUE_SECONDS

REPO = Path(__file__).resolve().parent.parent
CUE_DIR = REPO / "audio_cues"
CUES = list(CUE_SECONDS)
FIVE_MS = int(0.005 * SAMPLE_RATE)
ONE_MS = int(0.001 * SAMPLE_RATE)


def cue(name: str) -> np.ndarray:
    return read_clip(CUE_DIR / f"{name}.wav").astype(np.float64)


def high_band_db(samples: np.ndarray, above: float = 5000.0) -> float:
    """Energy above `above` Hz relative to all of it. The cues' notes and harmonics stay
    below 3.2 kHz, so energy up there is a click (a step or a corner in the wave)."""
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    return float(10 * np.log10(max(power[freqs > above].sum() / power.sum(), 1e-30)))


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=1 << 16))
    return float(np.argmax(spectrum) * SAMPLE_RATE / (1 << 16))


def spectrogram(samples: np.ndarray, length: int) -> np.ndarray:
    """Normalised magnitude spectrogram (0-4 kHz) over `length` samples, for correlation."""
    x = np.pad(samples, (0, max(0, length - len(samples))))[:length]
    window, hop = 1024, 256
    bins = int(4000 / SAMPLE_RATE * window)
    frames = [
        np.abs(np.fft.rfft(x[i : i + window] * np.hanning(window)))[:bins]
        for i in range(0, length - window + 1, hop)
    ]
    v = np.concatenate(frames)
    v = v - v.mean()
    return v / np.linalg.norm(v)


def spectrum(samples: np.ndarray) -> np.ndarray:
    m = np.abs(np.fft.rfft(samples, n=1 << 16))[: int(4000 / SAMPLE_RATE * (1 << 16))]
    m = m - m.mean()
    return m / np.linalg.norm(m)


@pytest.fixture(scope="module")
def speech_level(tmp_path_factory) -> float:
    out = tmp_path_factory.mktemp("speech") / "sentence.wav"
    EspeakEngine().render("Press slowly into the muscle, and breathe out while you hold it there.", out)
    return active_rms_db(read_clip(out))


@pytest.fixture
def fresh_load_cue():
    tones.load_cue.cache_clear()
    yield tones.load_cue
    tones.load_cue.cache_clear()


# --- the committed files ---------------------------------------------------------------


def test_cue_folder_holds_exactly_the_cues():
    assert sorted(p.name for p in CUE_DIR.iterdir()) == sorted(f"{name}.wav" for name in CUES)


@pytest.mark.parametrize("name", CUES)
def test_cue_file_format_and_length(name):
    with wave.open(str(CUE_DIR / f"{name}.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SAMPLE_RATE, 1, 2)
        frames = w.getnframes()
    assert abs(frames - round(CUE_SECONDS[name] * SAMPLE_RATE)) <= 1
    assert len(cue(name)) == frames


@pytest.mark.parametrize("name", CUES)
def test_cue_has_no_clicks(name):
    x = cue(name)
    assert abs(x[0]) < 0.001 and abs(x[-1]) < 0.001  # starts and ends at zero
    assert np.max(np.abs(x[:ONE_MS])) < 0.01  # fades in ...
    assert np.max(np.abs(x[-FIVE_MS:])) < 0.01  # ... and has died away before the end
    assert np.max(np.abs(np.diff(x))) < 0.15  # no step: the steepest slope of the tones themselves
    assert high_band_db(x) < -60.0  # no broadband energy: no click anywhere, edges or joins


def test_click_detector_finds_a_click():
    """The high-band measure is sensitive: the same tone cut off mid-note fails it."""
    x = cue("next")
    cut = x.copy()
    cut[int(0.3 * SAMPLE_RATE) :] = 0.0
    assert high_band_db(x) < -60.0 < high_band_db(cut)


def test_cue_levels_match_speech(speech_level):
    assert -26.0 < speech_level < -14.0, speech_level  # espeak-ng speaks at a sane level at all
    for name in CUES:
        level = active_rms_db(cue(name).astype(np.float32))
        if name == "tick":
            assert level <= speech_level - 10.0, (name, level, speech_level)
            assert level > -50.0, (name, level)  # quiet, but there
        else:
            assert abs(level - speech_level) <= 3.0, (name, level, speech_level)


def test_cues_are_distinct():
    clips = {name: cue(name) for name in CUES}
    for a, b in itertools.combinations(CUES, 2):
        length = max(len(clips[a]), len(clips[b]))
        similarity = float(spectrogram(clips[a], length) @ spectrogram(clips[b], length))
        assert similarity < 0.9, (a, b, similarity)
        if len(clips[a]) == len(clips[b]):
            whole = float(spectrum(clips[a]) @ spectrum(clips[b]))
            assert whole < 0.95, (a, b, whole)


def test_pressure_cues_glide_the_right_way():
    up, down = cue("pressure-up"), cue("pressure-down")
    third = len(up) // 3
    up_first, up_last = dominant_hz(up[:third]), dominant_hz(up[-third:])
    down_first, down_last = dominant_hz(down[:third]), dominant_hz(down[-third:])
    assert up_last > 1.15 * up_first, (up_first, up_last)
    assert down_last < down_first / 1.15, (down_first, down_last)


def test_make_cues_reproduces_the_committed_files(tmp_path):
    out = tmp_path / "cues"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_cues.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.wav" for name in CUES)
    for name in CUES:
        made = (out / f"{name}.wav").read_bytes()
        assert made == (CUE_DIR / f"{name}.wav").read_bytes(), f"{name}.wav differs: run make_cues.py"


# --- finding the cues -------------------------------------------------------------------


def test_load_cue_reads_the_committed_file(fresh_load_cue):
    for name in CUES:
        assert np.array_equal(fresh_load_cue(name), read_clip(CUE_DIR / f"{name}.wav"))


def test_load_cue_reads_a_file_from_its_folder(fresh_load_cue, tmp_path, monkeypatch):
    """Control for the fallback tests: the patched folder really is where cues come from."""
    n = round(CUE_SECONDS["start"] * SAMPLE_RATE)
    other = (0.2 * np.sin(2 * np.pi * 300 * np.arange(n) / SAMPLE_RATE)).astype(np.float32)
    (tmp_path / "start.wav").write_bytes(wav_bytes(other))
    monkeypatch.setattr(tones, "cue_dirs", lambda: [tmp_path])
    assert np.array_equal(fresh_load_cue("start"), read_clip(tmp_path / "start.wav"))


def _garbage(folder: Path) -> None:
    (folder / "start.wav").write_bytes(os.urandom(40_000))


def _wrong_length(folder: Path) -> None:
    (folder / "start.wav").write_bytes(wav_bytes(tones.make_cue("start")[: SAMPLE_RATE // 4]))


def _empty_file(folder: Path) -> None:
    (folder / "start.wav").write_bytes(b"")


@pytest.mark.parametrize("damage", [None, _garbage, _wrong_length, _empty_file])
def test_load_cue_falls_back_to_the_generated_tone(fresh_load_cue, tmp_path, monkeypatch, damage):
    if damage:
        damage(tmp_path)
    monkeypatch.setattr(tones, "cue_dirs", lambda: [tmp_path])
    clip = fresh_load_cue("start")
    assert np.array_equal(clip, tones.make_cue("start"))
    assert len(clip) == round(CUE_SECONDS["start"] * SAMPLE_RATE)


def test_load_cue_skips_a_damaged_file_for_the_next_folder(fresh_load_cue, tmp_path, monkeypatch):
    _garbage(tmp_path)
    monkeypatch.setattr(tones, "cue_dirs", lambda: [tmp_path, CUE_DIR])
    assert np.array_equal(fresh_load_cue("start"), read_clip(CUE_DIR / "start.wav"))


# --- the wheel ------------------------------------------------------------------------------

CHECK_INSTALLED = """\
import json
import numpy as np
import voiceguide
import voiceguide.audio.tones as t
from voiceguide.audio.pcm import read_clip
first = t.cue_dirs()[0]
packaged = read_clip(first / "start.wav")
print(json.dumps({
    "package": voiceguide.__file__,
    "first": str(first),
    "files": sorted(p.name for p in first.iterdir()),
    "reads_packaged": bool(np.array_equal(t.load_cue("start"), packaged)),
    "generated": bool(np.array_equal(t.load_cue("start"), t.make_cue("start"))),
}))
"""


def test_wheel_carries_the_cues(tmp_path):
    wheels = tmp_path / "wheels"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = list(wheels.glob("voiceguide-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in CUES:
            member = f"voiceguide/audio_cues/{name}.wav"
            assert member in names
            assert z.read(member) == (CUE_DIR / f"{name}.wav").read_bytes()
        site = tmp_path / "site"
        z.extractall(site)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    done = subprocess.run(
        [sys.executable, "-c", CHECK_INSTALLED],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=elsewhere,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["package"]).is_relative_to(site)  # the unpacked wheel, not the source tree
    assert Path(found["first"]) == site / "voiceguide" / "audio_cues"
    assert found["files"] == sorted(f"{name}.wav" for name in CUES)
    assert found["reads_packaged"] and not found["generated"]
