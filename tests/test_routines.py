"""Saved routines, `play --routine`, and a therapist's prescription shared as one file."""

from __future__ import annotations

import json
import sqlite3
import stat
import tomllib

from voiceguide.library import BUNDLED_DIR

SCREEN = "no\n" * 19


def own_technique(home, tid: str = "C01") -> None:
    """A therapist's own technique: the bundled palm glides under a new id and name."""
    text = (BUNDLED_DIR / "S01-palm-glides.toml").read_text(encoding="utf-8")
    text = text.replace('id = "S01"', f'id = "{tid}"').replace(
        'name = "Palm and fist glides beside the spine"', 'name = "Therapist glides"'
    )
    folder = home / "techniques"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{tid}-glides.toml").write_text(text, encoding="utf-8")


def test_save_list_and_use_a_routine(cli, voiceguide_home):
    assert cli("screen", input=SCREEN).exit_code == 0
    saved = cli(
        "routine",
        "save",
        "Evening",
        "--mode",
        "partner",
        "--stage",
        "subacute",
        "--minutes",
        "20",
        "--focus",
        "piriformis",
        "--max-pressure",
        "3",
    )
    assert saved.exit_code == 0, saved.stderr
    assert "voiceguide play --routine evening" in saved.stdout
    listed = cli("routine", "list").stdout
    assert (
        listed.startswith("evening")
        and "partner, subacute, 20 min, focus piriformis, pressure at most 3" in listed
    )
    assert json.loads(cli("routine", "list", "--json").stdout)[0]["max_pressure"] == 3
    plan = json.loads(cli("plan", "--routine", "evening", "--json").stdout)
    assert (plan["mode"], plan["stage"], plan["minutes"], plan["max_pressure"], plan["focus"]) == (
        "partner",
        "subacute",
        20,
        3,
        ["piriformis"],
    )
    # an option typed on the command line wins over the routine's
    shorter = json.loads(cli("plan", "--routine", "evening", "--minutes", "15", "--json").stdout)
    assert (shorter["mode"], shorter["minutes"]) == ("partner", 15)
    played = cli("play", "--routine", "evening", "--output", "null", "--json", input="3\ngood\n")
    assert played.exit_code == 0, played.stderr
    db = sqlite3.connect(voiceguide_home / "journal.sqlite3")
    assert db.execute("SELECT mode, stage, minutes FROM sessions").fetchall() == [
        ("partner", "subacute", 20.0)
    ]
    db.close()
    folder = voiceguide_home / "routines"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "evening.toml").stat().st_mode) == 0o600
    assert cli("routine", "delete", "evening").exit_code == 0
    assert "No routines yet" in cli("routine", "list").stdout


def test_routine_mistakes_are_usage_errors(cli):
    result = cli("routine", "save", "quick", "--stage", "acute", "--minutes", "30")
    assert result.exit_code == 2 and "at most 20" in result.stderr
    assert cli("routine", "save", "no good!").exit_code == 2
    missing = cli("plan", "--routine", "nope")
    assert missing.exit_code == 2 and "no routine called 'nope'" in missing.stderr
    assert "routine save" in missing.stderr


def test_export_then_import_a_prescription(cli, voiceguide_home, tmp_path):
    own_technique(voiceguide_home)
    assert (
        cli("routine", "save", "rx", "--mode", "self", "--stage", "subacute", "--minutes", "15").exit_code
        == 0
    )
    out = tmp_path / "rx.toml"
    exported = cli("routine", "export", "rx", "-o", str(out))
    assert exported.exit_code == 0, exported.stderr
    assert "1 technique file(s) (C01)" in exported.stdout
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["routine"] == {
        "name": "rx",
        "mode": "self",
        "stage": "subacute",
        "minutes": 15.0,
        "focus": [],
        "conditions": [],
        "seed": 0,
    }
    assert [t["id"] for t in data["techniques"]] == ["C01"] and data["techniques"][0]["steps"][1][
        "hold"
    ] == 45

    # someone else's machine: no techniques of their own, a person of their own
    for p in (voiceguide_home / "techniques").iterdir():
        p.unlink()
    imported = cli("routine", "import", str(out), "--person", "sam")
    assert imported.exit_code == 0, imported.stderr
    assert "added    technique C01" in imported.stdout and "Added routine rx" in imported.stdout
    assert cli("library", "check", str(voiceguide_home / "techniques")).exit_code == 0
    assert "Therapist glides" in cli("library", "show", "C01").stdout
    assert cli("routine", "list", "--person", "sam").stdout.startswith("rx")
    again = cli("routine", "import", str(out), "--person", "sam")
    assert "replaced technique C01" in again.stdout and "Replaced routine rx" in again.stdout
    assert len(list((voiceguide_home / "techniques").glob("*.toml"))) == 1
    plan = json.loads(cli("plan", "--routine", "rx", "--person", "sam", "--json").stdout)
    assert "C01" in {s.get("technique") for s in plan["segments"]}


def test_a_bad_prescription_lists_every_problem_and_imports_nothing(cli, voiceguide_home, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "version = 2\n"
        "[routine]\nname = 'Bad Name'\nminutes = 200\ncolour = 'red'\n"
        "[[techniques]]\nid = 'C02'\nname = 'Half a technique'\nkind = 'massage'\n"
        "[[techniques]]\nid = 'C03'\nname = 'x'\nkind = 'stretch'\n",
        encoding="utf-8",
    )
    result = cli("routine", "import", str(bad))
    assert result.exit_code == 3
    err = result.stderr
    for expected in (
        "nothing was imported",
        "version = 2, must be 1",
        "routine: unknown field colour",
        "routine.name = 'Bad Name'",
        "routine.minutes = 200",
        "techniques[0] (C02): modes is missing (required)",
        "techniques[0] (C02): steps is missing (required)",
        "techniques[1] (C03): kind = 'stretch'",
    ):
        assert expected in err, expected
    assert not (voiceguide_home / "techniques").exists() and not (voiceguide_home / "routines").exists()
    broken = tmp_path / "broken.toml"
    broken.write_text("[routine\n", encoding="utf-8")
    result = cli("routine", "import", str(broken))
    assert result.exit_code == 3 and "not valid TOML" in result.stderr
