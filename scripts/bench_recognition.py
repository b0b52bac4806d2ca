"""Benchmark voiceguide's spoken-answer recogniser; prints one markdown report.

  .venv/bin/python scripts/bench_recognition.py [--data DIR] [--quick] [--cache DIR] [--fit] [--person DIR]
  .venv/bin/python scripts/bench_recognition.py --person DIR --person-only
  .venv/bin/python scripts/bench_recognition.py --commands DIR --commands-only
  .venv/bin/python scripts/bench_recognition.py --enrollment [--data DIR] [--quick] [--fit-synthetic] [--fit]

Every clip ends in one of five buckets, by the shipped confidence and the two
thresholds in voiceguide/feedback/recognise.py: accepted-correct, accepted-wrong
(acted on with the wrong meaning), confirm-correct, confirm-wrong (read back for a
yes/no), rejected (asked again). A plain pocketsphinx grammar runs beside it in
the same run (correct / wrong / rejected). The sets asked at `--expect any` (a question every
answer fits, which no session asks) are also decided as the same words said while a session
plays (`--expect between`), in a table of their own after the others.

Groups: human digits (the FSDD tuning set, 8 kHz, 6 speakers; --data, default
../shared/data/fsdd-tune beside the repo) with --expect number, per speaker;
espeak-ng vocabulary and carrier phrases in voices, speeds, levels and noises
not used for tuning, per voice; out-of-vocabulary words and sentences; noise.
With --person DIR, one real person's recordings (a folder per word: "stop", other
words, "none" for the room alone), at every kind of question: the stop word in a
human voice, through a real microphone and room (person_clips says where to get them).
With --commands DIR, Google's Speech Commands test set: "stop", "yes", "no", digits and other single
words said by some 150 people each, on their own devices, and background noises (COMMANDS_SOURCE);
and the 42 of them who said stop, yes and no four times or more, enrolled on three takes of each and
heard plain and enrolled on the rest (commands_enrollment). With --person, the person enrolled on one
day and heard on his other days (person_enrollment: enrollment across recording sessions).

--fit refits the confidence model the way the shipped numbers were obtained: a
logistic regression on espeak-ng clips in the tuning voices only (answers and
OOV words/sentences, 16 kHz and band-limited to 8 kHz); ACCEPT is the lowest
confidence at which <= 2 % of those answers and <= 2.5 % of those OOV clips would
be acted on wrongly, CONFIRM the lowest below it at which <= 10 % of the answers
and <= 25 % of the OOV clips would be acted on or read back wrongly. It prints
the numbers to paste into recognise.py. It also reports, for comparison only, a
fit on human digits leave-speakers-out (3 speakers + the synthetic OOV clips
fitted, the other 3 tested, all 20 splits); nothing from the recordings is shipped.

Enrollment held apart (issue 16), in both the full run and --enrollment: each FSDD
speaker is enrolled with takes 0-2, takes 3-6 are the only ones any tuning sees
(--enrollment --fit, for comparison only), and the per-speaker table reports takes 7-9 only, plain
(not enrolled) and enrolled side by side, as a session decides (decision.decide).
--enrollment --fit-synthetic fits the shipped template-match confidence (enroll.MATCH_WEIGHTS) on
synthetic persons only (espeak-ng accents x variants, each with its own pitch, speed, level and room,
never the unseen TEST_VOICES), prints it with each person left out of the fit, and the held-apart
FSDD table with it: the recordings only measure it.

--stop-model FILE weighs another stop detector on the clips already decoded; --try NAME=VALUE
(repeatable) decides them again with a level of voiceguide.feedback.recognise or stopword changed.
Both print understood / acted on wrongly / false stops, as run -> changed; --try the stop said
again too.
Choose values elsewhere (scripts/choose_stop_levels.py, scripts/try_rules.py): these sets report.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import glob
import hashlib
import itertools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# numpy's BLAS on one thread, as the command runs it (settings.one_blas_thread), so the CPU per
# answer below is the command's (its spinning helper threads counted as CPU before 2026-12-04)
from voiceguide import settings  # noqa: E402

settings.one_blas_thread()

import numpy as np  # noqa: E402

from voiceguide.audio.pcm import decode_wav, resample  # noqa: E402
from voiceguide.feedback import (  # noqa: E402
    decision,  # noqa: E402
    declip,  # noqa: E402
    recognise,  # noqa: E402
    stopword,  # noqa: E402
    wordnet,  # noqa: E402
)
from voiceguide.feedback.decision import at_question, decide  # noqa: E402
from voiceguide.feedback.intents import meaning, understand  # noqa: E402
from voiceguide.feedback.recognise import Recogniser, words_for  # noqa: E402

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
VOCAB = words_for("any")
CARRIERS = [
    "a little more",
    "a bit softer",
    "that is good",
    "please stop",
    "it's about five",
    "a bit more",
    "a little less",
    "it's seven",
    "about three",
    "that's okay",
    "a bit lighter",
    "it's two",
]
OOV_WORDS = [
    "tree",
    "note",
    "seventeen",
    "step",
    "lesson",
    "line",
    "mess",
    "heaven",
    "free",
    "fix",
    "sex",
    "nice",
    "sun",
    "won't",
    "hello",
    "table",
    "water",
    "eleven",
    "twenty",
    "thirty",
    "sorry",
    "maybe",
    "door",
    "floor",
    "window",
    "paper",
    "morning",
    "happy",
    "money",
    "coffee",
    "store",
    "nose",
    "mine",
    "hive",
    "gate",
    "sticks",
    "never",
    "knee",
    "left",
    "fine print",
]
OOV_SENTENCES = [
    "what time is it",
    "I need to check my phone",
    "the weather is nice today",
    "can you turn it up",
    "I am going to the kitchen",
    "my back hurts a bit",
    "where did I put the remote",
    "turn left at the corner",
    "seventeen people came",
    "it was a long day at work",
    "let me think about it",
    "did you feed the cat",
]
# Rhymes of answer words for the tuning voices only (--fit): never in a reported set, and not in the
# word listener's training (scripts/train_words.py _OTHER), so that a rule against rhymes both
# listeners are sure of (hive -> five in the unseen voices) can be chosen on the tuning voices.
TUNING_RHYMES = ["jive", "chive", "pine", "vine", "snow", "toe", "flu", "moo", "pour", "picks", "mate",
                 "bait", "hen", "den", "bun"]  # fmt: skip
# The stop word (issue 16): what was tried, measured per clip on espeak-ng speech in the bench's conditions
# (levels -20..0 dB, clean or white/pink noise at 20 and 10 dB SNR, half of it also as 8 kHz telephone band).
# Tuning figures on TUNE_VOICES, "stop", "stop stop", "please stop", "ow, stop" (64 clips) against 16
# answer words and near misses (128 clips):
#
# | method | stop understood | false stops |
# |---|---|---|
# | before: grammar + confidence, stop acted on from 0.2, asked about from 0.08 | 23-31 % | 4-12 % |
# | + pronunciations S T AO P, S T AH P (British /o/: espeak "stop" was heard as "okay") | 27-41 % | 15-33 % |
# | one-word grammar (stop phrases against 22 confusable words) + phone-loop ratio | 53 % | 2 % |
#
# Then a detector of its own (voiceguide/feedback/stopword.py, trained by scripts/train_stop.py on
# espeak-ng speech only, 3 accents x ~100 variants, augmented), on the benchmark's unseen voices
# (TEST_VOICES, 120 stop clips, 448 other words incl. near misses and sentences, 21 noises), per clip,
# at the thresholds chosen on the trainer's held-out variants:
#
# | detector | recall at 0.9 | false stops at 0.9 | recall / false at 0.98 | noise |
# |---|---|---|---|---|
# | one hidden layer (64) on 32x32 log-mel, 1500 clips | 88.3 % | 33.3 % | 58.3 / 3.1 % | 0 % |
# | two convolutions over time, mean+max pooled, 2000 clips (shipped) | 89.2 % | 3.6 % | 74.2 / 0.9 % | 0 % |
#
# Of the CNN's false stops at 0.9, 5 of 16 were "stopwatch" (it has the word in it). The shipped rule:
# the detector acts from 0.98 and asks "did you say stop?" from 0.9; the grammar's own stop stands as
# before; the tables below give the combined figures per --expect.
STOP_PHRASES = ["stop", "stop stop", "please stop", "ow, stop", "stop please"]
NEAR_MISSES = ["top", "stock", "shop", "step", "spot", "stuff", "sob", "slop", "stomp", "not", "okay", "good"]
TUNE_VOICES = ["en-us", "en-gb", "en+f3", "en-us+m3", "en-gb-x-rp", "en+f2", "en-us+m7", "en+klatt"]
TEST_VOICES = [
    "en-gb-scotland",
    "en+f4",
    "en-029",
    "en-us-nyc",
    "en-gb-x-gbclan",
    "en+m3",
    "en-gb-x-gbcwmd",
    "en-us+f5",
]
CONDITIONS = [("clean", None), ("white", 20), ("pink", 20), ("white", 10), ("pink", 10), ("clean", None)]


def colour_noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    w = rng.standard_normal(n)
    if kind == "white":
        return w
    f = np.fft.rfft(w)
    k = np.arange(len(f), dtype=float)
    k[0] = 1
    f = f / (np.sqrt(k) if kind == "pink" else k)
    x = np.fft.irfft(f, n)
    return x / (np.std(x) + 1e-12)


def espeak(text: str, voice: str, rate: int, folder: str, pitch: int | None = None) -> tuple[np.ndarray, int]:
    """espeak-ng speech, kept in `folder` so that a second run does not synthesise again."""
    spec = f"{voice}|{rate}|{text}" + ("" if pitch is None else f"|p{pitch}")
    options = ["-v", voice, "-s", str(rate)] + ([] if pitch is None else ["-p", str(pitch)])
    return cached(spec, folder, lambda path: ["espeak-ng", *options, "-w", path, text])


def cached(spec: str, folder: str, command) -> tuple[np.ndarray, int]:
    """The WAV that `command(path)` writes, made once per `spec` and kept in `folder`."""
    path = os.path.join(folder, f"{hashlib.sha1(spec.encode()).hexdigest()[:16]}.wav")
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)  # a --cache folder not made yet (espeak-ng writes nothing then)
        subprocess.run(command(path), check=True, capture_output=True)
    return decode_wav(Path(path).read_bytes())


def narrowband(clips):
    """The same clips as telephone-band 8 kHz audio (what cheap microphones and the FSDD sound like)."""
    out = []
    for c in clips:
        x, r = c["samples"].astype(np.float64), c["rate"]
        spectrum = np.fft.rfft(x)
        spectrum[np.fft.rfftfreq(len(x), 1 / r) > 3800] = 0
        y = resample(np.fft.irfft(spectrum, len(x)).astype(np.float32), r, 8000)
        out.append(dict(c, samples=y, rate=8000))
    return out


def condition(s, rate, level_db, kind, snr, rng):
    s = s.astype(np.float64)
    act = s[np.abs(s) > 0.01 * np.max(np.abs(s))]
    gain = 10 ** ((level_db - 6) / 20) * 0.3 / (np.sqrt(np.mean(act**2)) + 1e-9)
    s = s * gain
    pad = np.zeros(int(0.15 * rate))
    s = np.concatenate([pad, s, pad])
    if kind != "clean":
        s = s + colour_noise(kind, len(s), rng) * 10 ** ((level_db - 6) / 20) * 0.3 * 10 ** (-snr / 20)
    return np.clip(s, -1, 1).astype(np.float32)


# Five fixed microphone colourings (2026-12-05), applied to clips already levelled and noised: how
# much the stop word depends on the microphone. Rough shapes of kinds of microphone, not measured
# responses; unlike train_stop.py's random ones (--microphone), fixed and named. Each: high-pass and
# low-pass corners in Hz, a tilt in dB per octave about 1 kHz, and broad bumps (Hz, dB, octaves wide).
MICROPHONES = {
    "laptop": (250, 7000, 0.0, [(4000, 6.0, 0.7)]),
    "phone": (300, 3400, 0.0, [(1000, -4.0, 0.8)]),
    "headset": (60, 6000, -2.0, [(150, 6.0, 0.8)]),
    "webcam across the room": (150, 5000, -4.0, []),
    "bright": (120, 8000, 3.0, []),
}


def colouring(x: np.ndarray, rate: int, high: float, low: float, tilt: float, bumps) -> np.ndarray:
    """x through a microphone's colour: second-order high- and low-pass corners (Hz), a tilt in dB per
    octave about 1 kHz (at most 3 octaves either way), and broad bumps (Hz, dB, octaves wide). Also
    train_stop.py's random microphones."""
    f = np.maximum(np.fft.rfftfreq(len(x), 1 / rate), 1.0)
    gain_db = tilt * np.clip(np.log2(f / 1000.0), -3, 3)
    for hz, db, width in bumps:
        gain_db = gain_db + db * np.exp(-0.5 * ((np.log2(f / hz)) / (width / 2)) ** 2)
    power = (f / high) ** 4 / (1 + (f / high) ** 4) / (1 + (f / low) ** 4)
    return np.fft.irfft(np.fft.rfft(x.astype(np.float64)) * 10 ** (gain_db / 20) * np.sqrt(power), len(x))


