"""Where voiceguide keeps its data: one owner-only folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

from voiceguide.errors import InvalidInput, UsageProblem

#: The person whose files sit at the top of the data folder (profile.toml, journal.sqlite3).
DEFAULT_PERSON = "default"
_PERSON_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def data_dir(create: bool = True) -> Path:
    """VOICEGUIDE_HOME when set, else the platform's user data folder."""
    from voiceguide import settings

    env = settings.home()
    if env:
        path = Path(env).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("voiceguide", appauthor=False))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(path, 0o700)
        except OSError as e:
            raise InvalidInput(
                f"Cannot use the data folder {path}: {e.strerror or e}.",
                hint="Set VOICEGUIDE_HOME to a folder you can write to.",
            ) from e
    return path


def user_techniques_dir() -> Path:
    return data_dir(create=False) / "techniques"


def _has_own_data(folder: Path) -> bool:
    return any((folder / name).exists() for name in ("profile.toml", "journal.sqlite3", "voice"))


def people() -> list[str]:
    """Everyone with data here: the default person (top-level files) and each folder in people/."""
    root = data_dir(create=False)
    names = [DEFAULT_PERSON] if _has_own_data(root) else []
    folder = root / "people"
    if folder.is_dir():
        names += sorted(p.name for p in folder.iterdir() if p.is_dir() and _PERSON_NAME.match(p.name))
    return names


def resolve_person(name: str | None) -> str:
    """--person NAME, or with no name the only person here (several people must say who they are)."""
    if name is not None:
        clean = name.strip().lower()
        if not _PERSON_NAME.match(clean):
            raise UsageProblem(
                f"{name!r} is not a usable person name.",
                hint="Use up to 32 letters, digits, '-' or '_', starting with a letter or digit.",
            )
        return clean
    known = people()
    if len(known) <= 1:
        return known[0] if known else DEFAULT_PERSON
    raise UsageProblem(
        f"Several people use voiceguide here ({', '.join(known)}).",
        hint="Say whose session it is with --person NAME.",
    )


def person_dir(person: str | None = None, create: bool = True) -> Path:
    """The default person's files sit at the top of the data folder; others under people/NAME."""
    name = resolve_person(person)
    root = data_dir(create=create)
    if name == DEFAULT_PERSON:
        return root
    folder = root / "people" / name
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(folder.parent, 0o700)
            os.chmod(folder, 0o700)
        except OSError as e:
            raise InvalidInput(
                f"Cannot use the folder {folder}: {e.strerror or e}.",
                hint="Check the data folder is writable, or set VOICEGUIDE_HOME.",
            ) from e
    return folder


def profile_path(person: str | None = None) -> Path:
    return person_dir(person) / "profile.toml"


def journal_path(person: str | None = None) -> Path:
    return person_dir(person) / "journal.sqlite3"


def voice_dir(person: str | None = None, create: bool = True) -> Path:
    """Enrollment takes and anything learnt from them: owner-only, removed by `voice forget`."""
    folder = person_dir(person, create=create) / "voice"
    if create:
        try:
            folder.mkdir(exist_ok=True, mode=0o700)
            os.chmod(folder, 0o700)
        except OSError as e:
            raise InvalidInput(f"Cannot use the folder {folder}: {e.strerror or e}.") from e
    return folder


def write_private(path: Path, text: str) -> None:
    """Write a file readable by the owner only, atomically (no half-written profile)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        os.chmod(path, 0o600)
    except OSError as e:
        if tmp.parent.is_dir():
            tmp.unlink(missing_ok=True)
        raise InvalidInput(
            f"Cannot save {path}: {e.strerror or e}.",
            hint="Check the disk has room and the data folder is writable, or set VOICEGUIDE_HOME.",
        ) from e
