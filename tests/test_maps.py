"""Body maps: every position, side, area, tool and motion draws valid SVG that says what it shows,
and a few of them render to PNG with rsvg-convert (a second, independent SVG implementation)."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from voiceguide import domain
from voiceguide import library as lib
from voiceguide.library.schema import BodyMap
from voiceguide.maps import render

SVG = "{http://www.w3.org/2000/svg}"
SIDES = ("left", "right", None)
# Each area with landmarks that belong to it and an arrow between two of them.
TYPICAL = {
    "lower-back": (["spine", "lower-ribs", "pelvis-rim"], [["pelvis-rim", "lower-ribs"]]),
    "sacrum": (["sacrum", "dimples", "tailbone"], [["dimples", "tailbone"]]),
    "buttock": (["buttock-centre", "sacrum-edge", "hip-knob"], [["sacrum-edge", "hip-knob"]]),
    "piriformis": (["sacrum-edge", "hip-knob"], [["sacrum-edge", "hip-knob"]]),
    "hip": (["hip-knob", "pelvis-rim"], []),
    "hamstring": (["thigh-back", "knee", "heel"], [["knee", "thigh-back"]]),
}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    return root


def text_of(root: ET.Element, tag: str) -> str:
    node = root.find(f"{SVG}{tag}")
    assert node is not None, f"no <{tag}>"
    return node.text or ""


@pytest.mark.parametrize("position", domain.POSITIONS)
def test_every_position_side_area_tool_and_motion_is_valid_svg_that_names_what_it_shows(position):
    for area, side, tool, motion in itertools.product(domain.AREAS, SIDES, domain.TOOLS, domain.MOTIONS):
        landmarks, arrows = TYPICAL[area]
        body_map = BodyMap(area=area, landmarks=landmarks, tool=tool, motion=motion, arrows=arrows)
        root = parse(render(body_map, position, side))
        desc = text_of(root, "desc")
        assert domain.AREA_WORDS[area] in text_of(root, "title")
        assert domain.AREA_WORDS[area] in desc
        for landmark in landmarks:
            assert domain.LANDMARKS[landmark] in desc
        assert (f"{side} side" if side else "both sides") in desc


def test_every_landmark_is_drawn_and_numbered():
    for side in SIDES:
        names = list(domain.LANDMARKS)
        for chunk in (names[i : i + 4] for i in range(0, len(names), 4)):
            svg = render(BodyMap(area="buttock", landmarks=chunk), "belly-lying", side)
            root = parse(svg)
            numbers = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.isdigit()]
            assert set(numbers) == {str(i) for i in range(1, len(chunk) + 1)}
            for name in chunk:  # the key below the figure says it in plain words
                assert domain.LANDMARKS[name][1:] in svg


def test_the_side_worked_is_shown_and_shading_is_a_pattern_not_colour_alone():
    svg = render(BodyMap(area="hip", landmarks=["hip-knob"]), "side-lying", "left")
    assert "LEFT side" in svg
    assert 'fill="url(#vgmap-hatch)"' in svg and 'stroke-dasharray="7 3"' in svg  # hatched and outlined


def test_ids_are_prefixed_so_that_several_maps_share_a_page():
    svg = render(BodyMap(area="sacrum", arrows=[["dimples", "tailbone"]]), "seated", None, prefix="s3")
    ids = {e.get("id") for e in parse(svg).iter() if e.get("id")}
    assert ids and all(i.startswith("s3-") for i in ids)
    assert "vgmap" not in svg


def test_unknown_position_or_side_is_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="allowed: belly-lying"):
        render(BodyMap(area="hip"), "upside-down", None)
    with pytest.raises(ValueError, match="allowed: left, right"):
        render(BodyMap(area="hip"), "seated", "middle")


def test_same_map_same_text():
    body_map = BodyMap(area="piriformis", landmarks=["sacrum-edge"], tool="thumbs", motion="circles")
    assert render(body_map, "belly-lying", "right") == render(body_map, "belly-lying", "right")


def test_maps_render_to_png_with_rsvg_convert(tmp_path):
    rsvg = shutil.which("rsvg-convert")
    assert rsvg, "rsvg-convert is missing: install Debian's librsvg2-bin (bash scripts/setup.sh test does)"
    for i, (position, area) in enumerate(zip(domain.POSITIONS, itertools.cycle(domain.AREAS), strict=False)):
        landmarks, arrows = TYPICAL[area]
        tool = domain.TOOLS[i % len(domain.TOOLS)]
        svg = tmp_path / f"{i}.svg"
        svg.write_text(
            render(BodyMap(area=area, landmarks=landmarks, tool=tool, arrows=arrows), position, "left")
        )
        png = tmp_path / f"{i}.png"
        done = subprocess.run([rsvg, "-o", str(png), str(svg)], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(header[16:20], "big")
        assert width == 360


def bundled_steps():
    library = lib.load()
    for technique in library.techniques.values():
        for i, step in enumerate(technique.steps):
            yield technique, i, step


def test_every_bundled_step_with_a_map_draws_in_each_of_its_positions():
    for technique, i, step in bundled_steps():
        if step.map is None:
            continue
        for position in technique.positions:
            for side in ("left", "right") if technique.per_side else (None,):
                root = parse(render(step.map, position, side))
                assert domain.AREA_WORDS[step.map.area] in text_of(root, "desc"), (technique.id, i)


def test_techniques_with_maps_have_one_on_every_step():
    """Content lands technique by technique: once a technique has a map, all its steps need one."""
    missing = [
        f"{t.id} step {i + 1}"
        for t, i, step in bundled_steps()
        if step.map is None and any(s.map is not None for s in t.steps)
    ]
    assert missing == []
