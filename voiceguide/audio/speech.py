"""Text to speech clips: engines behind one interface, a verified content-addressed cache.

On Linux the espeak-ng command line is the reliable path (synchronous,
deterministic). pyttsx3 is the cross-platform engine (SAPI5, NSSpeechSynthesizer,
espeak); on Linux it has defects (the first file empty, later files holding the
previous text, chatter on stdout), so each of its files is checked before use
and it is never used to play sound.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from voiceguide import settings
from voiceguide.audio.pcm import SAMPLE_RATE, read_clip, wav_bytes, wav_seconds
from voiceguide.audio.quiet import quiet
from voiceguide.errors import InvalidInput, NoSpeechEngine
from voiceguide.speechtime import EstimatedSpeech

ENGINE_TIMEOUT = 30.0  # seconds for one clip; a hung engine must not hang the session
DEFAULT_RATE = 165  # words per minute: a little slower than espeak's 175, for the ear


class SpeechEngine(Protocol):
    name: str
    voice: str
    rate: int

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


def make_engine(name: str | None = None, voice: str | None = None, rate: int | None = None) -> SpeechEngine:
    """The engine asked for (VOICEGUIDE_TTS or name), else the one that works here."""
    name = name or settings.tts() or ""
    if name in ("espeak-ng", "espeak"):
        return EspeakEngine(voice, rate)
    if name == "pyttsx3":
        return Pyttsx3Engine(voice, rate)
    if name:
        raise NoSpeechEngine(f"Unknown speech engine {name!r}; use espeak-ng or pyttsx3.")
    order = (EspeakEngine, Pyttsx3Engine) if platform.system() == "Linux" else (Pyttsx3Engine, EspeakEngine)
    errors = []
    for engine in order:
        try:
            return engine(voice, rate)
        except NoSpeechEngine as e:
            errors.append(str(e))
    raise NoSpeechEngine("No speech engine works here: " + " ".join(errors), hint=install_hint())


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
    """Clips keyed by text, engine, voice and rate; every entry checked on the way in and out."""

    def __init__(self, engine: SpeechEngine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder
        self._lengths: dict[str, float] = {}

    def key(self, text: str) -> str:
        ident = "\x1f".join([self.engine.name, self.engine.voice, str(self.engine.rate), text])
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]

    def has(self, text: str) -> bool:
        """Cached and sound (checked from the header)."""
        return text in self._lengths or self._valid(text)

    def path(self, text: str) -> Path:
        return self.folder / f"{self.key(text)}.wav"

    def ensure(self, texts: Iterable[str], workers: int | None = None) -> None:
        """Render every missing or damaged clip, in parallel where the engine allows."""
        todo = list(dict.fromkeys(t for t in texts if not self._valid(t)))
        if not todo:
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        parallel = isinstance(self.engine, EspeakEngine)
        workers = workers or (min(8, (os.cpu_count() or 2) * 2) if parallel else 1)
        if workers > 1 and len(todo) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(self._render, todo))
        else:
            for text in todo:
                self._render(text)

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
            # Store normalised: SAMPLE_RATE mono 16-bit, whatever the engine wrote.
            tmp.write_bytes(wav_bytes(read_clip(tmp)))
            os.chmod(tmp, 0o600)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    def clip(self, text: str) -> np.ndarray:
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
