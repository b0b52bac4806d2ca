"""The cue tones: their names and exact lengths.

The planner needs the lengths to place every segment; the audio layer and
`scripts/make_cues.py` make WAVs of exactly these lengths.
"""

from __future__ import annotations

CUE_SECONDS: dict[str, float] = {
    "start": 1.2,
    "end": 1.6,
    "switch": 0.9,
    "next": 0.6,
    "question": 0.6,
    "pressure-up": 0.5,
    "pressure-down": 0.5,
    "stop": 1.0,
    "tick": 0.15,
}
