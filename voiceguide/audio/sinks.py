"""Where the session's sound goes: the sound card, a WAV or MP3 file, or nowhere.

One small interface; the device sink plays in real time, the others as fast
as the machine can. A RecordingSink keeps what it was given, for tests of the
player.
"""

from __future__ import annotations

import os
import threading
import time
import wave
from collections import deque
from pathlib import Path
from typing import Protocol

import numpy as np

from voiceguide.audio import alsa
from voiceguide.audio.pcm import SAMPLE_RATE, to_int16
from voiceguide.audio.quiet import quiet
from voiceguide.errors import InvalidInput, NoAudioOutput


class Sink(Protocol):
    """A tape: samples are appended after what is queued, and played in order without gaps."""

    realtime: bool

    def append(self, samples: np.ndarray) -> int:
        """Queue samples after everything queued before; returns their start on the tape."""
        ...

    def played(self) -> int:
        """Tape position heard so far (files: everything written)."""
        ...

    def flush(self) -> None:
        """Drop whatever is queued but not yet heard: silence now."""
        ...

    def silence(self, seconds: float) -> None:
        """A pause the listener hears as silence (files write it; a device just lets time pass)."""
        ...

    def check(self) -> None:
        """Raise NoAudioOutput if the output has stopped working."""
        ...

    def close(self, keep: bool = True) -> None: ...

    # Timing, for the latency figures in the journal (untimed sinks answer None).
    def watch(self, pos: int) -> None:
        """Note when the sample at this tape position is heard."""
        ...

    def heard_at(self, pos: int) -> float | None:
        """time.monotonic() at which a watched sample was heard, once known."""
        ...

    def silent_at(self) -> float | None:
        """time.monotonic() from which a flush just made is heard as silence."""
        ...

    @property
    def underruns(self) -> int:
        """Times the sound device ran out of audio since this sink opened (0 for files): the
        journal keeps the count, the terminal never sees the sound system's own messages."""
        ...


class Untimed:
    """The timing part of `Sink` for outputs that have no loudspeaker clock."""

    def watch(self, pos: int) -> None:
        pass

    def heard_at(self, pos: int) -> float | None:
        return None

    def silent_at(self) -> float | None:
        return None


DEVICE_HINT = (
    "Check that a sound card or sound server is available (try: voiceguide doctor), "
    "or write the session to a file with --output session.wav."
)
STALL_SECONDS = 2.0  # queued audio not moving for this long: the sound server has gone
UNDERRUN_SECONDS = 0.015  # DAC times jitter by up to 8 ms; a later start than that is an underrun
WARM_UP_SECONDS = 5.0  # a new PulseAudio stream took up to 1.6 s to start on a busy machine
# silence played first, all of it before the opening chime: 0.3 s before 2026-12-02; after
# PulseAudio's start (up to 1.9 s on an idle null sink) callbacks came every 12 ms, unbroken
SETTLE_SECONDS = 0.1
OUTPUT_LATENCY = 0.05  # seconds of buffer: 0.1 gave a 140 ms floor for an audible answer, 0.05 gives 67 ms


