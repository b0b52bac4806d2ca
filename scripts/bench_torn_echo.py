"""The player's own "stop" with its echo torn by an underrun, and a person's stop said near it, offline.

    .venv/bin/python scripts/bench_torn_echo.py

Measured 2026-12-07 on a busy machine (two busy loops beside `tests/test_voice_live.py`, the
session kept by VOICEGUIDE_RECORD_LISTEN and replayed): the sink underran just as the player said
"...means stop.". The microphone heard 60 ms of nothing, then the player's sound 85-95 ms late,
then moved back in steps (13, 34, 55, -11 ms...) over 0.3 s, and settled 2 ms later than before.
The canceller's remains of that "stop" were heard as the person's stop, and the session stopped.
This bench tears the echo the same way (TEAR, in 30 ms steps) at moments around each "stop" the
player says, and counts:

- false stops, nobody speaking, with the echo torn just before, at and inside each of the
  player's own stops;
- a person's stop (two espeak-ng voices, as loud as the echo and 6 dB under it) said from half a
  second before to half a second after the player's last own "stop", with that stop's echo torn
  and not torn: heard (acted on, or "did you say stop?") or missed.

Each through the real listener frame by frame (`replay_listen.stops_answered`), as voiceguide
has it and without `Listener.refit_torn` (the refit in 15 ms pieces tried when the player's own
sound says "stop"): the baseline, in the same run. Last, the CPU one torn look at an utterance
costs, against the usual look for the player's sound in it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from voiceguide import settings  # noqa: E402

settings.one_blas_thread()

import numpy as np  # noqa: E402
from bench_stop_start import EARLIER, OWN_STOPS, learnt_path, reference_of, room, session_start, speech  # noqa: E402
from replay_listen import stops_answered  # noqa: E402

from voiceguide.audio.pcm import SAMPLE_RATE, resample  # noqa: E402
from voiceguide.audio.tones import load_cue  # noqa: E402
from voiceguide.feedback import stopword  # noqa: E402
from voiceguide.feedback.echo import EchoPath, echo_share, torn_path, torn_residual  # noqa: E402
from voiceguide.feedback.listen import FRAME, RATE, Listener  # noqa: E402
from voiceguide.feedback.recognise import Recogniser  # noqa: E402

GAP = 0.06  # seconds the sink played nothing
TEAR = (88, 85, 95, 13, 34, 55, -11, -10)  # ms late, each 30 ms, after the gap (as measured)
SETTLED = 2  # ms late from then on
BEFORE_STOP = (0.3, 0.2, 0.1, 0.0, -0.1)  # the tear begins this long before the player's stop's onset
PERSON_AT = (-0.5, -0.25, 0.0, 0.25, 0.5)  # the person's stop's onset, from the player's last one's
VOICES = ("en-us+m3", "en-gb+f2")
LEVELS = (("as loud as the echo", 1.0), ("6 dB under it", 0.5))
WORD = 0.35  # seconds from a stop's onset to where the detector hears it end (about)


def torn(echo: np.ndarray, at: float) -> np.ndarray:
    """The echo as a sink that underran at `at` seconds plays it: nothing, then late by TEAR."""
    out = echo.copy()
    start = int(at * RATE)
    gap = int(GAP * RATE)
    out[start : start + gap] = 0.0
    step = int(0.03 * RATE)
    k = start + gap
    for late in (*TEAR, None):
        shift = int((SETTLED if late is None else late) * RATE / 1000)
        end = len(out) if late is None else min(len(out), k + step)
        src = np.arange(k, end) - shift
        out[k:end] = np.where((src >= 0) & (src < len(echo)), echo[np.clip(src, 0, len(echo) - 1)], 0.0)
        k = end
        if k >= len(out):
            break
    return out


def own_stops(played: np.ndarray) -> list[float]:
    """Onsets (seconds) of the player's own stops: where the detector hears one end, less WORD."""
    spotter = stopword.Spotter()
    ends, last = [], -1.0
    for i in range(0, len(played) - FRAME + 1, FRAME):
        if spotter.feed(played[i : i + FRAME].astype(np.float32)) >= stopword.ASK_AT:
            t = i / RATE
            if t - last > 0.5:
                ends.append(t)
            last = t
    return [t - WORD for t in ends]


def heard(
    mic: np.ndarray, played: np.ndarray, recogniser: Recogniser, refit: bool, path: EchoPath | None = None
) -> list[float]:
    listener = Listener(None, recognise=None, reference=reference_of(played), echo_path=path)
    listener.refit_torn = refit
    frames = (
        (mic[i : i + FRAME].astype(np.float32), i / RATE) for i in range(0, len(mic) - FRAME + 1, FRAME)
    )
    return [at for at, _, _ in stops_answered(listener, frames, recogniser)]


