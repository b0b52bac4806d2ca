"""Listening live: the microphone, the player's own voice taken out, and one answer per utterance.

    microphone frames (30 ms, PortAudio ADC times)
      -> echo canceller (reference: what the loudspeaker played at those times)
      -> voice activity (WebRTC VAD from pocketsphinx + a level gate) -> utterances
      -> own-voice check (mostly echo? dropped) -> recogniser -> Answer in a queue

The player never has to stop listening while it speaks, so the stop word works at
any moment. The pure parts (Endpointer, frame maths) are tested without a sound
card; the whole chain is tested through a PulseAudio pipe-source microphone.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from voiceguide import settings
from voiceguide.errors import NoRecogniser
from voiceguide.feedback import floor, stopword
from voiceguide.feedback.decision import (
    ACT,
    REJECT,
    SAFETY,
    STOP_ACT,
    asked_as_stop,
    asks_a_question,
    calls_for_stop,
    decide,
)
from voiceguide.feedback.echo import (
    CONVERGED_DB,
    REFERENCE_LEAD,
    DelayTracker,
    EchoCanceller,
    EchoPath,
    cancelled_db,
    echo_residual,
    echo_share,
    fit_path,
    level_db,
    lowpass,
    torn_path,
    torn_residual,
)
from voiceguide.feedback.intents import Answer, tokens

RATE = 16000
FRAME = 480  # 30 ms: the VAD's frame
PREROLL_FRAMES = 8  # kept before the start of speech: word onsets are quiet
START_FRAMES = 3  # of the last 4 frames speech -> an utterance starts
END_FRAMES = 7  # frames of silence that end an utterance (210 ms): short, for a quick stop
# ...but what is decoded is fixed once TAIL_FRAMES of them have come (the rest: those frames' sound
# again), so that decoding starts 120 ms before the end is found (scripts/bench_early_decode.py)
TAIL_FRAMES = 3
MAX_SECONDS = 6.0  # an answer is a word or a short phrase; longer talk is cut here
MIN_SECONDS = 0.15
GIVE_UP_FRAMES = 100
NO_ECHO_FRAMES = 330  # 10 s of playback and no echo found: the microphone does not hear the player
# The record of what was played is checked against what was given to the device, by count
# (Listener.playing): sound in the last RECORD_CHECK_SECONDS by one and not the other, RECORD_DOUBTED
# frames in a row (0.5 s, more than the output's latency), and the record is doubted for
# RECORD_DOUBT_SECONDS (record_wrong).
RECORD_CHECK_SECONDS = 0.5
RECORD_DOUBTED = 17
RECORD_DOUBT_SECONDS = 5.0
PLAYING_BEHIND_MAX = 0.25  # ... only on frames heard less than this long ago (Listener.in_time)
RECORD_WRONG = "said over the player while its echo is lost or the record of it doubted"  # (journaled)
LOST_ECHO_TIMES = 3  # ... 30 s, when this session had found and cancelled it (heard_the_player)
DEAF_FRAMES = 66  # 2 s in a row within ECHO_DELAY_MAX of playback, all below SPEECH_FLOOR_DB: deaf to it
# quieter is digital silence, no sound at all: a stream not started yet (a PulseAudio monitor may
# miss its first second), a pipe-source or a noise gate between words; never a microphone in a room
DIGITAL_SILENCE_DB = -100.0
ECHO_DELAY_MAX = 1.0  # the player's sound reaches a microphone at most this late (measured: 0.65 s)
SAFETY_FLOOR = STOP_ACT  # confidence from which a decoded stop or symptom word is acted on
OVERFLOW_SECONDS = 0.025  # ADC times jitter by up to 10 ms; later than this, input was dropped
SPEECH_FLOOR_DB = floor.SPEECH_FLOOR_DB  # quieter frames are never speech...
# ...unless the room is quieter and the player silent: then the floor is floor.over_room of the
# last ROOM_SECONDS (Listener.speech_floor). A voice from across the room is 20 dB quieter; the room
# is not. What only that lower floor let through, and the speech gate calls no speech, is set aside
# (QUIET_NOISE) rather than asked about again.
ROOM_SECONDS = 5.0
QUIET_NOISE = "too quiet to be speech (no voice in it)"  # (journaled)
OWN_VOICE_MARGIN_DB = 6.0  # echo this much louder than what is left: it was the player talking
FRAME_ECHO_MARGIN_DB = 10.0  # a frame this far below the echo is the echo's remains, not speech
# seconds either side of a moment where its echo may be heard, the echo unknown (echo_uncertainty)
UNKNOWN_ECHO_SECONDS = 3.0
ECHO_SEARCH = 0.25  # seconds either side of the known echo where a moved echo is looked for
# A microphone taken for deaf is still listened to for the player's echo, this close to where the
# streams put it (listen_for_the_player). Two likenesses, at least TURNED_UP_APART apart and within
# TURNED_UP_AGREES of each other, end the deafness: a real echo sits at the same place sentence
# after sentence, a word said back in the player's voice does not (the walk-through's test person).
TURNED_UP_SEARCH = 0.25
TURNED_UP_APART = 2.0  # more than a likeness window and its search (1.1 s): two stretches of sound
TURNED_UP_AGREES = 0.002
OWN_VOICE_SHARE = 0.85  # 85 % the player's sound, 7.5 dB above the rest: its own (cf. OWN_VOICE_MARGIN_DB)
THROUGH_SECONDS = 1.5  # sound kept for a stop heard through the player's unlearnt echo
THROUGH_WAIT = 0.45  # an unsure stop is answered at its best, at most this long after it was first heard
# ...of which only the last this long is checked for the player's own sound (person_said_stop): the
# stop is answered as it ends, and more of the player's sound before it only made the fit worse.
# Replayed live sessions (scripts/replay_listen.py, 48 with a stop): 1.5 s and 1.2 s missed one,
# 1.0 s answered it but asked about another 0.4 s later, 0.8 s answered all 48 and changed no other.
THROUGH_CHECK_SECONDS = 0.8
THROUGH_RECHECK = 0.3  # a stop found to be the player's own sound: looked at again this much later
# a stop heard through the player is the person's only if the player's sound fitted out of what is
# checked (chosen when 1.5 s were) leaves this much: the player's sound lasts longer than the word
# (10 dB, as for a frame, set aside a person some 5 dB under the player: measured live, replayed)
STOP_KEPT_MARGIN_DB = 20.0
# The player's own "stop", its echo torn by an underrun (Listener.torn_stop): measured 2026-12-07, a
# session on a busy machine, replayed (scripts/replay_listen.py), whose sink underran as the player
# said "means stop.": 60 ms of nothing, then the echo 85-95 ms late, moving back in 30 ms steps.
# Fitted out in 0.3 s pieces, 23 % of what was heard was the player's, and what was left held a
# stop. Taken out 15 ms at a time (two lags and gains each, echo.torn_residual) through the echo path
# that cancelled before, fitted again on the torn stretch (echo.torn_path): 93 %, and no stop left
# (0.01 while it was said, 0.39 at its end). scripts/bench_torn_echo.py weighs it.
TORN_CHUNK = 240
TORN_PASSES = 2
TORN_SHARE = 0.5  # ... and it must explain at least half of what was heard
MOVE_LIKENESS = 0.9  # an echo that still cancels is moved only for a likeness this clear
SEED_FRAMES = 33  # the last second of microphone and reference, from which the echo path is fitted
SEED_FIRST_FRAMES = 16  # ... once half a second has come since the echo was found or moved
SEED_EVERY = 8  # ... and again every 240 ms, until the filters cancel
SEED_CHECK_FRAMES = 8  # the last 240 ms are not fitted on: the fit is judged there
SEED_BETTER_DB = 3.0  # a fitted path replaces the filters when it takes out this much more ...
SEED_LEAST_DB = 6.0  # ... and at least this much
MIC_HINT = (
    "Check that a microphone is connected and not muted (try: voiceguide doctor), "
    "or answer with keys: --feedback keys."
)


@dataclass
class Utterance:
    samples: np.ndarray  # float32 at RATE: what the person said, the player's voice taken out
    start: float  # PortAudio time of its first sample
    end: float  # PortAudio time of the end of speech
    echo_db: float  # level of the player's own voice in the microphone meanwhile (estimate)
    voice_db: float  # level of what was left after taking it out
    detected: float  # time.monotonic() when the end of speech was found
    microphone: np.ndarray | None = None  # the microphone as it was, echo and all (same span as samples)
    erle_db: float = 0.0  # how far the echo was being cancelled just before it began
    over_the_player: bool = False  # the player sounded while it was said (Listener.playing)

    @property
    def own_voice(self) -> bool:
        """Little more is left than the echo's own remains would be. Measured live (2026-12-02): with
        the echo cancelled by 22 dB, a "continue" said 7 dB under the player's echo was set aside
        by a fixed 6 dB margin, and the paused session never resumed."""
        return self.echo_db > self.voice_db + max(OWN_VOICE_MARGIN_DB, self.erle_db - OWN_VOICE_MARGIN_DB)


def last_of(u: Utterance, seconds: float) -> Utterance:
    """The last `seconds` of an utterance (where a stop heard while it is said ends)."""
    n = int(seconds * RATE)
    if len(u.samples) <= n:
        return u
    mic = None if u.microphone is None else u.microphone[-n:]
    return replace(u, samples=u.samples[-n:], microphone=mic, start=u.start + (len(u.samples) - n) / RATE)


@dataclass
class Draft:
    """An utterance's decoding started before its end was found (Listener.decode_early)."""

    start: float
    length: int
    expect: str
    answer: Future

    def fits(self, utterance: Utterance, expect: str) -> bool:
        """The utterance ended as drafted (no more speech came), and the question is the same."""
        return (self.start, self.length, self.expect) == (utterance.start, len(utterance.samples), expect)


