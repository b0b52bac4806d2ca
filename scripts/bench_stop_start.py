"""A stop said over the player in a session's first seconds, offline: heard or not; prints markdown.

    .venv/bin/python scripts/bench_stop_start.py [--stop-model FILE]

The start of a session as the player plays it (the start cue, then two sentences in espeak-ng's
voice), heard through a short room echo, with "stop" said by another voice at seven moments and
two levels (as loud as the echo, and 6 dB under it). Each clip goes through the real listener
frame by frame, as a session's listener thread does (echo canceller, voice activity, the stop
detector while the word is said, the recogniser at the end of each utterance). A stop counts as
heard when the session would silence the player: acted on, or "did you say stop?".

Baseline in the same run: the same listener without the stop word being listened for while the
echo is still being learnt (`Listener.through` off). Beside it, the listener starting from the echo
path an earlier session learnt in the same room (another session's start, nobody speaking), with
the echo where it was then and 300 ms later (a re-timed stream: the path must not be trusted
there). False stops: the same audio without the person, and sentences in which the player itself
says "stop", from nothing and from the earlier path. Cost: the listener's CPU time per
30 ms frame on the session's start alone (echo canceller, voice activity, stop detectors; not the
recogniser), with and without the listening through the unlearnt echo.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# numpy's BLAS on one thread, as the command runs it (settings.one_blas_thread); set
# OPENBLAS_NUM_THREADS yourself to compare (2 threads: the same answers, 42 % more CPU).
from voiceguide import settings  # noqa: E402

settings.one_blas_thread()

import numpy as np  # noqa: E402

from voiceguide.audio.pcm import SAMPLE_RATE, decode_wav, resample  # noqa: E402
from voiceguide.audio.tones import load_cue  # noqa: E402
from voiceguide.feedback.echo import EchoPath, echo_share  # noqa: E402
from voiceguide.feedback.listen import (  # noqa: E402
    ECHO_SEARCH,
    FRAME,
    RATE,
    UNKNOWN_ECHO_SECONDS,
    Listener,
    Reference,
)
from voiceguide.feedback.recognise import Recogniser  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from replay_listen import stops_answered  # noqa: E402  (the listener's loop, as its thread runs it)

SENTENCES = (
    "Glide your palms slowly down towards your hips, then back up, feather light. "
    "Keep the strokes slow and even, and let your breathing stay easy and calm."
)
OWN_STOPS = (
    "Welcome. Say stop, or press s, at any moment, and everything stops. "
    "Sharp, shooting or burning pain, or tingling down the leg, means stop."
)
MOMENTS = (0.9, 1.6, 2.2, 3.0, 4.0, 6.0, 8.0)  # seconds from the start; speech begins at 1.9 s
VOICES = ("en-us+m3", "en-gb+f2")
LEVELS = (("as loud as the echo", 1.0), ("6 dB under it", 0.5), ("12 dB under it", 0.25))


def speech(text: str, voice: str = "en-us") -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True).stdout
    x, rate = decode_wav(wav)
    return resample(x, rate, RATE).astype(np.float64)


def room(x: np.ndarray) -> np.ndarray:
    """A short echo path: 5 ms delay, two reflections, 40 % of the level."""
    h = np.zeros(200)
    h[80], h[95], h[140] = 0.4, 0.15, -0.08
    return np.convolve(x, h)[: len(x)]


def reference_of(played: np.ndarray) -> Reference:
    def between(start: float, end: float):
        k = np.arange(max(0, int(start * RATE)), min(len(played), int(end * RATE) + 1))
        return k / RATE, played[k]

    return Reference(between, RATE)


EARLIER = "Welcome. Lie on your side with a pillow between your knees, and breathe out slowly."
MOVED = 0.3  # seconds later than the earlier session's echo


def stops_heard(
    mic: np.ndarray, played: np.ndarray, recogniser: Recogniser, through: bool, path: EchoPath | None = None
) -> list[float]:
    """When the session would silence the player for a stop (seconds of audio, each time)."""
    listener = Listener(None, recognise=None, reference=reference_of(played), echo_path=path)
    if not through:
        listener.through = []
    starts = range(0, len(mic) - FRAME + 1, FRAME)
    frames = ((mic[i : i + FRAME].astype(np.float32), i / RATE) for i in starts)
    answered = stops_answered(listener, frames, recogniser)
    # an early answer's time is the start of the frame it came in
    return [at + FRAME / RATE if how == "early" else at for at, how, _ in answered]


def word_end(x: np.ndarray) -> float:
    """Seconds into `x` where the word ends: its last 10 ms within 40 dB of its loudest."""
    hop = RATE // 100
    levels = np.array([np.sqrt(np.mean(x[i : i + hop] ** 2)) for i in range(0, len(x) - hop + 1, hop)])
    loud = np.nonzero(levels > levels.max() * 10 ** (-40 / 20))[0]
    return float((loud[-1] + 1) * hop / RATE)


def later(x: np.ndarray, seconds: float) -> np.ndarray:
    return np.concatenate([np.zeros(int(seconds * RATE)), x])[: len(x)]


def learnt_path(played: np.ndarray) -> EchoPath:
    """What a session's listener keeps after hearing `played` through the room, nobody speaking."""
    listener = Listener(None, recognise=None, reference=reference_of(played))
    mic = room(played)
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
    path = listener.learnt_path()
    if path is None:
        raise SystemExit("no echo path was learnt from the earlier session's start")
    return path


