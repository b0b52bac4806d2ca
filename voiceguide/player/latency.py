"""How fast an answer is acted on: the moment its response is heard, on the device clock."""

from __future__ import annotations

from collections.abc import Callable

from voiceguide.audio.sinks import Sink
from voiceguide.feedback.intents import Answer

SILENCED_BY = ("stop", "symptom", "pause")  # these are timed to the silence, not to a sound


class ResponseTimer:
    """The first audio queued after an answer is its audible response; its onset is timed."""

    def __init__(self, sink: Sink, realtime: bool, emit: Callable[..., None]) -> None:
        self.sink = sink
        self.realtime = realtime
        self.emit = emit
        self.awaiting: Answer | None = None  # acted on, response not yet queued
        self.watching: tuple[Answer, int] | None = None  # queued at this tape position

    def queued(self, pos: int, length: int) -> None:
        if self.awaiting is not None and length:
            self.sink.watch(pos)
            self.watching, self.awaiting = (self.awaiting, pos), None

    def responded(self, answer: Answer) -> None:
        """An answer changed what is heard; stop and pause are timed to the silence."""
        if not answer.at or not self.realtime:
            return
        if answer.intent in SILENCED_BY:
            self.silenced(answer)
        self.awaiting = answer

    def silenced(self, answer: Answer, **fields) -> None:
        """The sound stopped for this answer (also a stop about to be asked about: what the
        person hears first is the silence, so that is its response time)."""
        if not answer.at or not self.realtime:
            return
        silent = self.sink.silent_at()
        if silent is not None:
            self.emit("response", **self._data(answer, silent, "silence"), **fields)

    def poll(self) -> None:
        if self.watching is None:
            return
        answer, pos = self.watching
        heard = self.sink.heard_at(pos)
        if heard is not None:
            self.watching = None
            self.emit("response", **self._data(answer, heard, "sound"))

    @staticmethod
    def _data(answer: Answer, heard: float, what: str) -> dict:
        return {
            "intent": answer.intent,
            "source": answer.source,
            "what": what,
            "ms": round((heard - answer.at) * 1000, 1),
            "monotonic": round(heard, 4),  # when, on time.monotonic(): for benchmarks
        }
