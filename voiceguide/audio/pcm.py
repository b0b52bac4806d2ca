"""PCM helpers: one sample rate, mono int16, numpy arrays.

Every clip (speech, cue) is brought to SAMPLE_RATE mono on the way in, so the
timeline can mix by adding arrays at sample offsets.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from voiceguide.errors import InvalidInput

SAMPLE_RATE = 22050  # espeak-ng's own rate: its clips need no resampling


def seconds_to_samples(seconds: float, rate: int = SAMPLE_RATE) -> int:
    return int(round(seconds * rate))


def decode_wav(data: bytes, name: str = "audio") -> tuple[np.ndarray, int]:
    """Any PCM WAV (8/16/24/32-bit, any channels) -> float32 mono in [-1, 1] and its rate."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate, frames = (
                w.getnchannels(),
                w.getsampwidth(),
                w.getframerate(),
                w.getnframes(),
            )
            raw = w.readframes(frames)
    except (wave.Error, EOFError, ValueError) as e:
        raise InvalidInput(f"{name} is not a readable PCM WAV file ({e}).") from e
    if channels < 1 or rate < 1000 or rate > 400_000 or width not in (1, 2, 3, 4):
        raise InvalidInput(
            f"{name}: unsupported WAV format ({channels} channels, {width * 8}-bit, {rate} Hz)."
        )
    usable = len(raw) - len(raw) % (width * channels)
    raw = raw[:usable]
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints & 0x800000, ints - 0x1000000, ints)
        samples = ints.astype(np.float32) / 8388608.0
    else:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples.astype(np.float32), rate


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Linear interpolation: enough for speech and cue tones."""
    if rate == target or len(samples) == 0:
        return samples.astype(np.float32)
    n = int(round(len(samples) * target / rate))
    if n <= 1:
        return samples[:n].astype(np.float32)
    x = np.linspace(0, len(samples) - 1, n)
    return np.interp(x, np.arange(len(samples)), samples).astype(np.float32)


def read_clip(path: Path) -> np.ndarray:
    """A WAV file as float32 mono at SAMPLE_RATE."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"Cannot read {path}: {e.strerror or e}.") from e
    samples, rate = decode_wav(data, path.name)
    return resample(samples, rate)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(to_int16(samples).tobytes())
    return buf.getvalue()


def rms_db(samples: np.ndarray) -> float:
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * np.log10(max(rms, 1e-6))


def active_rms_db(samples: np.ndarray, frame: int = 512, floor_db: float = -45.0) -> float:
    """Level of the parts that are not silence: how loud speech or a cue sounds."""
    n = len(samples) // frame
    if n == 0:
        return rms_db(samples)
    frames = samples[: n * frame].reshape(n, frame)
    levels = 10 * np.log10(np.maximum(np.mean(np.square(frames, dtype=np.float64), axis=1), 1e-12))
    loud = frames[levels > floor_db]
    return rms_db(loud.reshape(-1)) if len(loud) else rms_db(samples)


def wav_seconds(path: Path) -> float | None:
    """Length from the header alone, if it is our own clip format (fast: no decoding)."""
    try:
        with wave.open(str(path)) as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, SAMPLE_RATE):
                return None
            frames = w.getnframes()
        if path.stat().st_size < 44 + frames * 2:
            return None  # header promises more than the file holds: truncated
        return frames / SAMPLE_RATE
    except (OSError, wave.Error, EOFError):
        return None
