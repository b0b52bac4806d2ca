"""Bad input of every kind: a correct result or a clear message with exit 3.

Never a traceback, a hang, or a partial output file. Files tried: plan JSON (`render --plan`,
`play --plan`), routine files (`routine import`), the profile, and WAVs for `hear`. Technique
files are tried the same way in test_library.py. Hypothesis runs bounded and seeded (derandomize).
"""

from __future__ import annotations

import json
import math
import struct
import tomllib
import wave
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceguide.audio.pcm import decode_wav
from voiceguide.library import BUNDLED_DIR

SCREEN = "no\n" * 19
HUGE = 100 * 1024 * 1024  # the sparse files below take no disk space
fuzz = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_clean(result, allowed=(0, 3)) -> None:
    """An allowed exit code and, for an error, one plain message: never a traceback."""
    assert result.exit_code in allowed, result.output
    assert "Traceback" not in result.output and "unexpected error" not in result.output, result.output
    if result.exit_code == 3:
        assert result.stderr.startswith("voiceguide: "), result.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.name.endswith((".part", ".tmp")) or ".part." in p.name
    )


# --- the corpus: damaged files of every family ----------------------------------------------


def sparse(path: Path, head: bytes = b"") -> None:
    with path.open("wb") as f:
        f.write(head)
        f.truncate(HUGE)


def deep(opening: str, closing: str, depth: int = 50_000) -> str:
    return opening * depth + closing * depth


