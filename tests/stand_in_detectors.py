"""Stop detectors that stand in for the shipped one where a test is about what happens when the
detector misses a stop (saved as files, for a session started in its own process)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voiceguide.feedback import stopword


def write_deaf_detector(path: Path) -> Path:
    """A detector file that hears no stop anywhere: every weight zero, its output 0.0025."""
    shapes = {"c1": (48, stopword.MELS, 5), "b1": (48,), "c2": (64, 48, 3), "b2": (64,), "w": (1, 128)}
    weights = {name: np.zeros(shape, np.float32) for name, shape in shapes.items()}
    stopword.Net(**weights, b=np.full(1, -6.0, np.float32)).save(path)
    return path
