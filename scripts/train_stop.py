"""Train the stop-word detector (voiceguide/feedback/stop_model.npz) on synthetic speech made now.

    /work/train-venv/bin/python scripts/train_stop.py [--clips N] [--near-weight W] [--cache F] [--out F]

(PyTorch in a separate venv; the package runs the network in numpy.) Speech from three engines
(scripts/synth_voices.py): espeak-ng (3 accents x its variants), flite (kal, kal16, awb, rms) and
the natural voice (piper, joe), at random speeds and pitches; with --festival, Festival's voices too.

Positives: "stop" said alone, twice, or after "please", "ow", "oh", "no", or before "please" or
"now", each part a separate take in the same voice joined with a pause, so that the end of "stop"
is known to the sample. Near misses (top, stock, shop, step, spot, stuff, stopwatch...) as many,
said the same way with the same prefixes and suffixes, with negative windows at exactly the
offsets from the word's end where a positive's windows are ("top" differs from "stop" only at its
start), weighted --near-weight times another negative. Other negatives: every other answer word,
other words, sentences (windows all along them) and noise. Every clip at a random level, with or
without noise (white, pink, brown, babble-like speech), reverberation and the telephone band.

With --real, people's own takes too (Speech Commands: see real_takes; its test part never).

Held apart: the espeak-ng variants in VALIDATION (espeak-ng only) choose the two thresholds; the
benchmark's unseen voices (scripts/bench_recognition.py TEST_VOICES: Scottish, Caribbean, New
York, Lancastrian, West Midlands accents, and the f4, f5 and m3 variants) and flite's slt are
never used here; nor is any take of the benchmark's many people (--exclude-speakers checks).
3000 clips: about 6 minutes of making speech and 3 of fitting on 2 cores.

Shipped (2026-12-07, docs/recognition.md "The stop detector learns from people's talk"): two
fits joined, heard as the mean of their probabilities, each on synthetic speech, people's takes
and people's talk (--talk, negatives only):
    git clone https://github.com/KhanhAn22/speech_command   # mini_speech_commands: 8 words
    git clone https://github.com/NikaCelan/MobileSensingProject   # up, down, left, right in full
    git clone https://github.com/jimbozhang/speechocean762   # read sentences: its train part only
    git clone https://github.com/resemble-ai/Resemblyzer   # LibriSpeech test-other recordings
    git clone https://github.com/auspicious3000/autovc; git clone https://github.com/yl4579/StarGANv2-VC
    R="speech_command/mini_speech_commands MobileSensingProject/data/speech_commands_v0.01"
    X=PICO-tinyML-benchmark/MLTK_keyworkSpotting/dataset   # the benchmark's people (refused)
    T="speechocean762 Resemblyzer/audio_data autovc/wavs StarGANv2-VC/Demo/VCTK-corpus"
    git show a7ae018^:voiceguide/feedback/stop_model.npz > mined.npz   # the detector shipped then
    M="--talk $T --mine-with mined.npz"   # (its sha1 f75bef78c1c0e7ebb790152eea34b155968bd222)
    python scripts/train_stop.py --real $R --exclude-speakers $X $M --out basic.npz
    python scripts/train_stop.py --real $R --exclude-speakers $X $M --vocab wide --out wide.npz
    python scripts/train_stop.py --join basic.npz wide.npz
(mini_speech_commands is TensorFlow's storage.googleapis.com/download.tensorflow.org/data/
mini_speech_commands.zip; both hold Speech Commands v0.01 takes as the dataset published them.)
Fit one at a time: two at once, each with PyTorch's two threads, took five times as long.
Shipped from 2026-12-05 to 2026-12-07 (docs/recognition.md "The stop detector learns from people's
voices"): the same without --talk.
Shipped before, from 2026-12-03 (docs/recognition.md "Two fits heard together"): the same two fits
on synthetic speech alone, except that the first one's word list then held four of the
benchmark's out-of-vocabulary words (store, coffee, sorry, step).

Tried on 2026-12-06 and not shipped (docs/recognition.md, "People's digits among the stop detector's
negatives"): both fits with two more folders of Speech Commands takes in --real,
github.com/anshulgupta0803/isolated-speech-commands recipe/audio (zero, one, five, eight, ...) and
github.com/vinsis/speech-commands-recognition speech_commands_v0.01 (10 takes of each word).
Tried on 2026-12-06 and not shipped (docs/recognition.md, "A second seed, and detectors of four and
eight fits"): both fits again with --seed 2 (with and without those folders; the same --cache), and
the fits joined four and eight at a time (--join A.npz B.npz C.npz D.npz).
Tried on 2026-12-07 and not shipped (docs/recognition.md, "A stop without its /st/ among the
detector's negatives"): both fits with --cut-onsets 1 (and 0.5), each people's stop also heard
without its /st/ as a negative; weighed against both fits made again without it, on the same caches.
Tried on 2026-12-08 and not shipped (docs/recognition.md, "People's takes at other speeds"): both
fits with --speed, each of people's takes heard once more at a random speed, with the same caches;
and the same with --talk-speed too, the talk at other speeds, mined by mined.npz above.
Tried on 2026-12-03 and not shipped (docs/recognition.md, "The stop word over the player"): the
wide fit alone, and --player-over P (that share of clips said over the player's own voices,
PLAYER_UNDER_DB under the person, and the player alone as negatives). Tried on 2026-12-05 and not
shipped: --festival 0.3 (that share of clips in Festival's voices, synth_voices.FESTIVAL_TRAIN;
docs/recognition.md, "The stop word in two more voices no network knows"). Weigh a new detector against
the shipped one with `scripts/bench_recognition.py --stop-model FILE` and
`scripts/bench_stop_start.py --stop-model FILE`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voiceguide.audio.pcm import resample  # noqa: E402
from voiceguide.feedback import stopword as sw  # noqa: E402
from voiceguide.feedback.intents import NUMBER_WORDS  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the benchmark's noise, shared
from bench_recognition import OOV_SENTENCES, OOV_WORDS, TUNING_RHYMES, colouring, speaker_of  # noqa: E402
from bench_recognition import colour_noise as colour  # noqa: E402
from synth_voices import espeak_variants, random_voice, say_all  # noqa: E402

# Chooses the thresholds (espeak-ng only, never trained on). The benchmark's variants are held out in
# synth_voices (HELD_OUT_VARIANTS), and so is flite's slt.
VALIDATION = ["Andy", "Annie", "max", "linda", "klatt3", "m6", "belinda", "john"]
ESPEAK_ONLY = (1.0, 0.0, 0.0)


PREFIXES = ["", "", "", "please", "ow", "oh", "stop", "no", "oh no", "please please"]
PREFIXES_NEAR = [p for p in PREFIXES if "stop" not in p]  # "stop top" ends in a near miss but holds a stop
SUFFIXES = ["", "", "", "", "please", "now", "it"]
NEGATIVE_WORDS = NUMBER_WORDS + [
    "more",
    "harder",
    "firmer",
    "less",
    "softer",
    "lighter",
    "good",
    "okay",
    "yes",
    "no",
    "tingling",
    "numb",
    "burning",
    "shooting",
    "dizzy",
    "repeat",
    "again",
    "pause",
    "continue",
    "resume",
    "skip",
    "next",
    "top",
    "stock",
    "shop",
    "spot",
    "stuff",
    "sob",
    "slop",
    "stomp",
    "stuck",
    "shot",
    "pop",
    "drop",
    "chop",
    "hop",
    "cop",
    "mop",
    "crop",
    "stoke",
    "start",
    "strong",
    "soft",
    "stay",
    "still",
    "sport",
    "spa",
    "taught",
    "tough",
    "staff",
    "star",
    "stack",
    "stamp",
    "not",
    "nope",
    "what",
    "hot",
    "lot",
    "got",
    "cost",
    "lost",
    "post",
    "boss",
    "toss",
    "so",
    "sock",
    "sod",
    "stodgy",
    "stopper",
    "toffee",
    "office",
    "off",
    "oft",
    "story",
    "stolen",
    "stone",
    "stove",
    "storm",
    "stuffed",
    "sofa",
    "sauce",
    "sought",
    "spotless",
    "topple",
    "stable",
]
SENTENCES = [
    "that feels a lot better now",
    "can you go a bit slower",
    "I think the top of my leg hurts",
    "the shop is closed on sunday",
    "put the stock in the pot",
    "a little bit softer please",
    "it is about a seven I think",
    "okay that is fine thank you",
    "my back is sore today",
    "where did I put my phone",
    "step by step",
    "not so hard",
    "that is a good spot",
]
# --vocab wide (2026-12-03, tried, not shipped): everyday words and sentences a person might say during
# a session, so that the detector meets more kinds of speech that is not "stop" (the shipped fit knew
# 140 words and 13 sentences). None is a word or sentence of the benchmark's (checked in main()).
WIDE_WORDS = [
    "music", "louder", "quieter", "volume", "towel", "blanket", "pillow", "cushion", "warm", "cold",
    "chilly", "comfy", "thirsty", "tea", "drink", "glass", "cup", "light", "lamp",
    "curtain", "chair", "bed", "mat", "oil", "lotion", "cream", "hands", "shoulder", "neck",
    "hip", "thigh", "calf", "ankle", "foot", "spine", "muscle", "ache", "itchy", "tickles",
    "lovely", "great", "perfect", "brilliant", "right", "there", "here", "lower", "higher", "across",
    "again please", "wait", "hang on", "hold on", "just a minute", "careful", "gently", "slowly",
    "faster", "quicker", "lie down", "turn over", "roll over", "sit up", "breathe", "relax", "calm",
    "sleepy", "tired", "awake", "hungry", "dinner", "lunch", "breakfast", "garden", "car",
    "dog", "kids", "baby", "husband", "wife", "mum", "dad", "friend", "doctor", "nurse",
    "tablet", "pills", "monday", "tuesday", "friday", "weekend", "tomorrow", "yesterday",
    "tonight", "hospital", "appointment", "exercise", "walking", "stretching", "yoga", "swimming",
    "sitting", "standing", "driving", "working", "reading", "television", "radio", "podcast",
    "whatever", "anyway", "actually", "really", "probably", "definitely", "absolutely", "honestly",
    "thanks", "cheers", "bless you", "excuse me", "pardon", "what was that", "I see", "alright",
    "hmm", "uh huh", "mm hmm", "ah", "oops", "whoa", "wow", "ouch", "phew", "hey",
    "basket", "bottle", "pocket", "rocket", "socket", "jacket", "ticket", "bucket",
    "sponge", "stitch", "sticky", "stiff", "stretch", "strap", "stairs", "station", "stomach",
    "tonic", "topic", "tropic", "hostel", "model", "bottom", "body", "copy", "hobby", "lobby",
]  # fmt: skip
WIDE_SENTENCES = [
    "could you put some music on",
    "the music is a bit loud",
    "I am getting a little cold",
    "can I have a glass of water",
    "that is really helping",
    "a bit lower down please",
    "just there on the left",
    "my shoulders are tight as well",
    "do you want a cushion under your knees",
    "I will get the oil from the bathroom",
    "the dog is barking again",
    "is that the doorbell",
    "hang on a second",
    "I need to sneeze",
    "sorry I was miles away",
    "I almost fell asleep",
    "how long is left",
    "it went numb for a moment but it is fine now",
    "you are doing really well",
    "shall we do this again tomorrow",
    "the kids are home from school",
    "turn the light off please",
    "I think I pulled something at the gym",
    "it is much easier than last week",
    "hold on I need to move my arm",
    "that tickles a little",
    "my hands are getting tired",
    "are you comfortable like that",
    "the doctor said to keep moving",
    "we should do this every evening",
    "that bit is always sore",
    "could you go a little harder on the right",
]
# --player-over (2026-12-03, tried, not shipped): the player's own voices saying instructions (none
# of them "stop"), for speech said over the player: in a session's first seconds the echo canceller
# takes out only 8-12 dB, and a stop is heard through the rest of the player's voice. The two voices a
# session speaks with: the natural voice (piper joe, as the player sets it) and espeak-ng. Not the
# benchmark's sentences.
PLAYER_LINES = [
    "Rest both hands flat on the lower back, either side of the spine.",
    "Breathe in slowly, and as you breathe out, let your shoulders drop.",
    "Now lean your weight in gently through the heels of your hands.",
    "Make small slow circles with your thumbs, moving outwards.",
    "Keep the pressure even, and let your hands follow the muscle.",
    "In a moment I will ask how that feels.",
    "Move your hands a little lower, to the top of the buttock.",
    "Hold here for a few breaths, without pressing any harder.",
    "Let your fingers spread wide and warm the whole area.",
    "When you are ready, slide your palms up towards the shoulder blades.",
    "That is the end of this part. Take a moment to rest.",
    "Now kneel at your partner's right side, facing their head.",
    "Find the bony ridge at the top of the hip with your fingertips.",
    "Press in lightly, then ease off, as if kneading soft dough.",
    "Tell me how it feels, from zero for no pain to ten for the worst.",
    "Keep your own back straight, and let your body weight do the work.",
    "Glide along the muscle towards the hip, then lift and start again.",
    "Slow down a little. There is no hurry.",
    "Good. We will stay with this for another thirty seconds.",
    "Place a rolled towel under the ankles for comfort.",
]


def _loud_rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x[np.abs(x) > 0.05 * np.max(np.abs(x))] ** 2)))


# How far under the person the player's voice sits, dB: what is left of it after a canceller still
# learning the room (8-12 dB taken out, live) with the person up to 12 dB under the echo, or after
# one that has learnt it. A first fit with -12..12 (the player up to 12 dB over the person) fired on
# other speech five times as often (docs/recognition.md, "The stop word over the player").
PLAYER_UNDER_DB = (-3.0, 15.0)


def over_player(x: np.ndarray, rng, player: list[np.ndarray]) -> np.ndarray:
    """x with a stretch of the player's own speech under it (PLAYER_UNDER_DB)."""
    line = player[rng.integers(len(player))]
    line = np.tile(line, 1 + len(x) // len(line))
    at = int(rng.integers(0, len(line) - len(x) + 1))
    part = line[at : at + len(x)]
    gain = _loud_rms(x) / (_loud_rms(line) + 1e-9) * 10 ** (-rng.uniform(*PLAYER_UNDER_DB) / 20)
    return x + part * gain


# --microphone (2026-12-05): the share of clips given a random microphone's colour. The detector
# shipped on 2026-12-03 heard flite awb's clean "stop" at 1.00, but at 0.44 / 0.13 with the spectrum
# tilted by -6 / +6 dB per octave and at 0.36 through a 300 Hz high-pass; flite slt's clean "stop" (an
# engine it never heard, its energy mostly under 1 kHz) at 0.03. Microphones differ that much.
TILT_DB_PER_OCTAVE = 6.0


def microphone(x: np.ndarray, rng) -> np.ndarray:
    """x as a random microphone and room hear it: a spectral tilt, a high-pass and a low-pass of their
    own, and one or two broad bumps or dips 0.5-1.5 octaves wide (bench_recognition.colouring)."""
    tilt = rng.uniform(-TILT_DB_PER_OCTAVE, TILT_DB_PER_OCTAVE)
    bumps = [(rng.uniform(200, 6000), rng.uniform(-8, 8), 2 * rng.uniform(0.25, 0.75))
             for _ in range(int(rng.integers(1, 3)))]  # fmt: skip
    high, low = rng.uniform(50, 400), rng.uniform(3500, 8000)
    x = colouring(x, sw.RATE, high, low, tilt, bumps)
    return x / (_loud_rms(x) + 1e-9)


def augment(
    x: np.ndarray, rng, babble: list[np.ndarray], player=None, player_over: float = 0.0, mic: float = 0.0
):
    """Level, the player's voice, reverberation, microphone, telephone band, noise: one random room
    and microphone."""
    x = x / (_loud_rms(x) + 1e-9)
    if player and rng.random() < player_over:
        x = over_player(x, rng, player)
    if rng.random() < 0.3:  # a room: exponentially decaying noise as its impulse response
        rt = rng.uniform(0.15, 0.6)
        n = int(rt * sw.RATE)
        ir = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
        ir[0] = 1.0 / rng.uniform(0.3, 1.0)
        size = len(x) + n - 1  # np.convolve by FFT (direct, it took most of the time)
        x = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: len(x) + n // 2]
        x = x / (_loud_rms(x) + 1e-9)
    if mic and rng.random() < mic:
        x = microphone(x, rng)
    x = x / (_loud_rms(x) + 1e-9) * 10 ** (rng.uniform(-38, -8) / 20)
    if rng.random() < 0.35:  # telephone band
        spectrum = np.fft.rfft(x)
        spectrum[np.fft.rfftfreq(len(x), 1 / sw.RATE) > rng.uniform(3400, 3900)] = 0
        x = resample(
            resample(np.fft.irfft(spectrum, len(x)).astype(np.float32), sw.RATE, 8000), 8000, sw.RATE
        )
        x = x.astype(np.float64)
    if rng.random() < 0.7:
        level = _loud_rms(x)
        snr = rng.uniform(3, 30)
        kind = rng.choice(["white", "pink", "brown", "babble"])
        if kind == "babble" and babble:
            b = babble[rng.integers(len(babble))]
            b = np.tile(b, 1 + len(x) // len(b))[: len(x)] / (np.std(b) + 1e-9)
            noise = b
        else:
            noise = colour(kind, len(x), rng)
        x = x + noise * level * 10 ** (-snr / 20)
    else:
        x = x + rng.standard_normal(len(x)) * 10 ** (rng.uniform(-90, -65) / 20)
    return np.clip(x, -1, 1)


NEAR_MISSES = [
    "top",
    "stock",
    "shop",
    "spot",
    "stuff",
    "sob",
    "slop",
    "stomp",
    "stopwatch",
    "stopper",
    "stuck",
    "stub",
    "stab",
    "swap",
    "strop",
    "scotch",
    "sop",
    "sock",
    "shot",
    "chop",
    "drop",
    "crop",
    "pop",
    "hop",
    "cop",
    "mop",
    "stoop",
    "stoke",
    "stack",
    "stamp",
    "not",
    "okay",
    "good",
]


def _clip(rng, parts: list) -> tuple[np.ndarray, int, int]:
    """lead silence, [prefix, gap], word, [gap, suffix], tail: the audio and the word's start and end."""
    prefix, word, suffix = parts

    def gap() -> np.ndarray:
        return np.zeros(int(rng.uniform(0.04, 0.3) * sw.RATE))

    pieces = [np.zeros(int(rng.uniform(0.05, 0.5) * sw.RATE))] + (
        [prefix, gap()] if prefix is not None else []
    )
    start = sum(len(p) for p in pieces)
    pieces.append(word)
    end = start + len(word)
    pieces += [gap(), suffix] if suffix is not None else []
    return np.concatenate(pieces + [np.zeros(int(0.4 * sw.RATE))]), start, end


# --closure (2026-12-05): the share of "stop"s and near misses said with a longer pause inside the
# word. The shipped detector is thrown by it: awb's 60 ms closure between "s" and "t", stretched to
# 90 ms, took its "stop" from 0.97 to 0.35; and flite slt's clean "stop" (an engine it never heard)
# scored 0.03-0.12. Near misses get the same pause, so that a pause alone never means "stop".
CLOSURE_MAX_SECONDS = 0.08


def longer_closure(word: np.ndarray, rng) -> np.ndarray:
    """The word with 0-CLOSURE_MAX_SECONDS of silence put at its quietest 10 ms between 15 % and
    60 % of its length (the closure of "s-top", "s-tock"; the gap of "sh-op" or "t-op" elsewhere)."""
    frame = sw.RATE // 100
    energy = np.array([np.mean(word[i : i + frame] ** 2) for i in range(0, len(word) - frame, frame)])
    lo = int(0.15 * len(energy))
    hi = max(lo + 1, int(0.6 * len(energy)))
    at = (lo + int(np.argmin(energy[lo:hi]))) * frame
    pause = np.zeros(int(rng.uniform(0.0, CLOSURE_MAX_SECONDS) * sw.RATE))
    return np.concatenate([word[:at], pause, word[at:]])


def _word_end_windows(rng, end: int, suffix: bool, n: int = 3) -> np.ndarray:
    """Where a positive window ends: from the last frame of the word to 80 ms (a word follows) or 220 ms
    (nothing follows) after it. Near misses get windows at exactly the same places."""
    e = end // sw.HOP + 1
    return rng.integers(e - 1, e + (8 if suffix else 22), size=n)


def make_examples(
    n_clips: int,
    variant_names: list[str],
    seed: int,
    pool: Pool,
    engines=None,
    wide: bool = False,
    player_over: float = 0.0,
    mic: float = 0.0,
    closure: float = 0.0,
):
    """(inputs, labels, kinds) for n_clips positive clips, n_clips near misses said the same way (with
    the same prefixes and suffixes, windows at the same offsets from the word's end), 2*n_clips other
    words and sentences, and noise; with player_over, that share of clips said over the player's voice,
    and the player's voice alone. Kinds: pos, prefix (the window before "stop"), near, neg, noise, player."""
    rng = np.random.default_rng(seed)
    weights = engines or (0.6, 0.25, 0.15)
    words = NEGATIVE_WORDS + (WIDE_WORDS if wide else [])
    sentences = SENTENCES + (WIDE_SENTENCES if wide else [])

    def voice(text: str) -> tuple:
        return random_voice(rng, variant_names, text, weights)

    jobs, plans = [], []
    for i in range(2 * n_clips):  # positives, then near misses, each with a prefix and suffix or not
        word = "stop" if i < n_clips else str(rng.choice(NEAR_MISSES))
        job = voice(word)
        pre, suf = str(rng.choice(PREFIXES if i < n_clips else PREFIXES_NEAR)), str(rng.choice(SUFFIXES))
        at = len(jobs)
        jobs.append(job)
        for extra in (pre, suf):
            if extra:
                jobs.append(job[:4] + (extra,))
        plans.append(("pos" if i < n_clips else "near", bool(pre), bool(suf), at))
    for i in range(2 * n_clips):
        text = sentences[rng.integers(len(sentences))] if i % 5 == 0 else str(rng.choice(words))
        plans.append(("neg", "stop" in text, False, len(jobs)))
        jobs.append(voice(text))
    first_player = len(jobs)
    if player_over > 0:  # the player's voices as a session sets them (not randomised)
        for line in PLAYER_LINES:
            jobs += [
                ("piper", "joe", 1.5, 1.0, line),
                ("espeak", str(rng.choice(["en-gb", "en-us"])), 160, 50, line),
            ]
    spoken = say_all(jobs, pool)
    spoken_text = [job[4] for job in jobs]
    player = spoken[first_player:]
    babble = [spoken[j] for kind, *_, j in plans[-50:]]
    xs, ys, kinds = [], [], []

    def add(mel: np.ndarray, ends, kind: str) -> None:
        ends = np.unique(np.clip(np.asarray(ends, dtype=int), 1, len(mel)))
        if len(ends):
            xs.append(sw.window_inputs(mel, ends))
            ys.extend([1 if kind == "pos" else 0] * len(ends))
            kinds.extend([kind] * len(ends))

    for kind, pre, suf, j in plans:
        if kind == "neg" and not pre:  # any word or sentence: windows all along it
            x = augment(_clip(rng, [None, spoken[j], None])[0], rng, babble, player, player_over, mic)
            mel = sw.logmel(x)
            add(mel, np.linspace(20, len(mel), 16), "neg")
            continue
        if kind == "neg":  # a word with "stop" in it (stopper): only windows after the whole word
            x, start, end = _clip(rng, [None, spoken[j], None])
            mel = sw.logmel(augment(x, rng, babble, player, player_over, mic))
            add(mel, _word_end_windows(rng, end, False, 4), "neg")
            continue
        k = j + 1
        prefix = spoken[k] if pre else None
        suffix = spoken[k + pre] if suf else None
        word = spoken[j]
        if closure and rng.random() < closure:
            word = longer_closure(word, rng)
        x, start, end = _clip(rng, [prefix, word, suffix])
        mel = sw.logmel(augment(x, rng, babble, player, player_over, mic))
        add(mel, _word_end_windows(rng, end, suf), kind)
        if kind == "near":  # and a few anywhere in it
            add(mel, rng.integers(20, len(mel) + 1, size=3), "near")
        if pre and "stop" not in spoken_text[k]:  # the prefix alone is no stop either ("stop stop" is)
            add(mel, [s for s in (start // sw.HOP - rng.integers(0, 8, size=1)) if s > 10], "prefix")
    for _ in range(n_clips // 4 if player else 0):  # the player alone, a few seconds of it
        line = player[rng.integers(len(player))]
        at = int(rng.integers(0, max(1, len(line) - 3 * sw.RATE)))
        mel = sw.logmel(augment(line[at : at + 3 * sw.RATE], rng, babble))
        add(mel, np.linspace(20, len(mel), 8), "player")
    for _ in range(n_clips // 4):  # noise alone: hiss, hum, clicks, bursts
        n = int(rng.uniform(0.5, 2.0) * sw.RATE)
        x = colour(rng.choice(["white", "pink", "brown"]), n, rng) * 10 ** (rng.uniform(-60, -15) / 20)
        t = np.arange(n) / sw.RATE
        if rng.random() < 0.3:  # mains hum, a beep
            f0 = rng.choice([50.0, 60.0, rng.uniform(300, 2000)])
            x = x + rng.uniform(0.003, 0.2) * np.sin(2 * np.pi * f0 * t) * (
                rng.random() < 0.5 or t < t[-1] / 3
            )
        if rng.random() < 0.3:  # clicks
            x[:: int(rng.integers(800, 8000))] += rng.uniform(0.1, 0.7)
        if rng.random() < 0.4:
            burst = np.zeros(n)
            at = rng.integers(0, n - 2000)
            burst[at : at + 2000] = rng.standard_normal(2000) * np.hanning(2000) * rng.uniform(0.05, 0.5)
            x = x + burst
        mel = sw.logmel(x)
        add(mel, np.linspace(20, len(mel), 6), "noise")
    return np.concatenate(xs), np.asarray(ys, dtype=np.float32), np.asarray(kinds)


# --real DIR... (2026-12-05): people's own takes beside the synthetic speech: Speech Commands
# (Warden 2018, arXiv:1804.03209; CC BY 4.0), a folder per word, `<speaker>_nohash_<n>.wav`. Only
# the dataset's training part is fitted on and its validation part held apart (reported here); its
# test part, whose speakers are those of bench_recognition.py --commands, is never read. The parts
# are the dataset's own, by a hash of the speaker (split_of). Every speaker with a take in
# --exclude-speakers is refused all the same.
SPLIT_BUCKETS = 2**27  # the dataset's rule: a speaker's hash modulo this, as a percentage
SPLIT_VALIDATION, SPLIT_TEST = 10.0, 10.0  # per cent of speakers


def split_of(path: str) -> str:
    """training, validation or testing, as the dataset's README assigns a take (by its speaker)."""
    import hashlib  # noqa: PLC0415

    digest = int(hashlib.sha1(speaker_of(path).encode()).hexdigest(), 16)
    share = (digest % SPLIT_BUCKETS) * (100.0 / (SPLIT_BUCKETS - 1))
    if share < SPLIT_VALIDATION:
        return "validation"
    return "testing" if share < SPLIT_VALIDATION + SPLIT_TEST else "training"


def speakers_in(folder: Path | None) -> set[str]:
    """Every speaker with a take in this folder (--exclude-speakers: the benchmark's people)."""
    return {speaker_of(str(p)) for p in folder.rglob("*.wav")} if folder else set()


def real_takes(roots: list[Path], exclude: set[str], limit: int, rng) -> dict[str, list]:
    """{"training" | "validation": [(word, path)]}: up to `limit` takes per word from the folders (a
    take found twice is read once), the dataset's test part and speakers in `exclude` left out."""
    found: dict[str, dict[str, Path]] = {}
    for root in roots:
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isalpha()):
            for path in sorted(folder.glob("*.wav")):
                found.setdefault(folder.name, {}).setdefault(path.name, path)
    out: dict[str, list[tuple[str, Path]]] = {"training": [], "validation": []}
    left_out = refused = 0
    for word, takes in sorted(found.items()):
        paths = [takes[name] for name in sorted(takes)]
        keep = []
        for path in paths:
            if split_of(str(path)) == "testing":
                left_out += 1
            elif speaker_of(str(path)) in exclude:
                refused += 1
            else:
                keep.append(path)
        for i in rng.permutation(len(keep))[:limit]:
            out[split_of(str(keep[i]))].append((word, keep[i]))
    print(
        f"real takes: {len(out['training'])} to fit, {len(out['validation'])} held apart "
        f"({', '.join(f'{w} {len(t)}' for w, t in sorted(found.items()))} found); {left_out} of the "
        f"dataset's test part left out, {refused} more refused (their speaker is in --exclude-speakers)"
    )
    return out


def word_end(x: np.ndarray) -> int:
    """The sample where a take's word ends: the last 10 ms frame within 30 dB of its loudest frame
    and 10 dB over its quietest (a one-second take holds one word, somewhere)."""
    frame = sw.RATE // 100
    n = len(x) // frame
    if n == 0:
        return len(x)
    db = 10 * np.log10(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero((db > db.max() - 30) & (db > np.percentile(db, 5) + 10))
    return int((loud[-1] + 1) * frame) if len(loud) else len(x)


def quiet_level(x: np.ndarray) -> float:
    """A take's own quietest level: the 10th percentile of its 10 ms frames' RMS."""
    frame = sw.RATE // 100
    n = max(1, len(x) // frame)
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, -1) ** 2, axis=1)) if len(x) >= frame else np.zeros(1)
    return float(np.percentile(rms, 10)) + 1e-5


def padded(x: np.ndarray, rng) -> tuple[np.ndarray, int]:
    """The take with 0.05-0.5 s before and 0.4 s after of noise at its own quietest level, so that the
    take's edges are no cue: people go on talking, or the room goes on. Returns it and the lead."""
    floor = quiet_level(x)
    lead = int(rng.uniform(0.05, 0.5) * sw.RATE)
    before, after = (rng.standard_normal(k) * floor for k in (lead, int(0.4 * sw.RATE)))
    return np.concatenate([before, x, after]), lead


def vowel_onset(x: np.ndarray) -> int:
    """The sample where a take's loudest voiced sound begins: the first 10 ms frame whose 100-900 Hz
    band is within 12 dB of that band's loudest frame (in "stop", the vowel after /st/)."""
    frame = sw.RATE // 100
    n = len(x) // frame
    if n == 0:
        return 0
    spec = np.abs(np.fft.rfft(x[: n * frame].reshape(n, frame) * np.hanning(frame), 512, axis=1)) ** 2
    freqs = np.fft.rfftfreq(512, 1 / sw.RATE)
    low = 10 * np.log10(spec[:, (freqs > 100) & (freqs < 900)].sum(axis=1) + 1e-12)
    return int(np.flatnonzero(low > low.max() - 12)[0]) * frame


def onset_cut(x: np.ndarray, rng) -> np.ndarray:
    """The take with everything before its vowel (less 10 ms) replaced by noise at its own quietest
    level: a "stop" without its /st/, which sounds like "op", close to "up" and "off"."""
    k = max(0, vowel_onset(x) - sw.RATE // 100)
    out = x.copy()
    out[:k] = rng.standard_normal(k) * quiet_level(x)
    return out


SPEEDS = (0.85, 1.15)


def at_speed(x: np.ndarray, factor: float) -> np.ndarray:
    """The take played `factor` times as fast (resampled in the frequency domain: shorter, and every
    frequency times `factor`), as a speaker with a shorter or longer vocal tract, faster or slower."""
    n, m = len(x), max(1, int(round(len(x) / factor)))
    spectrum = np.fft.rfft(x)
    kept = np.zeros(m // 2 + 1, dtype=complex)
    k = min(len(kept), len(spectrum))
    kept[:k] = spectrum[:k]
    return np.fft.irfft(kept, m) * (m / n)


def real_examples(
    takes: list[tuple[str, Path]],
    seed: int,
    babble: list[np.ndarray],
    augmented=0.5,
    cut_onsets: bool = False,
    speed: bool = False,
):
    """(inputs, labels, kinds) from people's takes: a "stop" gives positive windows where its word ends
    (as a synthetic one); any other word gives windows at the same places and along it, all of kind
    near ("up", "go", "top" differ from "stop" in a sound or two). That share of takes goes through
    augment's rooms, microphones, telephone band and noise, the rest as recorded; with augmented, each
    stop once more, augmented. With cut_onsets, each stop also gives negative windows of kind "cut" at
    the same places in a copy without its /st/ (onset_cut): "-op" alone is not a stop. With speed,
    every take once more at a random speed in SPEEDS (at_speed), after the others, so that those are
    made as without it."""
    from voiceguide.audio.pcm import decode_wav  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    cut_rng = np.random.default_rng(seed + 1000)  # its own: the other windows are those made without it
    xs, ys, kinds = [], [], []
    passes = [(w, p, rng.random() < augmented, 1.0) for w, p in takes]
    if augmented:  # a stop twice, as recorded and augmented: there are few of them beside other words
        passes += [(w, p, True, 1.0) for w, p in takes if w == "stop"]
    if speed:  # its own generator: the passes before are drawn as without it
        speed_rng = np.random.default_rng(seed + 2000)
        passes += [(w, p, speed_rng.random() < augmented, speed_rng.uniform(*SPEEDS)) for w, p in takes]
    for word, path, augment_it, factor in passes:
        x, rate = decode_wav(path.read_bytes())
        x = sw.to_16k(x, rate).astype(np.float64)
        if factor != 1.0:
            x = at_speed(x, factor)
        if len(x) < sw.RATE // 4 or np.max(np.abs(x)) < 1e-3:
            continue
        end = word_end(x)
        cut = onset_cut(x, cut_rng) if cut_onsets and word == "stop" else None
        x, lead = padded(x, rng)
        raw = x
        if augment_it:
            x = augment(x, rng, babble, mic=0.5)
        mel = sw.logmel(x)
        e = (lead + end) // sw.HOP + 1
        ends = np.unique(np.clip(rng.integers(e - 1, e + 22, size=3), 1, len(mel)))
        kind = "pos" if word == "stop" else "near"
        if kind == "near":
            ends = np.concatenate([ends, np.linspace(20, len(mel), 6).astype(int)])
        xs.append(sw.window_inputs(mel, ends))
        ys.extend([1.0 if kind == "pos" else 0.0] * len(ends))
        kinds.extend([kind] * len(ends))
        if cut is not None:  # the same take without its /st/, the same lead, the same windows
            y = np.concatenate([raw[:lead], cut, raw[lead + len(cut) :]])
            if augment_it:
                y = augment(y, cut_rng, babble, mic=0.5)
            cut_mel = sw.logmel(y)
            xs.append(sw.window_inputs(cut_mel, np.clip(ends, 1, len(cut_mel))))
            ys.extend([0.0] * len(ends))
            kinds.extend(["cut"] * len(ends))
    return np.concatenate(xs), np.asarray(ys, dtype=np.float32), np.asarray(kinds)


# --talk DIR... (2026-12-07): people's connected speech as negatives. scripts/bench_talk.py found the
# detector shipped on 2026-12-05 at ASK_AT or over somewhere in 4 of 10 read sentences by people
# (speechocean762) and 5 of 10 (LibriSpeech): it had met sentences only in synthetic voices, 45 of
# them. Each recording gives windows all along it (one per TALK_EVERY frames, at random), and every
# window where the shipped detector says TALK_HARD or more (up to TALK_HARD_MOST of them, spread out),
# of kind "talk". A speechocean762 folder gives its train part only: its test part and LibriSpeech's
# train-clean-5 are bench_talk's, never read here. Other folders give every wav and flac under them.
TALK_EVERY = 20
TALK_HARD = 0.5
TALK_HARD_MOST = 30


def talk_recordings(roots: list[Path]) -> dict[str, list[tuple[str, Path]]]:
    """{"training" | "validation": [(speaker, path)]}: a speechocean762 folder's train part (its
    transcripts: a sentence with "stop" in it is left out), or every wav and flac in another folder
    (its speaker: the folder it is in); one speaker in ten held apart, by a hash of its name."""
    import hashlib  # noqa: PLC0415

    from bench_talk import speechocean  # noqa: PLC0415

    found: list[tuple[str, Path]] = []
    for root in roots:
        if (root / "train" / "wav.scp").exists():
            for speaker, said in speechocean(str(root), parts=("train",)).items():
                found += [(speaker, Path(path)) for path, text in said if "STOP" not in text.upper()]
        else:
            found += [
                (p.parent.name, p) for p in sorted(root.rglob("*")) if p.suffix.lower() in (".wav", ".flac")
            ]
    out: dict[str, list[tuple[str, Path]]] = {"training": [], "validation": []}
    for speaker, path in found:
        apart = int(hashlib.sha1(speaker.encode()).hexdigest(), 16) % 10 == 0
        out["validation" if apart else "training"].append((speaker, path))
    speakers = {part: len({s for s, _ in talk}) for part, talk in out.items()}
    print(
        f"talk: {len(out['training'])} recordings by {speakers['training']} speakers to fit, "
        f"{len(out['validation'])} by {speakers['validation']} held apart"
    )
    return out


def talk_examples(
    talk: list[tuple[str, Path]],
    seed: int,
    babble: list[np.ndarray],
    augmented: float = 0.5,
    hard: bool = True,
    miner: Path = sw.MODEL,
    speed: bool = False,
):
    """(inputs, labels, kinds) of people's talk, all negative, kind "talk": windows at random along
    each recording, and with `hard` those where the detector in `miner` (the shipped one) fires
    (TALK_HARD), as recorded or through augment's rooms, microphones and noise. Held apart, not
    `hard`: windows chosen by the shipped detector would weigh against it. With speed, each
    recording at a random speed in SPEEDS (a call of its own, beside the one without)."""
    from bench_talk import read_audio  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    shipped = sw.load(miner) if hard else None
    xs = []
    for _, path in talk:
        said = read_audio(str(path)).astype(np.float64)
        if speed:
            said = at_speed(said, rng.uniform(*SPEEDS))
        x, _lead = padded(said, rng)
        if rng.random() < augmented:
            x = augment(x, rng, babble, mic=0.5)
        mel = sw.logmel(x)
        if len(mel) < 21:
            continue
        ends = rng.integers(20, len(mel) + 1, size=max(3, len(mel) // TALK_EVERY))
        if shipped is not None:
            every = np.arange(20, len(mel) + 1, 3)
            fired = every[shipped(sw.window_inputs(mel, every)) >= TALK_HARD]
            if len(fired) > TALK_HARD_MOST:
                fired = fired[np.linspace(0, len(fired) - 1, TALK_HARD_MOST).astype(int)]
            ends = np.concatenate([ends, fired])
        xs.append(sw.window_inputs(mel, np.unique(ends)))
    x = np.concatenate(xs)
    return x, np.zeros(len(x), dtype=np.float32), np.full(len(x), "talk")


def talk_to_fit(talk: list[tuple[str, Path]], seed: int, miner: Path) -> np.ndarray:
    """The talk windows a fit learns from, as --talk makes them (scripts/check_talk_windows.py
    rebuilds them the same way)."""
    return talk_examples(talk, seed + 11, [], miner=miner)[0]


def train(
    x: np.ndarray,
    y: np.ndarray,
    kinds: np.ndarray,
    epochs: int,
    seed: int,
    near_weight: float,
    channels: tuple[int, int] = (48, 64),
    cut_weight: float = 1.0,
    talk_weight: float = 1.0,
) -> sw.Net:
    """The network of stopword.Net, fitted with PyTorch (a training-time tool only: the package runs
    it in numpy). Positives and negatives weigh the same in total, near-miss windows near_weight times
    another negative; AdamW, weight decay, dropout."""
    import torch  # noqa: PLC0415 (only here: pip install torch==2.13.0 into a separate venv)
    from torch import nn  # noqa: PLC0415

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    steps = sw.CONTEXT // sw.POOL

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1 = nn.Conv1d(sw.MELS, channels[0], 5)
            self.c2 = nn.Conv1d(channels[0], channels[1], 3)
            self.drop = nn.Dropout(0.2)
            self.out = nn.Linear(2 * channels[1], 1)

        def forward(self, v):
            h = v.view(len(v), steps, sw.MELS).transpose(1, 2)
            h = torch.relu(self.c1(h))
            h = nn.functional.max_pool1d(h, 2)
            h = torch.relu(self.c2(h))
            h = torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1)
            return self.out(self.drop(h)).view(-1)

    model = Model()
    xt, yt = torch.tensor(x), torch.tensor(y)
    w = np.where(kinds == "near", near_weight, 1.0)
    w = np.where(kinds == "cut", cut_weight, w)
    w = np.where(kinds == "talk", talk_weight, w)
    w[y > 0] = 0.0
    w[y > 0] = w.sum() / max(1.0, y.sum())
    wt = torch.tensor((w / w.mean()).astype(np.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(yt))
        for k in range(0, len(yt), 256):
            idx = order[k : k + 256]
            xb = xt[idx] + 0.05 * torch.randn_like(xt[idx])
            opt.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(xb), yt[idx], weight=wt[idx])
            loss.backward()
            opt.step()
        sched.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}", flush=True)
    model.eval()
    weights = {
        "c1": model.c1.weight,
        "b1": model.c1.bias,
        "c2": model.c2.weight,
        "b2": model.c2.bias,
        "w": model.out.weight,
        "b": model.out.bias,
    }
    return sw.Net(**{k: v.detach().numpy().astype(np.float32) for k, v in weights.items()})


def print_validation(p: np.ndarray, vy: np.ndarray, vk: np.ndarray, thresholds: tuple[float, ...]) -> None:
    """Per threshold: the share of stop windows heard, and of each other kind of window fired on."""
    kinds = [k for k in ("near", "neg", "prefix", "noise", "player", "cut", "talk") if np.any(vk == k)]
    for thr in thresholds:
        rec = np.mean(p[vy > 0] >= thr)
        fa = {k: np.mean(p[vk == k] >= thr) for k in kinds}
        print(
            f"threshold {thr}: recall {100 * rec:.1f} %, false "
            + ", ".join(f"{k} {100 * f:.2f} %" for k, f in fa.items())
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=3000, help="positive clips (as many near misses)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--near-weight", type=float, default=2.0, help="a near-miss window's weight")
    parser.add_argument("--channels", default="48,64", help="the two convolutions' widths")
    parser.add_argument("--cache", type=Path, help="keep the made examples here (npz) and reuse them")
    parser.add_argument("--vocab", choices=["basic", "wide"], default="basic", help="other words to hear")
    parser.add_argument("--player-over", type=float, default=0.0, help="share of clips said over the player")
    parser.add_argument(
        "--microphone", type=float, default=0.0, help="share of clips given a random microphone"
    )
    parser.add_argument("--closure", type=float, default=0.0, help="share of words said with a longer pause")
    parser.add_argument(
        "--festival", type=float, default=0.0, help="share of clips in Festival's voices (synth_voices)"
    )
    parser.add_argument("--real", type=Path, nargs="+", help="people's takes too: Speech Commands folders")
    parser.add_argument("--real-limit", type=int, default=4000, help="with --real: most takes per word")
    parser.add_argument(
        "--exclude-speakers", type=Path, help="with --real: refuse every speaker with a take in this folder"
    )
    parser.add_argument(
        "--cut-onsets",
        type=float,
        default=0.0,
        help="with --real: each people's stop also without its /st/, a negative of this weight",
    )
    parser.add_argument(
        "--speed", action="store_true", help="with --real: each take once more at a random speed (SPEEDS)"
    )
    parser.add_argument(
        "--talk-speed", action="store_true", help="with --talk: each recording once more at a random speed"
    )
    parser.add_argument(
        "--talk",
        type=Path,
        nargs="+",
        help="people's talk as negatives: speechocean762, or folders of recordings",
    )
    parser.add_argument(
        "--talk-cache", type=Path, help="with --talk: keep its windows here (npz) and reuse them"
    )
    parser.add_argument("--talk-weight", type=float, default=2.0, help="with --talk: a talk window's weight")
    parser.add_argument(
        "--mine-with",
        type=Path,
        default=sw.MODEL,
        help="with --talk: the detector whose firing picks the hard talk windows (the shipped one; "
        "a --talk-cache that exists is used as it is: scripts/check_talk_windows.py tells what made it)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=sw.MODEL)
    parser.add_argument(
        "--join", nargs="+", type=Path, metavar="FIT", help="write these fits to --out as one detector"
    )
    parser.add_argument(
        "--compare", nargs="+", type=Path, metavar="DETECTOR", help="with --cache: each on its validation set"
    )
    args = parser.parse_args()
    if args.talk and not args.mine_with.exists():
        parser.error(f"--mine-with {args.mine_with}: no such detector file")
    if args.join:
        fits = [net for fit in args.join for net in sw.fits(sw.load(fit))]
        sw.Nets(fits).save(args.out)
        print(f"wrote {args.out}: {len(fits)} fits, heard as the mean of their probabilities")
        return
    if args.compare:  # no training: each detector (one fit, or several heard as their mean) as it is
        assert args.cache and args.cache.exists(), "--compare needs --cache FILE made by an earlier run"
        with np.load(args.cache) as d:
            vx, vy, vk = d["vx"], d["vy"], d["vk"]
        for path in args.compare:
            detector = sw.load(path)
            parts = sw.fits(detector) if isinstance(detector, sw.Nets) else []
            for name, net in [(str(path), detector)] + [(f"  fit {i} of it", f) for i, f in enumerate(parts)]:
                print(f"{name}:")
                print_validation(net(vx), vy, vk, (0.9, 0.98))
        return
    benchmark = set(OOV_WORDS) | set(OOV_SENTENCES) | set(TUNING_RHYMES)
    heard = set(WIDE_WORDS + WIDE_SENTENCES + NEGATIVE_WORDS + SENTENCES + NEAR_MISSES)
    assert not benchmark & heard, f"benchmark words in training: {benchmark & heard}"
    assert not any("stop" in line.lower() for line in PLAYER_LINES + WIDE_SENTENCES + WIDE_WORDS)
    options = {
        "wide": args.vocab == "wide",
        "player_over": args.player_over,
        "mic": args.microphone,
        "closure": args.closure,
    }
    engines = None
    if args.festival > 0:  # the other engines keep their proportions
        engines = tuple(w * (1 - args.festival) for w in (0.6, 0.25, 0.15)) + (args.festival,)
    t = time.time()
    if args.cache and args.cache.exists():
        with np.load(args.cache) as d:
            x, y, k, vx, vy, vk = (d[n] for n in ("x", "y", "k", "vx", "vy", "vk"))
    else:
        with Pool(2) as pool:
            train_variants = espeak_variants(exclude=set(VALIDATION))
            x, y, k = make_examples(args.clips, train_variants, args.seed, pool, engines=engines, **options)
            vx, vy, vk = make_examples(
                max(200, args.clips // 4), VALIDATION, args.seed + 100, pool, engines=ESPEAK_ONLY, **options
            )
        if args.cache:
            np.savez(args.cache, x=x, y=y, k=k, vx=vx, vy=vy, vk=vk)
    real_vx = None
    if args.real:
        takes = real_takes(args.real, speakers_in(args.exclude_speakers), args.real_limit,
                           np.random.default_rng(args.seed))  # fmt: skip
        from voiceguide.audio.pcm import decode_wav  # noqa: PLC0415

        others = [p for w, p in takes["training"][::97] if w != "stop"]
        babble = [decode_wav(p.read_bytes())[0].astype(np.float64) for p in others]
        cut = args.cut_onsets > 0
        rx, ry, rk = real_examples(takes["training"], args.seed + 7, babble, cut_onsets=cut, speed=args.speed)
        real_vx, real_vy, real_vk = real_examples(takes["validation"], args.seed + 107, babble, 0.0, True)
        print(f"real windows: {len(ry)} to fit ({int(ry.sum())} positive), {len(real_vy)} held apart")
        x, y, k = np.concatenate([x, rx]), np.concatenate([y, ry]), np.concatenate([k, rk])
    talk_vx = None
    if args.talk:
        talk = None  # listed once, when a cache does not hold what is needed
        if args.talk_cache and args.talk_cache.exists():
            with np.load(args.talk_cache) as d:
                tx, talk_vx = d["tx"], d["tvx"]
        else:
            talk = talk_recordings(args.talk)
            tx = talk_to_fit(talk["training"], args.seed, args.mine_with)
            talk_vx = talk_examples(talk["validation"], args.seed + 111, [], 0.0, hard=False)[0]
            if args.talk_cache:
                np.savez(args.talk_cache, tx=tx, tvx=talk_vx)
        if args.talk_speed:  # the talk at other speeds too, kept beside the talk cache
            cache = (
                args.talk_cache.with_name(args.talk_cache.stem + "_speed.npz") if args.talk_cache else None
            )
            if cache and cache.exists():
                with np.load(cache) as d:
                    faster = d["tx"]
            else:
                talk = talk or talk_recordings(args.talk)
                faster = talk_examples(
                    talk["training"], args.seed + 13, [], miner=args.mine_with, speed=True
                )[0]
                if cache:
                    np.savez(cache, tx=faster)
            print(f"talk windows at other speeds: {len(faster)}")
            tx = np.concatenate([tx, faster])
        print(f"talk windows: {len(tx)} to fit, {len(talk_vx)} held apart")
        x = np.concatenate([x, tx])
        y = np.concatenate([y, np.zeros(len(tx), dtype=np.float32)])
        k = np.concatenate([k, np.full(len(tx), "talk")])
    print(
        f"examples: {len(y)} training ({int(y.sum())} positive), {len(vy)} validation; "
        f"{time.time() - t:.0f} s"
    )
    c1, c2 = (int(c) for c in args.channels.split(","))
    net = train(
        x, y, k, args.epochs, args.seed, args.near_weight, (c1, c2), args.cut_onsets or 1.0, args.talk_weight
    )
    print(f"trained in {time.time() - t:.0f} s")
    p = net(vx)
    print_validation(p, vy, vk, (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995))
    if sw.MODEL.exists() and args.out != sw.MODEL:  # the baseline: the shipped detector, same windows
        print("recall (% of stop windows) where 0.2 / 0.5 / 1 % of other words' windows fire:")
        for name, q in (("this fit", p), ("shipped", sw.load(sw.MODEL)(vx))):
            others = np.sort(q[vk == "neg"])
            at = [others[int(len(others) * (1 - f))] for f in (0.002, 0.005, 0.01)]
            print(f"  {name}: " + " / ".join(f"{100 * np.mean(q[vy > 0] >= t):.1f}" for t in at))
    if real_vx is not None:
        print("people's takes held apart (the dataset's validation part; speakers not fitted on), this fit:")
        print_validation(net(real_vx), real_vy, real_vk, (0.9, 0.98))
        if sw.MODEL.exists() and args.out != sw.MODEL:
            print("the shipped detector on them:")
            print_validation(sw.load(sw.MODEL)(real_vx), real_vy, real_vk, (0.9, 0.98))
    if talk_vx is not None:
        print("people's talk held apart (speakers not fitted on): windows fired on, this fit / shipped")
        shipped = sw.load(sw.MODEL)(talk_vx) if sw.MODEL.exists() else None
        for thr in (0.5, 0.9, 0.98):
            here = 100 * np.mean(net(talk_vx) >= thr)
            there = f" / {100 * np.mean(shipped >= thr):.2f} %" if shipped is not None else ""
            print(f"  from {thr}: {here:.2f} %{there}")
    net.save(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) // 1024} KiB)")


if __name__ == "__main__":
    main()