@dataclass
class Heard:
    answer: Answer
    utterance: Utterance
    decoded: float  # time.monotonic() when the answer was ready


def spotter(any_fit: bool = False):
    """The streaming stop-word detector, or None when its model cannot be loaded (then the stop
    word is still heard at the end of the utterance, by the recogniser). any_fit: a stop any of
    the detector's fits hears (stopword.AnyOf), for listening that person_said_stop checks after."""
    try:
        return stopword.Spotter(stopword.any_of(stopword.network()) if any_fit else None)
    except (OSError, KeyError, ValueError):
        return None


def safety_first(answer: Answer, expect: str = "any") -> Answer:
    """The stop word and symptom words are acted on at a lower confidence than other answers.

    A clearly decoded "stop" often scores below the read-back level (measured 0.24-0.37 on
    three espeak-ng voices), and stopping is never the harmful mistake; asking "did you say
    stop?" would be. The rule is decision.decide's, shared with `voiceguide hear`.
    """
    decision = decide(answer, expect)
    if answer.intent == "unknown" and decision.safety and decision.action == ACT:
        return replace(answer, intent=decision.answer.intent, value=None)
    return answer


# A second utterance in a row that leaned towards "stop" within this many seconds of the first: asked
# about. A person whose "stop" went unanswered says it again within a few seconds.
STOP_AGAIN_SECONDS = 10.0


class StopAgain:
    """Speech not understood that leaned towards "stop" (Answer.stop_hint), said twice in a row: the
    second time, "did you say stop?" rather than nothing again.

    Why: a voice the stop detector does not know is missed the same way each time it says "stop"
    (flite slt: 13 of 50 stops through the benchmark's microphones asked again, 8 with the hint).
    Once, the hint is too common to ask about (9.1 % of the tuning voices' answers asked again carry
    it); twice in a row, a person is more likely saying "stop" again than a word the listeners
    confused with it. Within two tries, the stops through the microphones (all 13 misses slt's) are
    understood 94.0 -> 98.4 % (`scripts/bench_recognition.py`, "The stop word said again"). The
    second may carry only the decoder's "stop", under the hint's level (2026-12-05)."""

    def __init__(self, seconds: float = STOP_AGAIN_SECONDS) -> None:
        self.seconds = seconds
        self.last: float | None = None  # when the last hinted utterance ended

    def __call__(self, answer: Answer, at: float, expect: str) -> Answer:
        follows = self.last is not None and at - self.last <= self.seconds
        # After a hinted one, the decoder's own "stop" counts at any level: flite slt's clean stop
        # sits around the hint's level, so four in a row, live, carried it only 1st and 4th.
        like_stop = answer.stop_hint or (follows and "stop" in tokens(answer.text))
        if not like_stop or answer.source != "voice" or decide(answer, expect).action != REJECT:
            self.last = None  # understood, or not like "stop": the next one starts afresh
            return answer
        if follows:
            self.last = None
            return asked_as_stop(answer)
        self.last = at
        return answer


class Endpointer:
    """Frames with a speech flag in, whole utterances out (pure: no clock, no device).

    An utterance ends after END_FRAMES of silence. What is decoded (`samples`) keeps only `tail`
    of them and repeats their sound for the rest, so that it is known `END_FRAMES - tail` frames
    before the end is found (`draft`) and the decoder still hears as much quiet after the words as
    before; the `microphone` keeps every frame as it came (the player's echo is looked for there)."""

    def __init__(self, tail: int = TAIL_FRAMES) -> None:
        self.tail = tail
        self.preroll: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=PREROLL_FRAMES)
        self.recent: deque[bool] = deque(maxlen=START_FRAMES + 1)
        self.frames: list[tuple[np.ndarray, np.ndarray, float]] = []
        self.silent = 0
        self.active = False
        self.speech_frames = 0

    def feed(self, voice: np.ndarray, echo: np.ndarray, at: float, speech: bool) -> Utterance | None:
        """`voice`: the frame with the echo taken out; `echo`: the echo estimate; `at`: its start."""
        self.recent.append(speech)
        if speech:
            self.speech_frames += 1
        item = (voice, echo, at)
        if not self.active:
            self.preroll.append(item)
            if sum(self.recent) >= START_FRAMES:
                self.active = True
                self.frames = list(self.preroll)
                self.preroll.clear()
                self.silent = 0
                self.speech_frames = sum(self.recent)
            return None
        self.frames.append(item)
        self.silent = 0 if speech else self.silent + 1
        long = len(self.frames) * FRAME >= MAX_SECONDS * RATE
        if self.silent >= END_FRAMES or long:
            return self._finish()
        return None

    def draft(self) -> Utterance | None:
        """The utterance going on as it will be if it ends now: once, when its tail has come."""
        if not self.active or self.silent != self.tail or self.tail >= END_FRAMES:
            return None
        return self._utterance(self.frames, self.silent)

    def _finish(self) -> Utterance | None:
        frames, self.frames = self.frames, []
        self.active = False
        self.recent.clear()
        return self._utterance(frames, self.silent)

    def _utterance(self, frames: list, silent: int) -> Utterance | None:
        spoken = frames[: len(frames) - silent] if silent < len(frames) else frames
        if self.speech_frames * FRAME < MIN_SECONDS * RATE:
            return None  # a click or a breath
        kept = [f[0] for f in frames[: len(frames) - silent + min(silent, self.tail)]]
        if 0 < self.tail <= silent:  # the silence still awaited: the kept tail's sound again
            tail = kept[len(kept) - self.tail :]
            kept += [tail[k % self.tail] for k in range(END_FRAMES - self.tail)]
        said = np.concatenate([f[0] for f in spoken])
        return Utterance(
            samples=np.concatenate(kept).astype(np.float32),
            start=frames[0][2],
            end=spoken[-1][2] + FRAME / RATE,
            echo_db=level_db(np.concatenate([f[1] for f in spoken])),
            voice_db=level_db(said),
            detected=time.monotonic(),
            microphone=np.concatenate([f[0] + f[1] for f in frames]).astype(np.float32),
        )


def adc_time(adc: float, now: float, frames: int) -> float:
    """When the first sample of a block was captured, on PortAudio's clock: its own ADC time, or,
    when that is missing (0) or more than a second from the stream's current time, the current time
    less the block. Why: a live test through a PulseAudio pipe-source twice timed its answer about
    10^12 ms late (decades: an origin near 0 on a clock that counts from 1970), which an ADC time of
    0 in most of the first blocks, frozen into Microphone.origin, would give. Not seen again in
    three probes of that source (each callback's times printed), so the cause is inferred."""
    if adc <= 0 or abs(now - adc) > 1.0:
        return now - frames / RATE
    return adc


