"""`forget`: delete everything stored about one person, for good.

A named person's data is their whole folder (people/NAME). The default person's files sit at
the top of the data folder beside shared things (the speech cache, technique files, other
people), so only their own files are listed and removed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from voiceguide import paths
from voiceguide.errors import InvalidInput

#: The default person's own files at the top of the data folder (globs).
DEFAULT_PERSON_FILES = (
    "profile.toml",
    "profile.toml.tmp",
    "journal.sqlite3",
    "journal.sqlite3-wal",
    "journal.sqlite3-shm",
    "journal.sqlite3.damaged-*",
    "schedule.toml",
    "schedule.toml.tmp",
    "routines",
    "voice",
    "session.lock",
)


def person_files(person: str) -> list[Path]:
    """What `forget` would delete for this person (already resolved), in a stable order."""
    if person != paths.DEFAULT_PERSON:
        folder = paths.data_dir(create=False) / "people" / person
        return [folder] if folder.exists() else []
    root = paths.data_dir(create=False)
    found: list[Path] = []
    for pattern in DEFAULT_PERSON_FILES:
        found += sorted(root.glob(pattern))
    return found


def describe(path: Path) -> str:
    if path.is_dir():
        count = sum(1 for p in path.rglob("*") if p.is_file())
        return f"{path}/ (folder, {count} file{'s' if count != 1 else ''})"
    return str(path)


def forget(person: str) -> list[Path]:
    """Delete them; returns what was deleted. A file that will not go is a clear error."""
    deleted = []
    for path in person_files(person):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as e:
            raise InvalidInput(
                f"Cannot delete {path}: {e.strerror or e}.",
                hint="Check its permissions, then run voiceguide forget again.",
            ) from e
        deleted.append(path)
    return deleted
