"""The level under which a sound is never taken for speech.

Fixed in a room of ordinary noise; lower in a quiet one, because a voice from across the room comes
through 20 dB quieter while the room does not get louder. One rule for the listener (frame by
frame, over the microphone's last seconds) and the recogniser's speech gate (over the clip), so
that a clip the listener takes for speech is not refused for its level alone.
"""

from __future__ import annotations

import numpy as np

SPEECH_FLOOR_DB = -55.0  # dBFS: the floor in any room louder than ROOM_MARGIN_DB under it
# Over the room's quietest tenth. Chosen by `scripts/bench_level.py --choose` on FSDD takes 3 and 5
# (the benchmark reports 7-9) made 10-30 dB quieter in rooms at -75 and -65 dBFS, and synthetic
# noises as quiet as the room: of 6, 9 and 12 dB, the most digits heard with no noise taken as a try
# (6 dB took 1 and 2 of 21).
ROOM_MARGIN_DB = 9.0
LOWEST_FLOOR_DB = -70.0  # a microphone's own hiss (not chosen: -80 gave the same in those rooms)


def over_room(
    levels: np.ndarray, highest: float | None = None, lowest: float | None = None, margin: float | None = None
) -> float:
    """The floor for sounds heard among `levels` (dBFS of short frames): `margin` (ROOM_MARGIN_DB)
    over their quietest tenth, within `lowest` (LOWEST_FLOOR_DB) to `highest` (SPEECH_FLOOR_DB)."""
    highest = SPEECH_FLOOR_DB if highest is None else highest
    if len(levels) == 0:
        return highest
    lowest = LOWEST_FLOOR_DB if lowest is None else lowest
    room = float(np.percentile(levels, 10)) + (ROOM_MARGIN_DB if margin is None else margin)
    return float(min(highest, max(lowest, room)))
