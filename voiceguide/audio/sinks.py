"""Where the session's sound goes: the sound card, a WAV or MP3 file, or nowhere.

One small interface; the device sink plays in real time, the others as fast
as the machine can. A RecordingSink keeps what it was given, for tests of the
player.
"""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path
from typing import Protocol

import numpy as np

from voiceguide.audio.pcm import SAMPLE_RATE, to_int16
from voiceguide.errors import InvalidInput, NoAudioOutput


class Sink(Protocol):
    realtime: bool

    def start(self, samples: np.ndarray) -> None:
        """Begin playing (device) or write at once (files); returns immediately."""
        ...

    def playing(self) -> bool: ...

    def stop(self) -> None:
        """Silence now (device); nothing to do for files."""
        ...

    def silence(self, seconds: float) -> None:
        """A pause the listener would hear as silence (files); the device just waits."""
        ...

    def close(self, keep: bool = True) -> None: ...


DEVICE_HINT = (
    "Check that a sound card or sound server is available (try: voiceguide doctor), "
    "or write the session to a file with --output session.wav."
)


class DeviceSink:
    """The default sound device through simpleaudio (ALSA, and PulseAudio through its plugin)."""

    realtime = True

    def __init__(self) -> None:
        try:
            import simpleaudio
        except (ImportError, OSError) as e:
            raise NoAudioOutput(f"simpleaudio could not load ({e}).", hint=DEVICE_HINT) from e
        self.sa = simpleaudio
        self.current = None
        self.started_at = 0.0
        self.length = 0
        self._probe()

    def _probe(self) -> None:
        """Open the device once with a few ms of silence: fail now, not mid-session."""
        try:
            self.sa.play_buffer(bytes(2 * 64), 1, 2, SAMPLE_RATE).wait_done()
        except Exception as e:  # simpleaudio raises its own error type for a missing device
            raise NoAudioOutput(f"No sound output device: {e}.", hint=DEVICE_HINT) from e

    def start(self, samples: np.ndarray) -> None:
        self.stop()
        data = to_int16(samples).tobytes()
        if not data:
            return
        try:
            self.current = self.sa.play_buffer(data, 1, 2, SAMPLE_RATE)
        except Exception as e:
            raise NoAudioOutput(f"The sound device stopped working: {e}.", hint=DEVICE_HINT) from e
        self.started_at = time.monotonic()
        self.length = len(samples)

    def playing(self) -> bool:
        return bool(self.current and self.current.is_playing())

    def position(self) -> int:
        """Samples played of the current buffer, by the clock."""
        if not self.current:
            return 0
        return min(self.length, int((time.monotonic() - self.started_at) * SAMPLE_RATE))

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None

    def silence(self, seconds: float) -> None:
        pass

    def close(self, keep: bool = True) -> None:
        self.stop()


class NullSink:
    """Runs the session as fast as possible, counting what would have been heard."""

    realtime = False

    def __init__(self) -> None:
        self.samples = 0

    def start(self, samples: np.ndarray) -> None:
        self.samples += len(samples)

    def playing(self) -> bool:
        return False

    def stop(self) -> None:
        pass

    def silence(self, seconds: float) -> None:
        self.samples += int(round(seconds * SAMPLE_RATE))

    def close(self, keep: bool = True) -> None:
        pass


class FileSink:
    """WAV or MP3, written block by block to a .part file and renamed when complete,
    so an interrupted render never leaves a half file under the real name."""

    realtime = False

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

    def start(self, samples: np.ndarray) -> None:
        self._write(to_int16(samples).tobytes())
        self.samples += len(samples)

    def playing(self) -> bool:
        return False

    def stop(self) -> None:
        pass

    def silence(self, seconds: float) -> None:
        n = int(round(seconds * SAMPLE_RATE))
        chunk = SAMPLE_RATE * 10
        while n > 0:
            self.start(np.zeros(min(n, chunk), dtype=np.float32))
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


class RecordingSink:
    """A fake for the layers above: keeps every buffer it was given."""

    realtime = False

    def __init__(self) -> None:
        self.buffers: list[np.ndarray] = []
        self.silences: list[float] = []
        self.stops = 0

    def start(self, samples: np.ndarray) -> None:
        self.buffers.append(np.array(samples, copy=True))

    def playing(self) -> bool:
        return False

    def stop(self) -> None:
        self.stops += 1

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
        return DeviceSink()
    if output == "null":
        return NullSink()
    return FileSink(Path(output))
