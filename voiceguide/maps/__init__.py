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

__all__ = ["POSITION_WORDS", "describe", "render", "title"]