class Microphone:
    """The default input through PortAudio: 30 ms frames with their ADC times, in a queue."""

    def __init__(self, device: str | int | None = None) -> None:
        from voiceguide.audio import alsa
        from voiceguide.audio.quiet import quiet

        alsa.install()  # before the stream opens: ALSA's "overrun occurred" counted, never printed

        self.frames: queue.Queue[tuple[np.ndarray, float]] = queue.Queue()
        self.overflows = 0
        self.offset = 0.0  # time.monotonic() minus PortAudio time
        self.count = 0  # samples captured so far
        # ADC time of sample 0, per callback: single ADC times jitter by +-5 ms on PulseAudio,
        # which ruins echo cancellation, so frames are timed by sample count from a median origin
        self.origins: deque[float] = deque(maxlen=64)
        self.origin = 0.0
        try:
            with quiet("stderr"):
                import sounddevice as sd

                self.stream = sd.InputStream(
                    samplerate=RATE,
                    channels=1,
                    dtype="float32",
                    blocksize=FRAME,
                    latency=0.05,
                    device=device,
                    callback=self._callback,
                )
                self.stream.start()
        except Exception as e:  # ImportError, OSError, sounddevice.PortAudioError
            raise NoRecogniser(f"No microphone could be opened ({e}).", hint=MIC_HINT) from e

    def _callback(self, indata, frames, time_info, status) -> None:
        if status:
            self.overflows += 1
        self.offset = time.monotonic() - float(time_info.currentTime)
        adc = adc_time(float(time_info.inputBufferAdcTime), float(time_info.currentTime), frames)
        if len(self.origins) < self.origins.maxlen:  # then frozen: a moving origin ruins cancellation
            self.origins.append(adc - self.count / RATE)
            self.origin = float(np.median(self.origins))
        elif adc - (self.origin + self.count / RATE) > OVERFLOW_SECONDS:  # samples were lost
            self.origin = adc - self.count / RATE
        at = self.origin + self.count / RATE
        self.count += frames
        self.frames.put((indata[:, 0].copy(), at))

    def read(self, timeout: float) -> tuple[np.ndarray, float] | None:
        try:
            return self.frames.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        try:
            self.stream.stop()
            self.stream.close()
        except Exception:
            pass


def _serve(conn, person: str | None = None, general: bool = False) -> None:
    """The recogniser's own process: pocketsphinx holds the GIL while it decodes (measured:
    265 ms for a 6 s utterance), which would starve the audio callbacks of the player.
    `general`: the speaker-independent decoder alone (enrollment asks it about takes)."""
    try:
        from voiceguide.feedback.enroll import recogniser_for
        from voiceguide.feedback.recognise import Recogniser

        # the person's learnt voice in front, when they enrolled
        recogniser = Recogniser() if general else recogniser_for(person)
    except Exception as e:  # NoRecogniser and friends: reported to the parent, which raises it
        conn.send(("error", str(e), getattr(e, "hint", "")))
        return
    conn.send(("ready", "", ""))
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        samples, rate, expect = item
        conn.send(recogniser.hear(samples, rate, expect))


class RecogniserProcess:
    """Recognition in a separate process, called like Recogniser.hear."""

    def __init__(self, timeout: float = 30.0, person: str | None = None, general: bool = False) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no fork while audio threads run
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(child, person, general), name="voiceguide-recogniser", daemon=True
        )
        self.process.start()
        child.close()
        self.lock = threading.Lock()
        if not self.conn.poll(timeout):
            self.close()
            raise NoRecogniser("The speech recogniser did not start in time.", hint=MIC_HINT)
        status, message, hint = self.conn.recv()
        if status != "ready":
            self.close()
            raise NoRecogniser(message, hint=hint or MIC_HINT)

    def hear(self, samples: np.ndarray, rate: int, expect: str = "any") -> Answer:
        with self.lock:
            self.conn.send((np.asarray(samples, dtype=np.float32), rate, expect))
            return self.conn.recv()

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(timeout=2.0)
        if self.process.is_alive():
            self.process.kill()


def open_microphone(device: str | int | None = None) -> Microphone:
    return Microphone(device)


class Reference:
    """What the loudspeaker played, as 16 kHz frames lined up with the microphone's."""

    def __init__(self, between: Callable[[float, float], np.ndarray | None], rate: int) -> None:
        self.between = between
        self.rate = rate

    def frame(self, at: float, n: int, shift: float) -> np.ndarray:
        """What was played from `at - shift` for n samples at 16 kHz (zeros if nothing)."""
        margin = 64 / self.rate
        begin = at - shift
        times, played = self.between(begin - margin, begin + n / RATE + margin)
        if len(played) == 0 or not np.any(played):
            return np.zeros(n)
        smooth = lowpass(played.astype(np.float64), self.rate, 7600.0)
        return np.interp(begin + np.arange(n) / RATE, times, smooth, left=0.0, right=0.0)

    def sounding(self, at: float, shift: float, before: float, after: float = 0.0) -> bool:
        """Did the loudspeaker play anything from `before` seconds before this moment to `after`
        seconds after it? Wide around it while the echo's timing is unknown; only before it to
        ask whether its echo could be in a microphone frame of this moment."""
        _, played = self.between(at - shift - before, at - shift + after)
        return len(played) > 0 and level_db(played) > SPEECH_FLOOR_DB


# one microphone frame as a listener heard it, and what was played at the same times (shift 0)
RECORD = np.dtype([("at", "<f8"), ("mic", "<f4", FRAME), ("played", "<f4", FRAME)])


