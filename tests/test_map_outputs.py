"""Body maps where people see them: `library show --map` and the printable script, printed to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

from map_helpers import library_with_maps, write_mapped_techniques

from voiceguide import domain, export, paths, planner
from voiceguide.speechtime import EstimatedSpeech

SVG = "{http://www.w3.org/2000/svg}"


def test_library_show_writes_the_first_map_or_the_step_asked_for(cli, tmp_path):
    write_mapped_techniques(paths.user_techniques_dir())
    out = tmp_path / "p05.svg"
    result = cli("library", "show", "P05", "--map", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    root = ET.fromstring(out.read_text())
    assert root.tag == f"{SVG}svg"
    assert domain.AREA_WORDS["piriformis"] in root.find(f"{SVG}desc").text
    assert 'id="P05-1-hatch"' in out.read_text()
    result = cli("library", "show", "P05", "--map", out, "--step", "2", "--side", "left")
    assert result.exit_code == 0, result.stderr
    assert 'id="P05-2-hatch"' in out.read_text() and "LEFT side" in out.read_text()


def test_library_show_map_says_what_is_missing(cli, tmp_path):
    write_mapped_techniques(paths.user_techniques_dir())
    result = cli("library", "show", "P05", "--map", tmp_path / "x.svg", "--step", "99")
    assert result.exit_code == 3
    assert "there is no step 99" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.svg").exists()


def mapped_script() -> str:
    loaded = library_with_maps()
    request = planner.Request(mode="partner", stage="subacute", minutes=20)
    plan = planner.build(loaded, request, timer=EstimatedSpeech())
    return export.script_html(plan, loaded)


def test_the_script_shows_a_map_beside_each_step():
    page = mapped_script()
    steps = page.count('<div class="mapped">')
    assert steps >= 5
    assert page.count("<svg ") == steps
    ids = [i for i in re.findall(r'\bid="([^"]+)"', page) if i.endswith("-hatch")]
    assert len(ids) == len(set(ids)) == steps  # one pattern per map: no clashes on the page


def test_the_script_prints_on_a4_with_its_maps(tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: install Debian's chromium (bash scripts/setup.sh test does)"
    assert shutil.which("pdftoppm"), "pdftoppm is missing: install Debian's poppler-utils"
    page = tmp_path / "script.html"
    page.write_text(mapped_script().replace("size: auto", "size: A4"))
    pdf = tmp_path / "script.pdf"
    done = subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert pdf.exists() and pdf.stat().st_size > 10_000, done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info
    subprocess.run(["pdftoppm", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) >= 3
    with_maps = [p.name for p in pages if hatched_pixels(p) > 200]  # the maps' dark orange hatching
    assert len(with_maps) >= 2, with_maps
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "The bony knob on the side of the hip" in text  # the key under a map, in plain words


def hatched_pixels(ppm) -> int:
    """Orange pixels (the hatching, #8a3b00 lines on #ffd9a8, blended at low resolution) in a binary PPM."""
    import numpy as np

    data = ppm.read_bytes()
    magic, width, height, _maxval, rest = data.split(maxsplit=4)
    assert magic == b"P6"
    rgb = np.frombuffer(rest, np.uint8)[: int(width) * int(height) * 3].reshape(-1, 3).astype(int)
    near = (rgb[:, 0] - rgb[:, 1] > 40) & (rgb[:, 1] - rgb[:, 2] > 20)
    return int(near.sum())
