"""Body maps: where the hands go, drawn by the program as standard SVG.

`render(body_map, position, side)` is a pure function from a step's `map` table (area,
landmarks, tool, motion, arrows) and the plan's position and side to SVG text. The body is
seen from behind (as a partner sees someone lying face down), so the person's left is on
the left of the picture; a small outline in the corner shows how the body lies. Areas are
hatched and outlined and landmarks are numbered with a key in plain words, so the map reads
in black-and-white print and on a small phone screen; `<title>` and `<desc>` say the same
in words for screen readers.
"""

from voiceguide.maps.draw import POSITION_WORDS, describe, render, title

__all__ = ["POSITION_WORDS", "describe", "for_technique", "render", "title"]


def for_technique(technique, step: int | None = None, side: str | None = None) -> str:
    """The SVG of a technique's step (1-based), or of its first step that has a map.

    The position is the technique's first; a technique done on each side is shown on the
    right unless `side` says otherwise (a plan says which side comes first)."""
    from voiceguide.errors import InvalidInput

    if step is not None:
        if not 1 <= step <= len(technique.steps):
            raise InvalidInput(
                f"{technique.id} has {len(technique.steps)} steps; there is no step {step}.",
                hint=f"Use --step 1 to --step {len(technique.steps)}.",
            )
        number, body_map = step, technique.steps[step - 1].map
        if body_map is None:
            raise InvalidInput(f"Step {step} of {technique.id} has no body map.", hint=_with_maps(technique))
    else:
        found = next(((i, s.map) for i, s in enumerate(technique.steps, 1) if s.map is not None), None)
        if found is None:
            raise InvalidInput(
                f"{technique.id} has no body map yet.",
                hint="Add a map table to its steps (see library check), or choose another technique.",
            )
        number, body_map = found
    if side is None and technique.per_side:
        side = "right"
    return render(body_map, technique.positions[0], side, prefix=f"{technique.id}-{number}")


def _with_maps(technique) -> str:
    steps = [str(i) for i, s in enumerate(technique.steps, 1) if s.map is not None]
    return f"Steps with a map: {', '.join(steps)}." if steps else "No step of it has a map yet."