def microphone(x: np.ndarray, rate: int, mic: str) -> np.ndarray:
    """x through one of MICROPHONES, as loud as it was."""
    y = colouring(x, rate, *MICROPHONES[mic])
    y = y * np.sqrt(np.mean(x.astype(np.float64) ** 2) / (np.mean(y**2) + 1e-12))
    return np.clip(y, -1, 1).astype(np.float32)


def through_microphones(clips):
    """Each clip through each of MICROPHONES, grouped by microphone."""
    return [
        dict(c, samples=microphone(c["samples"], c["rate"], mic), group=mic, voice=c["group"])
        for mic in MICROPHONES
        for c in clips
    ]


def synthetic(texts, voices, folder, seed):
    """Each text in each voice at a random speed, level and noise (seeded: the same clips every run)."""
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    clips = []
    for voice in voices:
        for text in texts:
            rate, level = rng.randint(130, 200), rng.uniform(-20, 0)
            kind, snr = rng.choice(CONDITIONS)
            s, r = espeak(text, voice, rate, folder)
            clips.append(
                {"text": text, "group": voice, "samples": condition(s, r, level, kind, snr, nrng), "rate": r}
            )
    return clips


def flite(text: str, voice: str, stretch: float, folder: str) -> tuple[np.ndarray, int]:
    """flite speech (Debian's `flite`), kept in `folder` like espeak's."""
    options = ["-voice", voice, "--setf", f"duration_stretch={stretch}"]
    spec = f"flite|{voice}|{stretch}|{text}"
    return cached(spec, folder, lambda path: ["flite", *options, "-t", text, "-o", path])


def stop_and_near(voices: str, clips, per_voice: bool) -> list[tuple]:
    """One engine's stop phrases and near misses, as two sets of the report."""
    stops = [c for c in clips if c["text"] in STOP_PHRASES]
    near = [c for c in clips if c["text"] not in STOP_PHRASES]
    return [
        (f"stop word, {voices}, --expect any", stops, per_voice),
        (f"near misses, {voices}, --expect any", near, per_voice),
    ]


def festival(text: str, voice: str, stretch: float, folder: str) -> tuple[np.ndarray, int]:
    """Festival speech (Debian's `festival` and a festvox voice), kept in `folder` like espeak's."""
    spec = f"festival|{voice}|{stretch}|{text}"
    select, slow = f"(voice_{voice})", f"(Parameter.set 'Duration_Stretch {stretch})"

    def command(path: str) -> list[str]:  # text2wave reads its text from a file, kept beside the WAV
        words = Path(path).with_suffix(".txt")
        words.write_text(text + "\n")
        return ["text2wave", "-eval", select, "-eval", slow, "-o", path, str(words)]

    return cached(spec, folder, command)


def festival_voices() -> list[str]:
    """The Festival voices no network was trained on (synth_voices.FESTIVAL_HELD_OUT: a Czech boy
    and a Finnish woman, reading the English words by their own language's rules) that are
    installed here ([] without festival)."""
    from synth_voices import FESTIVAL_HELD_OUT  # noqa: PLC0415 (beside this script)

    if shutil.which("text2wave") is None:
        return []
    listed = subprocess.run(
        ["festival", "--batch", "(print (voice.list))"], capture_output=True, text=True, timeout=60
    ).stdout
    return [v for v in FESTIVAL_HELD_OUT if v in listed.replace("(", " ").replace(")", " ").split()]


def unseen_engine(texts, folder, seed, voice="slt", engine="flite"):
    """Each text in a voice of an engine no network heard (flite's slt: a woman's voice; or a
    Festival voice), at a random speed, level and noise; [] when the engine is not installed."""
    if shutil.which("flite" if engine == "flite" else "text2wave") is None:
        return []
    say = flite if engine == "flite" else festival
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    clips = []
    for text in texts:
        stretch, level = round(rng.uniform(0.85, 1.3), 2), rng.uniform(-20, 0)
        kind, snr = rng.choice(CONDITIONS)
        s, r = say(text, voice, stretch, folder)
        clips.append(
            {
                "text": text,
                "group": f"{engine} {voice}",
                "samples": condition(s, r, level, kind, snr, nrng),
                "rate": r,
            }
        )
    return clips


def noise_clips(seed):
    rng = np.random.default_rng(seed)
    clips = []
    n = 16000
    for kind in ("white", "pink", "brown"):
        for level in (0.003, 0.03, 0.1, 0.3):
            clips.append(
                {
                    "text": "",
                    "group": kind,
                    "samples": (colour_noise(kind, n, rng) * level).astype(np.float32),
                }
            )
    t = np.arange(n) / 16000
    for f0 in (50, 60):
        for level in (0.01, 0.1):
            hum = level * (np.sin(2 * np.pi * f0 * t) + 0.5 * np.sin(2 * np.pi * 3 * f0 * t))
            clips.append({"text": "", "group": "hum", "samples": hum.astype(np.float32)})
    clips.append({"text": "", "group": "silence", "samples": np.zeros(n, np.float32)})
    clips.append(
        {"text": "", "group": "silence", "samples": (rng.standard_normal(n) * 1e-4).astype(np.float32)}
    )
    for gap in (1500, 3000, 7000):
        c = (rng.standard_normal(n) * 0.001).astype(np.float32)
        c[::gap] = 0.6
        c[1::gap] = -0.5
        clips.append({"text": "", "group": "clicks", "samples": c})
    for c in clips:
        c["rate"] = 16000
    return clips


def fsdd(folder):
    clips = []
    for f in sorted(glob.glob(os.path.join(folder, "*.wav"))):
        digit, speaker, take = os.path.basename(f)[:-4].split("_")
        s, r = decode_wav(Path(f).read_bytes())
        clips.append(
            {
                "text": DIGITS[int(digit)],
                "group": speaker,
                "samples": s,
                "rate": r,
                "index": int(take),
                "name": os.path.basename(f),
            }
        )
    return clips


PERSON_SOURCE = (
    "git clone https://github.com/felixchenfy/ros_speech_commands_classification, then --person "
    "ros_speech_commands_classification/data/data_train (MIT licence)"
)
PERSON_EXPECTS = ("any", "number", "pressure", "yesno")


@functools.cache  # read once per run: the sets and the enrollment table both use them
def person_clips(folder: str) -> dict[str, list[dict]]:
    """One real person's recordings, a sub-folder per word said (--person): "stop", his other
    words, and "none" (his room, no word). Made for felixchenfy/ros_speech_commands_classification's
    data/data_train: one man, his own microphone and room, 16 kHz, recorded on five days (the day is
    in each file name, `audio_MM-DD-...`, and is each clip's group: the next stop in a group is the
    same sitting's next try). Nothing is tuned on them; the project ships nothing made from them."""
    clips: dict[str, list[dict]] = {"stop": [], "other": [], "none": []}
    for path in sorted(glob.glob(os.path.join(folder, "*", "*.wav"))):
        word = os.path.basename(os.path.dirname(path))
        name = os.path.basename(path)
        day = name.split("_")[1][:5] if name.startswith("audio_") else "?"
        s, r = decode_wav(Path(path).read_bytes())
        kind = word if word in ("stop", "none") else "other"
        text = "" if word == "none" else word
        clips[kind].append({"text": text, "group": word if kind == "other" else f"day {day}",
                            "samples": s, "rate": r, "name": name, "day": day})  # fmt: skip
    return clips


def person_sets(folder: str, rec, base, tmp) -> list[tuple]:
    """The real person's sets of the report, each decoded at the questions a session asks: his
    stops at every kind of question, every second clip of his other words (one to five, front,
    back, left, right) at every kind too (at a pressure or yes/no question each is an answer the
    question does not take), and his room at `any`. [] with a note when `folder` has no recordings."""
    found = person_clips(folder) if os.path.isdir(folder) else {}
    if not found or not found["stop"]:
        print(f"(no real person's recordings at {folder}: {PERSON_SOURCE})\n")
        return []
    sets = []
    for expect in PERSON_EXPECTS:
        stops = [dict(c) for c in found["stop"]]
        others = [dict(c) for c in found["other"][::2]]
        measure(stops + others, expect, rec, base, tmp)
        sets.append((f"stop word, a real person (--person), --expect {expect}", stops, True))
        sets.append((f"a real person's other words (--person), --expect {expect}", others, True))
    room = [dict(c) for c in found["none"]]
    measure(room, "any", rec, base, tmp)
    sets.append(("a real person's room, no word (--person), --expect any", room, False))
    return sets


COMMANDS_SOURCE = (
    "Google's Speech Commands v0.02 test set (Warden 2018, arXiv:1804.03209; CC BY 4.0): "
    "download.tensorflow.org/data/speech_commands_test_set_v0.02.tar.gz, unpacked; or git clone "
    "https://github.com/thegtagamer/PICO-tinyML-benchmark, then --commands "
    "PICO-tinyML-benchmark/MLTK_keyworkSpotting/dataset (the same files)"
)
COMMANDS_WORDS = ("go", "up", "down", "left", "right", "on", "off")


def speaker_of(path: str) -> str:
    """A Speech Commands take's speaker: `<speaker>_nohash_<n>.wav`, or the test set's
    `_unknown_/<word>_<speaker>_nohash_<n>.wav` (a speaker is a hex hash); "?" without one."""
    name = os.path.basename(path)
    return name.split("_nohash_")[0].split("_")[-1] if "_nohash_" in name else "?"


@functools.cache  # read once per run: the sets and the enrollment table both use them
def commands_clips(folder: str) -> dict[str, list[dict]]:
    """Speech Commands' test set (--commands): one-second takes of single words by many people, each
    on their own phone or computer, a folder per word, the speaker in each file name
    (`<speaker>_nohash_<n>.wav`, `_unknown_/<word>_<speaker>_nohash_<n>.wav`, some `.wav.wav`), and
    `_silence_` (the dataset's background noises cut into one-second takes). A clip's group is its
    speaker: a stop missed is tried again with the same speaker's next stop. Nothing is tuned on
    them; the project ships nothing made from them."""
    clips: dict[str, list[dict]] = {"stop": [], "yes": [], "no": [], "digit": [], "other": [], "none": []}
    for path in sorted(glob.glob(os.path.join(folder, "*", "*.wav"))):
        name = os.path.basename(path)
        word = os.path.basename(os.path.dirname(path))
        if word == "_unknown_":
            word, _, name = name.partition("_")
        speaker = speaker_of(name)
        if word == "_silence_":
            kind, word, speaker = "none", "", "noise"
        elif word in ("stop", "yes", "no"):
            kind = word
        elif word in DIGITS:
            kind = "digit"
        elif word.isalpha():
            kind = "other"
        else:
            continue
        s, r = decode_wav(Path(path).read_bytes())
        clips[kind].append({"text": word, "group": speaker, "samples": s, "rate": r, "name": name})
    return clips


