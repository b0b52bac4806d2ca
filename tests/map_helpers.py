"""Techniques with a body map on every step, for tests that must not wait for the content to land:
the bundled library with maps added in memory, or written as the user's own technique files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from voiceguide import library as lib
from voiceguide.library import Library
from voiceguide.library.schema import BodyMap

# Each area with landmarks that belong to it and an arrow between two of them.
TYPICAL = {
    "lower-back": (["spine", "lower-ribs", "pelvis-rim"], [["pelvis-rim", "lower-ribs"]]),
    "sacrum": (["sacrum", "dimples", "tailbone"], [["dimples", "tailbone"]]),
    "buttock": (["buttock-centre", "sacrum-edge", "hip-knob"], [["sacrum-edge", "hip-knob"]]),
    "piriformis": (["sacrum-edge", "hip-knob"], [["sacrum-edge", "hip-knob"]]),
    "hip": (["hip-knob", "pelvis-rim"], []),
    "hamstring": (["thigh-back", "knee", "heel"], [["knee", "thigh-back"]]),
}


def map_table(area: str, step: int) -> dict:
    landmarks, arrows = TYPICAL[area]
    tool = ("palm", "thumbs", "loose-fist", "heel-of-hand")[step % 4]
    return {"area": area, "landmarks": landmarks, "tool": tool, "motion": "glide", "arrows": arrows}


def library_with_maps() -> Library:
    """The bundled library, every step given a map of the technique's first area."""
    loaded = lib.load()
    for tid, t in list(loaded.techniques.items()):
        steps = [
            s.model_copy(update={"map": BodyMap(**map_table(t.areas[0], i))}) for i, s in enumerate(t.steps)
        ]
        loaded.techniques[tid] = t.model_copy(update={"steps": steps})
    return loaded


def write_mapped_techniques(folder: Path) -> None:
    """Every bundled technique file, a map table added to each step, as the user's own files."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(lib.BUNDLED_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for i, step in enumerate(data["steps"]):
            step.setdefault("map", map_table(data["areas"][0], i))
        (folder / path.name).write_text(tomli_w.dumps(data), encoding="utf-8")
