"""The folder layout shows the layers, and the imports keep to them (scripts/import_graph.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from import_graph import cycles, graph  # noqa: E402

EDGES = {
    k.removeprefix("voiceguide."): {m.removeprefix("voiceguide.") for m in v}
    for k, v in graph(ROOT / "voiceguide").items()
}
#: The pure core: values in, values out. No clock, audio, files, journal or front end.
CORE = {
    "domain",
    "plan",
    "planner",
    "adapt",
    "replan",
    "timetable",
    "speechtime",
    "cues",
    "errors",
    "library",
    "library.schema",
    "feedback.intents",
    "validation",
    "plan_file",
}
FRONT = {"cli", "cli_progress", "cli_options", "app", "session"}


def test_the_pure_core_imports_only_the_core():
    for name in CORE - {"library"}:  # the library's loader reads files; its types are core
        assert EDGES[name] <= CORE, (name, EDGES[name] - CORE)


def test_the_player_knows_no_front_end_and_no_journal():
    for name, imported in EDGES.items():
        if name.startswith("player"):
            assert not imported & (FRONT | {"journal"}), (name, imported & (FRONT | {"journal"}))


def test_the_rules_are_one_hop_from_where_answers_land():
    """conversation -> adapt.decide: the cap and the stop rules are read where every answer goes."""
    assert "adapt" in EDGES["player.conversation"] and "replan" in EDGES["player.conversation"]


def test_no_import_cycles():
    assert cycles(graph(ROOT / "voiceguide")) == []
