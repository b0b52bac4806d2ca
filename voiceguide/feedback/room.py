"""The echo path a session learnt, kept in the data folder for the next session to start from.

One file beside the speech cache (`echo-path.json`): it describes the room and the sound card,
not a person. It is only a head start: the listener uses it once it is seen to cancel the echo
(Listener.follow_known_path), so a stale or damaged file costs nothing but the file itself.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np

from voiceguide import paths
from voiceguide.errors import InvalidInput
from voiceguide.feedback.echo import EchoPath

FILE = "echo-path.json"
VERSION = 1


def path_file() -> Path:
    return paths.data_dir() / FILE


def load(file: Path | None = None) -> EchoPath | None:
    """The path saved last, or None (none saved, unreadable, or not one this canceller can use)."""
    file = file or path_file()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        path = EchoPath(
            taps=np.asarray(data["taps"], dtype=np.float64),
            shift=float(data["shift"]),
            rate=int(data["rate"]),
            erle_db=float(data["erle_db"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return path if path.fits(path.rate) else None


def save(path: EchoPath, file: Path | None = None) -> bool:
    """Keep it for the next session; False (and nothing raised) if it could not be written: a
    session must never fail for its head start."""
    file = file or path_file()
    data = {
        "version": VERSION,
        "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "rate": path.rate,
        "shift": path.shift,
        "erle_db": path.erle_db,
        "taps": [round(float(t), 7) for t in path.taps],
    }
    try:
        paths.write_private(file, json.dumps(data) + "\n")
    except InvalidInput:
        return False
    return True
