"""Where answers come from, behind one interface: nothing, lines of stdin, keys, or voice."""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from dataclasses import replace
from typing import IO, Protocol

from voiceguide.feedback.decision import calls_for_stop
from voiceguide.feedback.intents import Answer, from_key, understand


class Feedback(Protocol):
    name: str

    def poll(self) -> Answer | None:
        """Something said or pressed between questions (the stop word, a key), or None."""
        ...

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        """The answer to the question just asked, or None when none came in time."""
        ...

    def notes(self) -> list[tuple[str, dict]]:
        """Journal entries about what was heard and set aside (the player's own voice)."""
        ...

    def timing(self, answer: Answer) -> dict:
        """For spoken answers: milliseconds from the end of speech to its use (latency figures)."""
        ...

    def stop_waiting(self) -> bool:
        """A stop has come (said, pressed or tapped: decision.calls_for_stop) and is not read yet:
        what the session says before it listens is cut short, and the stop is read next."""
        ...

    def close(self) -> None: ...


class Plain:
    """The notes and timing of `Feedback` for sources that have neither, and no stop read ahead
    (lines are read when a question is asked)."""

    def notes(self) -> list[tuple[str, dict]]:
        return []

    def timing(self, answer: Answer) -> dict:
        return {}

    def stop_waiting(self) -> bool:
        return False


class NoFeedback(Plain):
    name = "none"

    def poll(self) -> Answer | None:
        return None

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        if realtime:
            time.sleep(timeout)
        return None

    def close(self) -> None:
        pass


class LineFeedback(Plain):
    """One line of input per question, in order: how scripts and tests drive a session."""

    name = "stdin"

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.ended = False

    def poll(self) -> Answer | None:
        return None

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        if self.ended:
            if realtime:
                time.sleep(timeout)
            return None
        line = self.stream.readline()
        if line == "":
            self.ended = True
            if realtime:
                time.sleep(timeout)
            return None
        if not line.strip():  # an empty line is Enter, as it is on the keyboard ("or press Enter")
            return replace(from_key("\n", expect), text="", source="stdin")
        if len(line.strip()) == 1 and not line.strip().isdigit():  # "+", "g": the key the prompts name
            return replace(from_key(line.strip(), expect), source="stdin")
        return understand(line, expect, source="stdin")

    def close(self) -> None:
        pass


class KeyFeedback(Plain):
    """Single keys without Enter, read by a thread so that playback never waits on them."""

    name = "keys"

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdin
        self.keys: queue.Queue[tuple[str, float]] = queue.Queue()  # key, when it was read
        self.fd = self.stream.fileno()
        self.saved = None
        try:
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        except Exception:  # not a terminal after all: keys still arrive line-buffered
            self.saved = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 1)
            except OSError:
                return
            if not data:
                return
            self.keys.put((data.decode("utf-8", "replace"), time.monotonic()))

    def stop_waiting(self) -> bool:
        with self.keys.mutex:
            waiting = [key for key, _ in self.keys.queue]
        return any(key == "\x03" or calls_for_stop(from_key(key, "any")) for key in waiting)

    def poll(self) -> Answer | None:
        try:
            key, at = self.keys.get_nowait()
        except queue.Empty:
            return None
        if key == "\x03":
            raise KeyboardInterrupt
        return replace(from_key(key, "any"), at=at)

    def answer(self, expect: str, timeout: float, realtime: bool) -> Answer | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                key, at = self.keys.get(timeout=left)
            except queue.Empty:
                return None
            if key == "\x03":
                raise KeyboardInterrupt
            return replace(from_key(key, expect), at=at)  # ten is "t": no waiting to see if "1" becomes "10"

    def close(self) -> None:
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.saved = None
