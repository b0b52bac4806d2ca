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


WAV_PCM, WAV_FLOAT, WAV_EXTENSIBLE = 1, 3, 0xFFFE


def _wav_format(data: bytes, name: str) -> tuple[int, int, int, int, memoryview]:
    """(format, channels, rate, bits, sample bytes) from the RIFF chunks.

    The header is read by hand rather than with the wave module, which refuses
    32-bit float files; a data size that promises more than the file holds is cut
    to what is there (a recorder killed mid-write leaves exactly that).
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise InvalidInput(f"{name} is not a WAV file (no RIFF/WAVE header).")
    view = memoryview(data)
    fmt = None
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = bytes(view[pos : pos + 4]), int.from_bytes(view[pos + 4 : pos + 8], "little")
        body = view[pos + 8 : pos + 8 + size]
        if chunk == b"fmt ":
            if len(body) < 16:
                raise InvalidInput(f"{name}: the WAV format chunk is cut short.")
            tag, channels, rate = (
                int.from_bytes(body[0:2], "little"),
                int.from_bytes(body[2:4], "little"),
                int.from_bytes(body[4:8], "little"),
            )
            bits = int.from_bytes(body[14:16], "little")
            if tag == WAV_EXTENSIBLE and len(body) >= 26:
                tag = int.from_bytes(body[24:26], "little")  # the sub-format GUID starts with the tag
            fmt = (tag, channels, rate, bits)
        elif chunk == b"data":
            if fmt is None:
                raise InvalidInput(f"{name}: the WAV data comes before its format chunk.")
            return (*fmt, body)
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    raise InvalidInput(f"{name}: no audio data in this WAV file.")


def decode_wav(data: bytes, name: str = "audio", max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """Any PCM (8/16/24/32-bit) or 32-bit float WAV, any channels -> float32 mono in [-1, 1], rate."""
    tag, channels, rate, bits, body = _wav_format(data, name)
    width = (bits + 7) // 8
    supported = (tag == WAV_PCM and width in (1, 2, 3, 4)) or (tag == WAV_FLOAT and width == 4)
    if not supported or not 1 <= channels <= 64 or not 1000 <= rate <= 400_000:
        kind = {WAV_PCM: "PCM", WAV_FLOAT: "float"}.get(tag, f"format {tag}")
        raise InvalidInput(
            f"{name}: unsupported WAV format ({kind}, {channels} channels, {bits}-bit, {rate} Hz)."
        )
    frame = width * channels
    frames = len(body) // frame
    if max_seconds is not None and frames > max_seconds * rate:
        raise InvalidInput(f"{name}: {frames / rate:.0f} s of audio, longer than {max_seconds:g} s.")
    raw = body[: frames * frame]
    if tag == WAV_FLOAT:
        samples = np.nan_to_num(np.frombuffer(raw, dtype="<f4"), nan=0.0, posinf=1.0, neginf=-1.0)
        samples = np.clip(samples, -1.0, 1.0)
    elif width == 1:
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


def read_wav(path: Path, max_bytes: int, max_seconds: float) -> tuple[np.ndarray, int]:
    """A WAV file given by a user: read no more than max_bytes, decode no more than max_seconds."""
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise InvalidInput(f"Cannot read {path}: {e.strerror or e}.") from e
    if len(data) > max_bytes:
        raise InvalidInput(f"{path.name}: larger than {max_bytes // 1_000_000} MB, too long for one answer.")
    return decode_wav(data, path.name, max_seconds)


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