def originals(clips: list[dict], seen: set[bytes] | None = None) -> list[dict]:
    """`clips` without any that is a byte-for-byte copy of an earlier one, or of one in `seen`: the
    test set holds 119 recordings under two names or three (121 copies), and a take heard twice
    counts its speaker's one moment twice (and, for a missed stop, is its own second try)."""
    seen = set(seen or ())
    kept = []
    for c in clips:
        key = c["samples"].tobytes()
        if key not in seen:
            kept.append(c)
            seen.add(key)
    return kept


def commands_once(folder: str) -> dict[str, list[dict]]:
    """`commands_clips` with each recording once (`originals`, across every kind): for the benchmarks
    that hear the test set whole (the speech gate, a pain question, the level, clipped takes)."""
    seen: set[bytes] = set()
    once = {}
    for kind, clips in commands_clips(folder).items():
        once[kind] = originals(clips, seen)
        seen.update(c["samples"].tobytes() for c in once[kind])
    return once


def copies(clips: list[dict]) -> int:
    """How many of `clips` are byte-for-byte copies of an earlier one in the list."""
    return len(clips) - len(originals(clips))


def commands_picks(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The test set's clips the --commands sets hear, in the order they are heard (a dump's rows
    follow it): every stop; yes and no; digits; every fourth take of go, up, down, left, right, on,
    off and every other word of `_unknown_`; the background noises. Each recording once: a copy of
    another under a second name is left out (since 2026-12-07; before, each was counted)."""
    others = [c for w in COMMANDS_WORDS for c in [c for c in found["other"] if c["text"] == w][::4]]
    others += [c for c in found["other"] if c["text"] not in COMMANDS_WORDS]
    return {
        "stop": originals(found["stop"]),
        "other": originals(others),
        "yes and no": originals(found["yes"] + found["no"]),
        "digit": originals(found["digit"]),
        "none": originals(found["none"]),
    }


def commands_sets(folder: str, rec, base, tmp) -> list[tuple]:
    """The sets of many people's voices (`commands_picks`): the stop word at every kind of question;
    yes and no at a yes/no question; digits at a number question; the other words at `any`,
    pressure and yes/no questions (go means continue and right means good there; the rest are
    answers no question takes); the background noises at `any`. [] with a note when `folder` has
    none of them."""
    found = commands_clips(folder) if os.path.isdir(folder) else {}
    if not found or not found["stop"]:
        print(f"(no Speech Commands recordings at {folder}: {COMMANDS_SOURCE})\n")
        return []
    title = "many people (--commands)"
    picked = commands_picks(found)
    every = [c for kind in found.values() for c in kind]
    print(
        f"(Of Speech Commands' {len(every)} test recordings, {copies(every)} are a copy of another under a"
        f" second name, {len(found['stop']) - len(picked['stop'])} of its {len(found['stop'])} stops among"
        " them: each recording is heard once.)\n"
    )
    sets = []
    for expect in PERSON_EXPECTS:
        stops = [dict(c) for c in picked["stop"]]
        measure(stops, expect, rec, base, tmp)
        sets.append((f"stop word, {title}, --expect {expect}", stops, False))
        if expect != "number":
            words = [dict(c) for c in picked["other"]]
            measure(words, expect, rec, base, tmp)
            sets.append((f"other words, {title}, --expect {expect}", words, False))
    yes_no = [dict(c) for c in picked["yes and no"]]
    digits = [dict(c) for c in picked["digit"]]
    noise = [dict(c) for c in picked["none"]]
    measure(yes_no, "yesno", rec, base, tmp)
    measure(digits, "number", rec, base, tmp)
    measure(noise, "any", rec, base, tmp)
    sets += [
        (f"yes and no, {title}, --expect yesno", yes_no, False),
        (f"digits, {title}, --expect number", digits, False),
        (f"background noises, {title}, --expect any", noise, False),
    ]
    return sets


def commands_enrollment(folder: str, rec) -> dict[str, list[dict]]:
    """Learning a voice, in many people's voices (--commands): each person who said stop, yes and no
    four times or more is enrolled with their first three takes of each, and heard plain and
    enrolled on the rest of their takes, never used for anything else: their stops at `any`, their
    yes and no at `yesno`, their other words at `any` (every answer to those is wrong; a stop among
    them is a false stop). A take that is a copy of one they enrolled with is not heard: the test
    set holds some recordings twice under two names (18 pairs among its stops), and such a copy
    matched its own template at distance 0; nor is a second copy of a take heard. Returns the heard
    takes per set (to study)."""
    found = commands_clips(folder) if os.path.isdir(folder) else {}
    clips = [c for kind in ("stop", "yes", "no", "other", "digit") for c in found.get(kind, [])]
    said: dict[str, dict[str, list[dict]]] = {}
    for c in clips:
        said.setdefault(c["group"], {}).setdefault(c["text"], []).append(c)
    people, left_out = [], 0
    for person, words in sorted(said.items()):
        if all(len(words.get(w, [])) >= 4 for w in ENROLLED_SC):
            tests = {
                "stop": [dict(c, expect="any") for c in words["stop"][3:]],
                "yes and no": [dict(c, expect="yesno") for w in ("yes", "no") for c in words[w][3:]],
                "other": [
                    dict(c, expect="any") for w, cs in words.items() if w not in ENROLLED_SC for c in cs
                ],
            }
            enrolled = [c for w in ENROLLED_SC for c in words[w][:3]]
            own = {c["samples"].tobytes() for c in enrolled}
            kept = {name: originals(cs, own) for name, cs in tests.items()}
            left_out += sum(len(tests[name]) - len(kept[name]) for name in tests)
            people.append((person, enrolled, kept))
    title = (
        f"many people (--commands): {len(people)} people enrolled with 3 takes each of stop, yes and no"
        f" ({left_out} copies of an enrolled take or of another heard take left out)"
    )
    return plain_and_enrolled(title + ", heard on their other takes", people, rec)


def person_enrollment(folder: str, rec) -> dict[str, list[dict]]:
    """Learning a voice across recording sessions (--person): the real person enrolled with three
    takes each of stop and one to five, all from one day (the first on which he has three unclipped
    takes of each: most of his early takes are clipped, and `voice enroll` refuses those and asks
    again), heard plain and enrolled on his other days only: his stops at `any`, his digits at
    `number`, his other words (front, back, left, right) and his room at `any`."""
    from voiceguide.feedback.enroll import check_take

    found = person_clips(folder) if os.path.isdir(folder) else {}
    if not found or not found["stop"]:
        return {}
    takes = found["stop"] + found["other"]
    words = ("stop", *DIGITS[1:6])
    for day in sorted({c["day"] for c in takes} - {"?"}):
        usable = [c for c in takes if c["day"] == day and not check_take(c["samples"], c["rate"])]
        good = {w: [c for c in usable if c["text"] == w] for w in words}
        if all(len(cs) >= 3 for cs in good.values()):
            break
    else:
        return {}
    later = [c for c in takes + found["none"] if c["day"] != day]
    tests = {
        "stop": [dict(c, expect="any") for c in later if c["text"] == "stop"],
        "digits": [dict(c, expect="number") for c in later if c["text"] in DIGITS],
        "other": [dict(c, expect="any") for c in later if c["text"] not in DIGITS and c["text"] != "stop"],
    }
    title = f"a real person (--person), enrolled on one day ({day}), heard on his other days"
    return plain_and_enrolled(title, [("him", [c for w in words for c in good[w][:3]], tests)], rec)


def plain_and_enrolled(title: str, people: list[tuple], rec) -> dict[str, list[dict]]:
    """People as (name, takes to enroll, {set: clips to hear, each with its expect}): each enrolled
    (checked as `voice enroll --from` does), each set heard plain and enrolled; prints one row per
    set over everyone, the other words taken for a stop, and the people the plain recogniser
    understood least."""
    if not people:
        return {}
    rows: dict[str, list[dict]] = {}
    per_person = []
    for person, enroll, tests in people:
        model, reports = enroll_takes(
            [(f"{c['text']}_{c['name']}", c["samples"], c["rate"]) for c in enroll], rec
        )
        for kind, test in tests.items():
            for c in test:
                heard_plain(c, details(c, c["expect"], rec), rec)
            hear_enrolled(test, model)
            rows.setdefault(kind, []).extend(test)
        per_person.append((person, sum(not r.ok for r in reports), tests))
    print(f"\n### Learning a voice, {title}\n")
    print(HELD_HEAD)
    for kind, test in rows.items():
        print(held_row(kind, test))
    other = rows.get("other", [])
    for key in ("si", "en"):
        decided = [at_question(c[key], "any") for c in other]
        stops = [d.action for d in decided if d.action != "reject" and d.answer.intent == "stop"]
        label = "plain" if key == "si" else "enrolled"
        print(
            f"\nOther words taken for a stop, {label}: {len(stops)} of {len(other)} "
            f"({100 * len(stops) / max(1, len(other)):.1f} %), acted on at once: {stops.count('act')}"
        )

    def understood(test, key):
        """% understood; 101 with no take left to hear (their takes were copies: not the worst)."""
        out = [session_outcome(c[key], c["text"], c["expect"]) for c in test]
        return 100 * sum(o in ("ac", "cc") for o in out) / len(out) if out else 101.0

    def cell(test):
        return f"{understood(test, 'si'):.0f} -> {understood(test, 'en'):.0f} %" if test else "none left"

    kinds = [k for k in rows if k != "other"]
    print("\n| person | takes refused | " + " | ".join(f"{k}: plain -> enrolled" for k in kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    worst = sorted(per_person, key=lambda p: [understood(p[2][k], "si") for k in kinds])
    for person, refused, tests in worst[:8]:
        print(f"| {person} | {refused} | " + " | ".join(cell(tests[k]) for k in kinds) + " |")
    return rows


ENROLLED_SC = ("stop", "yes", "no")


def fsdd_takes(folder: str, takes: int) -> list[dict]:
    """The human digits of takes 0 to takes-1, or [] (saying where to get them) when `folder` is missing."""
    if not os.path.isdir(folder):
        print(f"(no human digits: {folder} is missing; the Free Spoken Digit Dataset is at "
              "https://github.com/Jakobovski/free-spoken-digit-dataset)\n")  # fmt: skip
        return []
    return [c for c in fsdd(folder) if c["index"] < takes]


def plain_baseline():
    """pocketsphinx defaults (bestpath on, dither on), every word in one JSGF grammar, sox upsampling."""
    import pocketsphinx

    model = pocketsphinx.get_model_path()
    d = pocketsphinx.Decoder(
        hmm=os.path.join(model, "en-us", "en-us"),
        dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
        lm=None,
        loglevel="FATAL",
    )
    d.add_jsgf_string("all", "#JSGF V1.0;\ngrammar all;\npublic <w> = {};\n".format(" | ".join(VOCAB)))
    d.activate_search("all")

    def run(clip, folder):
        src, dst = os.path.join(folder, "in.wav"), os.path.join(folder, "out.raw")
        from voiceguide.audio.pcm import wav_bytes

        Path(src).write_bytes(wav_bytes(clip["samples"], clip["rate"]))
        subprocess.run(
            ["sox", src, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw", dst], check=True
        )
        t = time.process_time()
        d.start_utt()
        raw = Path(dst).read_bytes()
        if raw:
            d.process_raw(raw, full_utt=True)
        d.end_utt()
        h = d.hyp()
        return (h.hypstr if h else ""), time.process_time() - t

    return run


def classify(text, truth, expect):
    """correct / wrong / rejected for a decoded text against what was said ("" = nothing valid was)."""
    a = understand(text, expect)
    if a.intent == "unknown":
        return "rej"
    if not truth:
        return "wrong"
    t = understand(truth, expect)
    return "cor" if (a.intent, a.value) == (t.intent, t.value) else "wrong"


_DETAILS: dict[tuple, dict] = {}  # a real recording decoded at a kind of question, once per run


def details(c: dict, expect: str, rec) -> dict:
    """rec.details for a clip; a real person's recording (it has a file name) is decoded once per
    kind of question, so the enrollment tables reuse what the sets already decoded."""
    if "name" not in c:
        return rec.details(c["samples"], c["rate"], expect)
    key = (c["name"], c["text"], c["group"], expect)
    if key not in _DETAILS:
        _DETAILS[key] = rec.details(c["samples"], c["rate"], expect)
    return _DETAILS[key]


def measure(clips, expect, rec, base, folder):
    for c in clips:
        t = time.process_time()
        c["expect"] = expect
        c["info"] = details(c, expect, rec)
        decide_clip(c, rec)
        c["ms"] = (time.process_time() - t) * 1000
        c["base"], bt = base(c, folder)
        c["base_ms"] = bt * 1000


def decide_clip(c: dict, rec) -> None:
    """What a session does with a decoded clip at its question; at `any`, also what it does with
    the same words said while it plays (`between`, as `hear --expect between`): no session asks a
    question every answer fits, so `any` alone overstates what is acted on."""
    heard = rec.answer(c["info"], c["expect"])
    c["decision"] = at_question(heard, c["expect"])
    if c["expect"] == "any":
        c["playing"] = at_question(heard, "between")


BUCKETS = ("ac", "aw", "cc", "cw", "rej")


def bucket(c, accept, confirm, weights=None):
    """Which of the five outcomes a measured clip has at these thresholds."""
    info = c["info"]
    conf = info["confidence"] if weights is None else probability(info, weights)
    verdict = classify(info["text"], c["text"], c["expect"]) if info["ratio"] is not None else "rej"
    if verdict == "rej" or conf < confirm:
        return "rej"
    return ("a" if conf >= accept else "c") + ("c" if verdict == "cor" else "w")


def outcome(c, key="decision"):
    """act-right, act-wrong, confirm-right, confirm-wrong or reject: what a session would do
    (decision.at_question, the path `hear --json` and the player share; since 2026-12-05: before,
    decision.decide, which calls "confirm" answers a session acts on unread) against what was said.
    key "playing": what it would do with the same words said while it plays."""
    d = c[key]
    if d.action == "reject":
        return "rej"
    said = understand(c["text"], c["expect"]) if c["text"] else None
    right = said is not None and (said.intent, said.value) == (d.answer.intent, d.answer.value)
    return ("a" if d.action == "act" else "c") + ("c" if right else "w")


def decision_shares(clips, key="decision"):
    out = [outcome(c, key) for c in clips]
    n = max(1, len(out))
    return [100 * out.count(k) / n for k in BUCKETS]


def false_stops(clips, key="decision"):
    """% of clips in which no stop was said that a session would stop for (or ask "did you say stop?")."""
    said = [c for c in clips if meaning(c["text"])[0] != "stop"]
    hit = [c for c in said if c[key].action != "reject" and c[key].answer.intent == "stop"]
    return 100 * len(hit) / max(1, len(said))


def said_twice(groups, rec):
    """A stop asked again is said again (listen.StopAgain): per stop set, stops understood the first
    time and within two tries (the second try: the set's next stop in the same voice, asked
    about when both carry the stop hint; a missed stop whose voice said no other is left out of
    that share); per other set, the share of clips that would bring "did you
    say stop?" if said right after another hinted clip of its group, or if the same clip were said
    twice (the worst case: a word the listeners take for "stop" said again)."""
    from voiceguide.feedback.listen import StopAgain  # noqa: PLC0415

    def heard(c):
        return rec.answer(c["info"], c["expect"])

    def same_voice(a, b):  # (through a microphone, the group is the microphone)
        return (a.get("voice"), a["group"]) == (b.get("voice"), b["group"])

    def understood_stop(c):
        d = c["decision"]
        return d.action != "reject" and d.answer.intent == "stop"

    def asked_after(before, c):
        """Whether c, said right after `before`, brings a stop it would not bring alone."""
        rule = StopAgain()
        rule(heard(before), 0.0, before["expect"])
        d = decide(rule(heard(c), 2.0, c["expect"]), c["expect"])
        return d.action != "reject" and d.answer.intent == "stop" and not understood_stop(c)

    print("\n### The stop word said again (listen.StopAgain)\n")
    print("| set | clips | stops understood the first time | within two tries | other clips: asked about "
          "when said after a hinted one / said twice |")  # fmt: skip
    print("|---|---|---|---|---|")
    for title, clips, _ in groups:
        if not clips:
            continue
        stops = [c for c in clips if meaning(c["text"])[0] == "stop"]
        others = [c for c in clips if meaning(c["text"])[0] != "stop"]
        first = second = alone = 0
        for i, c in enumerate(stops):
            if understood_stop(c):
                first += 1
                continue
            nxt = next((d for d in stops[i + 1 :] + stops[:i] if same_voice(d, c)), None)
            alone += nxt is None
            second += nxt is not None and (understood_stop(nxt) or asked_after(c, nxt))
        after = twice = 0
        for i, c in enumerate(others):
            twice += asked_after(c, c)
            nxt = next((d for d in others[i + 1 :] if same_voice(d, c)), None)
            after += nxt is not None and asked_after(c, nxt)
        cells = (
            [f"{100 * first / len(stops):.1f}", f"{100 * (first + second) / max(1, len(stops) - alone):.1f}"]
            if stops
            else ["", ""]
        )
        tail = f"{100 * after / len(others):.1f} / {100 * twice / len(others):.1f}" if others else ""
        print(f"| {title} | {len(clips)} | {cells[0]} | {cells[1]} | {tail} |")


def shares(clips, accept, confirm, weights=None):
    out = [bucket(c, accept, confirm, weights) for c in clips]
    n = max(1, len(out))
    return [100 * out.count(k) / n for k in BUCKETS]


def baseline_shares(clips):
    out = [classify(c["base"], c["text"], c["expect"]) for c in clips]
    n = max(1, len(out))
    return [100 * out.count(k) / n for k in ("cor", "wrong", "rej")]


# -- fitting the confidence model ----------------------------------------------------


def probability(info, weights):
    values = recognise.features(info)
    if values is None:
        return 0.0
    return float(1 / (1 + np.exp(-(np.dot(values, weights[:-1]) + weights[-1]))))


def fit(clips, l2=0.01):
    """Logistic regression (Newton's method, a little L2) of correct vs wrong over decoded clips."""
    rows, labels = [], []
    for c in clips:
        values = recognise.features(c["info"])
        verdict = classify(c["info"]["text"], c["text"], c["expect"])
        if values is None or verdict == "rej":
            continue
        rows.append(values)
        labels.append(verdict == "cor")
    return logistic(np.array(rows), np.array(labels, float), l2)


def logistic(x, y, l2=0.01):
    """Weights (the bias last) of a logistic regression of y on the columns of x."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + l2 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


MAX_ACCEPTED_WRONG = 2.0  # % of the tuning answers acted on with the wrong meaning
MAX_OOV_ACCEPTED = 2.5  # % of the tuning OOV clips acted on (half the target: unseen voices do worse)
MAX_READ_BACK_WRONG = 10.0  # % of the tuning answers accepted or read back with the wrong meaning
MAX_OOV_READ_BACK = 25.0  # % of the tuning OOV clips accepted or read back (each costs a "no")


def thresholds(answers, oov, weights):
    """ACCEPT: the lowest at which both accepted-wrong limits hold; CONFIRM: the lowest below it at
    which both accepted-or-read-back limits hold."""
    grid = [round(float(t), 2) for t in np.arange(0.3, 1.0, 0.01)]
    accept = next(
        (
            t
            for t in grid
            if shares(answers, t, t, weights)[1] <= MAX_ACCEPTED_WRONG
            and shares(oov, t, t, weights)[1] <= MAX_OOV_ACCEPTED
        ),
        0.99,
    )
    confirm = accept
    for t in reversed([t for t in grid if t < accept]):
        s, o = shares(answers, accept, t, weights), shares(oov, accept, t, weights)
        if s[1] + s[3] > MAX_READ_BACK_WRONG or o[1] + o[3] > MAX_OOV_READ_BACK:
            break
        confirm = t
    return accept, confirm


def refit(answers, oov, human):
    w = fit(answers + oov)
    accept, confirm = thresholds(answers, oov, w)
    print("## Confidence model refitted on the tuning voices (paste into recognise.py)\n")
    print(f"FEATURES = {recognise.FEATURES}")
    print(f"WEIGHTS = {tuple(round(float(v), 2) for v in w[:-1])}\nBIAS = {round(float(w[-1]), 2)}")
    print(f"ACCEPT = {accept}\nCONFIRM = {confirm}\n")
    speakers = sorted({c["group"] for c in human})
    if len(speakers) == 6:
        res = []
        for train in itertools.combinations(speakers, 3):
            tr = [c for c in human if c["group"] in train]
            w2 = fit(tr + oov)
            a2, c2 = thresholds(tr, oov, w2)
            res.append(shares([c for c in human if c["group"] not in train], a2, c2, w2))
        r = np.mean(res, axis=0)
        print(
            "For comparison, fitted on 3 FSDD speakers (+ the synthetic OOV clips) and tested on the other 3 "
            "(20 splits, mean): "
            + " / ".join(f"{v:.1f}" for v in r)
            + " (accepted-correct / accepted-wrong / confirm-correct / confirm-wrong / rejected).\n"
        )


# -- report --------------------------------------------------------------------------


def row(name, clips):
    b = baseline_shares(clips)
    ours = decision_shares(clips)
    ms = [c["ms"] for c in clips] or [0]
    return (
        f"| {name} | {len(clips)} | {b[0]:.1f} / {b[1]:.1f} / {b[2]:.1f} | "
        + " | ".join(f"{v:.1f}" for v in ours)
        + f" | {ours[0] + ours[2]:.1f} | {false_stops(clips):.1f}"
        + f" | {np.mean(ms):.0f} / {np.percentile(ms, 95):.0f} |"
    )


def report(groups):
    print(
        f"# Recognition benchmark — {datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    print(
        f"voiceguide Recogniser + decision.at_question (ACCEPT = {recognise.ACCEPT}, "
        f"CONFIRM = {recognise.CONFIRM}; "
        f"stop word: acted on from {decision.STOP_ACT}, asked about from {decision.STOP_ASK}), % of clips: "
        'acted on and right (AR), acted on and wrong (AW), confirmed (read back or "did you say stop?") '
        "and right (CR), confirmed and wrong (CW), rejected = asked again (R); understood = AR + CR; false "
        "stops: clips with no stop in them that a session would stop for or ask about. Baseline: plain "
        "pocketsphinx JSGF grammar with every word, defaults, sox upsampling — correct / wrong / rejected. "
        "Time per answer: decoding, confidence, the stop detector and the word network, CPU ms mean / p95.\n"
    )
    for title, clips, key in groups:
        print(f"\n### {title}\n")
        if not clips:  # an engine's sets when it is missing: say so rather than print a row of zeros
            need = "none made"
            if "flite" in title:
                need = "this set needs flite, `apt-get install flite`"
            elif "Festival" in title:
                need = "this set needs `apt-get install festival festvox-czech-krb festvox-suopuhe-lj`"
            print(f"(no clips: {need})")
            continue
        print(
            "| group | clips | baseline C / W / R | AR | AW | CR | CW | R | understood "
            "| false stops | CPU ms |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        print(row("**all**", clips))
        if key:
            for g in sorted({c["group"] for c in clips}):
                print(row(f"&nbsp;&nbsp;{g}", [c for c in clips if c["group"] == g]))
    while_playing(groups)
    base_ms = np.mean([c["base_ms"] for title, clips, _ in groups for c in clips if "base_ms" in c])
    print(f"\nBaseline decode CPU {base_ms:.0f} ms/clip.")
    print(
        "Targets (issue 16): human digits understood >= 80 %, acted on wrongly <= 2 %; unseen synthetic "
        "voices understood >= 80 %; OOV acted on <= 3 %; stop word understood >= 98 % in unseen voices; "
        "false stops <= 1 %."
    )


def decided_again(groups, rec, net=None, word_net=None):
    """The same clips, already decoded, decided again: both listeners beside the decoder asked
    again (with `net`, another stop detector; with `word_net`, another word listener's head) under
    recognise's values as they are now."""
    out = []
    for title, clips, per_voice in groups:
        other = []
        for c in clips:
            o = dict(c)
            if "stop_chance" in c["info"]:  # through the speech gate: both listeners heard it
                decoded = {k: v for k, v in c["info"].items() if k not in ("stop_chance", "words")}
                # as Recogniser.details hears it: a voice cut flat drawn again (without it, one man's
                # clipped takes were heard otherwise here than in the run: his other words
                # "understood" 55.7 -> 48.7 % with nothing but the decision changed, 2026-12-06)
                x = declip.restore(stopword.mono(c["samples"]))
                o["info"] = rec.listen_beside(decoded, x, c["rate"], stop_net=net, word_net=word_net)
                decide_clip(o, rec)
            other.append(o)
        out.append((title, other, per_voice))
    return out


def compared(groups, other) -> None:
    """Understood, acted on wrongly and false stops: each group as run -> decided again; for the
    groups asked at `any`, also acted on wrongly and false stops while a session plays."""
    print("| group | clips | understood | acted on wrongly | false stops | while it plays: acted on "
          "right / wrongly / false stops |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for (title, clips, _), (_, again, _) in zip(groups, other, strict=True):
        a, b = decision_shares(clips), decision_shares(again)
        playing = ""
        if playing_set(clips):
            pa, pb = decision_shares(clips, "playing"), decision_shares(again, "playing")
            playing = (
                f"{pa[0]:.1f} -> {pb[0]:.1f} / {pa[1]:.1f} -> {pb[1]:.1f} / "
                f"{false_stops(clips, 'playing'):.1f} -> {false_stops(again, 'playing'):.1f}"
            )
        print(
            f"| {title} | {len(clips)} | {a[0] + a[2]:.1f} -> {b[0] + b[2]:.1f} | {a[1]:.1f} -> {b[1]:.1f} "
            f"| {false_stops(clips):.1f} -> {false_stops(again):.1f} | {playing} |"
        )


def playing_set(clips) -> bool:
    """A set asked at `any` only: its words are also decided as said while a session plays."""
    return bool(clips) and all("playing" in c for c in clips)


def while_playing(groups) -> None:
    """The sets asked at `any`, decided again as a playing session decides what is said between its
    questions (decision.set_aside_between_questions): the figures a session's listener meets."""
    sets = [(title, clips) for title, clips, _ in groups if playing_set(clips)]
    if not sets:
        return
    print("\n### The same words said while a session plays (`--expect between`)\n")
    print(
        "The sets asked at `any` above, decided again as `voiceguide hear --expect between`: between "
        "its questions a session sets aside all but a stop or symptom word and a pause, continue or "
        'repeat it is sure of. AR / AW: acted on right / wrongly; CR / CW: asked about ("did you say '
        'stop?", "did you say numb?") right / wrongly; set aside; false stops as above.\n'
    )
    print("| set | clips | AR | AW | CR | CW | set aside | false stops |")
    print("|---|---|---|---|---|---|---|---|")
    for title, clips in sets:
        cells = " | ".join(f"{v:.1f}" for v in decision_shares(clips, "playing"))
        print(f"| {title} | {len(clips)} | {cells} | {false_stops(clips, 'playing'):.1f} |")


def other_stop_model(groups, rec, path):
    """The same clips with another stop detector beside the decoder (a new fit against the shipped
    one in one run)."""
    print(f"\n### Another stop detector on the same clips: shipped -> {path}\n")
    compared(groups, again := decided_again(groups, rec, stopword.load(Path(path))))
    said_twice(again, rec)


def other_word_model(groups, rec, path, dump_to=None):
    """The same clips with another word listener beside the decoder (a new head against the shipped
    one in one run); with dump_to, each clip as decided with it, for dump_breakdown.py."""
    print(f"\n### Another word listener on the same clips: shipped -> {path}\n")
    compared(groups, again := decided_again(groups, rec, word_net=wordnet.WordNet.load(Path(path))))
    said_twice(again, rec)
    if dump_to:
        dump(again, dump_to)


def word_model_dump(dump_path: str | None, model: str) -> str | None:
    """Where --dump's clips go as decided with another word listener: beside the run's own dump."""
    if not dump_path:
        return None
    base = Path(dump_path)
    return str(base.with_name(f"{base.stem}.{Path(model).stem}{base.suffix}"))


@contextlib.contextmanager
def changed(module, **values):
    """`module`'s values changed for the duration (a rule or a level tried on clips already
    measured; try_rules.py and choose_stop_levels.py use it too)."""
    before = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(module, name, value)


def level_module(name: str):
    """The module a level tried (--try) lives in: feedback.recognise, else feedback.stopword."""
    return next((m for m in (recognise, stopword) if name.isupper() and hasattr(m, name)), None)


def tried(items: list[str]) -> dict[str, float]:
    """--try NAME=VALUE... as {name: value}, checked before anything is decoded."""
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or level_module(name) is None:
            sys.exit(f"--try {item}: give NAME=VALUE, NAME a level in feedback.recognise or stopword")
        out[name] = number
    return out


@contextlib.contextmanager
def levels_changed(changes: dict[str, float]):
    """Levels of recognise or stopword changed for the duration (--try)."""
    with contextlib.ExitStack() as stack:
        for name, value in changes.items():
            stack.enter_context(changed(level_module(name), **{name: value}))
        yield


def tried_values(groups, rec, changes: dict[str, float]) -> None:
    """The same clips decided again with levels changed (--try), and the stop word said again under
    them: how a level chosen elsewhere does on these sets."""
    shown = ", ".join(f"{n} {getattr(level_module(n), n)} -> {v}" for n, v in changes.items())
    print(f"\n### Values tried on the same clips: {shown}\n")
    with levels_changed(changes):
        compared(groups, again := decided_again(groups, rec))
        said_twice(again, rec)


def dump(groups, path):
    """One JSON line per clip and group: what was said, the question, what the recogniser measured
    and what a session would do. Decision rules can then be studied without decoding again."""
    with open(path, "w") as f:
        for title, clips, _ in groups:
            for c in clips:
                d = c["decision"]
                row = {"set": title, "group": c["group"], "text": c["text"], "expect": c["expect"],
                       "info": c["info"], "action": d.action, "answer": d.answer.text,
                       "intent": d.answer.intent, "value": d.answer.value,
                       "take": c.get("index")}  # fmt: skip
                f.write(json.dumps(row) + "\n")


def main():
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(root.parent / "shared" / "data" / "fsdd-tune"))
    ap.add_argument("--quick", action="store_true", help="fewer clips (for a smoke run)")
    ap.add_argument("--person", help=f"one real person's recordings, a folder per word ({PERSON_SOURCE})")
    ap.add_argument("--person-only", action="store_true", help="with --person: only the real person's sets")
    ap.add_argument("--commands", help=f"many people's single words ({COMMANDS_SOURCE})")
    ap.add_argument("--commands-only", action="store_true", help="with --commands: only their sets")
    ap.add_argument("--enrollment", action="store_true", help="only the enrolled-speaker benchmark (issue 8)")
    ap.add_argument("--cache", help="keep synthesised clips in this folder between runs")
    ap.add_argument("--fit", action="store_true", help="refit the confidence model on the tuning voices")
    ap.add_argument(
        "--dump",
        help="write each clip's measurements to this JSON lines file (with --fit, the tuning voices too)",
    )
    ap.add_argument(
        "--fit-synthetic",
        action="store_true",
        help="with --enrollment: fit the template-match confidence on synthetic persons only",
    )
    ap.add_argument(
        "--stop-model", action="append", help="also weigh this stop detector (npz) on the same decoded clips"
    )
    ap.add_argument(
        "--word-model",
        action="append",
        help="also weigh this word listener's head (npz) on the same decoded clips (with --dump, "
        "their decisions are dumped beside, as DUMP.<model>.jsonl)",
    )
    ap.add_argument(
        "--try",
        dest="tried",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="also decide the same clips with this level of feedback.recognise or stopword changed",
    )
    ap.add_argument(
        "--decoys",
        type=int,
        default=0,
        help="N decoy words per answer in every grammar (scripts/try_decoys.py's rule; not shipped)",
    )
    args = ap.parse_args()
    args.tried = tried(args.tried)
    if args.decoys:  # before any Recogniser compiles its grammars
        import try_decoys  # noqa: PLC0415 (beside this script; it imports this module too)

        recognise.grammar = try_decoys.with_decoys(try_decoys.decoys(args.decoys))
    if args.enrollment:
        enrollment_main(args)
        return
    rec = Recogniser()
    if args.person_only or args.commands_only:
        with tempfile.TemporaryDirectory() as tmp:
            base = plain_baseline()
            groups = person_sets(args.person or "", rec, base, tmp) if args.person_only else []
            groups += commands_sets(args.commands or "", rec, base, tmp) if args.commands_only else []
        report(groups)
        said_twice(groups, rec)
        for path in args.stop_model or []:
            other_stop_model(groups, rec, path)
        for path in args.word_model or []:
            other_word_model(groups, rec, path, word_model_dump(args.dump, path))
        if args.tried:
            tried_values(groups, rec, args.tried)
        if args.person_only:
            person_enrollment(args.person or "", rec)
        if args.commands_only:
            commands_enrollment(args.commands or "", rec)
        if args.dump:
            dump(groups, args.dump)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.cache or tmp
        os.makedirs(folder, exist_ok=True)
        base = plain_baseline()
        texts = VOCAB + CARRIERS
        numbers = DIGITS + ["ten"]
        tune_v, test_v = (TUNE_VOICES[:3], TEST_VOICES[:3]) if args.quick else (TUNE_VOICES, TEST_VOICES)
        syn_test = synthetic(texts, test_v, folder, 2)
        engine = unseen_engine(texts * 2, folder, 50)
        engine_stop = unseen_engine(STOP_PHRASES * 4, folder, 51) + unseen_engine(NEAR_MISSES * 2, folder, 52)
        fest_stop = [
            clip
            for i, voice in enumerate(festival_voices())
            for clip in unseen_engine(STOP_PHRASES * 2, folder, 54 + i, voice, "festival")
            + unseen_engine(NEAR_MISSES, folder, 56 + i, voice, "festival")
        ]
        oov_test = synthetic(OOV_WORDS[1::2] + OOV_SENTENCES[1::2], test_v[:4], folder, 4)
        oov_num = [dict(c) for c in oov_test]
        noise = noise_clips(5)
        for clips in (syn_test, oov_test, noise, engine, engine_stop, fest_stop):
            measure(clips, "any", rec, base, tmp)
        measure(oov_num, "number", rec, base, tmp)
        # asking for a pause or a repeat at a pain question (below ACCEPT, "Did you ask to pause?"
        # since 2026-12-05: decision.at_question), plain and through the microphones
        flow_num = synthetic(["pause", "repeat", "continue", "again"] * 2, test_v, folder, 13)
        flow_num += through_microphones(flow_num[::2])
        measure(flow_num, "number", rec, base, tmp)
        # the same at a pressure question (with skip and next) and at a yes/no question: asked about
        # below ACCEPT there too since 2026-12-05 (decision.ASKED_ABOUT)
        flow_at = {}
        for seed, (expect, extra) in enumerate((("pressure", ["skip", "next"]), ("yesno", [])), 14):
            clips = synthetic(["pause", "repeat", "continue", "again", *extra] * 2, test_v, folder, seed)
            clips += through_microphones(clips[::2])
            measure(clips, expect, rec, base, tmp)
            flow_at[expect] = clips
        # the replies to a yes/no question ("would you like to go on gently?" after a stop)
        yes_no = synthetic(["yes", "okay", "yes please", "go on", "no", "no thanks"] * 2, test_v, folder, 16)
        yes_no += through_microphones(yes_no[::2])
        yes_no += unseen_engine(["yes", "okay", "no", "go on"] * 3, folder, 17)
        measure(yes_no, "yesno", rec, base, tmp)
        mic_stops = through_microphones(
            synthetic(STOP_PHRASES, test_v, folder, 24) + unseen_engine(STOP_PHRASES * 2, folder, 53)
        )
        mic_near = through_microphones(synthetic(NEAR_MISSES, test_v[:4], folder, 44))
        mic_oov = through_microphones([dict(c) for c in oov_test])
        mic_vocab = through_microphones(syn_test[::4])
        for clips in (mic_stops, mic_near, mic_oov, mic_vocab):
            measure(clips, "any", rec, base, tmp)
        stops = {}
        for i, expect in enumerate(("any", "number", "pressure", "yesno")):
            clips = synthetic(STOP_PHRASES, test_v, folder, 20 + i)
            clips += narrowband(synthetic(STOP_PHRASES, test_v, folder, 30 + i))
            near = synthetic(NEAR_MISSES, test_v, folder, 40 + i)
            measure(clips + near, expect, rec, base, tmp)
            for c in clips + near:
                c["group"] = f"{c['group']}, {'stop' if c in clips else 'near miss'}"
            stops[expect] = (clips, near)
        answers, oov, tune_stops, tune_mics = [], [], [], []
        if args.fit:
            parts = [
                (synthetic(texts, tune_v, folder, 1), "any", answers),
                (synthetic(OOV_WORDS[::2] + OOV_SENTENCES[::2], tune_v[:4], folder, 3), "any", oov),
                (narrowband(synthetic(numbers * 3, tune_v, folder, 6)), "number", answers),
                (
                    narrowband(synthetic(OOV_WORDS[::2] + OOV_SENTENCES[::2], tune_v[4:], folder, 7)),
                    "number",
                    oov,
                ),
            ]
            for clips, expect, into in parts:
                measure(clips, expect, rec, base, tmp)
                into += clips
            for i, expect in enumerate(("any", "number", "pressure", "yesno")):  # to choose stop rules on
                clips = synthetic(STOP_PHRASES, tune_v, folder, 60 + i)
                clips += narrowband(synthetic(STOP_PHRASES, tune_v, folder, 70 + i))
                clips += synthetic(NEAR_MISSES, tune_v, folder, 80 + i)
                measure(clips, expect, rec, base, tmp)
                tune_stops += clips
            for i, expect in enumerate(("any", "number")):
                clips = synthetic(TUNING_RHYMES, tune_v, folder, 90 + i)
                clips = clips if expect == "any" else narrowband(clips)
                measure(clips, expect, rec, base, tmp)
                tune_stops += clips
            # the tuning voices through the five microphones, apart (rules for stops missed there)
            tune_mics = through_microphones(
                synthetic(STOP_PHRASES, tune_v, folder, 65)
                + synthetic(NEAR_MISSES, tune_v[:4], folder, 85)
                + [dict(c) for c in answers if c["expect"] == "any"][::4]
            )
            measure(tune_mics, "any", rec, base, tmp)
        human = []
        if os.path.isdir(args.data) and glob.glob(os.path.join(args.data, "*.wav")):
            human = fsdd(args.data)
            if args.quick:
                human = [c for i, c in enumerate(human) if i % 5 == 0]
            measure(human, "number", rec, base, tmp)
        else:
            print(
                f"(No human digits at {args.data}: get the Free Spoken Digit Dataset from "
                "https://github.com/Jakobovski/free-spoken-digit-dataset (CC BY-SA 4.0) and pass --data; "
                "synthetic part only.)\n"
            )
        person = person_sets(args.person, rec, base, tmp) if args.person else []
        person += commands_sets(args.commands, rec, base, tmp) if args.commands else []
    if args.fit:
        refit(answers, oov, human)
    stop_groups = []
    for expect, (clips, near) in stops.items():
        stop_groups.append((f"stop word, unseen voices, --expect {expect}", clips, False))
        stop_groups.append(
            (f"near misses (top, stock, shop...), unseen voices, --expect {expect}", near, False)
        )
    groups = stop_groups + [
        ("FSDD human digits, --expect number", human, True),
        (
            "FSDD human digits, takes 7-9 only (no rule was chosen on them), --expect number",
            [c for c in human if c["index"] >= 7],
            True,
        ),
        ("synthetic vocabulary, unseen voices, --expect any", syn_test, True),
        ("synthetic vocabulary, flite slt (an engine no network heard), --expect any", engine, False),
        *stop_and_near("flite slt", engine_stop, False),
        *stop_and_near("Festival voices no network heard", fest_stop, True),  # a Czech boy, a Finnish woman
        ("OOV words + sentences, unseen voices, --expect any", oov_test, False),
        ("OOV words + sentences, unseen voices, --expect number", oov_num, False),
        ("pause, repeat, continue, again, unseen voices and microphones, --expect number", flow_num, False),
        (
            "pause, repeat, continue, again, skip, next, unseen voices and microphones, --expect pressure",
            flow_at["pressure"],
            False,
        ),
        (
            "pause, repeat, continue, again, unseen voices and microphones, --expect yesno",
            flow_at["yesno"],
            False,
        ),
        ("yes, okay, go on, no, unseen voices, microphones and flite slt, --expect yesno", yes_no, False),
        ("noise only, --expect any", noise, True),
        ("stop word through five microphones, unseen voices and flite slt, --expect any", mic_stops, True),
        ("near misses through five microphones, unseen voices, --expect any", mic_near, True),
        ("OOV words + sentences through five microphones, unseen voices, --expect any", mic_oov, True),
        ("synthetic vocabulary through five microphones, unseen voices, --expect any", mic_vocab, True),
        *person,
    ]
    report(groups)
    said_twice(groups, rec)
    for path in args.stop_model or []:
        other_stop_model(groups, rec, path)
    for path in args.word_model or []:
        other_word_model(groups, rec, path, word_model_dump(args.dump, path))
    if args.tried:
        tried_values(groups, rec, args.tried)
    if args.person:
        person_enrollment(args.person, rec)
    if args.commands:
        commands_enrollment(args.commands, rec)
    if args.dump:  # with --fit, the tuning voices' clips too (to choose rules on them, not on the above)
        tuning = [
            ("tuning voices (the --fit sets)", answers + oov + tune_stops, False),
            ("tuning voices through five microphones", tune_mics, False),
        ]
        tuning = tuning if args.fit else []
        dump(groups + tuning, args.dump)
    if human:
        for c in human + oov_test + oov_num + noise:
            heard_plain(c, c["info"], rec)
        held_apart(
            human,
            held_apart_models(human, rec),
            [
                ("OOV words + sentences, unseen voices, --expect any", oov_test),
                ("OOV words + sentences, unseen voices, --expect number", oov_num),
                ("noise only, --expect any", noise),
            ],
        )


# --- enrollment (issue 8): the person's own takes in front of the speaker-independent recogniser ---------
#
# How the method was chosen (FSDD, each speaker enrolled with takes 0-2 of each digit, the other 7 takes
# recognised; "nearest" = the nearest template's word, nothing rejected; george jackson lucas nicolas theo
# yweweler):
#
# | method | per speaker |
# |---|---|
# | speaker-independent Recogniser alone, correct/wrong % | 43/4 36/0 33/1 1/0 19/4 60/4 |
# | MFCC c0-c12 + deltas, per-word mean normalisation, DTW, nearest % | 100 98.6 100 84.3 100 92.9 |
# | same + log-mel floor 40 dB below the loudest band | 100 98.6 100 87.1 100 95.7 |
# | same + per-person variance normalisation | 100 93 100 84 100 97 |
# | two or three feature sets, distances summed | mean 96.2-96.7 %, no gain |
# | c1-c12 + deltas, no mean normalisation, floor 50 dB (chosen) | 100 98.6 100 91.4 100 95.7 |
# | chosen, takes spread out (1, 5, 9) instead of 0-2 | 99 100 100 97 99 96 |
#
# Rejection (the person's own other words are the hard case: espeak-ng voices enrolled with 13 words, then
# 40 near-miss and other words in the same voice; the decoder alone accepts 2 % of them):
#
# | rule on top of the nearest template | worst speaker correct | same-voice OOV accepted |
# |---|---|---|
# | distance + margin to the next word (relative to the person's scale) | 73 % | 25-28 % |
# | same + the decoder's confidence >= 0.1 | 23 % | 10 % |
# | same + worst 50 ms stretch of the alignment (chosen) | 76 % | 5-8 % |
# | worst stretch on 30 dB-floor features (noise-robust) | 77 % | 10 % |
# | worst stretch against the best-aligned take of the word | 76 % | 8-10 % |
#
# Then (chosen): quiet answers that the decoder's level gate refuses still matched against the person's
# takes: FSDD theo 90 -> 96 %, yweweler 91 -> 94 %, noise still 0 % accepted.
#
# Then (2026-11-26, same data, nearest-template accuracy per speaker for takes 0-2 | 0,4,8 | 1,5,9, mean):
# nothing below beat the chosen features (mean 98.25 %, worst 91.4 % nicolas, whose clips are 0.14-0.47 s
# at about 20 dB SNR), so the features stay:
#
# | variant | mean | worst |
# |---|---|---|
# | templates also at 0.92x and 1.08x speed (or 0.9-1.1 in four steps) | 98.0-98.25 | 88.6-90.0 |
# | log-mel floor 30, 40, 60 dB; floor at a noise estimate (10-20th pct per band) | 96.9-98.1 | 88.6-91.4 |
# | 17 cepstra (24 or 32 bands); double deltas; delta of c0; trim at 25 or 45 dB | 98.0-98.6 | 88.6-91.4 |
# | per-person weights (between-word / within-word variance along DTW paths) | 98.2 | 92.9 |
# | mean of the two nearest takes instead of the nearest | 98.25 | 92.9 |
#
# What moved the figures was the decision on top of the nearest word:
# - The templates' confidence is a logistic over (distance, ratio, worst stretch, how many of the 3 nearest
#   takes are that word, the decoder's guess agrees), fitted then with --fit on FSDD (each speaker left
#   out in the printed check); since 2026-12-02 fitted on synthetic persons only (--fit-synthetic).
#   Before, a template answer got 0.5 + a ratio term: almost every enrolled answer was
#   read back ("I heard seven - is that right?"); now 53-86 % per FSDD speaker are acted on at once,
#   none wrongly.
# - A runner-up with no warping path (length more than twice as different) counted as a clear win
#   (ratio 0): every such match in the tuning data was wrong (noise, other voices). Now ratio 1.
# - When the templates are unsure and the decoder is sure (its ACCEPT), the decoder's answer stands:
#   +0-4 points per speaker, no more wrong, OOV and noise unchanged.
# - Letting the logistic also admit matches the rules reject (P >= 0.3-0.5 within looser limits) gave
#   +1-6 points but acted on the person's own near-miss words 2-3 times as often: not taken.
#
# - Templates growing during use (a read-back answered "yes" kept as a take, up to 6 per word): nicolas
#   75.7 -> 78.6 %, the others 0-1.5 points; not worth carrying answers' audio out of the recogniser.
#
# The person's pronunciations in the decoder's dictionary: a free phone loop over nicolas's takes gives
# one or two phones per word ("UW" for zero, two and three alike), nothing to add to a dictionary. MLLR
# adaptation: the shipped en-us model has no mixture_weights (only sendump), which sphinxtrain's bw needs.


def enrollment_outcome(c, key):
    """acted on at once (a) or read back first (c), correct (c) or wrong (w); or rejected (rej).

    As the session treats a rating: acted on from the recogniser's ACCEPT up, read back
    below it; a stop or symptom word is acted on at any confidence.
    """
    a = c[key]
    if a.intent == "unknown":
        return "rej"
    t = understand(c["text"], c["expect"]) if c["text"] else None
    right = t is not None and (a.intent, a.value) == (t.intent, t.value)
    at_once = a.confidence >= recognise.ACCEPT or a.intent in ("stop", "symptom")
    return ("a" if at_once else "c") + ("c" if right else "w")


def enrollment_rates(clips, key):
    """% of clips: [acted-correct, acted-wrong, read-back-correct, read-back-wrong, rejected]."""
    out = [enrollment_outcome(c, key) for c in clips]
    n = max(1, len(out))
    return [100 * out.count(k) / n for k in BUCKETS]


def enrollment_row(name, clips, si_key="si", en_key="en", reask=False):
    """Per recogniser: correct in all (acted + read back) / wrong in all, then the five outcomes.

    reask: also the enrolled figure when a rejected answer is asked again once, the second
    answer being the same speaker's next recording of the same word.
    """

    def cell(r):
        return f"**{r[0] + r[2]:.1f}** / {r[1] + r[3]:.1f} ({' · '.join(f'{v:.1f}' for v in r)})"

    si, en = enrollment_rates(clips, si_key), enrollment_rates(clips, en_key)
    again = ""
    if reask:
        out = asked_again(clips, en_key)
        n = max(1, len(out))
        again = (
            f"{100 * sum(o[1] == 'c' for o in out) / n:.1f} / {100 * sum(o[1] == 'w' for o in out) / n:.1f}"
        )
    return f"| {name} | {len(clips)} | {cell(si)} | {cell(en)} | {again} |"


def asked_again(clips, key):
    """Each clip's outcome when a rejection is followed by the next recording of that word."""
    by_word = {}
    for c in sorted(clips, key=lambda c: (c["group"], c["text"], c.get("index", 0))):
        by_word.setdefault((c["group"], c["text"]), []).append(c)
    out = []
    for same in by_word.values():
        for i, c in enumerate(same):
            first = enrollment_outcome(c, key)
            out.append(
                first
                if first != "rej" or len(same) < 2
                else enrollment_outcome(same[(i + 1) % len(same)], key)
            )
    return out


TABLE_HEAD = (
    "| set | clips | (a) speaker-independent | (b) enrolled | (b) correct / wrong, asked again once |\n"
    "|---|---|---|---|---|"
)


def hear_all(clips, rec, expect):
    """The speaker-independent answer for each clip, once (the enrolled answers reuse it)."""
    for c in clips:
        c["expect"] = expect
        t = time.perf_counter()
        heard_plain(c, rec.details(c["samples"], c["rate"], expect), rec)
        c["si_ms"] = (time.perf_counter() - t) * 1000


def heard_plain(c: dict, info: dict, rec) -> None:
    """The plain recogniser's answer to clip `c` ("si"), and its word listener's probabilities
    ("words"), which enroll.combine weighs beside the person's takes."""
    c["si"], c["words"] = rec.answer(info, c["expect"]), info.get("words")


def hear_enrolled(clips, model, key="en", weights=None):
    """What the enrolled recogniser answers, from the stored speaker-independent answer + the templates.

    weights: the template-match confidence's (MATCH_WEIGHTS + bias), None for the shipped ones."""
    from voiceguide.feedback.enroll import EnrolledRecogniser, combine

    matcher = EnrolledRecogniser(model, base=object())  # the base is not called here: its answer is stored
    for c in clips:
        t = time.perf_counter()
        match = matcher.match(c["samples"], c["rate"])
        c[key] = combine(match, c["si"], c["expect"], weights, c.get("words"))
        c[key + "_ms"] = (time.perf_counter() - t) * 1000
        c[key + "_match"] = match


# Held apart (issue 16): each FSDD speaker is enrolled with takes 0-2; takes 3-6 are the only ones any
# tuning sees (the rules of enroll.combine; --enrollment --fit, for comparison only); figures are
# reported on takes 7-9 only, which nothing else uses.
ENROLL_TAKES, TUNE_TAKES, REPORT_TAKES = (0, 1, 2), (3, 4, 5, 6), (7, 8, 9)
HELD_HEAD = (
    "| set | clips | plain: **understood** / acted on wrongly / read back wrongly / asked again "
    "| enrolled: **understood** / acted on wrongly / read back wrongly / asked again |\n|---|---|---|---|"
)


def session_outcome(answer, text, expect):
    """ac / aw / cc / cw / rej: what a session does with `answer` (decision.at_question) against what was
    said."""
    d = at_question(answer, expect)
    if d.action == "reject":
        return "rej"
    said = understand(text, expect) if text else None
    right = said is not None and (said.intent, said.value) == (d.answer.intent, d.answer.value)
    return ("a" if d.action == "act" else "c") + ("c" if right else "w")


def held_row(name, clips):
    """One table row: the plain recogniser's and the enrolled recogniser's session outcomes, in %."""

    def cell(key):
        out = [session_outcome(c[key], c["text"], c["expect"]) for c in clips]
        r = {k: 100 * out.count(k) / max(1, len(out)) for k in BUCKETS}
        return f"**{r['ac'] + r['cc']:.1f}** / {r['aw']:.1f} / {r['cw']:.1f} / {r['rej']:.1f}"

    return f"| {name} | {len(clips)} | {cell('si')} | {cell('en')} |"


def held_apart_models(human, rec):
    """Each speaker's model from takes 0-2 (checked as `voice enroll --from` does); how many were refused."""
    models = {}
    for spk in sorted({c["group"] for c in human}):
        enr = [c for c in human if c["group"] == spk and c["index"] in ENROLL_TAKES]
        model, reports = enroll_takes([(c["name"], c["samples"], c["rate"]) for c in enr], rec)
        models[spk] = (model, sum(not r.ok for r in reports))
    return models


def held_apart(human, models, others, weights=None, label="shipped template confidence"):
    """Print the per-speaker table on takes 7-9; `others`: (name, clips) of OOV words and noise, heard with
    each speaker's model (every answer to them is wrong). Clips carry "si" (the plain answer) and "expect"."""
    print(f"\n### Enrollment held apart: enrolled on takes 0-2, reported on takes 7-9 only ({label})\n")
    print(HELD_HEAD)
    own_all, other_all = [], []
    extra = {name: [] for name, _ in others}
    for spk, (model, refused) in models.items():
        test = [dict(c) for c in human if c["group"] == spk and c["index"] in REPORT_TAKES]
        hear_enrolled(test, model, weights=weights)
        own_all += test
        print(held_row(f"FSDD {spk} (takes refused: {refused})", test))
        other = [dict(c) for c in human if c["group"] != spk and c["index"] in REPORT_TAKES]
        hear_enrolled(other, model, weights=weights)
        other_all += other
        for name, clips in others:
            sub = [dict(c) for c in clips]
            hear_enrolled(sub, model, weights=weights)
            extra[name] += sub
    print(held_row("FSDD all speakers", own_all))
    print(held_row("the other speakers' takes 7-9, with someone else's enrollment", other_all))
    for name, clips in extra.items():
        print(held_row(f"{name}, with each speaker's enrollment", clips))
    print(
        "\nTargets (issue 16): enrolled, per speaker, understood >= 95 %, wrong <= 2 %; OOV words and noise "
        "not accepted more often than without enrollment."
    )


FIRST = (0, 1, 2)  # the takes enrolled in the first table


def matched_right(c):
    """The person's templates' nearest word is what they said."""
    return c["en_match"] is not None and c["en_match"]["word"] == c["text"]


def without_word(model, word):
    """The model with one word's takes taken out (the person's own near-miss words, for fitting)."""
    from voiceguide.feedback.enroll import EnrolledRecogniser, VoiceModel

    keep = [i for i, w in enumerate(model.labels) if w != word]
    sub = VoiceModel([model.labels[i] for i in keep], [model.feats[i] for i in keep])
    sub.reference, sub.peak_reference = model.reference, model.peak_reference
    if model.prints is not None:
        sub.prints, sub.print_reference, sub.head = model.prints[keep], model.print_reference, model.head
    return EnrolledRecogniser(sub, base=object())


def fit_enrolled(examples, title="refitted on FSDD takes 3-6 + espeak-ng"):
    """The template-match confidence refitted, and the figures with each group left out of the fit.

    examples: (group, clip, key, label); label True when the matched word is what was said.
    """
    from voiceguide.feedback.enroll import combine, match_inputs
    from voiceguide.feedback.intents import meaning

    def inputs(c, key):
        m = c[key + "_match"]
        return match_inputs(m, meaning(c["si"].text) == meaning(m["word"]))

    usable = [e for e in examples if e[1].get(e[2] + "_match") is not None]
    x = np.array([inputs(c, key) for _, c, key, _ in usable])
    y = np.array([label for *_, label in usable], float)
    groups = np.array([g for g, *_ in usable])
    w = logistic(x, y, l2=0.1)
    print(f"## Template-match confidence {title} (paste into enroll.py)\n")
    print(f"MATCH_WEIGHTS = {tuple(round(float(v), 2) for v in w[:-1])}")
    print(f"MATCH_BIAS = {round(float(w[-1]), 2)}\n")
    print(
        f"Fitted on {int(y.sum())} right and {int(len(y) - y.sum())} wrong matches. With each group left "
        "out of the fit and tested on its own clips (FSDD: enrolled with takes 0-2; --expect number for "
        "numbers):\n"
    )
    print(TABLE_HEAD)
    for g in sorted(set(groups)):
        held_out = tuple(float(v) for v in logistic(x[groups != g], y[groups != g], l2=0.1))
        clips = [
            c for gg, c, key, _ in examples if gg == g and key == "en" and c.get("picks", FIRST) == FIRST
        ]
        for c in clips:
            c["loso"] = combine(c["en_match"], c["si"], c["expect"], held_out, c.get("words"))
        said = [c for c in clips if c["text"] in ENROLLED_BENCH_WORDS]
        other = [c for c in clips if c["text"] not in ENROLLED_BENCH_WORDS]
        print(enrollment_row(f"{g}, weights fitted without it", said, en_key="loso", reask=True))
        if other:
            print(enrollment_row(f"{g}: its OOV words — accepted = wrong", other, en_key="loso"))
    print()
    return tuple(float(v) for v in w)


def enroll_takes(takes, rec=None):
    """Checks + model from (file name, samples, rate) takes, as `voice enroll --from` does."""
    from voiceguide.feedback.enroll import VoiceModel, check_recordings

    reports = check_recordings(takes, rec)
    good = [(r.word, s, sr) for r, (_, s, sr) in zip(reports, takes, strict=True) if r.ok]
    return VoiceModel.build(good), reports


def synthetic_speaker(voice, folder, seed, texts, per_text, rates=(130, 200), pitch=(35, 65)):
    """One espeak-ng voice as a person: each text said at varied speed, pitch, level and noise."""
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    clips = []
    for text in texts:
        for _ in range(per_text):
            path = os.path.join(folder, "spk.wav")
            subprocess.run(
                [
                    "espeak-ng",
                    "-v",
                    voice,
                    "-s",
                    str(rng.randint(*rates)),
                    "-p",
                    str(rng.randint(*pitch)),
                    "-w",
                    path,
                    text,
                ],
                check=True,
                capture_output=True,
            )
            s, r = decode_wav(Path(path).read_bytes())
            kind, snr = rng.choice([("clean", None), ("white", 30), ("pink", 25), ("pink", 20)])
            clips.append(
                {
                    "text": text,
                    "group": voice,
                    "samples": condition(s, r, rng.uniform(-12, 0), kind, snr, nrng),
                    "rate": r,
                }
            )
    return clips


# The template-match confidence fitted on synthetic persons only (issue 16: ship nothing built from the
# FSDD recordings, which are only measured). A person is an espeak-ng accent + voice variant with their own
# pitch, speed, loudness and room (noise, reverberation, for some a telephone-band microphone); each take
# varies a little around that. Accents are the tuning voices' own; neither the benchmark's unseen
# TEST_VOICES nor their variants (f4, m3, f5) are used.
PERSON_ACCENTS = ("en-us", "en-gb", "en-gb-x-rp")
PERSON_VARIANTS = (
    "m1", "m2", "f1", "m4", "f2", "m5", "klatt2", "m6", "f3", "m7", "Andy", "linda", "adam", "steph",
    "edward", "belinda",
)  # fmt: skip
PERSON_TAKES = 3  # enrolled per word, as `voice enroll` asks; as many again are its "other takes"


def person_voices(count):
    """espeak-ng voices for `count` synthetic persons; never one of the benchmark's unseen voices."""
    test_variants = {v.split("+")[1] for v in TEST_VOICES if "+" in v}
    tune_accents = {v.split("+")[0] for v in TUNE_VOICES}
    voices = []
    for i in range(count):
        accent, variant = PERSON_ACCENTS[i % len(PERSON_ACCENTS)], PERSON_VARIANTS[i % len(PERSON_VARIANTS)]
        voice = f"{accent}+{variant}"
        assert voice not in TEST_VOICES and variant not in test_variants and accent in tune_accents, voice
        voices.append(voice)
    return voices


def reverberate(s, rate, seconds, wet, rng):
    """A room: the dry sound plus decaying reflections (reverberation time `seconds`, energy `wet`)."""
    if not seconds:
        return s
    n = int(seconds * rate)
    tail = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    tail[: int(0.004 * rate)] = 0
    ir = np.concatenate([[1.0], np.sqrt(wet) * tail / np.sqrt(np.sum(tail**2))])
    size = len(s) + len(ir) - 1
    return np.fft.irfft(np.fft.rfft(s, size) * np.fft.rfft(ir, size), size)


class SyntheticPerson:
    """One synthetic person: a voice, a usual pitch, speed and loudness, and a room; each take varies."""

    def __init__(self, name, voice, seed):
        self.name, self.voice = name, voice
        self.rng, self.nrng = random.Random(seed), np.random.default_rng(seed)
        r = self.rng
        self.pitch, self.speed, self.level = r.randint(25, 75), r.randint(125, 195), r.uniform(-15, -2)
        self.noise = r.choice([("clean", None), ("white", 30), ("pink", 25), ("pink", 15), ("white", 20)])
        self.room = r.choice([(0, 0), (0.25, 0.1), (0.4, 0.2), (0.6, 0.3)])
        self.narrow = r.random() < 0.4

    def say(self, text, folder, index=0):
        r = self.rng
        pitch = min(99, max(0, self.pitch + r.randint(-6, 6)))
        s, rate = espeak(text, self.voice, self.speed + r.randint(-15, 15), folder, pitch)
        s = reverberate(s.astype(np.float64), rate, *self.room, self.nrng)
        x = condition(s, rate, self.level + r.uniform(-3, 3), *self.noise, self.nrng)
        clip = {"text": text, "group": self.name, "samples": x, "rate": rate, "index": index}
        return narrowband([clip])[0] if self.narrow else clip


def synthetic_persons(folder, rec, count=12, seed=500):
    """Rows (person, clip, key of its match, label) for fitting the template-match confidence, as the FSDD
    fit builds them: each person enrolled on 3 takes per word (checked as `voice enroll --from` does); their
    other takes matched = right when the nearest word is what was said; the same takes matched with that
    word's takes removed (their own near-miss), their own other words, and the next two persons' takes
    matched with this person's model (another voice in the home) = wrong.

    Tried first (12 persons): the other persons' matches labelled right when the nearest word was what they
    said gave a negative weight for votes; without the other persons' matches, votes -0.26 too. Both fail
    the project's test that every input pulls the way it should (tests/test_enroll.py)."""
    words = NUMBER_WORDS_11 + ["more", "less"]
    persons = [
        SyntheticPerson(f"person {i} ({voice})", voice, seed + i)
        for i, voice in enumerate(person_voices(count))
    ]
    rows, models, tests = [], [], []
    for person in persons:
        takes = [person.say(w, folder, k) for w in words for k in range(PERSON_TAKES)]
        own = [person.say(w, folder, k) for w in words for k in range(PERSON_TAKES, 2 * PERSON_TAKES)]
        oov = [person.say(w, folder) for w in person.rng.sample(OOV_WORDS, 12)]
        named = [(f"{c['text']}_{i}.wav", c["samples"], c["rate"]) for i, c in enumerate(takes)]
        model, _ = enroll_takes(named, rec)
        for c in own + oov:
            hear_all([c], rec, "number" if c["text"] in NUMBER_WORDS_11 else "any")
        hear_enrolled(own + oov, model)
        for c in own:
            rows.append((person.name, c, "en", matched_right(c)))
            near = dict(c)
            near["near_match"] = without_word(model, c["text"]).match(c["samples"], c["rate"])
            rows.append((person.name, near, "near", False))
        rows += [(person.name, c, "en", False) for c in oov]
        models.append(model)
        tests.append(own)
    for i, person in enumerate(persons):
        for j in (i + 1, i + 2):
            other = [dict(c) for c in tests[j % len(persons)]]
            hear_enrolled(other, models[i], key="other")
            rows += [(person.name, c, "other", False) for c in other]
    return rows


def enrollment_main(args):
    """Per FSDD speaker: enroll <= 3 takes per digit, recognise the rest; OOV, noise, other voices, timing."""
    from voiceguide.feedback.enroll import VoiceModel, check_recordings

    rec = Recogniser()
    human = fsdd(args.data) if os.path.isdir(args.data) else []
    if not human:
        print(f"(No human digits at {args.data}: pass --data.)")
        return
    speakers = sorted({c["group"] for c in human})
    hear_all(human, rec, "number")
    with tempfile.TemporaryDirectory() as folder:
        voices = TEST_VOICES[:2] if args.quick else TEST_VOICES[:4]
        oov = synthetic(OOV_WORDS + OOV_SENTENCES, voices, folder, 14)
        hear_all(oov, rec, "number")
        oov_any = [dict(c) for c in oov]
        hear_all(oov_any, rec, "any")
        noise = noise_clips(15)
        hear_all(noise, rec, "number")
        syn_words = NUMBER_WORDS_11 + ["more", "less"]
        syn = {}
        for voice in ("en-us", "en-gb-x-rp") if not args.quick else ("en-us",):
            takes = synthetic_speaker(voice, folder, 21, syn_words, 3)
            tests = synthetic_speaker(voice, folder, 22, syn_words, 2 if args.quick else 4)
            own_oov = synthetic_speaker(voice, folder, 23, OOV_WORDS, 1)
            hear_all(tests, rec, "any")
            hear_all(own_oov, rec, "any")
            syn[voice] = (takes, tests, own_oov)
        persons = []
        if args.fit_synthetic:
            cache = args.cache or folder
            os.makedirs(cache, exist_ok=True)
            persons = synthetic_persons(cache, rec, count=6 if args.quick else 12)

    print(
        f"# Enrollment benchmark — {datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
        f"{os.cpu_count()} CPUs\n"
    )
    print(
        "Each cell, in % of clips: **correct** / wrong, counting answers acted on at once and answers "
        "read back for a yes; then (acted on correct · acted on wrong · read back correct · read back "
        "wrong · asked again). (a) speaker-independent Recogniser alone, (b) with the speaker's "
        "enrollment (takes checked as `voice enroll --from` does). For OOV and noise every answer is "
        "wrong.\n"
    )
    held_models = held_apart_models(human, rec)
    held_others = [
        ("OOV words+sentences (espeak), --expect number", oov),
        ("OOV words+sentences (espeak), --expect any", oov_any),
        ("noise only, --expect number", noise),
    ]
    held_apart(human, held_models, held_others)
    print()
    results = {}
    timed = []  # clips recognised with their own speaker's templates
    examples = []  # (group, clip, key of its match, the matched word is right) for --fit
    for label, picks in (
        ("first 3 takes per digit (0-2)", (0, 1, 2)),
        ("3 takes spread out (0, 4, 8)", (0, 4, 8)),
    ):
        print(f"## Enrolled with {label}; recognising that speaker's other clips, --expect number\n")
        print(TABLE_HEAD)
        models = {}
        allt = []
        for spk in speakers:
            enr = [c for c in human if c["group"] == spk and c["index"] in picks]
            model, reports = enroll_takes([(c["name"], c["samples"], c["rate"]) for c in enr], rec)
            models[spk] = model
            bad = [f"{r.name}: {'; '.join(r.problems)}" for r in reports if not r.ok]
            test = [dict(c, picks=picks) for c in human if c["group"] == spk and c["index"] not in picks]
            hear_enrolled(test, model)
            allt += test
            timed += test
            for c in test:
                if picks != FIRST or c["index"] not in TUNE_TAKES:
                    continue  # the fit sees takes 3-6 only (0-2 enrolled, 7-9 reported)
                examples.append((spk, c, "en", matched_right(c)))
                if args.fit:
                    near_miss = dict(c)
                    near_miss["near_match"] = without_word(model, c["text"]).match(c["samples"], c["rate"])
                    examples.append((spk, near_miss, "near", False))
            loo = model.leave_one_out()
            print(
                enrollment_row(
                    f"FSDD {spk} (takes refused: {len(bad)}; own leave-one-out "
                    f"{100 * loo['correct'] / max(1, loo['total']):.0f} %)",
                    test,
                    reask=True,
                )
            )
            for b in bad:
                print(f"|  &nbsp;&nbsp;refused {b} | | | | |")
        print(enrollment_row("FSDD all speakers", allt, reask=True))
        # The same speaker's model heard by the other speakers (a second person in the home).
        others = []
        for spk in speakers:
            sub = [dict(c) for c in human if c["group"] != spk and c["index"] not in picks]
            hear_enrolled(sub, models[spk])
            others += sub
        print(enrollment_row("other FSDD speakers, with someone else's enrollment", others))
        for c in oov + oov_any + noise:
            c.pop("en", None)
        acc = {"oov_n": [], "oov_a": [], "noise": []}
        for spk in speakers:
            for key, clips in (("oov_n", oov), ("oov_a", oov_any), ("noise", noise)):
                sub = [dict(c) for c in clips]
                hear_enrolled(sub, models[spk])
                acc[key].append(sub)
        for key, name in (
            ("oov_n", "OOV words+sentences (espeak), --expect number — accepted = wrong"),
            ("oov_a", "OOV words+sentences (espeak), --expect any — accepted = wrong"),
            ("noise", "noise only — accepted = wrong"),
        ):
            print(enrollment_row(name + ", each speaker's model", [c for sub in acc[key] for c in sub]))
        results[label] = models
        print()

    print(
        "## espeak-ng voices as enrolled people (13 words x 3 takes at varied speed, pitch, level, noise)\n"
    )
    print(TABLE_HEAD)
    for voice, (takes, tests, own_oov) in syn.items():
        named = [(f"{c['text']}_{i}.wav", c["samples"], c["rate"]) for i, c in enumerate(takes)]
        model, reports = enroll_takes(named, rec)
        hear_enrolled(tests, model)
        hear_enrolled(own_oov, model)
        examples += [("espeak-ng", c, "en", matched_right(c)) for c in tests]
        examples += [("espeak-ng", c, "en", False) for c in own_oov]
        bad = sum(not r.ok for r in reports)
        print(enrollment_row(f"{voice}: its own other renders (--expect any; takes refused: {bad})", tests))
        print(enrollment_row(f"{voice}: OOV words in the same voice — accepted = wrong", own_oov))

    if args.fit:
        print()
        refit = fit_enrolled(examples)
        held_apart(human, held_models, held_others, refit, "template confidence refitted on takes 3-6")
    if args.fit_synthetic:
        print()
        fitted = fit_enrolled(persons, "fitted on synthetic persons only")
        shipped = tuple(round(v, 2) for v in fitted)  # as pasted into enroll.py
        held_apart(human, held_models, held_others, shipped, "synthetic-fitted template confidence")

    # Timing: 13 words x 3 takes.
    takes, _, _ = next(iter(syn.values()))
    named = [(f"{c['text']}_{i}.wav", c["samples"], c["rate"]) for i, c in enumerate(takes)]
    t = time.perf_counter()
    reports = check_recordings(named, None)
    model = VoiceModel.build([(r.word, s, sr) for r, (_, s, sr) in zip(reports, named, strict=True) if r.ok])
    model.leave_one_out()
    compute = time.perf_counter() - t
    t = time.perf_counter()
    check_recordings(named, rec)
    with_decoder = time.perf_counter() - t
    ms_en = np.mean([c["en_ms"] for c in timed])
    ms_si = np.mean([c["si_ms"] for c in human])
    print(
        f"\nEnrollment compute, {len(named)} takes ({len(set(model.labels))} words): {compute:.2f} s "
        f"(checks, templates, leave-one-out); {with_decoder:.2f} s with the decoder's wrong-word check."
    )
    print(f"Recognition per answer (FSDD): speaker-independent {ms_si:.0f} ms + templates {ms_en:.1f} ms.")
    print(
        "Targets: enrolled correct >= 95 %, wrong <= 2 % per speaker; OOV and noise accepted <= 5 %; "
        "enrollment < 10 s."
    )


NUMBER_WORDS_11 = DIGITS + ["ten"]
ENROLLED_BENCH_WORDS = set(NUMBER_WORDS_11 + ["more", "less"])


if __name__ == "__main__":
    main()
