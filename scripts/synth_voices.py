"""Synthetic speech from four engines, for training the recognisers' networks (never shipped).

espeak-ng (accents x variants, formant synthesis), flite (Debian's `flite`: the diphone voice kal
and the clustergen voices awb and rms; slt is held out for the benchmark), the natural voice
(piper with the packaged joe voice, its randomness turned up and its pitch moved by resampling)
and, optionally, Festival's voices from Debian (FESTIVAL_TRAIN: an American man, and women and a
man recorded for Italian, Czech and Catalan, reading English words by their own rules: "stop" is a
word in each). Each engine sounds unlike the others, so a network trained on all of them leans
less on any one engine's sound. `say(job)` returns 16 kHz float64 audio trimmed to its loud part.

    job = ("espeak", "en-gb+m4", speed_wpm, pitch_0_99, text)
    job = ("flite", "awb", duration_stretch, f0_mean_hz, text)
    job = ("festival", "czech_dita", duration_stretch, pitch_factor, text)
    job = ("piper", "joe", length_scale, pitch_factor, text)   # piper jobs: see say_piper

Festival's voices: `apt-get install festival festvox-kdlpc16k festvox-italp16k festvox-itapc16k
festvox-czech-dita festvox-ca-ona-hts festvox-czech-krb festvox-suopuhe-lj` (the last two are held
out: a Czech boy and a Finnish woman, for checking a network on voices it never heard).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceguide.audio.pcm import decode_wav, resample  # noqa: E402

RATE = 16000
ESPEAK_ACCENTS = ["en-us", "en-gb", "en-gb-x-rp"]
# The benchmark's unseen voices: their accents are not in ESPEAK_ACCENTS, their variants are here.
HELD_OUT_VARIANTS = {"f4", "f5", "m3", "whisper", "whisperf"}
FLITE_TRAIN = ["kal", "kal16", "awb", "rms"]
FLITE_HELD_OUT = ["slt"]
FESTIVAL_TRAIN = ["ked_diphone", "lp_diphone", "pc_diphone", "czech_dita", "upc_ca_ona_hts"]
FESTIVAL_HELD_OUT = ["czech_krb", "suo_fi_lj_diphone"]


def espeak_variants(exclude: set[str] = frozenset()) -> list[str]:
    found = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True).stdout
    names = set()
    for line in found.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5:
            names.add(parts[4].split("/")[-1])
    return sorted(names - HELD_OUT_VARIANTS - set(exclude))


def trim(x: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(x), initial=0.0))
    loud = np.flatnonzero(np.abs(x) > 0.02 * peak) if peak > 0 else []
    return x[loud[0] : loud[-1] + 1] if len(loud) else x


def _read(path: str, pitch_factor: float = 1.0) -> np.ndarray:
    x, rate = decode_wav(Path(path).read_bytes())
    # Played back faster by pitch_factor: pitch and formants up, length down (a smaller speaker).
    x = resample(np.asarray(x, dtype=np.float32), int(round(rate * pitch_factor)), RATE)
    return trim(x.astype(np.float64))


def say(job: tuple) -> np.ndarray:
    """One espeak-ng or flite job (see the module doc)."""
    engine, voice, a, b, text = job
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        if engine == "espeak":
            command = ["espeak-ng", "-v", voice, "-s", str(int(a)), "-p", str(int(b)), "-w", f.name, text]
        elif engine == "flite":
            stretch, f0 = f"duration_stretch={a:.2f}", f"int_f0_target_mean={b:.0f}"
            command = ["flite", "-voice", voice, "-t", text, "-o", f.name, "--setf", stretch, "--setf", f0]
        elif engine == "festival":
            stretch = f"(Parameter.set 'Duration_Stretch {a:.2f})"
            command = ["text2wave", "-eval", f"(voice_{voice})", "-eval", stretch, "-o", f.name]
            done = subprocess.run(command, input=text, text=True, capture_output=True)
            if done.returncode != 0 and voice != FESTIVAL_TRAIN[0]:  # a voice that fails on a word
                return say(("festival", FESTIVAL_TRAIN[0], a, b, text))  # (seen: lp_diphone crashed)
            done.check_returncode()
            return _read(f.name, float(b))
        else:
            raise ValueError(engine)
        subprocess.run(command, check=True, capture_output=True)
        return _read(f.name)


def say_piper(jobs: list[tuple]) -> list[np.ndarray]:
    """Piper jobs in one process per length scale (loading the voice takes a second)."""
    from voiceguide.audio import piper  # noqa: PLC0415

    voice, command = piper.packaged_voice(), piper.piper_command()
    assert command is not None, "piper-tts is not installed"
    out: list[np.ndarray | None] = [None] * len(jobs)
    by_scale: dict[float, list[int]] = {}
    for i, job in enumerate(jobs):
        by_scale.setdefault(round(float(job[2]), 1), []).append(i)
    for scale, idx in by_scale.items():
        folder = tempfile.mkdtemp(prefix="synth-piper-")
        try:
            args = [*command, "-m", str(voice.model), "-c", str(voice.config), "-d", folder,
                    "--length-scale", f"{scale:g}",
                    "--noise-scale", "0.8", "--noise-w-scale", "0.9"]  # fmt: skip
            lines = "".join(" ".join(jobs[i][4].split()) + "\n" for i in idx)
            done = subprocess.run(args, input=lines, capture_output=True, text=True, cwd=folder,
                                  env={"ORT_DISABLE_TELEMETRY": "1", "PATH": "/usr/bin:/bin"})  # fmt: skip
            written = [ln.split("Wrote ", 1)[1].strip() for ln in done.stderr.splitlines() if "Wrote " in ln]
            assert len(written) == len(idx), done.stderr[-500:]
            for i, path in zip(idx, written, strict=True):
                full = path if Path(path).is_absolute() else str(Path(folder) / path)
                out[i] = _read(full, float(jobs[i][3]))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return out  # type: ignore[return-value]


def random_voice(rng: np.random.Generator, variants: list[str], text: str, weights=(0.6, 0.25, 0.15)):
    """A job for `text` in a random engine, voice, speed and pitch. `weights`: espeak-ng, flite,
    piper and (a fourth, optional) Festival."""
    engines = ["espeak", "flite", "piper", "festival"][: len(weights)]
    engine = rng.choice(engines, p=list(weights))
    if engine == "espeak":
        voice = f"{rng.choice(ESPEAK_ACCENTS)}+{rng.choice(variants)}"
        return ("espeak", voice, int(rng.integers(110, 225)), int(rng.integers(15, 85)), text)
    if engine == "flite":
        voice = str(rng.choice(FLITE_TRAIN))
        return ("flite", voice, float(rng.uniform(0.8, 1.5)), float(rng.uniform(85, 230)), text)
    if engine == "festival":
        voice = str(rng.choice(FESTIVAL_TRAIN))
        return ("festival", voice, float(rng.uniform(0.8, 1.4)), float(rng.uniform(0.85, 1.2)), text)
    scale = float(rng.choice([0.8, 0.9, 1.0, 1.1, 1.2, 1.3]))
    return ("piper", "joe", scale, float(rng.uniform(0.85, 1.3)), text)


def say_all(jobs: list[tuple], pool) -> list[np.ndarray]:
    """Every job, espeak-ng and flite ones on the pool, piper ones in its own processes."""
    out: list[np.ndarray | None] = [None] * len(jobs)
    plain = [i for i, j in enumerate(jobs) if j[0] != "piper"]
    for i, x in zip(plain, pool.map(say, [jobs[i] for i in plain], chunksize=16), strict=True):
        out[i] = x
    pj = [i for i, j in enumerate(jobs) if j[0] == "piper"]
    if pj:
        for i, x in zip(pj, say_piper([jobs[i] for i in pj]), strict=True):
            out[i] = x
    return out  # type: ignore[return-value]
