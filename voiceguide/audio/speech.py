"""Text to speech clips: engines behind one interface, a verified content-addressed cache.

The natural voice is Piper (voiceguide.audio.piper: a separate program, GPL-3.0), chosen when
installed; on Linux the espeak-ng command line is the fallback (synchronous, deterministic).
pyttsx3 is the cross-platform engine (SAPI5, NSSpeechSynthesizer, espeak); on Linux it has
defects (the first file empty, later files holding the previous text, chatter on stdout), so
each of its files is checked before use and it is never used to play sound.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from voiceguide import settings
from voiceguide.audio.pcm import (
    SAMPLE_RATE,
    active_rms_db,
    decode_wav,
    read_clip,
    resample,
    wav_bytes,
    wav_seconds,
)
from voiceguide.audio.quiet import quiet
from voiceguide.errors import InvalidInput, NoSpeechEngine
from voiceguide.speechtime import EstimatedSpeech

ENGINE_TIMEOUT = 30.0  # seconds for one clip; a hung engine must not hang the session
DEFAULT_RATE = 165  # words per minute: a little slower than espeak's 175, for the ear
#: Bumped whenever what is stored for a clip changes (trimming, gain): old clips are not reused.
SHAPE_VERSION = "shape3"
SPEECH_LEVEL_DB = -20.0  # active level of every voice: that of the cue tones (audio/tones.py)
CALIBRATION_TEXT = "Rest your hands on the lower back, and breathe out slowly."
ONSET_FLOOR = 0.003  # |sample| above this (about -50 dBFS) is where the voice is heard
EDGE = int(0.002 * SAMPLE_RATE)  # frames of 2 ms when looking for the voice's edges


class SpeechEngine(Protocol):
    name: str
    voice: str
    rate: int  # words per minute (for piper: its measured pace), for the plausibility checks
    settings: str  # everything else that changes the audio (model hash, scales): in the cache key
    slow: bool  # renders slower than a session needs to start: play renders ahead instead

    def render(self, text: str, out: Path) -> None:
        """Write text as a WAV file at out, or raise NoSpeechEngine."""
        ...


def install_hint() -> str:
    system = platform.system()
    if system == "Linux":
        return "Install a speech engine: sudo apt-get install espeak-ng"
    if system == "Darwin":
        return "Install pyttsx3 into voiceguide's environment: pip install pyttsx3"
    return "Install pyttsx3 into voiceguide's environment: pip install pyttsx3 pywin32"


class EspeakEngine:
    name = "espeak-ng"
    settings = ""
    slow = False

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        self.binary = shutil.which("espeak-ng") or shutil.which("espeak")
        if not self.binary:
            raise NoSpeechEngine("espeak-ng is not installed.", hint=install_hint())
        self.voice = voice or "en-gb"
        self.rate = rate or DEFAULT_RATE

    def render(self, text: str, out: Path) -> None:
        cmd = [self.binary, "-v", self.voice, "-s", str(self.rate), "-w", str(out), "--", text]
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
            )
            try:
                _, stderr = proc.communicate(timeout=ENGINE_TIMEOUT)
            except subprocess.TimeoutExpired as e:
                os.killpg(proc.pid, 9)  # the engine and anything it started
                proc.wait()
                raise NoSpeechEngine(
                    f"espeak-ng did not finish within {ENGINE_TIMEOUT:g} s.",
                    hint="Check that espeak-ng works: espeak-ng 'hello'. Or try VOICEGUIDE_TTS=pyttsx3.",
                ) from e
        except OSError as e:
            raise NoSpeechEngine(f"espeak-ng could not run: {e}.", hint=install_hint()) from e
        if proc.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise NoSpeechEngine(
                f"espeak-ng failed (exit {proc.returncode}): {detail[-1] if detail else 'no message'}.",
                hint="Check the voice name with: espeak-ng --voices",
            )


class Pyttsx3Engine:
    """pyttsx3, guarded: a warm-up file absorbs the first-call defect, and every
    file is checked for the right length before it is trusted."""

    name = "pyttsx3"
    settings = ""
    slow = False

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        try:
            import pyttsx3
        except Exception as e:  # ImportError, or a driver that fails to load
            raise NoSpeechEngine(f"pyttsx3 is not available ({e}).", hint=install_hint()) from e
        try:
            with quiet("stdout"):
                self.engine = pyttsx3.init()
        except Exception as e:
            raise NoSpeechEngine(f"pyttsx3 could not start ({e}).", hint=install_hint()) from e
        self.voice = voice or "default"
        self.rate = rate or DEFAULT_RATE
        if voice:
            self.engine.setProperty("voice", voice)
        self.engine.setProperty("rate", self.rate)
        with tempfile.TemporaryDirectory() as tmp:
            self._save("Ready.", Path(tmp) / "warmup.wav")

    def _save(self, text: str, out: Path) -> None:
        with quiet("stdout"):
            self.engine.save_to_file(text, str(out))
            self.engine.runAndWait()

    def render(self, text: str, out: Path) -> None:
        for _ in range(2):  # a file holding the previous text fails the check: say it again
            out.unlink(missing_ok=True)
            self._save(text, out)
            if out.exists() and plausible(out, text, self.rate):
                return
        raise NoSpeechEngine("pyttsx3 wrote no usable audio.", hint=install_hint())


class PiperEngine:
    """The natural voice: one long-lived `piper` process, started on first use (or by warm())."""

    name = "piper"
    slow = True

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        from voiceguide.audio import piper

        if voice and voice.lower().endswith(".onnx"):
            if piper.piper_command() is None:
                raise NoSpeechEngine(
                    "piper-tts is not installed: it speaks .onnx voices.", hint=piper.INSTALL_HINT
                )
            self.files = piper.read_voice(Path(voice).expanduser().resolve())
            digest = piper.sha256(self.files.model)
        else:
            self.files = piper.packaged_voice()
            digest = piper.PACKAGED_SHA256
        self.voice = self.files.name if self.files.packaged else str(self.files.model)
        # --rate (words a minute) becomes a phoneme length around the calm pace
        self.length_scale = round(
            piper.LENGTH_SCALE * piper.CALM_WORDS_PER_MINUTE / (rate or piper.CALM_WORDS_PER_MINUTE), 3
        )
        self.rate = rate or piper.CALM_WORDS_PER_MINUTE
        self.settings = (
            f"sha256={digest} length={self.length_scale:g} silence={piper.SENTENCE_SILENCE:g} noise=0"
        )
        # the packaged voice's one gain, measured (gain_db() with CALIBRATION_TEXT): no calibration
        # render delays the first clip of a session; another voice is measured on first use
        self.gain_db = piper.PACKAGED_GAIN_DB if self.files.packaged else None
        # up to one process per core for a whole render (each sentence uses one core: measured
        # 35 s wall for 35 s of CPU on 59 sentences); a session rendering ahead uses one
        self.processes = max(1, min(2, os.cpu_count() or 1))
        self._started: list = []
        self._idle: list = []
        self._free = threading.Condition()

    def warm(self) -> None:
        """Start a process (the voice loads while the caller does other work)."""
        self._release(self._take())

    def _take(self):
        from voiceguide.audio import piper

        with self._free:
            while not self._idle and len(self._started) >= self.processes:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            proc = piper.PiperProcess(self.files, self.length_scale)
            self._started.append(proc)
            return proc

    def _release(self, proc) -> None:
        with self._free:
            self._idle.append(proc)
            self._free.notify()

    def render(self, text: str, out: Path) -> None:
        proc = self._take()
        try:
            proc.render(text, out)
        except BaseException:  # failed or interrupted: a new process next time
            proc.close()
            with self._free:
                self._started.remove(proc)
                self._free.notify()
            raise
        self._release(proc)

    def close(self) -> None:
        with self._free:
            for proc in self._started:
                proc.close()
            self._started, self._idle = [], []


ENGINES = ("piper", "espeak-ng", "pyttsx3")


def make_engine(name: str | None = None, voice: str | None = None, rate: int | None = None) -> SpeechEngine:
    """The engine asked for (name, else VOICEGUIDE_TTS; a --voice of piper's picks piper), else the
    natural voice when installed and sound, else the one that works here."""
    from voiceguide.audio import piper

    name = name or settings.tts() or ""
    piper_voice = bool(voice) and (voice.lower().endswith(".onnx") or voice in piper.NATURAL_NAMES)
    if name == "piper" or piper_voice:  # a --voice of piper's wins over VOICEGUIDE_TTS
        return PiperEngine(None if voice in piper.NATURAL_NAMES else voice, rate)
    if name in ("espeak-ng", "espeak"):
        return EspeakEngine(voice, rate)
    if name == "pyttsx3":
        return Pyttsx3Engine(voice, rate)
    if name:
        raise NoSpeechEngine(f"Unknown speech engine {name!r}; use piper, espeak-ng or pyttsx3.")
    if not voice:  # no espeak-ng voice asked for: the natural voice, if it is here and sound
        try:
            return PiperEngine(None, rate)
        except NoSpeechEngine:
            pass  # not installed: espeak-ng, as before
        except InvalidInput as e:
            print(f"voiceguide: {e} Speaking with espeak-ng instead.", file=sys.stderr)
    order = (EspeakEngine, Pyttsx3Engine) if platform.system() == "Linux" else (Pyttsx3Engine, EspeakEngine)
    errors = []
    for engine in order:
        try:
            return engine(voice, rate)
        except NoSpeechEngine as e:
            errors.append(str(e))
    raise NoSpeechEngine("No speech engine works here: " + " ".join(errors), hint=install_hint())


def voice_edges(samples: np.ndarray, floor: float = ONSET_FLOOR) -> tuple[int, int]:
    """(first, end) sample of the part where the voice is heard, to 2 ms; (0, 0) for silence."""
    n = len(samples) // EDGE
    if n == 0:
        return 0, 0
    peaks = np.max(np.abs(samples[: n * EDGE].reshape(n, EDGE)), axis=1)
    loud = np.flatnonzero(peaks > floor)
    if len(loud) == 0:
        return 0, 0
    return int(loud[0]) * EDGE, int(loud[-1] + 1) * EDGE


def shape(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """A calm clip: the engine's fixed gain (no per-sentence normalising), the silence before and
    after the voice cut (so a plan start is where the voice is heard), a short fade-out."""
    out = samples.astype(np.float32) * np.float32(10 ** (gain_db / 20))
    first, end = voice_edges(out)
    if end <= first:
        return out
    first = max(0, first - EDGE)  # keep the 2 ms before the first loud frame: the attack
    end = min(len(out), end + 10 * EDGE)  # and 20 ms after the last: the release
    out = out[first:end].copy()
    fade = min(len(out), 10 * EDGE)
    out[len(out) - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return soft_limit(out)


def soft_limit(samples: np.ndarray, knee: float = 0.7) -> np.ndarray:
    """Peaks above the knee bent smoothly under full scale (the gain may lift a loud syllable past
    it): no flat-topped clipping, and nothing below the knee changes."""
    size = np.abs(samples)
    over = size > knee
    if not over.any():
        return samples
    out = samples.copy()
    room = 1.0 - knee
    out[over] = np.sign(samples[over]) * (knee + room * np.tanh((size[over] - knee) / room))
    return out.astype(np.float32)


def plausible(path: Path, text: str, rate: int) -> bool:
    """Long enough and short enough for its words: catches empty and swapped files."""
    try:
        clip = read_clip(path)
    except InvalidInput:
        return False
    if float(np.max(np.abs(clip), initial=0.0)) < 0.01:
        return False
    return plausible_seconds(len(clip) / SAMPLE_RATE, text, rate)


def plausible_seconds(seconds: float, text: str, rate: int) -> bool:
    expected = EstimatedSpeech(rate).seconds(text)
    return seconds >= 0.15 and 0.4 * expected - 0.3 <= seconds <= 2.5 * expected + 0.8


class SpeechCache:
    """Clips keyed by text, engine, voice, rate and the engine's settings (model hash, scales);
    every entry checked on the way in and out, and stored shaped (trimmed, at one level)."""

    def __init__(self, engine: SpeechEngine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder
        self._lengths: dict[str, float] = {}
        self._render_lock = threading.Lock()  # one clip at a time for an engine that is one process
        self._gain: float | None = None
        self._ahead: threading.Thread | None = None
        self.ahead_error: BaseException | None = None
        # clips wanted now, waiting: the background rendering holds back until there are none
        self._wanted = 0
        self._wanted_lock = threading.Lock()
        self._none_wanted = threading.Event()
        self._none_wanted.set()

    def ident(self) -> str:
        engine = self.engine
        return "\x1f".join(
            [engine.name, engine.voice, str(engine.rate), getattr(engine, "settings", ""), SHAPE_VERSION]
        )

    def key(self, text: str) -> str:
        ident = "\x1f".join([self.ident(), text])
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]

    def gain_path(self) -> Path:
        name = hashlib.sha256(self.ident().encode("utf-8")).hexdigest()[:16]
        return self.folder / f"gain-{name}.txt"

    def gain_db(self) -> float:
        """The engine's one fixed gain: its level on a calibration sentence brought to the cue
        tones' level. Measured once per engine and settings, and kept beside the clips."""
        if self._gain is not None:
            return self._gain
        fixed = getattr(self.engine, "gain_db", None)
        if fixed is not None:
            self._gain = float(fixed)
            return self._gain
        stored = self.gain_path()
        try:
            self._gain = float(stored.read_text())
            return self._gain
        except (OSError, ValueError):
            pass
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp_name = tempfile.mkstemp(dir=self.folder, suffix=".part.wav")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            self.engine.render(CALIBRATION_TEXT, tmp)
            samples, _ = decode_wav(tmp.read_bytes(), "calibration")
        except InvalidInput as e:
            raise NoSpeechEngine(f"{self.engine.name} wrote no usable audio ({e}).", install_hint()) from e
        finally:
            tmp.unlink(missing_ok=True)
        level = active_rms_db(samples)
        if level < -70:
            raise NoSpeechEngine(f"{self.engine.name} spoke nothing audible.", hint=install_hint())
        self._gain = round(SPEECH_LEVEL_DB - level, 2)
        part = stored.with_suffix(".part")
        part.write_text(f"{self._gain}\n")
        os.chmod(part, 0o600)  # the data folder is the owner's alone
        os.replace(part, stored)
        return self._gain

    def has(self, text: str) -> bool:
        """Cached and sound (checked from the header)."""
        return text in self._lengths or self._valid(text)

    def path(self, text: str) -> Path:
        return self.folder / f"{self.key(text)}.wav"

    def ensure(
        self,
        texts: Iterable[str],
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Render every missing or damaged clip, in parallel where the engine allows; progress
        gets (done, total) after each."""
        todo = list(dict.fromkeys(t for t in texts if not self._valid(t)))
        if not todo:
            return
        if progress is not None:
            done = [0]
            progress(0, len(todo))

            def tick(text: str) -> None:
                self._render(text)
                done[0] += 1
                progress(done[0], len(todo))
        else:
            tick = self._render
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.gain_db()
        if isinstance(self.engine, EspeakEngine):
            workers = workers or min(8, (os.cpu_count() or 2) * 2)
        workers = workers or getattr(self.engine, "processes", 1)
        if workers > 1 and len(todo) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(tick, todo))
        else:
            for text in todo:
                tick(text)

    def _valid(self, text: str) -> bool:
        """A cheap check from the header; clip() checks the samples when it loads them."""
        if text in self._lengths:
            return True
        path = self.path(text)
        seconds = wav_seconds(path)
        if seconds is not None and plausible_seconds(seconds, text, self.engine.rate):
            self._lengths[text] = seconds
            return True
        path.unlink(missing_ok=True)  # missing or damaged: rebuilt by the caller
        return False

    def _render(self, text: str) -> None:
        if isinstance(self.engine, EspeakEngine):
            self._render_one(text)
            return
        with self._render_lock:  # the other thread may have made it meanwhile
            if not self._valid(text):
                self._render_one(text)

    def _render_one(self, text: str) -> None:
        final = self.path(text)
        fd, tmp_name = tempfile.mkstemp(dir=self.folder, suffix=".part.wav")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            self.engine.render(text, tmp)
            if not plausible(tmp, text, self.engine.rate):
                raise NoSpeechEngine(
                    f"{self.engine.name} wrote audio of the wrong length for: {text[:60]!r}.",
                    hint="Check the speech engine (voiceguide doctor) or pick another with VOICEGUIDE_TTS.",
                )
            # Store shaped and normalised: SAMPLE_RATE mono 16-bit, whatever the engine wrote.
            samples, rate = decode_wav(tmp.read_bytes(), tmp.name)
            tmp.write_bytes(wav_bytes(shape(resample(samples, rate), self.gain_db())))
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _wanted_now(self) -> Iterator[None]:
        """A clip wanted now goes before the ones rendered ahead. The engine's lock alone did not
        see to that: the background thread took it back as soon as it let it go, and a re-ask
        waited behind 5 clips ahead under load (tests/test_speech.py, 2026-12-04)."""
        with self._wanted_lock:
            self._wanted += 1
            self._none_wanted.clear()
        try:
            yield
        finally:
            with self._wanted_lock:
                self._wanted -= 1
                if not self._wanted:
                    self._none_wanted.set()

    def clip(self, text: str) -> np.ndarray:
        with self._wanted_now():
            return self._clip(text)

    def _clip(self, text: str) -> np.ndarray:
        self.ensure([text])
        path = self.path(text)
        try:
            clip = read_clip(path)
        except InvalidInput:
            clip = None
        if clip is None or float(np.max(np.abs(clip), initial=0.0)) < 0.01:
            path.unlink(missing_ok=True)  # damaged after all: render again, once
            self._lengths.pop(text, None)
            self.ensure([text])
            clip = read_clip(path)
        self._lengths[text] = len(clip) / SAMPLE_RATE
        return clip

    def seconds(self, text: str) -> float:
        """The real length of the spoken clip: the planner's timer."""
        if text not in self._lengths:
            self.clip(text)
        return self._lengths[text]

    def render_ahead(self, texts: Iterable[str]) -> None:
        """Render these clips in order in a background thread (the engine's one process), while
        the session plays; clip() of one not made yet renders it at once instead."""
        todo = [t for t in dict.fromkeys(texts) if not self.has(t)]
        if not todo:
            return

        def work() -> None:
            try:
                for text in todo:
                    self._none_wanted.wait()  # a clip wanted now first
                    self.ensure([text])
            except BaseException as e:  # clip() meets the same failure, in the session's thread
                self.ahead_error = e

        self._ahead = threading.Thread(target=work, name="speech-ahead", daemon=True)
        self._ahead.start()

    def rendering_ahead(self) -> bool:
        return self._ahead is not None and self._ahead.is_alive()

    def wait_ahead(self) -> None:
        """Until the background rendering has finished (tests, benchmarks)."""
        if self._ahead is not None:
            self._ahead.join()


def open_cache(
    engine_name: str | None = None, voice: str | None = None, rate: int | None = None
) -> SpeechCache:
    from voiceguide import paths

    engine = make_engine(engine_name, voice, rate)
    shared = settings.cache()  # a cache shared between data folders (tests, kiosks)
    if shared:
        return SpeechCache(engine, Path(shared))
    parent = paths.data_dir() / "cache"
    try:
        parent.mkdir(exist_ok=True, mode=0o700)  # owner-only, like the rest of the data folder
    except OSError as e:
        raise InvalidInput(f"Cannot use the folder {parent}: {e.strerror or e}.") from e
    return SpeechCache(engine, parent / "speech")
