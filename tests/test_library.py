"""The technique library: bundled files, `library list/show/check`, user overrides."""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceguide import domain
from voiceguide import library as lib

BUNDLED_DIR = lib.BUNDLED_DIR
BUNDLED_FILES = sorted(BUNDLED_DIR.glob("*.toml"))
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
PLACEHOLDER_FILL = {
    # the longest words the planner puts in, so filled sentences are checked too
    "{pressure}": max(domain.PRESSURE_WORDS.values(), key=lambda w: len(w.split())),
    "{side}": "right",
    "{other_side}": "left",
}


def bundled():
    loaded = lib.load(user_dir=Path("/nonexistent/voiceguide-user-dir"))
    return loaded


def spoken_texts(technique):
    for item in [*technique.steps, *technique.checkin]:
        for mode in technique.modes:
            yield mode, item.for_mode(mode)


def list_json(cli, *args):
    result = cli("library", "list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- the bundled library ------------------------------------------------------------


def test_bundled_library_loads_at_least_18_techniques_without_problems():
    loaded = bundled()
    assert loaded.problems == []
    assert len(loaded.techniques) >= 18
    assert len(BUNDLED_FILES) == len(loaded.techniques)
    assert set(loaded.origins.values()) == {"bundled"}
    # both modes and every stage have an opening check
    for mode in domain.MODES:
        for stage in domain.STAGES:
            kinds = {t.kind for t in loaded.select(mode, stage)}
            assert "assessment" in kinds, (mode, stage)


def test_bundled_ids_match_file_names():
    for path in BUNDLED_FILES:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert path.name.startswith(data["id"] + "-"), path.name


@pytest.mark.parametrize("technique_id", sorted(bundled().techniques))
def test_bundled_spoken_sentences_have_at_most_25_words(technique_id):
    technique = bundled().techniques[technique_id]
    count = 0
    for mode, text in spoken_texts(technique):
        assert text, (technique_id, mode)
        filled = text
        for placeholder, words in PLACEHOLDER_FILL.items():
            filled = filled.replace(placeholder, words)
        for version in (text, filled):
            for sentence in SENTENCE_END.split(version.strip()):
                count += 1
                assert len(sentence.split()) <= 25, (technique_id, mode, sentence)
    assert count > 0


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda p: p.name)
def test_every_bundled_file_excludes_dvt(path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "dvt" in data["conditions"]["exclude"]


def test_bundled_sources_are_known_keys():
    for technique in bundled().techniques.values():
        assert technique.sources, technique.id
        unknown = set(technique.sources) - set(domain.SOURCES)
        assert not unknown, (technique.id, unknown)


# --- library list -------------------------------------------------------------------


def test_library_list_json_fields(cli):
    rows = list_json(cli)
    assert len(rows) == len(bundled().techniques) >= 18
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids)
    for row in rows:
        for key in ("id", "name", "modes", "stages", "areas", "pressure", "excluded_by", "sources", "origin"):
            assert key in row, (row.get("id"), key)
        assert row["origin"] == "bundled"
        assert row["name"]
        assert row["modes"] and set(row["modes"]) <= set(domain.MODES)
        assert row["stages"] and set(row["stages"]) <= set(domain.STAGES)
        assert row["areas"] and set(row["areas"]) <= set(domain.AREAS)
        assert "dvt" in row["excluded_by"]
        assert row["sources"] and set(row["sources"]) <= set(domain.SOURCES)
        if row["kind"] == "movement":
            assert row["pressure"] is None, row["id"]
        else:
            low, high = row["pressure"]
            assert isinstance(low, int) and isinstance(high, int)
            assert 1 <= low <= high <= 5, row["id"]
    p05 = next(row for row in rows if row["id"] == "P05")
    assert p05["pressure"] == [2, 4]
    assert p05["modes"] == ["partner"]
    assert sorted(p05["excluded_by"]) == p05["excluded_by"]


