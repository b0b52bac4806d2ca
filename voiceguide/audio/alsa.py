"""ALSA's messages kept off the terminal, and its underruns counted instead.

libasound reports through one process-wide error handler whose default prints lines such as
"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred" on stderr: 242 of them in 20 s with
two sessions on a busy machine, over the status line. `install()` replaces that handler,
before a stream opens, with one that prints nothing and counts. PortAudio (sounddevice) and
simpleaudio load the same libasound.so.2, so one handler covers every stream of the process.
Other messages are counted too; they only ever described a failure that voiceguide reports
itself in plain words (NoAudioOutput, NoRecogniser).
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

LIBRARY = "libasound.so.2"

# void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
# ctypes cannot declare the "...": the one variadic argument read, the "%s" of snd_pcm_recover's
# "%s occurred" ("underrun" or "overrun"), arrives where a sixth fixed argument would on the Linux
# ABIs (x86-64, arm64, i386); it is read only after that exact format, where it is always passed.
HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p
)


@dataclass
class Counts:
    """What ALSA reported since the process started."""

    underruns: int = 0  # playback: the device ran out of audio and played silence
    overruns: int = 0  # capture: input was dropped because nobody read it in time
    other: int = 0  # any other message


counts = Counts()
_lock = threading.Lock()
_installed: ctypes._CFuncPtr | None = None  # ALSA keeps only a pointer: the callback must stay alive


def record(fmt: bytes | None, what: bytes | None) -> None:
    """Count one ALSA message: `fmt` its format, `what` the string its "%s" stood for, if read."""
    with _lock:
        if fmt == b"%s occurred" and what == b"underrun":
            counts.underruns += 1
        elif fmt == b"%s occurred" and what == b"overrun":
            counts.overruns += 1
        else:
            counts.other += 1


def _handle(file: bytes | None, line: int, function: bytes | None, err: int, fmt: bytes | None, arg) -> None:
    try:
        what = ctypes.string_at(arg) if fmt == b"%s occurred" and arg else None
        record(fmt, what)
    except Exception:  # an exception must never escape into C (ctypes would print it on stderr)
        pass


def install(library: str = LIBRARY) -> bool:
    """Route ALSA's messages to the counter; False (and nothing changed) without libasound.

    Safe to call before every stream opens: the handler is installed once per process.
    """
    global _installed
    with _lock:
        if _installed is not None:
            return True
        try:
            alsa = ctypes.CDLL(library)
            set_handler = alsa.snd_lib_error_set_handler
        except (OSError, AttributeError):  # no ALSA here (macOS, Windows, a minimal container)
            return False
        set_handler.argtypes = [HANDLER]
        set_handler.restype = ctypes.c_int
        callback = HANDLER(_handle)
        if set_handler(callback) != 0:
            return False
        _installed = callback
        return True


def installed() -> bool:
    return _installed is not None
