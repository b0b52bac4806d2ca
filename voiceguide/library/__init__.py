"""The technique library: bundled TOML files plus the user's own, validated.

A bad user file is reported and left out; it never stops the bundled library
from loading.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from voiceguide.errors import InvalidInput
from voiceguide.library.schema import Technique
from voiceguide.validation import check

BUNDLED_DIR = Path(__file__).parent / "techniques"
MAX_FILE_BYTES = 1_000_000


@dataclass
class Library:
    techniques: dict[str, Technique] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, technique_id: str) -> Technique:
        try:
            return self.techniques[technique_id]
        except KeyError:
            known = ", ".join(sorted(self.techniques))
            raise InvalidInput(
                f"No technique with id {technique_id!r}.", hint=f"Known ids: {known}."
            ) from None

    def select(self, mode: str | None = None, stage: str | None = None) -> list[Technique]:
        return [
            t
            for t in sorted(self.techniques.values(), key=lambda t: t.id)
            if (mode is None or mode in t.modes) and (stage is None or stage in t.stages)
        ]


def load(user_dir: Path | None = None) -> Library:
    """Bundled techniques, then the user's folder, whose files override by id."""
    from voiceguide import paths

    library = Library()
    bundled, problems = check_paths([BUNDLED_DIR])
    library.problems.extend(problems)
    for technique, _ in bundled:
        library.techniques[technique.id] = technique
        library.origins[technique.id] = "bundled"
    user_dir = user_dir if user_dir is not None else paths.user_techniques_dir()
    if user_dir.is_dir():
        own, problems = check_paths([user_dir])
        library.problems.extend(problems)
        for technique, source in own:
            library.techniques[technique.id] = technique
            library.origins[technique.id] = str(source)
    return library


def toml_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.toml") if p.is_file())
            if not found:
                problems.append(f"{path}: no .toml files in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    return files, problems


def check_paths(paths: Iterable[Path]) -> tuple[list[tuple[Technique, Path]], list[str]]:
    """Validate every file and report every problem, not just the first."""
    files, problems = toml_files(paths)
    valid: list[tuple[Technique, Path]] = []
    seen: dict[str, Path] = {}
    for path in files:
        technique, file_problems = check_file(path)
        problems.extend(file_problems)
        if technique is None:
            continue
        if technique.id in seen:
            problems.append(
                f"{path.name}: id = {technique.id!r} is already used by {seen[technique.id].name}; "
                "ids must be unique"
            )
            continue
        seen[technique.id] = path
        valid.append((technique, path))
    return valid, problems


def check_file(path: Path) -> tuple[Technique | None, list[str]]:
    name = path.name
    try:
        with path.open("rb") as f:  # never more than the limit in memory (a 100 MB file is not read)
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return None, [f"{name}: cannot be read ({e.strerror or e})"]
    if len(raw) > MAX_FILE_BYTES:
        return None, [f"{name}: file is larger than {MAX_FILE_BYTES // 1000} kB, too big for a technique"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, [f"{name}: not UTF-8 text (byte {e.start}); save it as UTF-8"]
    return parse_technique(text, name)


def parse_technique(text: str, name: str) -> tuple[Technique | None, list[str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [f"{name}: not valid TOML: {e}"]
    except RecursionError:
        return None, [f"{name}: not valid TOML: nested too deeply"]
    return check(Technique, data, name)
