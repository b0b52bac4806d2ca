"""Saved routines: a name for a set of plan options, and a therapist's prescription in one file.

A routine is stored per person (`routines/NAME.toml` in their folder). `export` writes the
routine and the user's own technique files it can use into one TOML file; `import` checks
all of it like technique files (every problem listed) before anything is written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from voiceguide import domain, paths
from voiceguide.errors import InvalidInput, UsageProblem, shown
from voiceguide.validation import ConditionId, Minutes, PressureLevel, Strict, check

FORMAT_VERSION = 1
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class Routine:
    name: str
    mode: str = "self"
    stage: str | None = None  # None: the profile's stage when it is played
    minutes: float = 15
    focus: tuple[str, ...] = ()
    max_pressure: int | None = None
    conditions: tuple[str, ...] = ()
    seed: int = 0

    def options(self) -> dict:
        """The plan options it stands for (as `plan`, `render` and `play` take them)."""
        return {
            "mode": self.mode,
            "stage": self.stage,
            "minutes": self.minutes,
            "focus": self.focus,
            "max_pressure": self.max_pressure,
            "conditions": self.conditions,
            "seed": self.seed,
        }

    def to_table(self) -> dict:
        table = {"name": self.name, "mode": self.mode}
        if self.stage:
            table["stage"] = self.stage
        table["minutes"] = self.minutes
        table["focus"] = list(self.focus)
        if self.max_pressure is not None:
            table["max_pressure"] = self.max_pressure
        table["conditions"] = list(self.conditions)
        table["seed"] = self.seed
        return table

    def describe(self) -> str:
        parts = [self.mode, self.stage or "stage from profile", f"{self.minutes:g} min"]
        if self.focus:
            parts.append("focus " + ", ".join(self.focus))
        if self.max_pressure is not None:
            parts.append(f"pressure at most {self.max_pressure}")
        if self.conditions:
            parts.append("conditions " + ", ".join(self.conditions))
        return ", ".join(parts)


def check_name(name: str) -> str:
    clean = name.strip().lower()
    if not NAME.match(clean):
        raise UsageProblem(
            f"{shown(name)} is not a usable routine name.",
            hint="Use up to 32 letters, digits, '-' or '_', starting with a letter or digit.",
        )
    return clean


class RoutineFile(Strict):
    """A routine table as saved, exported and imported: the plan options it stands for."""

    name: str
    mode: Literal[domain.MODES] = "self"
    stage: Literal[domain.STAGES] | None = None
    minutes: Minutes = 15
    focus: list[Literal[domain.AREAS]] = Field(default_factory=list)
    max_pressure: PressureLevel | None = None
    conditions: list[ConditionId] = Field(default_factory=list)
    seed: int = 0

    @field_validator("name")
    @classmethod
    def _usable_name(cls, name: str) -> str:
        if not NAME.match(name):
            raise ValueError("must be up to 32 lower-case letters, digits, '-' or '_'")
        return name

    @model_validator(mode="after")
    def _short_when_acute(self) -> RoutineFile:
        if self.stage == "acute" and self.minutes > domain.ACUTE_MAX_MINUTES:
            raise ValueError(
                f"minutes = {shown(self.minutes)}, must be at most {domain.ACUTE_MAX_MINUTES} when acute"
            )
        return self


def parse_routine(data: object, where: str) -> tuple[Routine | None, list[str]]:
    """Every problem in a routine table, each naming the field and what is allowed."""
    if not isinstance(data, dict):
        return None, [f"{where} must be a table of plan options"]
    checked, problems = check(RoutineFile, data, where)
    if checked is None:
        return None, problems
    fields = checked.model_dump()
    return Routine(**fields | {"focus": tuple(checked.focus), "conditions": tuple(checked.conditions)}), []


# --- stored per person --------------------------------------------------------------


def folder(person: str | None, create: bool = False) -> Path:
    return paths.person_dir(person, create=create) / "routines"


def save(routine: Routine, person: str | None) -> Path:
    import os

    import tomli_w

    where = folder(person, create=True)
    try:
        where.mkdir(exist_ok=True, mode=0o700)
        os.chmod(where, 0o700)
    except OSError as e:
        raise InvalidInput(f"Cannot use the folder {where}: {e.strerror or e}.") from e
    path = where / f"{routine.name}.toml"
    text = "# voiceguide routine: play it with voiceguide play --routine " + routine.name + "\n"
    paths.write_private(path, text + tomli_w.dumps({"version": FORMAT_VERSION, **routine.to_table()}))
    return path


def load(name: str, person: str | None) -> Routine:
    name = check_name(name)
    path = folder(person) / f"{name}.toml"
    if not path.exists():
        known = [r.name for r in load_all(person)]
        raise UsageProblem(
            f"There is no routine called {shown(name)}.",
            hint=f"Saved routines: {', '.join(known)}."
            if known
            else "Save one with: voiceguide routine save NAME",
        )
    return _read(path)


def _read(path: Path) -> Routine:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise InvalidInput(f"The routine {path} is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInput(f"The routine {path} cannot be read: {e}.") from e
    except RecursionError:
        raise InvalidInput(f"The routine {path} cannot be read: nested too deeply.") from None
    data.pop("version", None)
    routine, problems = parse_routine(data, path.name)
    if routine is None:
        raise InvalidInput(
            f"The routine {path} is not valid.",
            hint="Save it again with voiceguide routine save.",
            problems=problems,
        )
    return routine


def load_all(person: str | None) -> list[Routine]:
    where = folder(person)
    if not where.is_dir():
        return []
    return [_read(p) for p in sorted(where.glob("*.toml"))]


# --- one file to share ------------------------------------------------------------------


def export_text(routine: Routine, techniques: list[dict]) -> str:
    """The routine and the technique tables (as their files hold them) in one TOML document."""
    import tomli_w

    head = (
        "# A voiceguide prescription: a routine and the technique files it uses.\n"
        "# Import it with: voiceguide routine import THIS_FILE.toml\n"
    )
    doc: dict = {"version": FORMAT_VERSION, "routine": routine.to_table()}
    if techniques:
        doc["techniques"] = techniques
    return head + tomli_w.dumps(doc)


def parse_export(text: str, name: str) -> tuple[Routine | None, list[dict], list[str]]:
    """Check a prescription file: the routine and every technique, reporting every problem."""
    from voiceguide.library.schema import Technique

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [], [f"{name}: not valid TOML: {e}"]
    except RecursionError:
        return None, [], [f"{name}: not valid TOML: nested too deeply"]
    problems = []
    if data.get("version") != FORMAT_VERSION:
        problems.append(f"{name}: version = {data.get('version')!r}, must be {FORMAT_VERSION}")
    for key in data:
        if key not in ("version", "routine", "techniques"):
            problems.append(f"{name}: unknown field {key}; allowed: version, routine, techniques")
    if "routine" not in data:
        problems.append(f"{name}: routine is missing (required): a [routine] table of plan options")
        routine = None
    else:
        routine, found = parse_routine(data["routine"], f"{name}: routine")
        problems += [
            p if ": unknown field" in p else p.replace(f"{name}: routine: ", f"{name}: routine.")
            for p in found
        ]
    raw = data.get("techniques", [])
    if not isinstance(raw, list):
        problems.append(f"{name}: techniques must be an array of tables ([[techniques]])")
        raw = []
    seen: set[str] = set()
    for i, table in enumerate(raw):
        label = f"{name}: techniques[{i}]"
        if isinstance(table, dict) and isinstance(table.get("id"), str):
            label += f" ({table['id']})"
        technique, found = check(Technique, table, label)
        if technique is None:
            problems += found
            continue
        if technique.id in seen:
            problems.append(f"{label}: id = {technique.id!r} appears twice; ids must be unique")
        seen.add(technique.id)
    return routine, raw, problems


def read_export(path: Path) -> tuple[Routine, list[dict]]:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise InvalidInput(f"Cannot read {path}: {e.strerror or e}.") from e
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB: not a prescription."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path.name}: not UTF-8 text (byte {e.start}).") from e
    routine, techniques, problems = parse_export(text, path.name)
    if problems or routine is None:
        raise InvalidInput(
            f"{len(problems)} problem(s) in {path.name}; nothing was imported.",
            hint="Ask for a corrected file, or fix these and import it again.",
            problems=problems,
        )
    return routine, techniques


def technique_tables(routine: Routine, library) -> list[dict]:
    """The user's own techniques this routine can use (its mode, and its stage when it has one)."""
    out = []
    for t in library.select(routine.mode, routine.stage):
        origin = library.origins.get(t.id, "bundled")
        if origin == "bundled":
            continue
        try:
            out.append(tomllib.loads(Path(origin).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise InvalidInput(f"Cannot read the technique file {origin}: {e}.") from e
    return out


def install_techniques(techniques: list[dict], library) -> list[tuple[str, Path, bool]]:
    """Write each technique into the user's folder (replacing their own file with the same id).

    Returns (id, path, replaced) for each.
    """
    import tomli_w

    where = paths.user_techniques_dir()
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only, like the data folder
    except OSError as e:
        raise InvalidInput(f"Cannot use the folder {where}: {e.strerror or e}.") from e
    done = []
    for table in techniques:
        tid = table["id"]
        origin = library.origins.get(tid, "bundled")
        replaced = origin != "bundled"
        path = Path(origin) if replaced else where / f"{tid}.toml"
        n = 1
        while not replaced and path.exists():  # a file of that name holds another technique
            n += 1
            path = where / f"{tid}-{n}.toml"
        paths.write_private(path, tomli_w.dumps(table))
        done.append((tid, path, replaced))
    return done