def session_start(cue: np.ndarray, text: str) -> np.ndarray:
    """As played: a moment of silence, the start cue, a short gap, the sentences, a second of silence."""
    return np.concatenate([np.zeros(RATE // 2), cue, np.zeros(RATE // 5), speech(text), np.zeros(RATE)])


def frame_cost(played: np.ndarray, through: bool, path: EchoPath | None = None) -> float:
    """Milliseconds of CPU per 30 ms frame: Listener.process and Listener.early, as its thread runs them."""
    listener = Listener(None, recognise=None, reference=reference_of(played), echo_path=path)
    if not through:
        listener.through = []
    mic = room(played)
    starts = range(0, len(mic) - FRAME + 1, FRAME)
    began = time.process_time()
    for i in starts:
        frame = mic[i : i + FRAME].astype(np.float32)
        listener.process(frame, i / RATE)
        listener.early(frame, i / RATE)
    return (time.process_time() - began) * 1000 / len(starts)


def own_voice_check_ms(word: np.ndarray, played: np.ndarray, around: float, at: float = 3.0) -> float:
    """Milliseconds of CPU to look for the player's sound in one word said `at` s in, searched
    `around` s either side (Listener.set_aside: the usual search, or the wide one for a
    microphone taken for deaf on digital silence), the median of five."""
    heard = room(played)[int(at * RATE) : int(at * RATE) + len(word)] + word
    search = int(around * RATE)
    ref = played[int(at * RATE) - search : int(at * RATE) + len(word) + search]
    times = []
    for _ in range(5):
        began = time.process_time()
        echo_share(heard, ref)
        times.append(time.process_time() - began)
    return 1000 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stop-model", type=Path, help="another stop detector (npz)")
    args = parser.parse_args()
    if args.stop_model:  # named as a session names another detector, before anything loads one
        os.environ["VOICEGUIDE_STOP_MODEL"] = str(args.stop_model)
        print(f"(stop detector: {args.stop_model})\n")
    recogniser = Recogniser()
    cue = resample(load_cue("start"), SAMPLE_RATE, RATE)
    played = session_start(cue, SENTENCES)
    path = learnt_path(session_start(cue, EARLIER))
    print("# A stop said over the player in a session's first seconds (offline)\n")
    print(f"Echo path learnt from an earlier session's start: it cancelled {path.erle_db:.1f} dB.\n")
    columns = (
        "from nothing (voiceguide)",
        "from nothing, without listening for it while the echo is learnt",
        "from the earlier path, the echo where it was",
        f"from the earlier path, the echo {MOVED * 1000:.0f} ms later",
        f"from nothing, the echo {MOVED * 1000:.0f} ms later",
    )
    print("| person | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    totals = [0] * len(columns)
    count = 0
    misses: dict[str, list[str]] = {columns[0]: [], columns[2]: []}
    delays: dict[str, list[float]] = {columns[0]: [], columns[2]: []}  # word's end -> answer
    slow: dict[str, list[str]] = {columns[0]: [], columns[2]: []}
    for label, gain in LEVELS:
        row = [0] * len(columns)
        said = 0
        for voice in VOICES:
            person = speech("stop", voice)
            end = word_end(person)
            for moment in MOMENTS:
                mic = room(played)
                at = int(moment * RATE)
                mic[at : at + len(person)] += gain * person
                moved = later(room(played), MOVED)
                moved[at : at + len(person)] += gain * person
                heard = (
                    stops_heard(mic, played, recogniser, through=True),
                    stops_heard(mic, played, recogniser, through=False),
                    stops_heard(mic, played, recogniser, through=True, path=path),
                    stops_heard(moved, played, recogniser, through=True, path=path),
                    stops_heard(moved, played, recogniser, through=True),
                )
                row = [r + bool(h) for r, h in zip(row, heard, strict=True)]
                said += 1
                for k in misses:
                    answered = [t for t in heard[columns.index(k)] if t > moment]
                    if answered:
                        delays[k].append(answered[0] - (moment + end))
                        if delays[k][-1] > 0.3:
                            slow[k].append(f"{voice} {label} at {moment} s: {delays[k][-1] * 1000:.0f} ms")
                    else:
                        misses[k].append(f"{voice} {label} at {moment} s")
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        count += said
        print(f"| {label} | " + " | ".join(f"{r} of {said}" for r in row) + " |")
    print("| all | " + " | ".join(f"{t} of {count}" for t in totals) + " |\n")
    for k, missed in misses.items():
        print(f"Missed, {k}: " + ("; ".join(missed) if missed else "none") + ".\n")
    print("| from the end of the word to the answer (ms of audio; the listener's computing not counted) "
          "| median | 90th percentile | max | over 300 ms |")  # fmt: skip
    print("|---|---|---|---|---|")
    for k, d in delays.items():
        ms = np.array(d) * 1000
        print(f"| {k} | {np.median(ms):.0f} | {np.percentile(ms, 90):.0f} | {ms.max():.0f} | "
              f"{int(np.sum(ms > 300))} of {len(ms)} |")  # fmt: skip
    print()
    for k, late in slow.items():
        print(f"Over 300 ms, {k}: " + ("; ".join(late) if late else "none") + ".\n")
    own = session_start(cue, OWN_STOPS)
    nobody = {
        "the start cue and two sentences, no person": played,
        'the start cue and the player\'s own "say stop ... means stop"': own,
    }
    heads = ("from nothing", "from the earlier path", f"from it, the echo {MOVED:g} s later")
    print("| false stops (nobody speaking) | " + " | ".join(heads) + " |")
    print("|---|---|---|---|")
    for name, x in nobody.items():
        found = (
            len(stops_heard(room(x), x, recogniser, True)),
            len(stops_heard(room(x), x, recogniser, True, path=path)),
            len(stops_heard(later(room(x), MOVED), x, recogniser, True, path=path)),
        )
        print(f"| {name} | " + " | ".join(map(str, found)) + " |")
    ours, base = frame_cost(played, through=True), frame_cost(played, through=False)
    kept = frame_cost(played, through=True, path=path)  # the kept path scored until it is checked
    print("\n| CPU per 30 ms frame | voiceguide | without listening through the unlearnt echo | ratio |")
    print("|---|---|---|---|")
    print(f"| ms, from nothing | {ours:.2f} | {base:.2f} | {ours / base:.1f} |")
    print(f"| ms, from the earlier path | {kept:.2f} | {base:.2f} | {kept / base:.1f} |")
    word = speech("stop", VOICES[0])
    usual = own_voice_check_ms(word, played, ECHO_SEARCH)
    wide = own_voice_check_ms(word, played, UNKNOWN_ECHO_SECONDS)
    print(f"\n| CPU to look for the player's sound in a {len(word) / RATE:.2f} s word | usual search "
          f"({ECHO_SEARCH:g} s either side) | wide ({UNKNOWN_ECHO_SECONDS:g} s: a "
          "microphone taken for deaf on digital silence) | ratio |")  # fmt: skip
    print("|---|---|---|---|")
    print(f"| ms | {usual:.0f} | {wide:.0f} | {wide / usual:.1f} |")


if __name__ == "__main__":
    main()
