"""Drawing a body map: geometry of a back-view figure, areas, landmarks, tools and arrows.

Everything is drawn in one coordinate frame (a 360-wide viewBox, the figure below a header
and above a key). Numbers are rounded so the same map always gives the same text.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from voiceguide import domain

WIDTH = 360
FIGURE_TOP = 66  # the figure's own y = 0 is here
SCALE = 1.25  # the figure is drawn larger than its frame, so the pelvis has room for its landmarks
FIGURE_HEIGHT = 480 * SCALE
KEY_LINE = 22
CX = 180  # the spine

POSITION_WORDS = {
    "belly-lying": "Lying face down, seen from above",
    "side-lying": "Lying on the side, seen from behind",
    "back-lying": "Lying on the back (the back is underneath)",
    "seated": "Sitting, seen from behind",
    "standing": "Standing, back to a wall",
    "kneeling": "Kneeling, seen from behind",
}
TOOL_WORDS = {
    "palm": "a flat hand",
    "palms": "both flat hands",
    "heel-of-hand": "the heel of the hand",
    "thumbs": "the thumbs",
    "fingertips": "the fingertips",
    "loose-fist": "a loose fist",
    "forearm": "the forearm",
    "ball": "a ball",
    "roller": "a foam roller",
    "none": "no hands: a movement",
}
MOTION_WORDS = {
    "hold": "hold still",
    "glide": "long slow glides",
    "knead": "knead",
    "press": "press and release",
    "circles": "small circles",
    "rock": "rock gently",
    "roll": "roll slowly",
    "stretch": "stretch and hold",
}
# Where each landmark is, in the figure's frame, for the person's right side (x mirrors for left).
LANDMARK_AT: dict[str, tuple[float, float]] = {
    "spine": (0, 120),
    "lower-ribs": (38, 128),
    "pelvis-rim": (44, 176),
    "dimples": (14, 187),
    "sacrum": (0, 206),
    "sacrum-edge": (16, 213),
    "tailbone": (0, 238),
    "buttock-centre": (30, 226),
    "hip-knob": (54, 228),
    "thigh-back": (25, 300),
    "knee": (24, 352),
    "heel": (17, 462),
}
MIDLINE = {"spine", "sacrum", "tailbone"}
# The centre of each area (right side), where the hand or tool is drawn.
AREA_AT: dict[str, tuple[float, float]] = {
    "lower-back": (22, 165),
    "sacrum": (0, 210),
    "buttock": (30, 226),
    "piriformis": (33, 217),
    "hip": (54, 228),
    "hamstring": (24, 298),
}
SIGN = {"left": -1, "right": 1}
SKIN = 'fill="#f1e4d6" stroke="#222" stroke-width="2.5"'

BODY = (
    "M 118 78 Q 180 62 242 78 C 252 110 232 130 226 150 C 222 170 240 185 238 205 "
    "C 240 240 232 262 226 290 L 214 350 C 212 380 210 420 206 462 L 188 470 L 186 350 "
    "L 184 262 Q 180 254 176 262 L 174 350 L 172 470 L 154 462 C 150 420 148 380 146 350 "
    "L 134 290 C 128 262 120 240 122 205 C 120 185 138 170 134 150 C 128 130 108 110 118 78 Z"
)


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _sides(side: str | None) -> list[int]:
    return [SIGN[side]] if side in SIGN else [-1, 1]


def _at(table: dict[str, tuple[float, float]], name: str, s: int) -> tuple[float, float]:
    x, y = table[name]
    return CX + s * x, y


def title(area: str, position: str, side: str | None) -> str:
    where = f"{side} side" if side else "both sides"
    return (
        f"Body map: the {domain.AREA_WORDS[area]}, {where}, {POSITION_WORDS[position][0].lower()}"
        + (POSITION_WORDS[position][1:])
    )


def describe(body_map, position: str, side: str | None) -> str:
    """The map in words: the text alternative, and what a screen reader says."""
    where = f"on the {side} side" if side else "on both sides"
    parts = [
        f"{POSITION_WORDS[position]}. The body is seen from behind, so the person's left is on the left.",
        f"Shaded: the {domain.AREA_WORDS[body_map.area]}, {where}.",
    ]
    if body_map.landmarks:
        marks = "; ".join(f"{i} {domain.LANDMARKS[n]}" for i, n in enumerate(body_map.landmarks, 1))
        parts.append(f"Marked: {marks}.")
    parts.append(f"Hands: {TOOL_WORDS[body_map.tool]}. Motion: {MOTION_WORDS[body_map.motion]}.")
    for start, end in body_map.arrows:
        parts.append(f"Arrow from {domain.LANDMARKS[start]} towards {domain.LANDMARKS[end]}.")
    return " ".join(parts)


def render(body_map, position: str, side: str | None = None, prefix: str = "vgmap") -> str:
    """SVG text for one step's map. `prefix` keeps ids unique when several maps share a page."""
    if position not in POSITION_WORDS:
        raise ValueError(f"unknown position {position!r}; allowed: {', '.join(POSITION_WORDS)}")
    if side is not None and side not in SIGN:
        raise ValueError(f"unknown side {side!r}; allowed: left, right")
    lines = _key_lines(body_map)
    height = FIGURE_TOP + FIGURE_HEIGHT + KEY_LINE * len(lines) + 10
    p = escape(prefix)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="{p}-t {p}-d" font-family="sans-serif">',
        f'<title id="{p}-t">{escape(title(body_map.area, position, side))}</title>',
        f'<desc id="{p}-d">{escape(describe(body_map, position, side))}</desc>',
        _defs(p),
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
        _header(body_map.area, position, side),
        _side_letters(side),
        f'<g transform="translate({_f(CX * (1 - SCALE))} {FIGURE_TOP}) scale({SCALE})">',
        _figure(),
        _area(body_map.area, side, p),
        _bones(),
        _arrows(body_map.arrows, side, p),
        _tool(body_map, side, p),
        _landmarks(body_map.landmarks, side),
        "</g>",
        _key(lines, FIGURE_TOP + FIGURE_HEIGHT + 6),
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def _defs(p: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{p}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffd9a8"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#8a3b00" stroke-width="3"/></pattern>'
        f'<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.4" fill="#000"/></pattern>'
        f'<marker id="{p}-head" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="4" markerHeight="4" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 Z" fill="#000"/></marker>'
        "</defs>"
    )