class Recording:
    """This listener's frames, kept in `folder` (VOICEGUIDE_RECORD_LISTEN) from the first frame
    that has a reference; unbuffered, so that a killed session keeps them. A folder that cannot
    be written to turns it off: it is a developer's aid, never a reason to stop a session."""

    def __init__(self, folder: str, start: EchoPath | None = None) -> None:
        self.folder = folder
        self.file = None
        self.start = start  # the kept echo path the listener started from, written beside the frames

    def write(self, at: float, frame: np.ndarray, played: np.ndarray) -> None:
        if not self.folder:
            return
        try:
            if self.file is None:
                os.makedirs(self.folder, exist_ok=True)
                name = f"listen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{id(self):x}.frames"
                self.file = open(os.path.join(self.folder, name), "ab", buffering=0)  # noqa: SIM115
                if self.start is not None:  # so that a replay starts where the session did
                    from voiceguide.feedback import room  # noqa: PLC0415

                    room.save(self.start, Path(self.file.name + ".path.json"))
            self.file.write(np.array([(at, frame, played)], dtype=RECORD).tobytes())
        except OSError:
            self.folder = ""

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def read_recording(path: str) -> np.ndarray:
    """The frames a Recording kept (records of RECORD), for scripts/replay_listen.py."""
    data = np.fromfile(path, dtype=np.uint8)
    return data[: len(data) // RECORD.itemsize * RECORD.itemsize].view(RECORD)


class StopPeak:
    """A stop detector's chance, frame by frame, made into one answer per word: a sure stop at
    once; an unsure one at its best once the word is over, or THROUGH_WAIT after it was first
    heard (pure: no clock of its own)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.since = 0.0

    @property
    def pending(self) -> bool:
        return self.peak > 0.0

    def reset(self) -> None:
        self.peak = 0.0

    def step(self, chance: float, at: float) -> float:
        """The chance to answer with now, or 0.0 (nothing yet)."""
        if stopword.ASK_AT <= chance < stopword.ACT_AT:
            if not self.peak:
                self.since = at
            self.peak = max(self.peak, chance)
            if at - self.since < THROUGH_WAIT:
                return 0.0
            chance = self.peak
        elif chance < stopword.ASK_AT:
            chance = self.peak
        self.peak = 0.0
        return chance if chance >= stopword.ASK_AT else 0.0


class Listener:
    """A thread that turns microphone frames into answers; `expect` narrows what it listens for."""

    def __init__(
        self,
        mic,
        recognise: Callable[[np.ndarray, int, str], Answer],
        reference: Reference | None = None,
        busy: Callable[[], bool] | None = None,
        echo_path: EchoPath | None = None,
        playing: Callable[[], bool] | None = None,
    ) -> None:
        self.mic = mic
        self.recognise = recognise
        self.reference = reference
        self.busy = busy  # with no reference: is the player making a sound? (then nothing is heard)
        # is the player sounding now, by what it gave the device whatever the record's times say
        # (record_wrong: then nothing said over it but a stop or a symptom is an answer)
        self.playing = playing
        self.over_the_player = False  # ... at some frame of the utterance going on
        self.disagree = 0  # frames in a row in which the record and `playing` disagree
        self.record_doubted_until = -1.0  # ... for RECORD_DOUBTED frames: doubted until then
        self.canceller = EchoCanceller()
        self.tracker = DelayTracker(RATE)
        self.turned_up = DelayTracker(RATE, first_span=TURNED_UP_SEARCH)  # while deaf: listen_for_the_player
        self.likenesses: list[tuple[float, float]] = []  # (when, lag) of each echo it found
        self.unconverged = 0  # frames of playback since the echo last moved, without cancelling
        self.unheard = 0  # frames of playback while no echo has been found
        self.quiet = 0  # frames in a row that could hold the player's echo, all below the speech floor
        # the level of what was heard while the player was silent, frame by frame (speech_floor)
        self.room: deque[float] = deque(maxlen=int(ROOM_SECONDS * RATE / FRAME))
        self.lowest_floor = floor.LOWEST_FLOOR_DB  # (SPEECH_FLOOR_DB: fixed, bench_level.py's baseline)
        self.only_zeros = True  # ... and all of them digital silence
        # the microphone cannot hear the player (pipe-source, headset): its frames are taken as
        # they are, and no echo is looked for (the person repeating a prompt is no echo of it)
        self.deaf = False
        self.shift = -REFERENCE_LEAD  # fetched this much late, the echo sits LEAD into the filter
        started_from = None
        if echo_path is not None and reference is not None and echo_path.fits(RATE):
            # the last session's path, where its echo sat: used once it is seen to cancel (follow_known_path)
            self.canceller.start_from(echo_path.taps)
            started_from = echo_path
            if echo_path.shift_usable():
                self.shift = echo_path.shift
        self.endpointer = Endpointer()
        # answers are decoded here, one at a time, so that one can start before its end is found
        self.decoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voiceguide-decode")
        self.draft: Draft | None = None
        self.expect = "any"
        self.heard: queue.Queue[Heard] = queue.Queue()
        self.ignored: queue.Queue[tuple[Utterance, str]] = queue.Queue()  # journaled by the player
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._vad = None
        self._debug: list[tuple] = []
        self.debug = settings.debug_listen()  # levels each second: "1" stderr, or a file
        self.recording = Recording(settings.record_listen(), started_from)
        self.stop_again = StopAgain()
        self.thread = threading.Thread(target=self._run, name="voiceguide-listener", daemon=True)
        self.spotter = spotter()  # the stop word, listened for every frame of an utterance
        self.spotted = False  # this utterance was already answered as a stop
        self.spotting = False  # the spotter has heard this utterance's onset
        self.spotted_sure = False  # ... and acted on at once (else its whole answer is still decoded)
        self.spot_refused = False  # ... or found to be the player's own voice
        self.deferred = 0.0  # ... or left to the whole answer at a question, heard this surely
        self.voice = np.zeros(0)  # the last frame with the echo taken out
        self.erle_before = 0.0  # the canceller's, before the utterance going on began
        # while the echo is still being learnt, nothing near the player's sound is taken as speech;
        # the stop word alone is listened for there (spot_through)
        self.unlearnt = False
        # what the canceller leaves, and the microphone as it is: each with its own peak
        pair = (spotter(any_fit=True), spotter(any_fit=True))
        self.through = [(sp, StopPeak()) for sp in pair] if all(pair) else []
        self.through_frames: deque[tuple[np.ndarray, np.ndarray, float]] = deque(
            maxlen=int(THROUGH_SECONDS * RATE / FRAME)
        )
        self.through_quiet_until = 0.0
        self.seed_frames: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=SEED_FRAMES)
        self.seed_wait = 0  # frames until the next fit
        self.seeds = 0  # paths fitted and taken this session (for the debug log and tests)
        self.refit_torn = True  # player_said_stop (off: the baseline of scripts/bench_torn_echo.py)

    def start(self) -> Listener:
        self.thread.start()
        return self

    def _is_speech(self, frame: np.ndarray, floor_db: float = SPEECH_FLOOR_DB) -> bool:
        """Over `floor_db`, and speech to the VAD, which hears the frame as if the floor were
        SPEECH_FLOOR_DB: it has a level of its own under which nothing is speech (a "seven" with its
        loudest 30 ms at -62 dBFS was not), as a microphone turned up would give it."""
        if level_db(frame) < floor_db:
            return False
        if self._vad is None:
            import pocketsphinx

            self._vad = pocketsphinx.Vad(mode=2, sample_rate=RATE, frame_length=FRAME / RATE)
        gain = 10 ** ((SPEECH_FLOOR_DB - floor_db) / 20)
        pcm = (np.clip(frame * gain, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return bool(self._vad.is_speech(pcm))

    def process(self, frame: np.ndarray, at: float) -> Utterance | None:
        """One microphone frame: echo out, VAD, endpointing."""
        block = self.canceller.block
        if self.deaf and self.reference is not None:
            self.listen_for_the_player(frame, at)
        reference = None if self.deaf else self.reference
        ref = reference.frame(at, len(frame), self.shift) if reference else np.zeros(len(frame))
        if reference is not None:
            echo_lag = self.tracker.feed(frame, ref)  # where the echo sits after the reference now
            moved = 0 if echo_lag is None else int(round((echo_lag - REFERENCE_LEAD) * RATE))
            if moved and self.still_cancelling():
                self.tracker.assume(REFERENCE_LEAD)  # measured over someone talking: not moved
                moved = 0
            if moved:
                self.shift += moved / RATE
                self.canceller.delay_by(-moved)  # the echo moved in the filter: move the filter too
                self.tracker.restart(REFERENCE_LEAD)
                self.unconverged = 0
            self.follow_known_path(moved)
            self.seed_canceller(frame, ref, moved)
            found = self.tracker.lag is not None
            if not found and level_db(ref) > SPEECH_FLOOR_DB:
                self.unheard += 1  # playback with no echo of it anywhere: a headset, or a far microphone
            if not found and reference.sounding(at, self.shift, ECHO_DELAY_MAX):
                # its echo, were there one, could not be speech: no louder than the speech floor
                heard_db = level_db(frame)
                zeros = heard_db < DIGITAL_SILENCE_DB
                self.only_zeros = zeros if self.quiet == 0 else self.only_zeros and zeros
                self.quiet = self.quiet + 1 if heard_db < SPEECH_FLOOR_DB else 0
                if self.quiet >= DEAF_FRAMES and self.heard_the_player():
                    if self.tracker.span != self.tracker.wide:  # (a wide search going on goes on)
                        self.tracker.search_again()  # the record's timing is off, not the microphone deaf
                    self.quiet = 0
                self.deaf = self.quiet >= DEAF_FRAMES
            if found and not self.canceller.converged and level_db(ref) > SPEECH_FLOOR_DB:
                self.unconverged += 1
                if self.unconverged > GIVE_UP_FRAMES:  # 3 s of playback and still no cancelling
                    self.tracker.search_again()
                    self.unconverged = 0
        voice = np.empty(len(frame))
        echo = np.empty(len(frame))
        for k in range(0, len(frame) - block + 1, block):
            voice[k : k + block], echo[k : k + block] = self.canceller.process(
                frame[k : k + block], ref[k : k + block]
            )
        # a frame is the person speaking only if what is left is not just the echo's remains;
        # until the echo is found and cancelled, nothing heard near the player's sound counts
        echo_db = level_db(echo)
        unheard_for = NO_ECHO_FRAMES * (LOST_ECHO_TIMES if self.heard_the_player() else 1)
        no_echo = self.deaf or (self.tracker.lag is None and self.unheard > unheard_for)
        learning = not no_echo and (not self.canceller.converged or self.tracker.lag is None)
        around = self.echo_uncertainty()
        self.unlearnt = bool(
            learning and self.reference and self.reference.sounding(at, self.shift, around, around)
        )
        speech_floor = self.speech_floor(voice, at, reference)
        if self.unlearnt:
            speech = False
        else:
            speech = self._is_speech(voice, speech_floor) and level_db(voice) > echo_db - FRAME_ECHO_MARGIN_DB
        if self.debug:
            self._debug_frame(at, (level_db(frame), level_db(ref), level_db(voice), echo_db, speech))
        if self.recording.folder and reference is not None and len(frame) == FRAME:
            self.recording.write(at, frame, reference.frame(at, FRAME, 0.0))
        self.voice = voice
        if not self.endpointer.active:
            self.erle_before = self.canceller.erle if self.canceller.converged else 0.0
            self.over_the_player = False
        utterance = self.endpointer.feed(voice, echo, at, speech)
        if self.playing is not None and reference is not None and self.in_time(at):
            given = self.playing()
            if self.endpointer.active:
                self.over_the_player = self.over_the_player or given
            recorded = reference.sounding(at, self.shift, RECORD_CHECK_SECONDS)
            self.disagree = self.disagree + 1 if given != recorded else 0
            if self.disagree >= RECORD_DOUBTED:
                if self.debug and at > self.record_doubted_until:
                    self._debug_line(f"listen {at:.2f}: the record of what was played is doubted")
                self.record_doubted_until = at + RECORD_DOUBT_SECONDS
        if utterance is not None:
            utterance.erle_db = self.erle_before
            utterance.over_the_player = self.over_the_player
        return utterance

    def heard_the_player(self) -> bool:
        """This session found the player's echo and cancelled it well (the path kept as known).

        Why: such a microphone does not go deaf; the record of what was played goes wrong. Measured
        2026-12-07 on a busy machine (tests/test_voice_live.py beside two busy loops, the session
        kept and looked at offline): after 21 s of cancelling 20-37 dB, the record put the player's
        sound 1.19 s later than the microphone heard it (then 0.37 s, then 0.46 s earlier). Quiet
        frames where the record said the player sounded made the listener take the microphone for
        deaf, and from then on the player's own words were answers: "I heard three" a pain rating,
        "tingling" a symptom, and the session stopped. Now the echo is looked for widely instead
        (DelayTracker.search_again: 3 s either side); until it is found, nothing near the player's
        sound counts as speech, and each utterance is looked at for the player's sound 3 s either
        side (echo_lost, set_aside); for up to LOST_ECHO_TIMES times the usual wait. Finding it
        again takes a while (over 16 s offline in a case like its test: a full wide window of sound),
        and an answer said meanwhile close after the player's words is not heard."""
        c = self.canceller
        return c.known is not None and not c.checking

    def echo_lost(self) -> bool:
        """The player's echo was found and cancelled this session, and is not now (heard_the_player):
        the record of what was played went wrong, and its sound may be anywhere near."""
        c = self.canceller
        if not self.heard_the_player():
            return False
        return self.tracker.lag is None or not c.converged or c.erle < CONVERGED_DB

    def in_time(self, at: float) -> bool:
        """This frame is heard close enough to now that what the player gives the device now
        (`playing`) is what it gave then: a listener that fell behind on a busy machine would
        otherwise doubt a good record. (A microphone with no clock to tell is taken as in time.)"""
        offset = getattr(self.mic, "offset", None)
        return offset is None or time.monotonic() - offset - at < PLAYING_BEHIND_MAX

    def record_wrong(self, utterance: Utterance) -> bool:
        """An utterance said while the player sounded (by what it gave the device, `playing`) that
        the record of what was played cannot be trusted about: the echo is lost, or the record and
        what was given to the device disagreed for RECORD_DOUBTED frames in a row, within the last
        RECORD_DOUBT_SECONDS. Its own words would then be answers: only a stop or a symptom is taken
        (measured 2026-12-07: "it's zero", its own read-back, a pain rating)."""
        if self.reference is None or self.deaf:
            return False
        return self.echo_lost() or utterance.start <= self.record_doubted_until

    def listen_for_the_player(self, frame: np.ndarray, at: float) -> None:
        """A microphone taken for deaf to the player may come to hear it (a loudspeaker turned up,
        a microphone that warmed up quietly): its echo is still looked for, close to where the
        streams' times put it, and once found twice at one place, from two stretches of the
        player's sound, the microphone hears the player from now on.

        Measured with scripts/replay_listen.py --turned-up 3 --floor-db -70 (18 recorded sessions,
        a quiet room and then the player heard on time): the player's own "stop" was acted on in
        15 of 18 sessions before, in none after (asked about in 15, said as it was turned up).
        Three tries ended the deafness, or had every word looked at for the player's sound, on one
        likeness; a take said back in the guide's own voice (the spoken walk-through's test person,
        over a pipe-source with a faint floor, so a "headset") gave one, and takes were lost in 3
        of 4 CI runs (docs/recognition.md)."""
        assert self.reference is not None
        # a frame below the speech floor holds no echo worth finding: what was played then is not
        # fetched (a headset's microphone is quiet most of a session; fetching it cost a third more CPU)
        quiet = level_db(frame) < SPEECH_FLOOR_DB
        probe = np.zeros(len(frame)) if quiet else self.reference.frame(at, len(frame), self.shift)
        lag = self.turned_up.feed(frame, probe)
        if lag is None:
            return
        self.turned_up.search_again()  # each likeness found afresh, at the first search's bar
        again = any(
            at - t >= TURNED_UP_APART and abs(seen - lag) <= TURNED_UP_AGREES for t, seen in self.likenesses
        )
        self.likenesses = [*self.likenesses[-7:], (at, lag)]
        if self.debug:
            self._debug_line(f"listen {at:.2f}: a likeness of the player's sound {lag * 1000:.1f} ms on")
        if again:
            self.no_longer_deaf()
            self.tracker.assume(lag)
            if self.debug:
                self._debug_line(f"listen {at:.2f}: found there before, so the microphone hears the player")

    def no_longer_deaf(self) -> None:
        """The microphone hears the player after all: counted afresh, should it go quiet again."""
        self.deaf, self.quiet = False, 0
        self.likenesses = []
        self.turned_up.search_again()

    @property
    def deaf_unsure(self) -> bool:
        """Taken for deaf on digital silence alone: the microphone may only have been late to
        start, so each word it hears is still looked at for the player's own sound (set_aside).
        (Once deaf, the quiet frames are no longer counted, so `only_zeros` stays as it was.)"""
        return self.deaf and self.only_zeros

    def follow_known_path(self, moved: int) -> None:
        """Keep the path that cancels, and offer it again when the echo was found elsewhere.

        An earlier session's path that cancels the echo on its own puts the echo where it was
        then, and nothing waits for the delay tracker (which needs a stretch of speech, 1-1.5 s).
        After any re-timing that left the canceller unsure, the known path (the echo at the lead,
        where the re-timing puts it) is offered back: learning at the wrong place meanwhile, or
        moving a filter off an echo that itself jumped, had spoilt the filters."""
        c = self.canceller
        if self.tracker.lag is None and c.prior_fits():
            self.tracker.assume(REFERENCE_LEAD)
            if self.debug:
                self._debug_line(f"the earlier echo path cancels {c.prior_erle:.1f} dB: echo as before")
        if moved and not c.converged:
            c.offer_known()
        elif not moved and self.tracker.confirmed and c.converged and c.erle > CONVERGED_DB:
            c.remember()

    def still_cancelling(self) -> bool:
        """The filters still cancel the echo well, and the delay tracker's new place for it is not
        a clear likeness: the echo has not moved; the person talked over the player.

        Measured live (2026-12-03, scripts/bench_feedback.py, replayed): a stop said as a
        sentence began made the tracker place the echo 16-24 ms off (likeness 0.61 and 0.77,
        against 0.97-1.0 for the echo itself), while the filters took out 28-31 dB; moved there,
        they had to learn it again, nothing near the player's sound counted meanwhile, and 2 of 8
        stops said later in a session were missed."""
        c = self.canceller
        return c.converged and c.erle > CONVERGED_DB and self.tracker.last_score < MOVE_LIKENESS

    def seed_canceller(self, frame: np.ndarray, ref: np.ndarray, moved: int) -> None:
        """While the echo is found but not yet cancelled, fit its path on the last second by least
        squares and start the filters from it when it cancels clearly better than they do.

        Measured live (2026-12-03, the natural voice on the null sink, scripts/bench_feedback.py):
        the echo was found within the first second of the first sentence, but the adaptive filters
        still took out only 5-7 dB a second later, and a stop said 9 dB under the player was
        missed; a second after that they took out 27 dB."""
        if moved:
            self.seed_frames.clear()
            self.seed_wait = 0
        self.seed_frames.append((np.asarray(frame, dtype=np.float64), ref))
        c = self.canceller
        if c.converged or self.tracker.lag is None or self.deaf:
            return
        self.seed_wait -= 1
        if len(self.seed_frames) < SEED_FIRST_FRAMES or self.seed_wait > 0:
            return
        self.seed_wait = SEED_EVERY
        mic = np.concatenate([f for f, _ in self.seed_frames])
        played = np.concatenate([r for _, r in self.seed_frames])
        if level_db(played) < SPEECH_FLOOR_DB:
            return
        # fitted on all but the last 240 ms, and judged on those against the filters as they are:
        # judged on what it was fitted on, a path fitted on a word's onset looked good and was not
        split = len(mic) - SEED_CHECK_FRAMES * len(frame)
        taps = fit_path(mic[:split], played[:split])
        check = slice(split - len(taps), None)
        gain = cancelled_db(mic[check], played[check], taps)
        now = cancelled_db(mic[check], played[check], c.taps())
        if gain >= SEED_LEAST_DB and gain >= now + SEED_BETTER_DB:
            c.seed(taps)
            self.seeds += 1
            if self.debug:
                self._debug_line(f"echo path fitted: {gain:.1f} dB on the last 240 ms (filters {now:.1f})")

    def learnt_path(self) -> EchoPath | None:
        """The echo path to start the next session from (None if this one did not learn one)."""
        c = self.canceller
        if self.deaf or self.reference is None or c.known is None or c.checking:
            return None
        path = EchoPath(c.taps(c.known), round(self.shift, 5), RATE, round(c.known_erle, 1))
        return path if path.fits(RATE) else None

    def echo_uncertainty(self) -> float:
        """Seconds either side of a moment where the player's echo of it may be heard: unknown, it
        was measured up to 2.1 s off on an idle null sink under load (2026-12-02)."""
        return 0.5 if self.tracker.lag is not None else UNKNOWN_ECHO_SECONDS

    def speech_floor(self, voice: np.ndarray, at: float, reference: Reference | None) -> float:
        """The level under which this frame is not speech: SPEECH_FLOOR_DB, or lower in a quiet room
        while nothing the player played can be in the microphone (its echo's remains sit near
        SPEECH_FLOOR_DB), from a second of the room on (floor.over_room). The room is heard on every
        such frame, while the echo is still learnt too. Only with a record of what was played:
        without one, the player's own quiet moments (a tone's troughs) were taken for the room,
        and the floor went under the room's noise."""
        if reference is None or reference.sounding(at, self.shift, ECHO_DELAY_MAX):
            return SPEECH_FLOOR_DB
        self.room.append(level_db(voice))
        if len(self.room) * FRAME < RATE:
            return SPEECH_FLOOR_DB
        return floor.over_room(np.fromiter(self.room, float), lowest=self.lowest_floor)

    def quiet_noise(self, utterance: Utterance) -> bool:
        """Heard only because the room was quiet (no 30 ms of it at SPEECH_FLOOR_DB), and no speech
        to the recogniser's gate either (a breath, a rustle; a stop the detector hears passes it):
        not an answer, so not asked again."""
        x = utterance.samples
        n = len(x) // FRAME
        if n == 0 or max(level_db(x[k * FRAME : (k + 1) * FRAME]) for k in range(n)) >= SPEECH_FLOOR_DB:
            return False
        from voiceguide.feedback.recognise import gate_unless_stop  # noqa: PLC0415 (pocketsphinx)

        return gate_unless_stop(x, RATE, self.spotter.net if self.spotter is not None else None) is not None

    def set_aside(self, utterance: Utterance) -> str:
        """Why this utterance is the player's own voice ("" if it is not), its echo found again
        wherever it now is. (What the refit leaves is not recognised instead: it also takes out
        some of the person's voice, and "stop" over the player was then heard as "more".)

        Measured 2026-12-02: a 42 ms jump of the echo under load let the natural voice's "slowly"
        through as the answer "softer" before the delay tracker caught up."""
        if self.quiet_noise(utterance):
            return QUIET_NOISE
        if utterance.own_voice:  # (a stop is looked at first: the player was loud, not alone)
            return "" if self.person_said_stop(utterance) else "own voice"
        if self.reference is None or utterance.microphone is None or (self.deaf and not self.deaf_unsure):
            return ""
        # a microphone taken for deaf on digital silence may have been late to start, and one that
        # heard the player has lost its echo: where it sits is unknown, so it is searched widely
        # (slower: scripts/bench_stop_start.py prints the cost), and only there
        around = self.echo_uncertainty() if self.deaf else ECHO_SEARCH
        if not self.deaf and self.echo_lost():
            around = UNKNOWN_ECHO_SECONDS
        search = int(around * RATE)
        start = utterance.start - search / RATE
        ref = self.reference.frame(start, len(utterance.microphone) + 2 * search, self.shift)
        if level_db(ref) < SPEECH_FLOOR_DB:
            return ""
        share = echo_share(utterance.microphone, ref)
        if self.debug:
            self._debug_line(f"utterance {utterance.start:.2f}: {share:.2f} of it the player's sound")
        if share <= OWN_VOICE_SHARE:
            return "own voice (its echo torn)" if self.torn_stop(utterance, ref) else ""
        if self.person_said_stop(utterance):
            return ""
        if self.deaf:  # (so this check also ends the deafness: the microphone hears the player)
            self.hears_the_player_after_all(utterance.start)
            return "own voice (heard by a microphone taken for deaf to it)"
        return "own voice (its echo had moved)"

    def hears_the_player_after_all(self, at: float) -> None:
        """A microphone taken for deaf to the player was only late, or turned up: its echo is
        looked for and cancelled again from now on.

        Why: 2 s of playback with the microphone below the speech floor makes it "deaf" (a headset,
        a pipe-source), and that used to last the whole session, the player's own words being the
        person's. A stream late to start (a PulseAudio monitor may miss its first second) then
        took the player's own "say stop" for a stop: 7 of 24 recorded sessions replayed 2 s late
        (scripts/replay_listen.py --mic-late 2). Only the player's own sound, found in what was
        heard, ends it: a microphone that never hears the player, silent between words, stays
        deaf, and its words are heard at once (taking digital silence for lateness lost them).
        A microphone found deaf on the faint sound of a room (a headset) is taken at its word, as
        before: looking at each of its words for the player's sound would delay its stops."""
        self.no_longer_deaf()
        self.tracker.search_again()
        if self.debug:
            self._debug_line(f"utterance {at:.2f}: the player's own sound, so the microphone hears it")

    def person_said_stop(self, utterance: Utterance) -> bool:
        """A stop in what was heard that is not the player's own sound: one still there once the
        player's sound is fitted out of the microphone where it best explains it.

        Measured live (2026-12-02, the natural voice on the null sink): with the echo barely
        cancelled, a "stop" said mid-sentence merged with the player's remains into an utterance
        that was mostly the player's sound, and was set aside with it (the stop was lost). Asking
        only whether the player's own sound held a stop was not enough either way: the detector
        takes some cue tones for one (start, end, pressure up and down: 0.97-1.0), which then hid a
        person's stop said near them; and a half-cancelled sentence of the player's, which held
        none (0.11), was heard as one (0.97) offline."""
        if self.spotter is None or self.reference is None:
            return False
        net = stopword.any_of(self.spotter.net)  # it only keeps what would be set aside
        if stopword.stop_probability(utterance.samples, RATE, net) < stopword.ASK_AT:
            return False
        around = self.echo_uncertainty()
        search = int(around * RATE)
        heard = utterance.microphone if utterance.microphone is not None else utterance.samples
        ref = self.reference.frame(utterance.start - around, len(heard) + 2 * search, self.shift)
        left = echo_residual(heard, ref) if level_db(ref) > SPEECH_FLOOR_DB else heard
        kept = level_db(left) > level_db(heard) - STOP_KEPT_MARGIN_DB
        still = stopword.stop_probability(left, RATE, net) if kept else 0.0
        if still >= stopword.ASK_AT and (torn := self.torn_residual(heard, ref)) is not None:
            left = torn
            kept = level_db(left) > level_db(heard) - STOP_KEPT_MARGIN_DB
            still = stopword.stop_probability(left, RATE, net) if kept else 0.0
        if self.debug:
            self._debug_line(
                f"utterance {utterance.start:.2f}: a stop in it; without the player's sound {still:.2f}"
            )
        return still >= stopword.ASK_AT

    def torn_residual(self, heard: np.ndarray, ref: np.ndarray) -> np.ndarray | None:
        """What is left of `heard` with the player's sound taken out 15 ms at a time (echo.torn_residual)
        through the echo path known to cancel, fitted again on what was heard (echo.torn_path), when
        the player said "stop" around it; None otherwise."""
        c = self.canceller
        path = c.known if c.known is not None and not c.checking else (c.weights if c.converged else None)
        if path is None or not self.player_said_stop(ref):
            return None
        fitted = torn_path(heard, ref, c.taps(path), TORN_CHUNK)
        return torn_residual(heard, ref, fitted, TORN_CHUNK, TORN_PASSES)

    def torn_stop(self, utterance: Utterance, ref: np.ndarray) -> bool:
        """A stop in an utterance not found to be mostly the player's sound that is the player's own
        "stop" after all: its echo torn by an underrun, followed 15 ms at a time (torn_residual),
        explains at least TORN_SHARE of it, and leaves no stop."""
        if self.spotter is None or utterance.microphone is None:
            return False
        net = stopword.any_of(self.spotter.net)
        if stopword.stop_probability(utterance.samples, RATE, net) < stopword.ASK_AT:
            return False
        left = self.torn_residual(utterance.microphone, ref)
        if left is None:
            return False
        heard = np.asarray(utterance.microphone, dtype=np.float64)
        share = 1.0 - float(np.dot(left, left)) / max(float(np.dot(heard, heard)), 1e-12)
        still = stopword.stop_probability(left.astype(np.float32), RATE, net)
        if self.debug:
            self._debug_line(
                f"utterance {utterance.start:.2f}: torn echo {share:.2f} of it; stop left {still:.2f}"
            )
        return share >= TORN_SHARE and still < stopword.ASK_AT

    def player_said_stop(self, ref: np.ndarray) -> bool:
        """The player's own sound around an utterance holds the word: a stop heard there may be its
        echo, torn by an underrun where one fit per 0.3 s cannot follow it (torn_stop).

        Why only then: the player's own "stop" is the one false stop that ends a session nobody
        spoke in (asked about, and not answered); the other words it says are not stops, and the
        refit is kept from every utterance that could not be one."""
        if not self.refit_torn or self.spotter is None or level_db(ref) < SPEECH_FLOOR_DB:
            return False
        net = stopword.any_of(self.spotter.net)
        return stopword.stop_probability(ref.astype(np.float32), RATE, net) >= stopword.ASK_AT

    def spot(self, at: float) -> Heard | None:
        """The stop word, heard while an utterance goes on (before its end is found): once per utterance."""
        if self.spotter is None:
            return None
        if not self.endpointer.active:
            self.spotter.reset()
            self.spotting = False
            self.spot_refused = False
            return None
        if not self.spotting:  # the utterance has just started: its quiet onset first
            self.spotting = True
            self.deferred = 0.0
            for f in self.endpointer.frames[:-1]:
                self.spotter.feed(f[0])
        chance = self.spotter.feed(self.voice)
        if self.debug and chance >= 0.3 and not (self.spotted or self.spot_refused):
            self._debug_line(f"spotter {at:.2f}: stop {chance:.3f}")
        # only a sure stop is answered early: an unsure one would have the player ask "did you say
        # stop?" before the whole utterance is decoded (measured: 1.4 s to silence instead of 0.4)
        if self.spotted or self.spot_refused or chance < stopword.ACT_AT:
            return None
        if self.waits_for_whole_answer(at):
            self.deferred = max(self.deferred, chance)
            return None
        frames = self.endpointer.frames
        said = np.concatenate([f[0] for f in frames])
        u = Utterance(
            samples=said.astype(np.float32),
            start=frames[0][2],
            end=at + FRAME / RATE,
            echo_db=level_db(np.concatenate([f[1] for f in frames])),
            voice_db=level_db(said),
            detected=time.monotonic(),
            microphone=np.concatenate([f[0] + f[1] for f in frames]).astype(np.float32),
            erle_db=self.erle_before,
        )
        if self.set_aside(u) or (self.busy is not None and self.busy()):
            self.spot_refused = True  # the player's own "stop": not looked at again this utterance
            return None
        return self.answer_stop(chance, u, at)

    def spot_through(self, frame: np.ndarray, at: float) -> Heard | None:
        """The stop word said over the player before its echo is learnt (the first seconds of
        playback, or after the echo path moved): heard in what the canceller leaves, however
        little it takes out yet, or in the microphone as it is (live, a filter still fitted to the
        start cue made the sound worse), and kept only when the player's own sound does not
        explain it (person_said_stop).

        Measured (2026-12-02, bench_feedback.py, the natural voice on the null sink): the echo was
        found 2.5-3 s into the first sentence and cancelled well only seconds later; until then
        nothing said near the player's sound was heard, and 4 of 4 stops said then were lost."""
        if not self.through or self.reference is None:
            return None
        # fed all the time: the echo can move (and the listener fall back to learning it) in the
        # middle of a word, and the word is then heard here from its start
        self.through_frames.append((self.voice, frame, at))
        sounds = (self.voice, frame)
        chances = [detector.feed(x) for (detector, _), x in zip(self.through, sounds, strict=True)]
        if not self.unlearnt and not any(peak.pending for _, peak in self.through):
            return None  # (a word begun while the echo was unlearnt goes on being heard)
        if self.debug and max(chances) >= 0.3:
            self._debug_line(f"through {at:.2f}: stop {chances[0]:.3f} / raw {chances[1]:.3f}")
        if at < self.through_quiet_until:
            for _, peak in self.through:
                peak.reset()
            return None
        chance = max(peak.step(c, at) for (_, peak), c in zip(self.through, chances, strict=True))
        if chance < stopword.ASK_AT:
            return None
        for _, peak in self.through:
            peak.reset()
        if self.waits_for_whole_answer(at):
            self.deferred = max(self.deferred, chance)
            return None
        heard = np.concatenate([f[0] for f in self.through_frames]).astype(np.float32)
        microphone = np.concatenate([f[1] for f in self.through_frames]).astype(np.float32)
        start = self.through_frames[0][2]
        u = Utterance(
            samples=heard,
            start=start,
            end=at + FRAME / RATE,
            echo_db=-120.0,  # unknown: the echo is not learnt
            voice_db=level_db(heard),
            detected=time.monotonic(),
            microphone=microphone,
        )
        if not self.person_said_stop(last_of(u, THROUGH_CHECK_SECONDS)):
            self.through_quiet_until = at + THROUGH_RECHECK  # the player's own (a cue goes on)
            return None
        return self.answer_stop(chance, u, at)

    def answer_stop(self, chance: float, u: Utterance, at: float) -> Heard:
        """A stop heard while it is said: acted on from ACT_AT, else "did you say stop?". The
        utterance going on, if any, counts as answered, and the same word is not answered twice."""
        self.through_quiet_until = at + THROUGH_SECONDS
        answer = safety_first(
            Answer("stop", "unknown", None, stopword.confidence(chance), "voice"), self.expect
        )
        if self.endpointer.active:
            self.spotted, self.spotted_sure = True, answer.intent == "stop"
        ended = u.end + getattr(self.mic, "offset", 0.0)
        return Heard(replace(answer, at=ended), u, time.monotonic())

    def waits_for_whole_answer(self, at: float) -> bool:
        """At a question the session waits for in silence, a stop heard while it is said is left to
        the whole answer (nothing is sounding that must stop sooner): there recognise.stop_or_instead
        can tell a "seven" the stop detector took for "stop". Whether the player's sound could be in
        the microphone now (ECHO_DELAY_MAX) is asked of what it played, or, with no record of that,
        of `busy`: the question's kind stays set while the player speaks what follows an answer."""
        if not asks_a_question(self.expect):
            return False
        if self.reference is not None:
            return not self.reference.sounding(at, self.shift, ECHO_DELAY_MAX)
        return self.busy is None or not self.busy()

    def stop_kept(self, answer: Answer, expect: str) -> Answer:
        """The whole answer, for an utterance whose stop was left to it (waits_for_whole_answer): a
        stop heard while it was said is never lost there. When the whole answer holds no stop (the
        decode of the whole utterance can miss one the word's own frames showed: 2 of 411 people's
        stops, scripts/bench_question_stops.py), it is the stop as it was heard, asked about instead
        when the decoder is sure of words the question takes (recognise.stop_or_instead)."""
        chance, self.deferred = self.deferred, 0.0
        if not chance or answer.source != "voice" or decide(answer, expect).safety:
            return answer
        from voiceguide.feedback.recognise import stop_or_instead  # noqa: PLC0415 (pocketsphinx)

        stop = safety_first(Answer("stop", "unknown", None, stopword.confidence(chance), "voice"), expect)
        return stop_or_instead(stop, {"text": answer.text, "confidence": answer.confidence}, expect)

    def early(self, frame: np.ndarray, at: float) -> Heard | None:
        """A stop heard while it is said: in an utterance going on, or through the unlearnt echo."""
        return self.spot(at) or self.spot_through(frame, at)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                item = self.mic.read(0.1)
                if item is None:
                    continue
                utterance = self.process(*item)
                early = self.early(*item)
                if early is not None:
                    self.heard.put(early)
                if utterance is None:
                    self.decode_early()
                    continue
                draft, self.draft = self.draft, None
                if self.spotted:
                    self.spotted = False
                    self.spotter.reset()
                    if self.spotted_sure:  # already acted on as a stop while it was said
                        continue
                    # asked "did you say stop?": the whole utterance's answer is the first reply
                if self.debug:
                    self._debug_utterance(utterance)
                why = self.set_aside(utterance)
                if why:
                    self.ignored.put((utterance, why))
                    continue
                if self.busy is not None and self.busy():
                    self.ignored.put((utterance, "while the player sounds (no echo reference)"))
                    continue
                expect = self.expect
                if draft is None or not draft.fits(utterance, expect):
                    draft = self.decode(utterance, expect)
                answer = self.stop_kept(safety_first(draft.answer.result(), expect), expect)
                ended = utterance.end + getattr(self.mic, "offset", 0.0)
                answer = self.stop_again(answer, ended, expect)
                if self.debug:
                    self._debug_line(f"heard {answer.text!r} as {answer.intent} ({answer.confidence})")
                if utterance.over_the_player and answer.intent not in SAFETY and self.record_wrong(utterance):
                    self.ignored.put((utterance, RECORD_WRONG))
                    continue
                self.heard.put(Heard(replace(answer, at=ended), utterance, time.monotonic()))
        except BaseException as e:  # reported to the player, which stops cleanly
            self.error = e

    def decode(self, utterance: Utterance, expect: str) -> Draft:
        """The utterance's decoding, queued behind any other."""
        answer = self.decoder.submit(self.recognise, utterance.samples, RATE, expect)
        return Draft(utterance.start, len(utterance.samples), expect, answer)

    def decode_early(self) -> None:
        """Start decoding the utterance going on once its kept tail of silence has come, while
        its end is still being waited for: if it ends there, its answer is ready sooner (the
        decode, 170-250 ms, overlaps END_FRAMES - TAIL_FRAMES frames of the wait). A draft
        that more speech follows is decoded for nothing, and dropped.

        Measured: `scripts/bench_early_decode.py` (what the shorter tail changes in the answers)
        and `scripts/bench_feedback.py` (pause and continue, end of word to response)."""
        if self.spotted_sure and self.spotted:  # already acted on as a stop while it was said
            return
        utterance = self.endpointer.draft()
        if utterance is None:
            return
        if self.draft is not None:
            self.draft.answer.cancel()  # an earlier draft of it, if its decoding has not begun
        self.draft = self.decode(utterance, self.expect)

    def _debug_frame(self, at: float, levels: tuple) -> None:
        """Every 33 frames (about 1 s): mean levels and the echo canceller's state, one line."""
        self._debug.append(levels)
        if len(self._debug) < 33:
            return
        rows, self._debug = self._debug, []
        mic, ref, left, echo, said = (np.mean([r[k] for r in rows]) for k in range(5))
        self._debug_line(
            f"listen {at:.2f}: mic {mic:.0f} ref {ref:.0f} left {left:.0f} echo {echo:.0f} dB, "
            f"speech {said:.2f}, erle {self.canceller.erle:.1f} conv {self.canceller.converged} "
            f"shift {self.shift * 1000:.1f} ms, ncc {self.tracker.last_score:.2f}, deaf {self.deaf}"
        )

    def _debug_utterance(self, u: Utterance) -> None:
        self._debug_line(f"utterance {u.start:.2f}-{u.end:.2f}: echo {u.echo_db:.1f} voice {u.voice_db:.1f}")

    def _debug_line(self, line: str) -> None:
        if self.debug == "1":
            print(line, file=sys.stderr, flush=True)
        else:
            with open(self.debug, "a") as log:
                print(line, file=log)

    def stop(self) -> None:
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=2.0)
        self.decoder.shutdown(wait=False, cancel_futures=True)
        self.recording.close()


