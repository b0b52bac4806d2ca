"""The recogniser's side of its helper process, which decodes two of an answer's three looks while the
recogniser decodes the first (the process itself: decode_worker.py).

pocketsphinx keeps the interpreter lock while it decodes, so a second thread cannot decode beside
it; a second process can. The recogniser sends the helper the decode half a frame later and the
free phone loop, decodes the grammar with its n-best list itself, and reads the helper's two
results when it needs them. The answers are the same as with all three decoded in one process;
they come about a third sooner on two cores (scripts/bench_decode_helper.py).

Whatever goes wrong with the helper (it cannot start, is still loading, dies, or does not answer in
time), the recogniser decodes those looks itself: the helper only ever saves time.

Protocol, over the helper's standard input and output: the helper first writes the line `"ready"`;
then for each request, one JSON line `{"looks": [[search, byte count], ...]}` followed by those
bytes of 16-bit audio, answered by one JSON line: a list with each look's result (or null).
The helper ends when its input closes (the recogniser's process ended, even by kill -9).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import weakref
from pathlib import Path

from voiceguide import settings

ANSWER_SECONDS = 5.0  # a helper that has not answered in this long is stopped (and not used again)


def worth_starting() -> bool:
    """Not on one core (nothing to overlap), nor when VOICEGUIDE_DECODE_HELPER=0 (to save its
    memory, about 70 MB, or to compare: scripts/bench_feedback.py runs sessions both ways)."""
    return (os.cpu_count() or 1) > 1 and settings.decode_helper()


class Helper:
    """The recogniser's side of one helper process."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._process = process
        self._fd = process.stdout.fileno() if process.stdout else -1
        self._in = process.stdin.fileno() if process.stdin else -1
        os.set_blocking(self._in, False)  # see _write
        self._buffer = b""
        self._ready = False
        self._pending = False  # a request was sent whose answer has not been read
        self._finalizer = weakref.finalize(self, _end, process)

    @classmethod
    def start(cls) -> Helper | None:
        """Starts the helper in the background (it takes a second to load its model); None if it
        cannot be started at all."""
        env = settings.helper_environment(str(Path(__file__).resolve().parents[2]))
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "voiceguide.feedback.decode_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        except OSError:
            return None
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._fd >= 0

    def send(self, looks: list[tuple[str, bytes]]) -> bool:
        """Hands these looks to the helper; False when it is not ready (or gone): decode them here."""
        if not self.wait_ready(0.0):
            return False
        if self._pending and self.receive() is None:  # the last answer, never needed: read past it
            return False
        header = json.dumps({"looks": [[search, len(raw)] for search, raw in looks]}).encode() + b"\n"
        if not self._write(header + b"".join(raw for _, raw in looks), timeout=ANSWER_SECONDS):
            return False
        self._pending = True
        return True

    def _write(self, data: bytes, timeout: float) -> bool:
        """All of `data` to the helper, or False (and the helper stopped) if it has not taken it in
        time: a helper that stops reading must not hold the recogniser up once its pipe is full."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        try:
            while view:
                _, writable, _ = select.select([], [self._in], [], max(0.0, deadline - time.monotonic()))
                if not writable:
                    raise TimeoutError
                view = view[os.write(self._in, view[: 1 << 16]) :]
        except (OSError, ValueError):  # TimeoutError and BrokenPipeError are OSErrors
            self.close()
            return False
        return True

    def wait_ready(self, timeout: float) -> bool:
        """Whether the helper has loaded its model, waiting at most `timeout` seconds for it (a
        session never waits: the recogniser decodes everything itself until then)."""
        if self.alive and not self._ready:
            line = self._line(timeout)
            if line is not None:
                self._ready = line.strip() == b'"ready"'
                if not self._ready:  # it could not load pocketsphinx: it said why and ended
                    self.close()
        return self.alive and self._ready

    def receive(self) -> list[dict | None] | None:
        """The results of the looks last sent, in order; None if the helper failed (then it is stopped)."""
        line = self._line(timeout=ANSWER_SECONDS)
        self._pending = False
        try:
            results = json.loads(line) if line is not None else None
        except ValueError:
            results = None
        if not isinstance(results, list):
            self.close()
            return None
        return results

    def _line(self, timeout: float) -> bytes | None:
        """One line from the helper, waiting at most `timeout` seconds; None if none came."""
        while b"\n" not in self._buffer:
            if not self.alive:
                return None
            try:
                readable, _, _ = select.select([self._fd], [], [], timeout)
            except (OSError, ValueError):
                readable = []
            if not readable:
                if timeout > 0:  # no answer in time: a helper that hangs is not waited for again
                    self.close()
                return None
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:  # it ended
                self.close()
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def close(self) -> None:
        self._fd = -1
        self._finalizer()


def _end(process: subprocess.Popen) -> None:
    """Stops the helper and reaps it. It holds nothing worth a goodbye, and one still loading its
    model would read the end of its input only once loaded: waiting for it would delay the exit of
    `voiceguide hear` by up to a second."""
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    if process.poll() is None:
        process.kill()
    process.wait()