def _header(area: str, position: str, side: str | None) -> str:
    where = f"{side.upper()} side" if side else "both sides"
    return (
        f'<text x="12" y="26" font-size="19" font-weight="bold">'
        f"{escape(domain.AREA_WORDS[area].capitalize())} \u00b7 {where}</text>"
        f'<text x="12" y="50" font-size="13">{escape(POSITION_WORDS[position])}</text>' + _pose(position)
    )


def _pose(position: str) -> str:
    """A small outline of how the body lies, top right (stick figure on a line for the floor)."""
    at = f"translate(10 {FIGURE_TOP + FIGURE_HEIGHT - 64})"
    g = f'<g transform="{at}" stroke="#000" stroke-width="3.5" stroke-linecap="round" fill="none">'
    floor = '<line x1="0" y1="50" x2="72" y2="50" stroke-width="2"/>'
    shapes = {
        "belly-lying": '<circle cx="8" cy="40" r="6"/><path d="M 16 43 L 44 43 L 70 44"/>'
        '<path d="M 16 46 L 34 47"/>',
        "side-lying": '<circle cx="8" cy="36" r="6"/><path d="M 16 40 L 42 42 L 66 44"/>'
        '<path d="M 42 42 L 52 32 L 64 36"/>',
        "back-lying": '<circle cx="8" cy="42" r="6"/><path d="M 16 44 L 42 44 L 54 28 L 64 46"/>',
        "seated": '<path d="M 40 50 L 40 34 L 62 34 M 62 34 L 62 50" stroke-width="2"/>'
        '<circle cx="46" cy="6" r="6"/><path d="M 46 13 L 48 32 L 30 32 L 30 50"/>',
        "standing": '<path d="M 64 0 L 64 50" stroke-width="5"/><circle cx="52" cy="8" r="6"/>'
        '<path d="M 52 15 L 56 32 L 54 50 M 56 32 L 48 50"/><circle cx="61" cy="30" r="3" fill="#000"/>',
        "kneeling": '<circle cx="40" cy="6" r="6"/>'
        '<path d="M 40 13 L 40 30 L 54 48 L 26 49 M 40 16 L 50 28"/>',
    }
    return g + floor + shapes[position] + "</g>"


def _figure() -> str:
    arm = "M {x0} 84 C {x1} 96 {x2} 140 {x3} 190 L {x4} 232"
    arms = [
        arm.format(x0=CX + s * 60, x1=CX + s * 78, x2=CX + s * 82, x3=CX + s * 84, x4=CX + s * 86)
        for s in (-1, 1)
    ]
    parts = [
        *(
            f'<path d="{a}" stroke="#222" stroke-width="19" stroke-linecap="round" fill="none"/>'
            for a in arms
        ),
        *(
            f'<path d="{a}" stroke="#f1e4d6" stroke-width="14" stroke-linecap="round" fill="none"/>'
            for a in arms
        ),
        f'<ellipse cx="{CX}" cy="32" rx="21" ry="26" {SKIN}/>',
        f'<rect x="{CX - 10}" y="54" width="20" height="16" {SKIN}/>',
        f'<path d="{BODY}" fill="#f1e4d6" stroke="#222" stroke-width="2.5" stroke-linejoin="round"/>',
        f'<line x1="{CX}" y1="72" x2="{CX}" y2="190" stroke="#555" stroke-width="2" stroke-dasharray="5 4"/>',
    ]
    return "".join(parts)


