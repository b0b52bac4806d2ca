"""Hear a recorded session's microphone again, offline, through the listener as it is now.

    VOICEGUIDE_RECORD_LISTEN=DIR voiceguide play ...      # (or scripts/bench_feedback.py)
    .venv/bin/python scripts/replay_listen.py DIR/listen-*.frames [--without-seed] [--debug]

Each file holds one session's microphone frames and what the player played at the same times
(`listen.Recording`). First, where the player's echo sat in the microphone against what the
record says was played then (whole-session cross-correlation: a few ms on a sound card or a
sink; seconds, when the record's timing was wrong). Then the listener runs over the frames,
frame by frame, as its thread does, and every stop it would answer is printed: heard while it
was said (`early`), or decoded at the end of an utterance. So a miss found live can be looked at
again, and a change tried on it, without the sound server's timing changing under it.
`--without-seed` turns off the least-squares start of the echo canceller
(`Listener.seed_canceller`), the baseline it was measured against. `--mic-late S` hears the
microphone S seconds later than the record says the player played (digital silence before it, or
a quiet room with `--floor-db -70`): a stream late to start, as a PulseAudio monitor can be.
`--through-check S` tries another window for the check of a stop heard through the unlearnt echo
(docs/recognition.md, "its check on the last 0.8 s").
`--turned-up S` hears nothing of the recording until S seconds after the player's first sound,
then all of it on time (a loudspeaker turned up; with `--floor-db`, a quiet room before it). Over
sessions in which nobody spoke, every stop it prints is the player's own.

A session that started from a kept echo path (`echo-path.json`) left a copy of it beside its
frames (`listen-....frames.path.json`): the replay starts from it too, as the session did.
Recordings made before 2026-12-03, 12:00 have no copy and are replayed from nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# numpy's BLAS on one thread, as the command runs it (settings.one_blas_thread); set
# OPENBLAS_NUM_THREADS yourself to compare (2 threads: the same answers, 42 % more CPU).
from voiceguide import settings  # noqa: E402

settings.one_blas_thread()

import numpy as np  # noqa: E402

from voiceguide.feedback.decision import STOP_ACT, STOP_ASK  # noqa: E402
from voiceguide.feedback.intents import meaning  # noqa: E402
from voiceguide.feedback.listen import RATE, Listener, Reference, read_recording, safety_first  # noqa: E402


def reference_of(frames: np.ndarray) -> Reference:
    """What was played, on the microphone's clock, as the session's Reference gave it."""
    times = (frames["at"][:, None] + np.arange(frames["played"].shape[1])[None, :] / RATE).reshape(-1)
    played = frames["played"].reshape(-1).astype(np.float64)

    def between(start: float, end: float):
        lo, hi = np.searchsorted(times, [start, end])
        return times[lo:hi], played[lo:hi]

    return Reference(between, RATE)


def stops_answered(listener: Listener, frames: Iterable[tuple[np.ndarray, float]], recogniser=None):
    """Every stop the listener would answer over these frames, as its thread runs it: (time, how,
    confidence), from the level at which a session silences the player (acted on, or asked)."""
    heard = []
    for frame, at in frames:
        utterance = listener.process(frame, at)
        early = listener.early(frame, at)
        if early is not None and early.answer.text == "stop":
            heard.append((at, "early", early.answer.confidence))
        if utterance is None:
            continue
        if listener.spotted:
            listener.spotted = False
            listener.spotter.reset()
            if listener.spotted_sure:
                continue
        if listener.set_aside(utterance) or recogniser is None:
            continue
        answer = safety_first(recogniser.hear(utterance.samples, RATE, "any"))
        if meaning(answer.text)[0] == "stop":
            heard.append((utterance.end, f"decoded {answer.text!r}", answer.confidence))
    return [h for h in heard if h[2] >= STOP_ASK]


def echo_offset(frames: np.ndarray) -> float | None:
    """Seconds after the record that the microphone heard the player (negative: before it), by
    the peak of the whole session's cross-correlation; None when nothing was played or heard."""
    mic = frames["mic"].reshape(-1).astype(np.float64)
    played = frames["played"].reshape(-1).astype(np.float64)
    if not np.any(mic) or not np.any(played):
        return None
    size = 1 << int(np.ceil(np.log2(2 * len(mic))))
    corr = np.fft.irfft(np.fft.rfft(mic, size) * np.conj(np.fft.rfft(played, size)), size)
    k = int(np.argmax(np.abs(corr)))
    return (k if k < size // 2 else k - size) / RATE


def started_from(path: str):
    """The kept echo path the recorded session started from, or None (it started from nothing)."""
    from voiceguide.feedback import room  # noqa: PLC0415

    return room.load(Path(path + ".path.json"))


def heard_late(
    frames: np.ndarray, late: float, floor_db: float | None = None, turned_up: float = 0.0
) -> np.ndarray:
    """The recording with its microphone `late` seconds later than the record (the frames' times
    unchanged); before it digital silence, or a room at `floor_db` throughout. With `turned_up`,
    the microphone hears nothing of the recording until that long after the player's first sound
    (a loudspeaker turned up only then), and then all of it, on time."""
    frames = frames.copy()
    mic = frames["mic"].reshape(-1).astype(np.float32)
    k = min(len(mic), int(late * RATE))
    mic = np.concatenate([np.zeros(k, np.float32), mic[: len(mic) - k]])
    if turned_up:
        sounding = np.flatnonzero(np.abs(frames["played"].reshape(-1)) > 1e-3)
        first = int(sounding[0]) if len(sounding) else 0
        mic[: first + int(turned_up * RATE)] = 0.0
    if floor_db is not None:
        mic = mic + np.random.default_rng(1).normal(0.0, 10 ** (floor_db / 20), len(mic)).astype(np.float32)
    frames["mic"] = mic.reshape(frames["mic"].shape)
    return frames


def replay(
    path: str,
    seed: bool = True,
    recogniser=None,
    late: float = 0.0,
    floor_db: float | None = None,
    turned_up: float = 0.0,
) -> list[tuple[float, str, float]]:
    """The stops the listener would answer in this recording: (seconds in, how, confidence)."""
    frames = read_recording(path)
    if late or floor_db is not None or turned_up:
        frames = heard_late(frames, late, floor_db, turned_up)
    listener = Listener(None, recognise=None, reference=reference_of(frames), echo_path=started_from(path))
    if not seed:
        listener.seed_canceller = lambda *args: None  # type: ignore[method-assign]
    first = float(frames["at"][0]) if len(frames) else 0.0
    kept = ((r["mic"].astype(np.float32), float(r["at"])) for r in frames)
    return [(at - first, how, c) for at, how, c in stops_answered(listener, kept, recogniser)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--without-seed", action="store_true", help="the canceller learns on its own")
    ap.add_argument("--debug", action="store_true", help="the listener's log on stderr")
    ap.add_argument("--mic-late", type=float, default=0.0, metavar="S", help="the microphone S s late")
    ap.add_argument("--floor-db", type=float, default=None, help="a room this loud under the microphone")
    ap.add_argument(
        "--turned-up", type=float, default=0.0, metavar="S", help="nothing heard until S s into the playing"
    )
    ap.add_argument(
        "--through-check",
        type=float,
        metavar="S",
        help="check a stop heard through the unlearnt echo on its last S s (listen.THROUGH_CHECK_SECONDS)",
    )
    args = ap.parse_args()
    if args.through_check is not None:
        from voiceguide.feedback import listen  # noqa: PLC0415

        listen.THROUGH_CHECK_SECONDS = args.through_check
    if args.debug:
        os.environ["VOICEGUIDE_DEBUG_LISTEN"] = "1"
    from voiceguide.feedback.recognise import Recogniser

    recogniser = Recogniser()
    answered = 0
    for path in args.files:
        stops = replay(path, not args.without_seed, recogniser, args.mic_late, args.floor_db, args.turned_up)
        said = ", ".join(
            f"{t:.2f} s {how}, {'acted on' if c >= STOP_ACT else 'asked about'}" for t, how, c in stops
        )
        said = said or "none"
        offset = echo_offset(read_recording(path))
        where = "no echo" if offset is None else f"echo {offset * 1000:+.0f} ms from the record"
        kept = started_from(path)
        where += "" if kept is None else f"; from a kept echo path ({kept.erle_db:.0f} dB)"
        print(f"{Path(path).name}: {where}; stops answered: {said}")
        answered += bool(stops)
    if len(args.files) > 1:
        print(f"{answered} of {len(args.files)} recordings with a stop answered")


if __name__ == "__main__":
    main()