class VoiceFeedback:
    """Spoken answers, with keys working at the same time when stdin is a terminal."""

    name = "voice"

    def __init__(
        self, listener: Listener, keys=None, keep_path: Callable[[EchoPath], object] | None = None
    ) -> None:
        self.listener = listener
        self.keys = keys
        self.keep_path = keep_path  # given the echo path learnt, when the session ends
        self.last: Heard | None = None

    def _check(self) -> None:
        if self.listener.error is not None:
            error, self.listener.error = self.listener.error, None
            if isinstance(error, Exception):
                raise NoRecogniser(f"Listening failed ({error}).", hint=MIC_HINT) from error
            raise error

    def _voice(self, timeout: float) -> Heard | None:
        try:
            if timeout > 0:
                return self.listener.heard.get(timeout=timeout)
            return self.listener.heard.get_nowait()
        except queue.Empty:
            return None

    def stop_waiting(self) -> bool:
        with self.listener.heard.mutex:
            waiting = [heard.answer for heard in self.listener.heard.queue]
        keys = self.keys is not None and self.keys.stop_waiting()
        return keys or any(calls_for_stop(answer) for answer in waiting)

    def poll(self) -> Answer | None:
        self._check()
        if self.keys is not None:
            key = self.keys.poll()
            if key is not None:
                return key
        self.listener.expect = "any"
        heard = self._voice(0)
        if heard is None:
            return None
        self.last = heard
        return heard.answer

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        self.listener.expect = expect
        deadline = time.monotonic() + timeout
        while True:
            self._check()
            if self.keys is not None:
                key = self.keys.poll()
                if key is not None:
                    return key
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            heard = self._voice(min(left, 0.02))
            if heard is not None:
                self.last = heard
                return heard.answer

    def notes(self) -> list[tuple[str, dict]]:
        """Journal entries for what was heard and set aside (the player's own voice)."""
        out = []
        while True:
            try:
                u, why = self.listener.ignored.get_nowait()
            except queue.Empty:
                return out
            seconds = round(len(u.samples) / RATE, 2)
            out.append(
                (
                    "ignored",
                    {
                        "why": why,
                        "echo_db": round(u.echo_db, 1),
                        "voice_db": round(u.voice_db, 1),
                        "seconds": seconds,
                    },
                )
            )

    def timing(self, answer: Answer) -> dict:
        """Milliseconds from the end of speech to the end being found and to the answer being used."""
        heard = self.last
        if heard is None or heard.answer is not answer:
            return {}
        end = answer.at
        return {
            "speech_end_to_endpoint_ms": round((heard.utterance.detected - end) * 1000, 1),
            "speech_end_to_answer_ms": round((heard.decoded - end) * 1000, 1),
            "speech_end_to_use_ms": round((time.monotonic() - end) * 1000, 1),
        }

    def close(self) -> None:
        self.listener.stop()
        self.listener.mic.close()
        learnt = None if self.listener.thread.is_alive() else self.listener.learnt_path()
        if learnt is not None and self.keep_path is not None:
            self.keep_path(learnt)
        closing = getattr(self.listener.recognise, "__self__", None)
        if hasattr(closing, "close"):
            closing.close()
        if self.keys is not None:
            self.keys.close()


def next_utterance(listener: Listener, timeout: float) -> Utterance | None:
    """Wait for one utterance (the echo of any prompt taken out): for enrollment takes. The same
    listener serves every take and also hears the prompts, so that it knows their echo (or that
    the microphone does not hear them); it is not started: this reads its microphone."""
    mic = listener.mic
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = mic.read(min(0.1, max(0.0, deadline - time.monotonic())))
        if item is None:
            continue
        utterance = listener.process(*item)
        if utterance is not None and not listener.set_aside(utterance):
            return utterance
    return None