def main() -> None:
    recogniser = Recogniser()
    cue = resample(load_cue("start"), SAMPLE_RATE, RATE)
    played = session_start(cue, OWN_STOPS)
    onsets = own_stops(played)
    echo = room(played)
    print('# The player\'s own "stop" with its echo torn by an underrun (offline)\n')
    print(f"The player's own stops begin at {', '.join(f'{t:.2f}' for t in onsets)} s.\n")
    print("| nobody speaking | voiceguide | without the refit (baseline) |")
    print("|---|---|---|")
    untorn = [len(heard(echo, played, recogniser, r)) for r in (True, False)]
    print(f"| the echo whole: false stops | {untorn[0]} | {untorn[1]} |")
    kept = learnt_path(session_start(cue, EARLIER))
    for start, path in (("from nothing", None), ("from an earlier session's echo path", kept)):
        for k, onset in enumerate(onsets):
            sessions = [0, 0]
            for before in BEFORE_STOP:
                mic = torn(echo, onset - before)
                found = [len(heard(mic, played, recogniser, r, path)) for r in (True, False)]
                sessions = [s + bool(f) for s, f in zip(sessions, found, strict=True)]
            n = len(BEFORE_STOP)
            print(f"| {start}, the echo torn around the player's stop {k + 1} ({onset:.1f} s): sessions "
                  f"with a false stop | {sessions[0]} of {n} | {sessions[1]} of {n} |")  # fmt: skip
    print()
    last = onsets[-1]
    print("| a person's stop near the player's last own one | voiceguide | without the refit (baseline) |")
    print("|---|---|---|")
    missed: list[str] = []
    for tear in (True, False):
        for label, gain in LEVELS:
            row, earlier, said = [0, 0], [0, 0], 0
            for voice in VOICES:
                person = speech("stop", voice)
                for offset in PERSON_AT:
                    mic = torn(echo, last - 0.1) if tear else echo.copy()
                    at = int((last + offset) * RATE)
                    mic[at : at + len(person)] += gain * person
                    onset = last + offset
                    for k, refit in enumerate((True, False)):
                        times = heard(mic, played, recogniser, refit)
                        # heard: answered after the person began, within 1.5 s; the player may also
                        # have been silenced by a false stop on its own word just before (earlier)
                        if any(onset < t <= onset + 1.5 for t in times):
                            row[k] += 1
                        elif any(onset - 1.0 <= t <= onset for t in times):
                            earlier[k] += 1
                        elif refit:
                            missed.append(f"{'torn' if tear else 'whole'}, {voice}, {label}, {offset:+g} s")
                    said += 1
            name = f"echo {'torn' if tear else 'whole'}, {label}"
            cells = [f"{row[k]} ({earlier[k]}) of {said}" for k in (0, 1)]
            print(f"| {name}: heard (silenced just before by a false stop) | {cells[0]} | {cells[1]} |")
    print("\nMissed with the refit: " + ("; ".join(missed) if missed else "none") + ".")
    look_cost(played, echo, kept)


def look_cost(played: np.ndarray, echo: np.ndarray, path: EchoPath) -> None:
    """CPU (ms, the median of three) to look at one utterance of the player's torn sound: the usual
    look for the player's sound (echo_share, 0.25 s either side: the baseline) and the torn one
    (torn_path, then torn_residual), through an earlier session's path."""
    search = int(0.25 * RATE)
    mic = torn(echo, 6.0)
    print("\n| CPU to look at one utterance | usual look (baseline) | the torn look | ratio |")
    print("|---|---|---|---|")
    for seconds in (0.5, 1.0, 2.0, 4.0):
        start = int(5.8 * RATE)
        heard = mic[start : start + int(seconds * RATE)]
        ref = played[start - search - 240 : start + len(heard) + search - 240]
        costs = []
        for torn_look in (False, True):
            times = []
            for _ in range(3):
                began = time.process_time()
                if torn_look:
                    torn_residual(heard, ref, torn_path(heard, ref, path.taps))
                else:
                    echo_share(heard, ref)
                times.append(time.process_time() - began)
            costs.append(1000 * float(np.median(times)))
        print(f"| {seconds:g} s | {costs[0]:.0f} ms | {costs[1]:.0f} ms | {costs[1] / costs[0]:.1f} |")


if __name__ == "__main__":
    main()
