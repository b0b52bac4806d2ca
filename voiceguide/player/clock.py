"""Session time: the wall clock when played aloud, the audio written so far otherwise."""

from __future__ import annotations

import time
from typing import Protocol

from voiceguide.audio.sinks import Sink

SIMULATED_ANSWER_DELAY = 1.0  # a line of stdin counts as answered one second into the window


class Clock(Protocol):
    realtime: bool

    def now(self) -> float:
        """Seconds since the session started."""
        ...

    def waited_for_answer(self, answered: bool, window: float) -> None:
        """Time passes while an answer is awaited (a simulated session writes it as silence)."""
        ...

    def played(self, seconds: float) -> None:
        """Audio of this length was handed over (a simulated session's time moves with it)."""
        ...

    def at(self, seconds: float) -> None:
        """A simulated session's time is set to this point of the audio written."""
        ...


class RealClock:
    realtime = True

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def waited_for_answer(self, answered: bool, window: float) -> None:
        pass  # the feedback source already waited in real time

    def played(self, seconds: float) -> None:
        pass

    def at(self, seconds: float) -> None:
        pass


class SimulatedClock:
    """As fast as the machine can: time is the length of the audio written."""

    realtime = False

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def waited_for_answer(self, answered: bool, window: float) -> None:
        seconds = SIMULATED_ANSWER_DELAY if answered else window
        self.sink.silence(seconds)
        self.t += seconds

    def played(self, seconds: float) -> None:
        self.t += seconds

    def at(self, seconds: float) -> None:
        self.t = seconds


def clock_for(sink: Sink) -> Clock:
    return RealClock() if sink.realtime else SimulatedClock(sink)