def _bones() -> str:
    """Faint hints of the bones named by the landmarks: ribs, the rim of the hip bone, the sacrum."""
    out = ['<g fill="none" stroke="#666" stroke-width="1.8">']
    for s in (-1, 1):
        out.append(f'<path d="M {CX + s * 12} 110 Q {CX + s * 34} 128 {CX + s * 46} 122"/>')
        out.append(f'<path d="M {CX + s * 16} 190 Q {CX + s * 40} 168 {CX + s * 54} 186"/>')
    out.append(f'<path d="M {CX - 15} 192 L {CX + 15} 192 L {CX} 238 Z"/>')
    out.append("</g>")
    return "".join(out)


def _area(area: str, side: str | None, p: str) -> str:
    style = f'fill="url(#{p}-hatch)" stroke="#000" stroke-width="2.5" stroke-dasharray="7 3"'
    shapes = []
    if area == "sacrum":
        shapes.append(f'<path d="M {CX - 17} 190 L {CX + 17} 190 L {CX} 240 Z" {style}/>')
    elif area == "lower-back":
        if side in SIGN:
            s = SIGN[side]
            shapes.append(
                f'<path d="M {CX} 138 L {CX + s * 42} 138 L {CX + s * 46} 188 L {CX} 196 Z" {style}/>'
            )
        else:
            shapes.append(
                f'<path d="M {CX - 42} 138 L {CX + 42} 138 L {CX + 46} 188 Q {CX} 200 {CX - 46} 188 Z" '
                f"{style}/>"
            )
    else:
        for s in _sides(side):
            x, y = _at(AREA_AT, area, s)
            if area == "buttock":
                shapes.append(f'<ellipse cx="{x}" cy="{y}" rx="29" ry="27" {style}/>')
            elif area == "piriformis":
                shapes.append(
                    f'<ellipse cx="{x}" cy="{y}" rx="24" ry="8" transform="rotate({s * 20} {x} {y})" '
                    f"{style}/>"
                )
            elif area == "hip":
                shapes.append(f'<circle cx="{x}" cy="{y}" r="18" {style}/>')
            else:  # hamstring
                shapes.append(f'<ellipse cx="{x}" cy="{y}" rx="17" ry="44" {style}/>')
    return "".join(shapes)


def _side_letters(side: str | None) -> str:
    """L and R on the person's left and right; the worked side in a heavy box."""
    out = []
    for name, s in SIGN.items():
        x = CX + s * 156
        worked = side == name
        if worked:
            out.append(f'<rect x="{x - 21}" y="116" width="42" height="56" rx="6" fill="#000"/>')
        colour = "#fff" if worked else "#000"
        out.append(
            f'<text x="{x}" y="150" font-size="28" font-weight="bold" text-anchor="middle" fill="{colour}">'
            f"{name[0].upper()}</text>"
            f'<text x="{x}" y="165" font-size="11" text-anchor="middle" fill="{colour}">{name.upper()}</text>'
        )
    return "".join(out)


def _point(name: str, side: str | None) -> list[tuple[float, float]]:
    """Where a landmark is drawn: once on the midline, else on the side worked (both when none)."""
    if name in MIDLINE:
        return [_at(LANDMARK_AT, name, 1)]
    return [_at(LANDMARK_AT, name, s) for s in _sides(side)]


def _arrows(arrows, side: str | None, p: str) -> str:
    out = []
    for start, end in arrows:
        for (x1, y1), (x2, y2) in zip(_point(start, side), _point(end, side), strict=False):
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            ux, uy = (x2 - x1) / length, (y2 - y1) / length
            a = (x1 + ux * 11, y1 + uy * 11)
            b = (x2 - ux * 13, y2 - uy * 13)
            d = f"M {_f(a[0])} {_f(a[1])} L {_f(b[0])} {_f(b[1])}"
            out.append(f'<path d="{d}" stroke="#fff" stroke-width="9" fill="none"/>')
            out.append(
                f'<path d="{d}" stroke="#000" stroke-width="4.5" fill="none" marker-end="url(#{p}-head)"/>'
            )
    return "".join(out)


