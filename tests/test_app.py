"""The application layer (voiceguide.app): the safety gate on the Python path, notes that go to
`notify` (never straight to a terminal), the layering rules, and the CLI items it carries."""

from __future__ import annotations

import ast
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from progress_helpers import copy_home

from voiceguide import profile
from voiceguide.app import App, PlanOptions, ScreenNeeded
from voiceguide.errors import SafetyStop
from voiceguide.session import PlayRequest

PACKAGE = Path(__file__).resolve().parent.parent / "voiceguide"
SCREEN = "no\n" * 19
#: Modules below the application layer: they must not reach up into it or into the CLI.
BELOW = (
    "planner",
    "plan",
    "adapt",
    "library",
    "journal",
    "audio",
    "feedback",
    "history",
    "profile",
    "routines",
    "schedule",
    "export",
    "session",
    "player",
    "safety",
    "domain",
    "paths",
    "privacy",
)
ABOVE = {"voiceguide.cli", "voiceguide.cli_progress", "voiceguide.cli_options", "voiceguide.app"}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def sources(name: str) -> list[Path]:
    folder = PACKAGE / name
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{name}.py"]


@pytest.mark.parametrize("name", BELOW)
def test_no_module_below_the_application_layer_imports_it_or_the_cli(name):
    for path in sources(name):
        assert not imported_modules(path) & ABOVE, path


def test_no_sql_outside_the_journal():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "journal.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "sqlite3" not in imported_modules(path), path
        for word in ("SELECT ", "UPDATE ", "INSERT ", ".execute("):
            assert word not in text, (path, word)


def test_the_cli_modules_do_not_import_each_other_in_a_circle():
    assert "voiceguide.cli" not in imported_modules(PACKAGE / "cli_progress.py")
    assert "voiceguide.cli_progress" not in imported_modules(PACKAGE / "cli_options.py")


def test_playing_from_python_without_a_screen_is_refused(voiceguide_home):
    app = App(notify=[].append)
    planned = app.plan(PlanOptions(minutes=3))
    with pytest.raises(ScreenNeeded) as refused:
        app.play(planned.plan, PlayRequest(output="null", feedback="none"), cache=planned.cache)
    assert refused.value.exit_code == 7 and "voiceguide screen" in refused.value.hint
    assert not (voiceguide_home / "journal.sqlite3").exists()  # nothing was journaled


def test_playing_from_python_after_a_screen_that_said_no_is_refused(voiceguide_home):
    profile.save(profile.Profile(screened=datetime.now(UTC), outcome="emergency"))
    app = App(notify=[].append)
    with pytest.raises(SafetyStop) as refused:
        app.play(None, PlayRequest(output="null", feedback="none", resume=True))
    assert not isinstance(refused.value, ScreenNeeded)
    assert "emergency" in str(refused.value) and "clinician" in str(refused.value)


def test_playing_from_python_after_a_clear_screen_is_journaled(cli, voiceguide_home):
    assert cli("screen", input=SCREEN).exit_code == 0
    app = App(notify=[].append)
    planned = app.plan(PlanOptions(minutes=3))
    seen: list[dict] = []
    outcome, session_id = app.play(
        planned.plan, PlayRequest(output="null", feedback="none"), seen.append, cache=planned.cache
    )
    assert outcome.reason == "finished" and session_id == 1
    assert seen[-1]["event"] == "end"
    assert [r.kept for r in app.history()] == [True]


def test_notes_go_to_notify_not_to_the_terminal(voiceguide_home, capsys):
    lines: list[str] = []
    app = App(notify=lines.append)
    request = app.request(PlanOptions(minutes=5), include=("hip",))
    assert request.stage == "acute" and request.minutes == 5
    assert lines == [
        "Reminder: run 'voiceguide screen' before your first session.",
        "Note: --include hip: the hip was not left out.",
    ]
    assert capsys.readouterr() == ("", "")
    assert app.history() == [] and not voiceguide_home.exists()  # reading creates nothing


def test_profile_conditions_and_stage_merge_into_the_request(voiceguide_home):
    profile.save(
        profile.Profile(
            screened=datetime.now(UTC), outcome="adjust", stage="chronic", conditions=["osteoporosis"]
        )
    )
    app = App(notify=[].append)
    request = app.request(PlanOptions(conditions=("pregnancy", "osteoporosis")))
    assert request.conditions == ("osteoporosis", "pregnancy") and request.stage == "chronic"
    assert app.request(PlanOptions(stage="acute")).stage == "acute"  # an option given wins


def test_a_routine_without_technique_files_makes_no_techniques_folder(cli, voiceguide_home, tmp_path):
    assert cli("routine", "save", "rx", "--minutes", "10").exit_code == 0
    out = tmp_path / "rx.toml"
    assert "0 technique file(s)" in cli("routine", "export", "rx", "-o", str(out)).stdout
    imported = cli("routine", "import", str(out), "--person", "sam")
    assert imported.exit_code == 0 and "Added routine rx" in imported.stdout, imported.stderr
    assert not (voiceguide_home / "techniques").exists()
    listed = cli("routine", "list", "--person", "sam")
    assert listed.stdout.startswith("rx") and listed.stderr == ""


def test_imported_technique_files_sit_in_an_owner_only_folder(cli, voiceguide_home, tmp_path):
    from test_routines import own_technique

    own_technique(voiceguide_home)
    assert cli("routine", "save", "rx").exit_code == 0
    out = tmp_path / "rx.toml"
    assert cli("routine", "export", "rx", "-o", str(out)).exit_code == 0
    for path in (voiceguide_home / "techniques").iterdir():
        path.unlink()
    (voiceguide_home / "techniques").rmdir()
    assert cli("routine", "import", str(out), "--person", "sam").exit_code == 0
    mode = stat.S_IMODE((voiceguide_home / "techniques").stat().st_mode)
    assert mode == 0o700, oct(mode)


@pytest.mark.parametrize("name", ["chart.jpg", "chart.JPEG"])
def test_history_plot_writes_a_jpeg(cli, three_sessions, voiceguide_home, tmp_path, name):
    copy_home(three_sessions, voiceguide_home)
    out = tmp_path / name
    result = cli("history", "--plot", str(out))
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data[:3] == b"\xff\xd8\xff" and len(data) > 20_000  # a JPEG with a chart in it
    assert not list(tmp_path.glob("*.part*"))


def test_history_plot_refuses_an_unknown_picture_kind_before_reading(cli, tmp_path):
    result = cli("history", "--plot", str(tmp_path / "chart.gif"))
    assert result.exit_code == 2
    assert ".png, .jpg or .jpeg" in result.stderr and not (tmp_path / "chart.gif").exists()