def damaged_files(folder: Path, valid: bytes, kind: str) -> dict[str, Path]:
    """The same families of damage for every kind of file (json or toml)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "empty": b"",
        "truncated": valid[: len(valid) // 2],
        "garbage": bytes(np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8)),
        "non-utf8": valid.decode("utf-8").replace("a", "\u00e9").encode("latin-1", "replace"),
        "nul-bytes": valid.replace(b"\n", b"\n\x00", 3),
        "deep": (deep("[", "]") if kind == "json" else "version = 1\nx = " + deep("[", "]", 5000)).encode(),
    }
    files = {}
    for name, data in made.items():
        path = folder / f"{name}.{kind}"
        path.write_bytes(data)
        files[name] = path
    files["huge"] = folder / f"huge.{kind}"
    sparse(files["huge"], valid)
    return files


# --- plan JSON: render --plan and play --plan ------------------------------------------------


@pytest.fixture(scope="module")
def valid_plan(tmp_path_factory, shared_speech_cache) -> dict:
    """A real 3-minute plan (made once): each test damages a copy."""
    import os
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("plan-home")
    env = dict(os.environ, VOICEGUIDE_HOME=str(home), VOICEGUIDE_CACHE=str(shared_speech_cache))
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "voiceguide"),
            "plan",
            "--stage",
            "acute",
            "--minutes",
            "3",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def with_segments(plan: dict, segments: list[dict]) -> dict:
    return dict(plan, segments=segments)


def plan_variants(plan: dict) -> dict[str, object]:
    """Plans that parse as JSON but must be refused, each for its own reason."""
    segs = [dict(s) for s in plan["segments"]]
    first_hold = next(i for i, s in enumerate(segs) if s["kind"] == "hold")

    def changed(i: int, **fields) -> dict:
        return with_segments(plan, [dict(s, **fields) if k == i else s for k, s in enumerate(segs)])

    overlap = [dict(s) for s in segs]
    overlap[3]["start"] = overlap[3]["start"] - 0.5
    gap = [dict(s) for s in segs]
    gap[3] = dict(gap[3], start=gap[3]["start"] + 2.0)
    return {
        "a list": [plan],
        "a string": "plan",
        "no segments": with_segments(plan, []),
        "minutes NaN": dict(plan, minutes=math.nan),
        "minutes infinite": dict(plan, minutes=math.inf),
        "minutes negative": dict(plan, minutes=-15),
        "minutes as text": dict(plan, minutes="15"),
        "pressure cap as bool": dict(plan, max_pressure=True),
        "version 2": dict(plan, version=2),
        "unknown mode": dict(plan, mode="solo"),
        "duration NaN": changed(first_hold, duration=math.nan),
        "duration infinite": changed(first_hold, duration=math.inf),
        "duration negative": changed(first_hold, duration=-1.0),
        "duration zero": changed(first_hold, duration=0),
        "pressure 9": changed(first_hold, pressure=9),
        "unknown area": changed(first_hold, area="knee"),
        "unknown kind": changed(first_hold, kind="dance"),
        "unknown field": changed(first_hold, colour="red"),
        "unknown technique": changed(first_hold, technique="Z99"),
        "unknown cue": changed(0, sound="trumpet"),
        "side escapes": changed(first_hold, side="../../etc/passwd"),
        "step negative": changed(first_hold, step=-3),
        "text too long": changed(1, text="word " * 5000),
        "text with a lone surrogate": changed(1, text="\ud800 hello"),
        "text with control characters": changed(1, text="hello\x00\x07"),
        "segment as a list": with_segments(plan, [segs[0], [1, 2], *segs[2:]]),
        "segments overlap": with_segments(plan, overlap),
        "segments leave a gap": with_segments(plan, gap),
        "nested in a field": changed(first_hold, pressure=json.loads(deep("[", "]", 500))),
    }


def plan_files(folder: Path, plan: dict) -> dict[str, Path]:
    files = damaged_files(folder, json.dumps(plan, indent=2).encode(), "json")
    for i, (name, data) in enumerate(plan_variants(plan).items()):
        path = folder / f"variant-{i}.json"
        path.write_text(json.dumps(data), encoding="utf-8")  # NaN and inf as JSON's NaN/Infinity
        files[name] = path
    return files


def test_render_refuses_every_damaged_plan_and_leaves_no_file(cli, valid_plan, tmp_path):
    files = plan_files(tmp_path / "plans", valid_plan)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for name, path in files.items():
        result = cli("render", "--plan", str(path), "-o", str(out_dir / "session.wav"))
        assert result.exit_code == 3, (name, result.output)
        assert_clean(result)
        assert path.name in result.stderr, (name, result.stderr)
        assert list(out_dir.iterdir()) == [], name  # no output, no .part


def test_play_refuses_every_damaged_plan_and_journals_nothing(cli, valid_plan, tmp_path, voiceguide_home):
    assert cli("screen", input=SCREEN).exit_code == 0
    for name, path in plan_files(tmp_path / "plans", valid_plan).items():
        result = cli("play", "--plan", str(path), "--output", "null", input="good\n" * 20)
        assert result.exit_code == 3, (name, result.output)
        assert_clean(result)
    assert not (voiceguide_home / "journal.sqlite3").exists()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
SEGMENT_KEYS = st.sampled_from(
    [
        "index",
        "start",
        "duration",
        "kind",
        "sound",
        "technique",
        "area",
        "side",
        "pressure",
        "text",
        "question",
        "step",
    ]
)
PLAN_KEYS = st.sampled_from(
    ["version", "mode", "stage", "minutes", "max_pressure", "conditions", "segments", "seed"]
)


@st.composite
def damaged_plan(draw, plan: dict) -> dict:
    """A valid plan with one to three fields replaced, segments dropped, duplicated or swapped."""
    plan = dict(plan, segments=[dict(s) for s in plan["segments"]])
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["segment field", "plan field", "drop", "duplicate", "swap"]))
        segs = plan["segments"]
        i = draw(st.integers(0, len(segs) - 1)) if segs else 0
        if what == "segment field" and segs:
            segs[i][draw(SEGMENT_KEYS)] = draw(JSON_VALUES)
        elif what == "plan field":
            plan[draw(PLAN_KEYS)] = draw(JSON_VALUES)
        elif what == "drop" and segs:
            del segs[i]
        elif what == "duplicate" and segs:
            segs.insert(i, dict(segs[i]))
        elif what == "swap" and len(segs) > 1:
            segs[i], segs[-1] = segs[-1], segs[i]
    return plan


def test_render_of_a_randomly_damaged_plan_is_a_wav_or_a_clear_refusal(cli, valid_plan, tmp_path):
    @fuzz
    @given(data=st.data())
    def check(data):
        plan = data.draw(damaged_plan(valid_plan))
        path = tmp_path / "plan.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        result = cli("render", "--plan", str(path), "-o", str(out / "s.wav"))
        assert_clean(result)
        made = sorted(p.name for p in out.iterdir())
        assert made == (["s.wav"] if result.exit_code == 0 else []), made
        if result.exit_code == 0:
            (out / "s.wav").unlink()

    check()


# --- routine files: routine import ---------------------------------------------------------


@pytest.fixture
def exported_routine(cli, tmp_path) -> bytes:
    assert cli("routine", "save", "evening", "--mode", "partner", "--minutes", "20").exit_code == 0
    path = tmp_path / "exported.toml"
    assert cli("routine", "export", "evening", "-o", str(path)).exit_code == 0
    assert cli("routine", "delete", "evening").exit_code == 0  # each import below must add it anew
    return path.read_bytes()


ROUTINE_VARIANTS = {
    "minutes NaN": "minutes = nan",
    "minutes infinite": "minutes = inf",
    "minutes negative": "minutes = -20",
    "minutes as text": 'minutes = "20"',
    "seed as a float": "seed = 1.5",
    "unknown area": 'focus = ["knee"]',
    "unknown condition": 'conditions = ["flu"]',
    "name escapes": 'name = "../../evil"',
    "unknown field": 'colour = "red"',
    "mode as a table": "mode = {a = 1}",
}


def routine_files(folder: Path, valid: bytes) -> dict[str, Path]:
    files = damaged_files(folder, valid, "toml")
    text = valid.decode("utf-8")
    for i, (name, line) in enumerate(ROUTINE_VARIANTS.items()):
        key = line.split(" =")[0]
        kept = [x for x in text.splitlines() if not x.startswith(f"{key} =")]
        at = kept.index("[routine]") + 1
        path = folder / f"variant-{i}.toml"
        path.write_text("\n".join([*kept[:at], line, *kept[at:]]) + "\n", encoding="utf-8")
        files[name] = path
    # a complete, valid technique but for an id that would write outside the techniques folder
    technique = tomllib.loads((BUNDLED_DIR / "S01-palm-glides.toml").read_text(encoding="utf-8"))
    escaping = folder / "technique-escapes.toml"
    doc = tomllib.loads(text) | {"techniques": [dict(technique, id="../../../tmp/evil")]}
    escaping.write_text(tomli_w.dumps(doc), encoding="utf-8")
    files["technique id escapes"] = escaping
    return files


def test_routine_import_refuses_every_damaged_file_and_imports_nothing(
    cli, exported_routine, tmp_path, voiceguide_home
):
    for name, path in routine_files(tmp_path / "routines", exported_routine).items():
        result = cli("routine", "import", str(path))
        assert result.exit_code == 3, (name, result.output)
        assert_clean(result)
        assert path.name in result.stderr or path.name in result.output, (name, result.output)
        assert not (voiceguide_home / "routines" / "evening.toml").exists(), name
        assert not (voiceguide_home / "techniques").exists() or not any(
            (voiceguide_home / "techniques").iterdir()
        )
    assert not list(tmp_path.glob("**/evil*")) and not Path("/tmp/evil.toml").exists()


def test_routine_import_of_random_damage_imports_all_or_nothing(
    cli, exported_routine, tmp_path, voiceguide_home
):
    lines = exported_routine.decode("utf-8").splitlines()

    @fuzz
    @given(index=st.integers(0, len(lines) - 1), line=st.text(max_size=50), raw=st.binary(max_size=200))
    def check(index, line, raw):
        damaged = list(lines)
        damaged[index] = line
        for content in ("\n".join(damaged).encode("utf-8", "surrogatepass"), raw):
            path = tmp_path / "r.toml"
            path.write_bytes(content)
            result = cli("routine", "import", str(path))
            assert_clean(result)
            imported = voiceguide_home / "routines" / "evening.toml"
            assert imported.exists() == (result.exit_code == 0) or result.exit_code == 0
            if result.exit_code == 0:
                assert cli("plan", "--routine", "evening", "--json").exit_code == 0
                imported.unlink()

    check()


# --- the profile (profile.toml) ------------------------------------------------------------


PROFILE_VARIANTS = {
    "screened as a number": "screened = 5",
    "screened NaN": "screened = nan",
    "screened in the future": 'screened = "2999-01-01T00:00:00+00:00"',
    "cleared as text": 'cleared_by_clinician = "no"',
    "outcome unknown": 'outcome = "fine"',
    "stage as a list": 'stage = ["acute"]',
    "conditions as text": 'conditions = "dvt"',
    "unknown condition": 'conditions = ["flu"]',
}


def test_a_damaged_profile_is_a_clear_message_for_every_command_that_reads_it(cli, voiceguide_home, tmp_path):
    assert cli("screen", input=SCREEN).exit_code == 0
    profile = voiceguide_home / "profile.toml"
    valid = profile.read_bytes()
    cases = damaged_files(tmp_path / "profiles", valid, "toml")
    text = valid.decode("utf-8")
    for name, line in PROFILE_VARIANTS.items():
        key = line.split(" =")[0]
        kept = [x for x in text.splitlines() if not x.startswith(f"{key} =")]
        path = tmp_path / "profiles" / f"{key}.toml"
        path.write_text("\n".join([*kept[:2], line, *kept[2:]]) + "\n", encoding="utf-8")
        cases[name] = path
    for name, path in cases.items():
        if name == "huge":
            sparse(profile, valid)
        else:
            profile.write_bytes(path.read_bytes())
        # empty or cut at a line end, a profile may still be valid TOML: then it holds no
        # current screen, so plan reminds and play refuses (exit 7); anything else is exit 3
        maybe_valid = name in ("empty", "truncated")
        for args, allowed in (
            (("plan", "--minutes", "3"), (0, 3) if maybe_valid else (3,)),
            (("play", "--minutes", "3", "--output", "null"), (3, 7) if maybe_valid else (3,)),
        ):
            result = cli(*args, input="good\n" * 10)
            assert_clean(result, allowed)
            assert "voiceguide screen" in result.stderr, (name, result.stderr)
        # the screen replaces a damaged profile
        assert cli("screen", input=SCREEN).exit_code == 0, name
    assert not (voiceguide_home / "journal.sqlite3").exists()


def test_a_randomly_damaged_profile_never_crashes_play(cli, voiceguide_home):
    assert cli("screen", input=SCREEN).exit_code == 0
    profile = voiceguide_home / "profile.toml"
    lines = profile.read_text(encoding="utf-8").splitlines()

    @fuzz
    @given(index=st.integers(0, len(lines) - 1), line=st.text(max_size=60))
    def check(index, line):
        damaged = list(lines)
        damaged[index] = line
        profile.write_bytes("\n".join(damaged).encode("utf-8", "surrogatepass"))
        result = cli("play", "--minutes", "3", "--stage", "acute", "--output", "null", "--feedback", "none")
        assert_clean(result, allowed=(0, 3, 7))

    check()


# --- WAVs for hear -----------------------------------------------------------------------


def riff(tag: int, channels: int, rate: int, bits: int, data: bytes, data_size: int | None = None) -> bytes:
    """A WAV built by hand, so that its header can say anything."""
    block = channels * ((bits + 7) // 8)
    fmt = struct.pack("<HHIIHH", tag, channels, rate, (rate * block) % 2**32, block % 2**16, bits)
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def encode(samples: np.ndarray, bits: int, channels: int = 1, float32: bool = False) -> bytes:
    data = np.repeat(samples[:, None], channels, axis=1).reshape(-1)
    if float32:
        return data.astype("<f4").tobytes()
    if bits == 8:
        return np.round(data * 127 + 128).astype(np.uint8).tobytes()
    if bits == 24:
        ints = (data * 8388607).astype("<i4").tobytes()
        return b"".join(ints[i : i + 3] for i in range(0, len(ints), 4))
    return (data * (2 ** (bits - 1) - 1)).astype(f"<i{bits // 8}").tobytes()


GOOD_WAVS = {  # name: (format tag, channels, rate, bits, float)
    "8-bit": (1, 1, 16000, 8, False),
    "16-bit": (1, 1, 16000, 16, False),
    "24-bit": (1, 1, 16000, 24, False),
    "32-bit": (1, 1, 16000, 32, False),
    "32-bit float": (3, 1, 16000, 32, True),
    "96 kHz": (1, 1, 96000, 16, False),
    "6 channels": (1, 6, 48000, 16, False),
}


@pytest.mark.parametrize("name", GOOD_WAVS)
def test_every_supported_wav_format_decodes_to_the_same_sound(name):
    tag, channels, rate, bits, as_float = GOOD_WAVS[name]
    samples, got_rate = decode_wav(
        riff(tag, channels, rate, bits, encode(tone(rate), bits, channels, as_float))
    )
    assert got_rate == rate and len(samples) == len(tone(rate))
    assert np.max(np.abs(samples - tone(rate))) < 0.01


def bad_wavs(folder: Path) -> dict[str, Path]:
    pcm = encode(tone(16000), 16)
    made = {
        "empty": b"",
        "garbage": bytes(np.random.default_rng(3).integers(0, 256, 3000, dtype=np.uint8)),
        "text": "RIFF? no, a text file with an \u00e9".encode("latin-1"),
        "truncated header": riff(1, 1, 16000, 16, pcm)[:30],
        "no data chunk": riff(1, 1, 16000, 16, b"")[:36],
        "0 channels": riff(1, 0, 16000, 16, pcm),
        "rate 0": riff(1, 1, 0, 16, pcm),
        "rate 4 GHz": riff(1, 1, 4_000_000_000, 16, pcm),
        "12 bytes per sample": riff(1, 1, 16000, 96, pcm),
        "mu-law": riff(7, 1, 8000, 8, pcm),
        "64-bit float": riff(3, 1, 16000, 64, pcm),
        "2 minutes long": riff(1, 1, 16000, 16, bytes(16000 * 2 * 120)),
    }
    folder.mkdir()
    files = {}
    for name, data in made.items():
        files[name] = folder / f"{name.replace(' ', '-')}.wav"
        files[name].write_bytes(data)
    files["huge sparse"] = folder / "huge.wav"
    sparse(files["huge sparse"], riff(1, 1, 16000, 16, b"", data_size=HUGE))
    return files


def odd_but_good_wavs(folder: Path) -> dict[str, Path]:
    """Readable, if strange: each is heard (as "unknown": no words in them)."""
    pcm = encode(np.zeros(8000, dtype=np.float32), 16)
    made = {
        "0 samples": riff(1, 1, 16000, 16, b""),
        "1 sample": riff(1, 1, 16000, 16, b"\x01\x00"),
        "header says 10 MB, file holds 1 s": riff(1, 1, 16000, 16, pcm, data_size=10_000_000),
        "odd bytes at the end": riff(1, 1, 16000, 16, pcm + b"\x01"),
        "NaN and inf float samples": riff(
            3, 1, 16000, 32, np.array([np.nan, np.inf, -np.inf, 0.0] * 2000, dtype="<f4").tobytes()
        ),
    }
    for name, (tag, channels, rate, bits, as_float) in GOOD_WAVS.items():
        made[name] = riff(
            tag, channels, rate, bits, encode(np.zeros(rate // 2, np.float32), bits, channels, as_float)
        )
    folder.mkdir()
    files = {}
    for i, (name, data) in enumerate(made.items()):
        files[name] = folder / f"odd-{i}.wav"
        files[name].write_bytes(data)
    return files


def test_hear_gives_each_readable_wav_an_answer_and_refuses_the_rest(cli, tmp_path):
    good = odd_but_good_wavs(tmp_path / "good")
    bad = bad_wavs(tmp_path / "bad")
    result = cli("hear", *map(str, good.values()), *map(str, bad.values()), "--json")
    assert result.exit_code == 3, result.output
    assert_clean(result)
    heard = [json.loads(line) for line in result.stdout.splitlines()]
    assert [h["file"] for h in heard] == [str(p) for p in good.values()]
    assert all(h["intent"] == "unknown" for h in heard)
    for name, path in bad.items():
        assert path.name in result.stderr, name
    assert f"{len(bad)} of {len(good) + len(bad)} file(s)" in result.stderr


@st.composite
def lying_wav(draw) -> bytes:
    tag = draw(st.sampled_from([1, 3, 0xFFFE, 7, 0, 65535]))
    channels = draw(st.integers(0, 70))
    rate = draw(st.sampled_from([0, 1, 999, 8000, 16000, 96000, 400_001, 2**32 - 1]))
    bits = draw(st.sampled_from([0, 1, 8, 12, 16, 24, 32, 64, 65535]))
    data = draw(st.binary(max_size=3000))
    size = draw(st.none() | st.integers(0, 2**32 - 1))
    wav = riff(tag, channels, rate, bits, data, size)
    return wav[: draw(st.just(len(wav)) | st.integers(0, len(wav)))]  # whole, or cut anywhere


def test_hear_of_random_and_lying_wavs_is_an_answer_or_a_clear_refusal(cli, tmp_path):
    @fuzz
    @given(content=lying_wav() | st.binary(max_size=500))
    def check(content):
        path = tmp_path / "answer.wav"
        path.write_bytes(content)
        result = cli("hear", str(path), "--json")
        assert_clean(result)
        if result.exit_code == 0:
            assert set(json.loads(result.stdout)) == {"file", "text", "intent", "value", "confidence"}

    check()


def test_wave_module_and_our_reader_agree_on_ordinary_files(tmp_path):
    path = tmp_path / "ordinary.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(encode(tone(22050), 16, channels=2))
    samples, rate = decode_wav(path.read_bytes())
    assert rate == 22050 and np.max(np.abs(samples - tone(22050))) < 0.001