class OutputHistory:
    """The last seconds of what the device played, with the DAC time of every callback.

    The microphone's ADC times are on the same (PortAudio) clock, so the listener can
    ask what the loudspeaker played while the microphone heard a frame: the reference
    the echo canceller subtracts (its own voice must never be an answer). Single DAC
    times jitter by milliseconds on PulseAudio, which would tear the reference apart, so
    samples are timed by count from the median start of the first callbacks; the
    listener re-finds the echo by correlation when an underrun shifts it.

    Only callbacks whose DAC time lies after their current time count for the start: measured
    2026-12-03 on PulseAudio (a null sink, through ALSA), a new stream first runs its callback in
    a burst, 1 ms apart instead of 12 ms, with the DAC time equal to the current time, for up to
    1.7 s of audio; timed from those, the record was 0.19 to 6.9 s late in 10 of 31 sessions
    (scripts/replay_listen.py prints where each kept session's echo sat), the echo canceller
    looked for the echo in the wrong place, and a stop said in the first sentence was missed.
    """

    def __init__(self, rate: int = SAMPLE_RATE, seconds: float = 20.0) -> None:
        self.rate = rate
        self.ring = np.zeros(int(seconds * rate), dtype=np.float32)
        self.written = 0  # samples output since the stream started
        self.starts: list[float] = []  # DAC time of sample 0 by the first callbacks that know it
        self.untimed: list[float] = []  # ... by callbacks that do not (no latency: DAC = now)
        self.underruns = 0
        self.anchors: list[tuple[int, float]] = []  # (first sample, origin) after each underrun
        self.origin: float | None = None
        self.latency = 0.0  # seconds from a callback to its first sample heard, the last that knew
        self.lock = threading.Lock()

    def add(self, samples: np.ndarray, dac_time: float, now: float | None = None) -> None:
        """One callback's samples; `now` its current time (None: the DAC time is trusted)."""
        n = len(samples)
        with self.lock:
            at = self.written % len(self.ring)
            first = min(n, len(self.ring) - at)
            self.ring[at : at + first] = samples[:first]
            self.ring[: n - first] = samples[first:]
            if dac_time > 0:
                self._time(dac_time, now is None or dac_time > now)
            if now is not None and 0.0 < dac_time - now < 2.0:
                self.latency = dac_time - now
            self.written += n

    def _time(self, dac_time: float, timed: bool) -> None:
        """Settle the origin on the first 64 callbacks that know their latency (on the first 64
        that do not, until one does); once settled, only an underrun moves it."""
        start = dac_time - self.written / self.rate
        if timed and len(self.starts) < 64:
            self.starts.append(start)
            self.origin = float(np.median(self.starts))
        elif not timed and not self.starts and len(self.untimed) < 64:
            self.untimed.append(start)
            self.origin = float(np.median(self.untimed))
        elif self.origin is not None and (timed or not self.starts):
            late = start - self.origin
            if late > UNDERRUN_SECONDS:  # the device played silence we never gave it: re-anchor
                self.origin += late
                self.underruns += 1
                self.anchors.append((self.written, self.origin))
                del self.anchors[:-16]

    def between(self, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        """(times, samples) of everything played from `start` to `end` (PortAudio time)."""
        with self.lock:
            if self.origin is None:
                return np.zeros(0), np.zeros(0, dtype=np.float32)
            oldest = self.written - len(self.ring)
            pieces = [(0, self.starts_origin())] + self.anchors  # each origin holds until the next
            times, values = [], []
            for i, (first, origin) in enumerate(pieces):
                last = pieces[i + 1][0] if i + 1 < len(pieces) else self.written
                lo = max(int(np.floor((start - origin) * self.rate)), first, oldest, 0)
                hi = min(int(np.ceil((end - origin) * self.rate)) + 1, last)
                if lo < hi:
                    k = np.arange(lo, hi)
                    times.append(origin + k / self.rate)
                    values.append(self.ring[k % len(self.ring)])
            if not times:
                return np.zeros(0), np.zeros(0, dtype=np.float32)
            return np.concatenate(times), np.concatenate(values)

    def sounding_lately(self, seconds: float = 0.5, floor_db: float = -55.0) -> bool:
        """The `seconds` of samples given to the device before the last `latency` hold sound above
        `floor_db`: what the player is sounding now, by count, whatever the DAC times say (the
        listener's check of a record gone wrong, Listener.playing). The output's latency is left
        out, so that a device slow to play (Bluetooth: 0.2 s and more) agrees with the record."""
        with self.lock:
            end = self.written - min(int(self.latency * self.rate), self.written)
            n = min(int(seconds * self.rate), end, len(self.ring))
            if n <= 0:
                return False
            k = np.arange(end - n, end) % len(self.ring)
            level = float(np.mean(self.ring[k].astype(np.float64) ** 2))
        return 10.0 * np.log10(level + 1e-12) > floor_db

    def starts_origin(self) -> float:
        """The origin before any underrun."""
        starts = self.starts or self.untimed
        return float(np.median(starts)) if starts else 0.0


class StreamSink:
    """One output stream for the whole session (PortAudio through sounddevice).

    Blocks are queued on the stream's own sample clock, so a block that follows
    another starts on the exact sample, and nothing drifts. Measured here: a new
    stream per block (simpleaudio) started up to 0.5 s late on PulseAudio.
    """

    realtime = True

    def __init__(self) -> None:
        alsa.install()  # before any stream opens: underruns counted, never printed
        self.underruns_before = alsa.counts.underruns
        try:
            with quiet("stderr"):
                import sounddevice as sd
        except (ImportError, OSError) as e:
            raise NoAudioOutput(f"PortAudio could not load ({e}).", hint=DEVICE_HINT) from e
        self.lock = threading.Lock()
        self.chunks: deque[np.ndarray] = deque()
        self.head = 0
        self.tape_end = 0
        self.tape_played = 0
        self.last_callback = time.monotonic()
        self.history = OutputHistory()
        self.heard_until = 0.0  # PortAudio time when what is already handed to the device ends
        self.offset = 0.0  # time.monotonic() minus PortAudio time
        self.watched: dict[int, float | None] = {}  # tape position -> PortAudio time it is heard
        try:
            with quiet("stderr"):
                self.stream = sd.OutputStream(
                    samplerate=SAMPLE_RATE,
                    channels=1,
                    dtype="float32",
                    latency=OUTPUT_LATENCY,
                    callback=self._callback,
                )
                self.stream.start()
        except Exception as e:  # sounddevice.PortAudioError and friends
            raise NoAudioOutput(f"No sound output device: {e}.", hint=DEVICE_HINT) from e
        self._warm_up()

    def _warm_up(self) -> None:
        """Play a moment of silence first: a new stream may stutter while it settles,
        and a device that takes no audio at all is found before the session starts."""
        settle = int(SETTLE_SECONDS * SAMPLE_RATE)
        end = self.append(np.zeros(settle, dtype=np.float32)) + settle
        deadline = time.monotonic() + WARM_UP_SECONDS
        while self.played() < end:
            if time.monotonic() > deadline:
                self.close()
                raise NoAudioOutput("The sound device does not take any audio.", hint=DEVICE_HINT)
            time.sleep(0.005)

    def _callback(self, outdata, frames, time_info, status) -> None:
        out = outdata[:, 0]
        filled = 0
        with self.lock:
            while filled < frames and self.chunks:
                chunk = self.chunks[0]
                take = min(frames - filled, len(chunk) - self.head)
                out[filled : filled + take] = chunk[self.head : self.head + take]
                filled += take
                self.head += take
                if self.head >= len(chunk):
                    self.chunks.popleft()
                    self.head = 0
            self.tape_played += filled
            self.last_callback = time.monotonic()
        out[filled:] = 0.0
        dac = time_info.outputBufferDacTime
        self.history.add(out, dac, time_info.currentTime)
        self.heard_until = dac + frames / SAMPLE_RATE
        self.offset = time.monotonic() - time_info.currentTime
        if self.watched:
            with self.lock:
                for pos, seen in self.watched.items():
                    if seen is None and self.tape_played - filled <= pos < self.tape_played:
                        self.watched[pos] = dac + (pos - (self.tape_played - filled)) / SAMPLE_RATE

    def append(self, samples: np.ndarray) -> int:
        data = np.ascontiguousarray(samples, dtype=np.float32)
        with self.lock:
            at = self.tape_end
            if len(data):
                if not self.chunks:
                    self.last_callback = time.monotonic()
                self.chunks.append(data)
                self.tape_end += len(data)
            return at

    def played(self) -> int:
        with self.lock:
            return self.tape_played

    def flush(self) -> None:
        with self.lock:
            self.chunks.clear()
            self.head = 0
            self.tape_end = self.tape_played

    def silent_from(self) -> float:
        """PortAudio time from which a flush is heard: what the device already holds still plays."""
        with self.lock:
            return self.heard_until

    def watch(self, pos: int) -> None:
        """Note when the sample at this tape position reaches the loudspeaker (latency figures)."""
        with self.lock:
            self.watched[pos] = None

    def heard_at(self, pos: int) -> float | None:
        """time.monotonic() at which the watched sample was heard, once known."""
        with self.lock:
            seen = self.watched.get(pos)
            if seen is None:
                return None
            del self.watched[pos]
            return seen + self.offset

    def silent_at(self) -> float:
        """time.monotonic() from which a flush just made is heard as silence."""
        return self.silent_from() + self.offset

    def silence(self, seconds: float) -> None:
        pass

    @property
    def underruns(self) -> int:
        return alsa.counts.underruns - self.underruns_before

    def check(self) -> None:
        with self.lock:
            waiting = self.tape_end > self.tape_played
            stalled = time.monotonic() - self.last_callback > STALL_SECONDS
        if waiting and (stalled or not self.stream.active):
            raise NoAudioOutput("The sound output stopped working during the session.", hint=DEVICE_HINT)

    def close(self, keep: bool = True) -> None:
        try:
            self.stream.stop()
            self.stream.close()
        except Exception:  # closing a dead stream must not hide the real error
            pass


class SimpleaudioSink(Untimed):
    """Fallback when PortAudio is missing: one simpleaudio buffer per append, played in
    order by a thread. Block starts may be late by the device's start-up time."""

    realtime = True

    def __init__(self) -> None:
        alsa.install()  # before any stream opens: underruns counted, never printed
        self.underruns_before = alsa.counts.underruns
        try:
            import simpleaudio
        except (ImportError, OSError) as e:
            raise NoAudioOutput(f"simpleaudio could not load ({e}).", hint=DEVICE_HINT) from e
        self.sa = simpleaudio
        try:
            with quiet("stderr"):
                simpleaudio.play_buffer(bytes(128), 1, 2, SAMPLE_RATE).wait_done()
        except Exception as e:
            raise NoAudioOutput(f"No sound output device: {e}.", hint=DEVICE_HINT) from e
        self.lock = threading.Lock()
        self.chunks: deque[tuple[int, np.ndarray]] = deque()
        self.tape_end = 0
        self.current: tuple[int, float, int, object] | None = None  # tape start, started, length, play object
        self.failed: Exception | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            with self.lock:
                item = self.chunks.popleft() if self.chunks else None
            if item is None:
                time.sleep(0.002)
                continue
            at, data = item
            try:
                play = self.sa.play_buffer(to_int16(data).tobytes(), 1, 2, SAMPLE_RATE)
            except Exception as e:
                self.failed = e
                return
            with self.lock:
                self.current = (at, time.monotonic(), len(data), play)
            play.wait_done()

    def append(self, samples: np.ndarray) -> int:
        with self.lock:
            at = self.tape_end
            if len(samples):
                self.chunks.append((at, np.asarray(samples, dtype=np.float32)))
                self.tape_end += len(samples)
            return at

    def played(self) -> int:
        with self.lock:
            if self.current is None:
                return 0
            at, started, length, play = self.current
            done = min(length, int((time.monotonic() - started) * SAMPLE_RATE))
            if not play.is_playing():
                done = length
            return at + done

    def flush(self) -> None:
        with self.lock:
            self.chunks.clear()
            if self.current is not None:
                at, started, length, play = self.current
                play.stop()
                self.current = (at, started, 0, play)
                self.tape_end = at
            else:
                self.tape_end = 0

    def silence(self, seconds: float) -> None:
        pass

    @property
    def underruns(self) -> int:
        return alsa.counts.underruns - self.underruns_before

    def check(self) -> None:
        if self.failed is not None:
            raise NoAudioOutput(f"The sound device stopped working: {self.failed}.", hint=DEVICE_HINT)

    def close(self, keep: bool = True) -> None:
        self.flush()


class NullSink(Untimed):
    """Runs the session as fast as possible, counting what would have been heard."""

    realtime = False
    underruns = 0  # nothing plays in real time: nothing can run out

    def __init__(self) -> None:
        self.samples = 0

    def append(self, samples: np.ndarray) -> int:
        at = self.samples
        self.samples += len(samples)
        return at

    def played(self) -> int:
        return self.samples

    def flush(self) -> None:
        pass

    def silence(self, seconds: float) -> None:
        self.samples += int(round(seconds * SAMPLE_RATE))

    def check(self) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        pass


class FileSink(Untimed):
    """WAV or MP3, written block by block to a .part file and renamed when complete,
    so an interrupted render never leaves a half file under the real name."""

    realtime = False
    underruns = 0  # nothing plays in real time: nothing can run out

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = path.suffix.lower()
        if self.kind not in (".wav", ".mp3"):
            raise InvalidInput(f"{path.name}: the output must end in .wav or .mp3.")
        self.part = path.with_name(path.name + ".part")
        self.samples = 0
        try:
            self.file = open(self.part, "wb")  # noqa: SIM115 - closed in close()
        except OSError as e:
            raise InvalidInput(f"Cannot write {path}: {e.strerror or e}.") from e
        if self.kind == ".wav":
            self.wav = wave.open(self.file, "wb")  # noqa: SIM115 - closed in close()
            self.wav.setnchannels(1)
            self.wav.setsampwidth(2)
            self.wav.setframerate(SAMPLE_RATE)
        else:
            import lameenc

            self.encoder = lameenc.Encoder()
            self.encoder.set_bit_rate(64)
            self.encoder.set_in_sample_rate(SAMPLE_RATE)
            self.encoder.set_channels(1)
            self.encoder.set_quality(2)

    def _write(self, pcm: bytes) -> None:
        try:
            if self.kind == ".wav":
                self.wav.writeframesraw(pcm)
            else:
                self.file.write(self.encoder.encode(pcm))
        except OSError as e:
            self.close(keep=False)
            raise InvalidInput(f"Cannot write {self.path}: {e.strerror or e}.") from e

    def append(self, samples: np.ndarray) -> int:
        at = self.samples
        self._write(to_int16(samples).tobytes())
        self.samples += len(samples)
        return at

    def played(self) -> int:
        return self.samples

    def flush(self) -> None:
        pass

    def check(self) -> None:
        pass

    def silence(self, seconds: float) -> None:
        n = int(round(seconds * SAMPLE_RATE))
        chunk = SAMPLE_RATE * 10
        while n > 0:
            self.append(np.zeros(min(n, chunk), dtype=np.float32))
            n -= chunk

    def close(self, keep: bool = True) -> None:
        if self.file.closed:
            return
        try:
            if self.kind == ".wav":
                self.wav.close()  # writes the final header
            else:
                self.file.write(self.encoder.flush())
            self.file.flush()
            os.fsync(self.file.fileno())
        except OSError as e:
            keep = False
            raise InvalidInput(f"Cannot write {self.path}: {e.strerror or e}.") from e
        finally:
            self.file.close()
            if keep:
                os.replace(self.part, self.path)
            else:
                self.part.unlink(missing_ok=True)


class RecordingSink(Untimed):
    """A fake for the layers above: keeps every buffer it was given."""

    realtime = False
    underruns = 0  # nothing plays in real time: nothing can run out

    def __init__(self) -> None:
        self.buffers: list[np.ndarray] = []
        self.silences: list[float] = []
        self.stops = 0

    def append(self, samples: np.ndarray) -> int:
        at = sum(len(b) for b in self.buffers)
        self.buffers.append(np.array(samples, copy=True))
        return at

    def played(self) -> int:
        return sum(len(b) for b in self.buffers)

    def flush(self) -> None:
        self.stops += 1

    def check(self) -> None:
        pass

    def silence(self, seconds: float) -> None:
        self.silences.append(seconds)
        self.buffers.append(np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32))

    def close(self, keep: bool = True) -> None:
        pass

    @property
    def audio(self) -> np.ndarray:
        return np.concatenate(self.buffers) if self.buffers else np.zeros(0, dtype=np.float32)


def make_sink(output: str) -> Sink:
    if output == "device":
        try:
            return StreamSink()
        except NoAudioOutput as first:
            try:
                return SimpleaudioSink()
            except NoAudioOutput:
                raise first from None
    if output == "null":
        return NullSink()
    return FileSink(Path(output))