def _tool_at(body_map, side: str | None) -> tuple[float, float]:
    if body_map.arrows:  # just behind the first arrow's start, so the marker stays in view
        (x1, y1), (x2, y2) = _point(body_map.arrows[0][0], side)[0], _point(body_map.arrows[0][1], side)[0]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        return x1 - (x2 - x1) / length * 18, y1 - (y2 - y1) / length * 18
    s = SIGN.get(side or "", 1)
    if body_map.tool == "palms" and side is None:
        s = 0
    x, y = AREA_AT[body_map.area]
    return CX + s * x, y


def _tool(body_map, side: str | None, p: str) -> str:
    if body_map.tool == "none":
        return ""
    x, y = _tool_at(body_map, side)
    line = 'stroke="#000" stroke-width="2.2"'
    hand = (
        f'<ellipse cx="0" cy="4" rx="11" ry="13" fill="#fff" {line}/>'
        '<path d="M -9 -4 L -10 -18 M -3 -8 L -3 -22 M 3 -8 L 4 -22 M 9 -5 L 10 -17" '
        'stroke="#000" stroke-width="6.5" stroke-linecap="round"/>'
        '<path d="M -9 -4 L -10 -18 M -3 -8 L -3 -22 M 3 -8 L 4 -22 M 9 -5 L 10 -17" '
        'stroke="#fff" stroke-width="2.5" stroke-linecap="round"/>'
    )
    glyphs = {
        "palm": hand,
        "palms": f'<g transform="translate(-13 0)">{hand}</g><g transform="translate(13 0)">{hand}</g>',
        "heel-of-hand": hand + '<path d="M -11 6 A 11 11 0 0 0 11 6 Z" fill="#000"/>',
        "thumbs": f'<ellipse cx="-7" cy="0" rx="5.5" ry="9" fill="#fff" {line}/>'
        f'<ellipse cx="7" cy="0" rx="5.5" ry="9" fill="#fff" {line}/>',
        "fingertips": "".join(
            f'<circle cx="{dx}" cy="{dy}" r="4" fill="#fff" {line}/>'
            for dx, dy in ((-12, 2), (-4, -3), (4, -3), (12, 2))
        ),
        "loose-fist": f'<rect x="-13" y="-11" width="26" height="22" rx="8" fill="#fff" {line}/>'
        '<path d="M -6 -11 L -6 -3 M 0 -11 L 0 -3 M 6 -11 L 6 -3" stroke="#000" stroke-width="1.6"/>',
        "forearm": f'<rect x="-30" y="-8" width="60" height="16" rx="8" fill="#fff" {line}/>',
        "ball": f'<circle r="14" fill="url(#{p}-dots)" stroke="#000" stroke-width="2.5"/>',
        "roller": f'<rect x="-36" y="-11" width="72" height="22" rx="10" fill="url(#{p}-dots)" '
        'stroke="#000" stroke-width="2.5"/>',
    }
    out = [f'<g transform="translate({_f(x)} {_f(y)})">', glyphs[body_map.tool]]
    if body_map.motion == "circles":
        out.append(
            '<path d="M 22 -8 A 24 24 0 1 1 14 -19" stroke="#000" stroke-width="3" fill="none" '
            f'marker-end="url(#{p}-head)"/>'
        )
    elif body_map.motion == "rock":
        out.append(
            '<path d="M -20 26 L 20 26" stroke="#000" stroke-width="3" fill="none" '
            f'marker-start="url(#{p}-head)" marker-end="url(#{p}-head)"/>'
        )
    out.append("</g>")
    return "".join(out)


def _landmarks(names: list[str], side: str | None) -> str:
    out = []
    for i, name in enumerate(names, 1):
        for x, y in _point(name, side):
            out.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="8.5" fill="#000" stroke="#fff" stroke-width="2"/>'
                f'<text x="{_f(x)}" y="{_f(y + 4.5)}" font-size="13" font-weight="bold" fill="#fff" '
                f'text-anchor="middle">{i}</text>'
            )
    return "".join(out)


def _key_lines(body_map) -> list[str]:
    lines = [
        f"{i}  {domain.LANDMARKS[n][0].upper()}{domain.LANDMARKS[n][1:]}"
        for i, n in enumerate(body_map.landmarks, 1)
    ]
    lines.append(f"Hands: {TOOL_WORDS[body_map.tool]}")
    lines.append(
        f"Motion: {MOTION_WORDS[body_map.motion]}" + ("; follow the arrows" if body_map.arrows else "")
    )
    return lines


def _key(lines: list[str], top: float) -> str:
    out = [f'<line x1="12" y1="{top - 6}" x2="{WIDTH - 12}" y2="{top - 6}" stroke="#000" stroke-width="1"/>']
    for i, line in enumerate(lines):
        y = top + 12 + i * KEY_LINE
        out.append(f'<text x="14" y="{y}" font-size="15">{escape(line)}</text>')
    return "".join(out)
