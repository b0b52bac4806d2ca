"""Keep native libraries' chatter off the user's terminal.

ALSA prints pages of errors on stderr when there is no sound card; pyttsx3
prints 'Audio saved to ...' on stdout, which must stay clean for --json. Both
Python's stream (which may not be the file descriptor) and the descriptor
itself are silenced, and Python's buffer is flushed before the descriptor
comes back, so nothing leaks out later.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet(stream_name: str = "stderr") -> Iterator[None]:
    fd = 1 if stream_name == "stdout" else 2
    stream = getattr(sys, stream_name)
    with contextlib.suppress(OSError, ValueError):  # a closed stream has nothing to flush
        stream.flush()
    setattr(sys, stream_name, io.StringIO())
    try:
        saved = os.dup(fd)
    except OSError:  # no such descriptor (embedded use): Python's stream is enough
        saved = None
    if saved is not None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    try:
        yield
    finally:
        setattr(sys, stream_name, stream)
        if saved is not None:
            os.dup2(saved, fd)
            os.close(saved)