def test_library_list_human(cli):
    result = cli("library", "list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(bundled().techniques)} techniques."
    assert any(line.startswith("P05 ") for line in lines)
    assert result.stderr == ""


@pytest.mark.parametrize("mode", domain.MODES)
def test_library_list_mode_filter(cli, mode):
    rows = list_json(cli, "--mode", mode)
    assert rows
    assert all(mode in row["modes"] for row in rows)
    expected = {t.id for t in bundled().techniques.values() if mode in t.modes}
    assert {row["id"] for row in rows} == expected


@pytest.mark.parametrize("stage", domain.STAGES)
def test_library_list_stage_filter(cli, stage):
    rows = list_json(cli, "--stage", stage)
    assert rows
    assert all(stage in row["stages"] for row in rows)
    expected = {t.id for t in bundled().techniques.values() if stage in t.stages}
    assert {row["id"] for row in rows} == expected


def test_library_list_mode_and_stage_filters_combine(cli):
    rows = list_json(cli, "--mode", "self", "--stage", "acute")
    ids = {row["id"] for row in rows}
    expected = {t.id for t in bundled().techniques.values() if "self" in t.modes and "acute" in t.stages}
    assert ids == expected
    assert "S00" in ids and "P01" not in ids and "S06" not in ids


def test_library_list_rejects_an_unknown_mode(cli):
    result = cli("library", "list", "--mode", "robot")
    assert result.exit_code == 2
    assert "robot" in result.stderr
    assert "Traceback" not in result.output


# --- library show ---------------------------------------------------------------------


def test_library_show_human(cli):
    result = cli("library", "show", "P05")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("P05  Piriformis release")
    assert "pressure: 2-4 of 5" in out
    assert "Spoken (partner):" in out
    assert "Spoken (self):" not in out
    assert "not with: dvt" in out
    assert "origin: bundled" in out
    assert "Sink in slowly" in out
    assert "[hold 40 s]" in out


def test_library_show_json_has_steps(cli):
    result = cli("library", "show", "P05", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    technique = bundled().techniques["P05"]
    assert data["id"] == "P05"
    assert data["origin"] == "bundled"
    assert data["pressure"] == [2, 4]
    assert len(data["steps"]) == len(technique.steps) == 5
    for step, expected in zip(data["steps"], technique.steps, strict=True):
        assert step["partner"] == expected.partner
        assert step["hold"] == expected.hold
    assert {c["question"] for c in data["checkin"]} == {"pressure", "pain"}


def test_library_show_json_of_a_two_mode_technique(cli):
    data = json.loads(cli("library", "show", "X01", "--json").stdout)
    assert data["modes"] == ["self", "partner"]
    assert data["pressure"] is None
    assert all(step["self"] and step["partner"] for step in data["steps"])


def test_library_show_unknown_id(cli):
    result = cli("library", "show", "Z99")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "No technique with id 'Z99'" in result.stderr
    assert "P05" in result.stderr  # the hint lists the known ids
    assert "Traceback" not in result.stderr


# --- library check -----------------------------------------------------------------------

VALID = """\
id = "T01"
name = "Test glides"
kind = "massage"
modes = ["self", "partner"]
stages = ["subacute"]
areas = ["lower-back"]
positions = ["seated"]
pressure = { min = 1, max = 3 }
duration = 60
summary = "Slow glides for the test suite."
sources = ["seed"]

[[steps]]
self = "Glide your palms down your lower back, {pressure}."
partner = "Glide your palms down their lower back, {pressure}."
hold = 20

[conditions]
exclude = ["dvt"]
"""


SOURCES = 'sources = ["seed"]'
KNEEL_SEATED = '\nkneel = { seated = "hips" }'
ENDING_STEP = '\n[[steps]]\nself = "Ease off."\npartner = "Ease off."\nending = true\n'


def technique_text(replace: dict[str, str] | None = None, append: str = "", tid: str = "T01"):
    text = VALID.replace('id = "T01"', f'id = "{tid}"')
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text + append


def test_valid_template_is_valid():
    technique, problems = lib.parse_technique(VALID, "valid.toml")
    assert problems == []
    assert technique is not None and technique.id == "T01"


def test_library_check_bundled_folder(cli):
    result = cli("library", "check", str(BUNDLED_DIR))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\nok  ") + result.stdout.startswith("ok  ") == len(BUNDLED_FILES)
    assert f"{len(BUNDLED_FILES)} file(s) valid." in result.stdout
    assert result.stderr == ""


def test_library_check_single_valid_file(cli, tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(VALID, encoding="utf-8")
    result = cli("library", "check", str(path))
    assert result.exit_code == 0, result.stderr
    assert "ok  good.toml  (T01)" in result.stdout
    assert "1 file(s) valid." in result.stdout


LONG_SENTENCE = " ".join(["word"] * 26) + "."
ALONE = 'alone = { self = "Glide.", partner = "Glide." }'  # a step's words when the one before is left out
ALONE_SELF = 'alone = { self = "Glide again." }'

# file name -> (content, words that its problem line must contain)
BAD_FILES: dict[str, tuple[str | bytes, list[str]]] = {
    "invalid-toml.toml": ('id = "B01"\nname = \n', ["not valid TOML"]),
    "wrong-type.toml": (
        technique_text({"duration = 60": 'duration = "long"'}, tid="B02"),
        ["duration", "'long'"],
    ),
    "unknown-field.toml": (
        technique_text({'kind = "massage"': 'kind = "massage"\ncolour = "blue"'}, tid="B03"),
        ["unknown field colour"],
    ),
    "missing-field.toml": (
        technique_text({'summary = "Slow glides for the test suite."\n': ""}, tid="B04"),
        ["summary", "missing"],
    ),
    "empty-text.toml": (
        technique_text(
            {'self = "Glide your palms down your lower back, {pressure}."': 'self = "   "'}, tid="B05"
        ),
        ["steps", "self", "must not be empty"],
    ),
    "pressure-nine.toml": (
        technique_text({"max = 3": "max = 9"}, tid="B06"),
        ["pressure.max", "9"],
    ),
    "unknown-condition.toml": (
        technique_text({'exclude = ["dvt"]': 'exclude = ["dvt", "flu"]'}, tid="B07"),
        ["conditions.exclude", "flu"],
    ),
    "unknown-area.toml": (
        technique_text({'areas = ["lower-back"]': 'areas = ["elbow"]'}, tid="B08"),
        ["areas", "elbow"],
    ),
    "not-utf8.toml": (
        technique_text(tid="B09").encode("utf-8").replace(b"Test glides", b"Test \xff\xfe glides"),
        ["not UTF-8"],
    ),
    "long-sentence.toml": (
        technique_text({"Glide your palms down their lower back, {pressure}.": LONG_SENTENCE}, tid="B10"),
        ["steps", "partner", "26 words", "25"],
    ),
    "unknown-placeholder.toml": (
        technique_text({"down your lower back, {pressure}": "down your {elbow}, {pressure}"}, tid="B11"),
        ["steps", "self", "{elbow}"],
    ),
    "missing-partner.toml": (
        technique_text({'partner = "Glide your palms down their lower back, {pressure}."\n': ""}, tid="B12"),
        ["steps[0]", "'partner'"],
    ),
    "dup-b.toml": (technique_text(tid="DUP"), ["'DUP'", "dup-a.toml", "unique"]),
    "alone-first.toml": (
        technique_text({"hold = 20\n": f"hold = 20\n{ALONE}\n"}, tid="B13"),
        ["steps[0]", "alone", "no step before it"],
    ),
    "alone-one-mode.toml": (
        technique_text(append=f'\n[[steps]]\nself = "Again."\npartner = "Again."\n{ALONE_SELF}\n', tid="B14"),
        ["steps[1].alone", "'partner'"],
    ),
    "ending-rise.toml": (
        technique_text(append=ENDING_STEP + "rise = 1\n", tid="B15"),
        ["steps[1]", "ending", "rise"],
    ),
    "floor-not-seated.toml": (
        technique_text({'positions = ["seated"]': 'positions = ["standing"]\nseat = "floor"'}, tid="B17"),
        ["seat", "floor", "seated"],
    ),
    "kneel-other-position.toml": (
        technique_text({SOURCES: SOURCES + '\nkneel = { belly-lying = "knees" }'}, tid="B18"),
        ["kneel", "belly-lying", "positions"],
    ),
    "kneel-self-only.toml": (
        technique_text(
            {'modes = ["self", "partner"]': 'modes = ["self"]', SOURCES: SOURCES + KNEEL_SEATED},
            tid="B19",
        ),
        ["kneel", "partner"],
    ),
    "ending-exit.toml": (
        technique_text(append=ENDING_STEP + "exit = true\n", tid="B16"),
        ["steps[1]", "ending", "exit"],
    ),
}


def write_bad_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "dup-a.toml").write_text(technique_text(tid="DUP"), encoding="utf-8")
    (folder / "good.toml").write_text(VALID, encoding="utf-8")
    for name, (content, _) in BAD_FILES.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")


def test_library_check_reports_every_problem_at_once(cli, tmp_path):
    folder = tmp_path / "bad"
    write_bad_folder(folder)
    result = cli("library", "check", str(folder))
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    problem_lines = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert f"{len(BAD_FILES)} problem(s) found." in result.stderr
    assert len(problem_lines) == len(BAD_FILES), result.stderr
    for name, (_, words) in BAD_FILES.items():
        lines = [line for line in problem_lines if line.startswith(f"{name}: ")]
        assert len(lines) == 1, (name, result.stderr)
        for word in words:
            assert word in lines[0], (name, word, lines[0])
    # the valid files are still reported as valid, on stdout
    assert "ok  good.toml  (T01)" in result.stdout
    assert "ok  dup-a.toml  (DUP)" in result.stdout
    assert "library check again" in result.stderr


def test_library_check_pressure_max_message(cli, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(technique_text({"max = 3": "max = 9"}), encoding="utf-8")
    result = cli("library", "check", str(path))
    assert result.exit_code == 3
    line = next(line for line in result.stderr.splitlines() if "deep.toml" in line)
    assert "pressure.max" in line and "9" in line and "5" in line


def test_library_check_pressure_min_above_max(cli, tmp_path):
    path = tmp_path / "upside-down.toml"
    path.write_text(technique_text({"min = 1, max = 3": "min = 4, max = 2"}), encoding="utf-8")
    result = cli("library", "check", str(path))
    assert result.exit_code == 3
    assert "upside-down.toml: pressure" in result.stderr
    assert "min = 4 is above max = 2" in result.stderr


def test_library_check_several_paths_together(cli, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(VALID, encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(technique_text({"max = 3": "max = 9"}, tid="T02"), encoding="utf-8")
    result = cli("library", "check", str(good), str(bad), str(tmp_path / "missing.toml"))
    assert result.exit_code == 3
    assert "2 problem(s) found." in result.stderr
    assert "ok  good.toml" in result.stdout
    assert "bad.toml: pressure.max" in result.stderr
    assert "missing.toml: no such file or folder" in result.stderr


def test_library_check_nonexistent_path(cli, tmp_path):
    missing = tmp_path / "nowhere"
    result = cli("library", "check", str(missing))
    assert result.exit_code == 3
    assert str(missing) in result.stderr
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.output


def test_library_check_empty_folder(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("library", "check", str(tmp_path / "empty"))
    assert result.exit_code == 3
    assert "no .toml files" in result.stderr


def test_library_check_needs_a_path(cli):
    assert cli("library", "check").exit_code == 2


# --- the user's own techniques --------------------------------------------------------------


def user_dir(home: Path) -> Path:
    folder = home / "techniques"
    folder.mkdir(parents=True)
    return folder


def test_user_file_overrides_a_bundled_technique(cli, voiceguide_home):
    own = user_dir(voiceguide_home) / "P05-mine.toml"
    text = (BUNDLED_DIR / "P05-piriformis.toml").read_text(encoding="utf-8")
    text = text.replace(
        'name = "Piriformis release from the sacrum edge"', 'name = "My own piriformis release"'
    )
    text = text.replace("pressure = { min = 2, max = 4 }", "pressure = { min = 1, max = 3 }")
    own.write_text(text, encoding="utf-8")

    rows = {row["id"]: row for row in list_json(cli)}
    assert len(rows) == len(bundled().techniques)
    assert rows["P05"]["origin"] == str(own)
    assert rows["P05"]["name"] == "My own piriformis release"
    assert rows["P05"]["pressure"] == [1, 3]
    assert all(row["origin"] == "bundled" for tid, row in rows.items() if tid != "P05")

    shown = cli("library", "show", "P05")
    assert shown.exit_code == 0
    assert "My own piriformis release" in shown.stdout
    assert f"origin: {own}" in shown.stdout

    human = cli("library", "list")
    assert f"[{own}]" in human.stdout


def test_user_file_adds_a_new_technique(cli, voiceguide_home):
    (user_dir(voiceguide_home) / "T01.toml").write_text(VALID, encoding="utf-8")
    rows = {row["id"]: row for row in list_json(cli)}
    assert len(rows) == len(bundled().techniques) + 1
    assert rows["T01"]["origin"].endswith("T01.toml")
    assert "T01" in {row["id"] for row in list_json(cli, "--stage", "subacute")}
    assert "T01" not in {row["id"] for row in list_json(cli, "--stage", "acute")}


def test_bad_user_file_is_reported_and_the_bundled_library_still_loads(cli, voiceguide_home):
    folder = user_dir(voiceguide_home)
    (folder / "broken.toml").write_text(technique_text({"max = 3": "max = 9"}), encoding="utf-8")
    (folder / "garbage.toml").write_bytes(b"\xff\xfe not toml at all [[[")

    result = cli("library", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)  # stdout stays pure JSON
    assert {row["id"] for row in rows} == set(bundled().techniques)
    assert all(row["origin"] == "bundled" for row in rows)
    assert "2 problem(s) in technique files" in result.stderr
    assert "broken.toml: pressure.max" in result.stderr
    assert "garbage.toml: not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr

    shown = cli("library", "show", "P05")
    assert shown.exit_code == 0
    assert "broken.toml" in shown.stderr


def test_bad_user_file_does_not_replace_the_bundled_one(cli, voiceguide_home):
    bad = technique_text({"max = 3": "max = 9"}, tid="P05")
    (user_dir(voiceguide_home) / "P05-mine.toml").write_text(bad, encoding="utf-8")
    rows = {row["id"]: row for row in list_json(cli)}
    assert rows["P05"]["origin"] == "bundled"
    assert rows["P05"]["pressure"] == [2, 4]


# --- bad input never crashes `library check` ------------------------------------------------

VALID_LINES = VALID.splitlines()


@st.composite
def one_line_changed(draw):
    lines = list(VALID_LINES)
    index = draw(st.integers(0, len(lines) - 1))
    lines[index] = draw(st.text(max_size=60))
    return "\n".join(lines) + "\n"


hypothesis_settings = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_never_crashes(cli, content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        result = cli("library", "check", str(path))
    assert result.exit_code in (0, 3), result.output
    assert "Traceback" not in result.output
    assert "unexpected error" not in result.output
    if result.exit_code == 3:
        assert "random.toml" in result.stderr


@hypothesis_settings
@given(content=st.text(max_size=400))
def test_library_check_never_crashes_on_random_text(cli, content):
    check_never_crashes(cli, content)


@hypothesis_settings
@given(content=st.binary(max_size=400))
def test_library_check_never_crashes_on_random_bytes(cli, content):
    check_never_crashes(cli, content)


@hypothesis_settings
@given(content=one_line_changed())
def test_library_check_never_crashes_on_a_damaged_valid_file(cli, content):
    check_never_crashes(cli, content)


# --- the real console script ----------------------------------------------------------------


def test_end_to_end_library_commands(run_voiceguide, tmp_path):
    listed = run_voiceguide("library", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) >= 18

    missing = run_voiceguide("library", "show", "Z99")
    assert missing.returncode == 3
    assert "No technique with id 'Z99'" in missing.stderr
    assert "Traceback" not in missing.stderr

    folder = tmp_path / "bad"
    write_bad_folder(folder)
    checked = run_voiceguide("library", "check", str(folder))
    assert checked.returncode == 3
    assert f"{len(BAD_FILES)} problem(s) found." in checked.stderr
    assert "pressure-nine.toml: pressure.max = 9" in checked.stderr
    assert "Traceback" not in checked.stderr

    ok = run_voiceguide("library", "check", str(BUNDLED_DIR))
    assert ok.returncode == 0
    assert ok.stderr == ""
