"""What works on this machine, and the exact command that fixes what does not."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    needed_to_play: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def _apt(package: str) -> str:
    return f"sudo apt-get install {package}" if platform.system() == "Linux" else f"install {package}"


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, platform.python_version(), "" if ok else "Use Python 3.11 or newer.")


def check_speech() -> Check:
    from voiceguide.audio.speech import SpeechCache, install_hint, make_engine
    from voiceguide.errors import NoSpeechEngine

    try:
        engine = make_engine()
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            cache = SpeechCache(engine, Path(tmp))
            seconds = cache.seconds("Hello, this is a test.")
        return Check(
            "speech engine",
            True,
            f"{engine.name} ({engine.voice}, {engine.rate} wpm): test sentence {seconds:.1f} s",
            needed_to_play=True,
        )
    except NoSpeechEngine as e:
        return Check("speech engine", False, str(e), install_hint(), needed_to_play=True)


def check_output() -> Check:
    from voiceguide.audio.sinks import SimpleaudioSink, StreamSink
    from voiceguide.errors import NoAudioOutput

    try:
        sink = StreamSink()
        sink.close()
        return Check(
            "sound output", True, "default device through PortAudio (sounddevice)", needed_to_play=True
        )
    except NoAudioOutput as first:
        try:
            SimpleaudioSink().close()
            return Check(
                "sound output",
                True,
                f"simpleaudio only ({first}); timing is less exact",
                _apt("libportaudio2"),
                needed_to_play=True,
            )
        except NoAudioOutput:
            return Check(
                "sound output",
                False,
                str(first),
                f"{_apt('pulseaudio libportaudio2')}, or use --output FILE.wav",
                needed_to_play=True,
            )


MIC_FIX = "Plug in a microphone and unmute it, or answer with keys (--feedback keys)."


def _listen_briefly(seconds: float = 0.5) -> float | None:
    """Open the microphone the way a session does; the level heard, or None if nothing came."""
    import time

    import numpy as np

    from voiceguide.feedback.echo import level_db
    from voiceguide.feedback.listen import Microphone

    mic = Microphone()
    frames = []
    try:
        deadline = time.monotonic() + 3.0  # a new PulseAudio stream can take a second to flow
        while time.monotonic() < deadline and len(frames) * 0.03 < seconds:
            item = mic.read(0.1)
            if item is not None:
                frames.append(item[0])
    finally:
        mic.close()
    return level_db(np.concatenate(frames)) if frames else None


def check_microphone() -> Check:
    from voiceguide.audio.quiet import quiet

    try:
        with quiet("stderr"):
            import sounddevice as sd

            device = sd.query_devices(kind="input")
        heard = _listen_briefly()
        name = f"{device['name']} ({int(device['default_samplerate'])} Hz)"
        if heard is None:
            return Check("microphone", False, f"{name}: no sound arrives from it", MIC_FIX)
        return Check("microphone", True, f"{name}: hearing {heard:.0f} dB in half a second")
    except Exception as e:  # no PortAudio, no input device
        return Check(
            "microphone",
            False,
            f"none found ({e})",
            "Plug in a microphone, or answer with keys (--feedback keys).",
        )


def check_recogniser() -> Check:
    try:
        import pocketsphinx  # noqa: F401
    except Exception as e:
        return Check(
            "speech recogniser",
            False,
            f"pocketsphinx not available ({e})",
            f"{sys.executable} -m pip install pocketsphinx",
        )
    return Check("speech recogniser", True, "pocketsphinx with its en-US model")


def check_data_dir() -> Check:
    from voiceguide import paths
    from voiceguide.errors import VoiceguideError

    try:
        folder = paths.data_dir()
        probe = folder / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        mode = oct(folder.stat().st_mode & 0o777)
        return Check("data folder", True, f"{folder} (permissions {mode})", needed_to_play=True)
    except (OSError, VoiceguideError) as e:
        return Check(
            "data folder",
            False,
            str(e),
            "Set VOICEGUIDE_HOME to a folder you can write to.",
            needed_to_play=True,
        )


def check_screen() -> Check:
    from voiceguide import profile
    from voiceguide.errors import InvalidInput

    try:
        p = profile.load()
    except InvalidInput as e:
        return Check("safety screen", False, str(e), "voiceguide screen")
    if not p.is_current():
        return Check("safety screen", False, "not done in the last 90 days", "voiceguide screen")
    return Check(
        "safety screen",
        p.may_play,
        f"{p.outcome}, {p.screened:%Y-%m-%d}",
        "" if p.may_play else "See a clinician, then run: voiceguide screen",
    )


CHECKS: list[Callable[[], Check]] = [
    check_python,
    check_speech,
    check_output,
    check_microphone,
    check_recogniser,
    check_data_dir,
    check_screen,
]


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as e:  # a broken check reports itself, it does not end the report
            results.append(Check(check.__name__.removeprefix("check_"), False, f"check failed: {e}"))
    return results


def can_play(results: list[Check]) -> bool:
    return all(r.ok for r in results if r.needed_to_play)


def environment() -> dict:
    return {
        "platform": platform.platform(),
        "python": sys.executable,
        "VOICEGUIDE_HOME": os.environ.get("VOICEGUIDE_HOME"),
        "VOICEGUIDE_TTS": os.environ.get("VOICEGUIDE_TTS"),
    }
