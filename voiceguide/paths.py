"""Where voiceguide keeps its data: one owner-only folder."""

from __future__ import annotations

import os
from pathlib import Path

from voiceguide.errors import InvalidInput


def data_dir(create: bool = True) -> Path:
    """VOICEGUIDE_HOME when set, else the platform's user data folder."""
    env = os.environ.get("VOICEGUIDE_HOME")
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


def profile_path() -> Path:
    return data_dir() / "profile.toml"


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
