"""What the companion page shows, kept up to date from the session's journal events.

The page never asks the player anything: every event is journaled and then handed here
(session._play's `record`), and this turns them into one small state the page draws.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from voiceguide import domain
from voiceguide.plan import Segment

ANSWER_WORDS = {  # what a tap or key meant, said the way the page shows it
    "more": "firmer",
    "less": "lighter",
    "good": "good",
    "pause": "pause",
    "continue": "continue",
    "skip": "next",
    "repeat": "repeat",
    "stop": "STOP",
    "symptom": "a symptom",
    "no": "no",
}


class LiveState:
    """The page's state: changed by journal events, read (as a dict) by every open page.

    `version` grows with each change; `changed` is notified so that waiting pages send it."""

    def __init__(self, library: Any, mode: str = "self") -> None:
        self.library = library
        self.mode = mode
        self.changed = threading.Condition()
        self.version = 0
        self.maps: dict[tuple[str, int, str | None], str] = {}
        self.data: dict[str, Any] = {
            "status": "starting",
            "technique": None,
            "step": None,
            "area": None,
            "side": None,
            "pressure": None,
            "pressure_words": None,
            "map": None,
            "step_left": None,
            "session_left": None,
            "at": None,
            "next": None,
            "question": None,
            "heard": None,
            "said": None,
            "paused": False,
            "ended": None,
        }

    def snapshot(self) -> tuple[int, dict]:
        with self.changed:
            return self.version, dict(self.data)

    def wait(self, version: int, timeout: float) -> bool:
        """Block until the state is newer than `version` (True) or the timeout passes (False)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.version != version, timeout)

    def _update(self, **values: Any) -> None:
        with self.changed:
            self.data.update(values)
            self.data["changed"] = round(time.time() * 1000, 1)  # the page measures its delay from this
            self.version += 1
            self.changed.notify_all()

    # --- journal events --------------------------------------------------------------

    def observe(self, event: str, data: dict, segments: list[Segment]) -> None:
        """One journaled event (and the session's segments as they are now)."""
        if event == "segment":
            self._segment(data, segments)
        elif event in ("reask", "readback", "waiting"):
            self._update(question=data.get("text") or data.get("question"), paused=event == "waiting")
        elif event == "answer":
            word = ANSWER_WORDS.get(data.get("intent", ""))
            if data.get("intent") == "number":
                word = str(data.get("value"))
            self._update(heard={"text": word or data.get("text") or "?", "source": data.get("source")})
        elif event == "action":
            self._action(data)
        elif event == "end":
            self._update(status="ended", ended=data.get("reason"), question=None, step_left=0, session_left=0)

    def _segment(self, data: dict, segments: list[Segment]) -> None:
        index = data.get("index")
        if not isinstance(index, int) or not 0 <= index < len(segments):
            return
        seg = segments[index]
        values: dict[str, Any] = {
            "status": "question" if seg.kind == "checkpoint" else "playing",
            "question": seg.text if seg.kind == "checkpoint" else None,
            "session_left": round(sum(s.duration for s in segments[index:]), 1),
            "step_left": round(self._step_left(segments, index), 1),
            "at": round(time.time() * 1000),
            "next": self._next(segments, index),
            "paused": False,
        }
        if seg.technique:
            technique = self.library.techniques.get(seg.technique)
            values["technique"] = technique.name if technique else seg.technique
            values["area"] = domain.AREA_WORDS.get(seg.area or "", seg.area)
            values["side"] = seg.side
            if seg.pressure:
                values["pressure"] = seg.pressure
                values["pressure_words"] = domain.PRESSURE_WORDS.get(seg.pressure)
            if technique is not None:  # a question about a technique shows where it works
                step = seg.step if seg.step is not None else 0
                values["map"] = self._map(technique, step, seg.side, seg.position)
        if seg.kind == "speech" and seg.text:
            values["step"] = seg.text  # whatever is being said, a technique's step or not
        self._update(**values)

    @staticmethod
    def _step_left(segments: list[Segment], index: int) -> float:
        """Seconds until the next spoken instruction or question (this step's words and hold)."""
        total = segments[index].duration
        for seg in segments[index + 1 :]:
            if seg.kind in ("speech", "checkpoint") or seg.step != segments[index].step:
                break
            total += seg.duration
        return total

    def _next(self, segments: list[Segment], index: int) -> str | None:
        here = segments[index].technique
        for seg in segments[index + 1 :]:
            if seg.kind == "checkpoint":
                return "A question: " + (seg.text or seg.question or "how does it feel?")
            if seg.kind == "speech" and seg.technique and seg.technique != here:
                technique = self.library.techniques.get(seg.technique)
                return "Next: " + (technique.name if technique else seg.technique)
            if seg.kind == "speech" and seg.text:
                return "Next step: " + seg.text
        return "The end of the session."

    def _map(self, technique: Any, step: int, side: str | None, position: str | None) -> str | None:
        if not 0 <= step < len(technique.steps) or technique.steps[step].map is None:
            return None
        key = (technique.id, step, side, position)
        if key not in self.maps:
            from voiceguide.maps import render

            body_map = technique.steps[step].map
            self.maps[key] = render(body_map, position or technique.positions[0], side, prefix="live")
        return self.maps[key]

    def _action(self, data: dict) -> None:
        kind = data.get("action")
        values: dict[str, Any] = {"said": _said(data)}
        if kind == "pause":
            values["paused"] = True
            values["status"] = "paused"
        elif kind == "resume":
            values["paused"] = False
            values["status"] = "playing"
        if data.get("pressure"):
            values["pressure"] = data["pressure"]
            values["pressure_words"] = domain.PRESSURE_WORDS.get(data["pressure"])
        self._update(**values)


def _said(action: dict) -> str:
    """An action in a few words for the page (the voice says it in full)."""
    kind = action.get("action")
    pressure = action.get("pressure")
    if action.get("cap_reached"):
        cap = action.get("cap")
        limit = f"Already at the most pressure allowed here ({cap} of {domain.PRESSURE_MAX})"
        return limit + ": more time instead."
    words = {
        "pressure_up": f"Firmer: now {pressure} of {domain.PRESSURE_MAX}.",
        "pressure_down": f"Lighter: now {pressure} of {domain.PRESSURE_MAX}.",
        "stop": "Stopped.",
        "pause": "Paused.",
        "resume": "Going on.",
        "skip": "Next step.",
        "repeat": "Again.",
        "extend": "More time here.",
        "shorten": "A shorter session.",
    }
    if kind in words:
        return words[kind]
    if action.get("pain") is not None:
        return f"Pain {action['pain']} noted."
    return str(action.get("reason") or kind or "")
