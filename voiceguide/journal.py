"""The journal: every session and every event, in SQLite, written before it is acted on.

WAL mode with a full sync on each commit: once an event is acknowledged to the
user, a crash or a kill cannot take it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from voiceguide.errors import InvalidInput, UsageProblem

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    person TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL,
    stage TEXT NOT NULL,
    minutes REAL NOT NULL,
    plan TEXT NOT NULL,
    output TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    ended TEXT,
    end_reason TEXT,
    stop_reason TEXT,
    seconds_played REAL NOT NULL DEFAULT 0,
    resumed_from INTEGER,
    summary TEXT,
    summary_upto INTEGER
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    t REAL NOT NULL,
    wall TEXT NOT NULL,
    event TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, id);
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10)
);
CREATE INDEX IF NOT EXISTS sessions_by_status ON sessions(status, id);
"""
#: Columns added since the first journals; opening one adds them in place (nothing else changes).
#: summary: what the session's events say (history.summarise_events, JSON); summary_upto: the id of
#: the last event it covers, so that a summary is only used while no event came after it.
ADDED_COLUMNS = (("sessions", "summary", "TEXT"), ("sessions", "summary_upto", "INTEGER"))


#: Journal files found sound in this process, by device, inode, size and modification time: `play`
#: opens its journal three times before the first sound (to plan, to learn, to record), and PRAGMA
#: quick_check reads the whole file (0.4 s at 10,000 sessions), so it is done once per process for
#: the file as it was then (a change to the main file, e.g. a checkpoint, means checking again).
_SOUND: set[tuple[int, int, int, int]] = set()


def sound(db: sqlite3.Connection, path: Path) -> bool:
    """PRAGMA quick_check of the journal open in db, unless this process already found it sound."""
    try:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _SOUND:
        return True
    if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        return False
    if key is not None:
        _SOUND.add(key)
    return True


class JournalWriteError(InvalidInput):
    """The journal could not be written: the session stops rather than go on unrecorded."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class SessionRow:
    id: int
    started: str
    mode: str
    stage: str
    minutes: float
    plan: dict
    output: str
    status: str
    end_reason: str | None
    stop_reason: str | None
    seconds_played: float
    resumed_from: int | None


@dataclass
class SessionHead:
    """What `history` needs of a session's row, without its plan, and its summary if up to date."""

    id: int
    started: str
    mode: str
    stage: str
    minutes: float
    status: str
    stop_reason: str | None
    seconds_played: float
    summary: dict | None  # None: none kept yet, or events came after it


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        self.writable = True
        self.db = self._open()
        self.has_summaries = self._migrate()

    def _open(self) -> sqlite3.Connection:
        fresh = not self.path.exists()
        try:
            db = self._connect()
        except sqlite3.OperationalError as e:  # full disk, read-only, locked: not damage
            raise JournalWriteError(
                f"Cannot open the journal {self.path}: {e}.",
                hint="Free some disk space or make the data folder writable, then try again.",
            ) from e
        except sqlite3.DatabaseError:  # not a database, malformed: keep it aside, start afresh
            db = self._set_aside_and_reopen()
        if fresh:
            os.chmod(self.path, 0o600)
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            db.execute("SELECT count(*) FROM sessions").fetchone()
            if not sound(db, self.path):
                raise sqlite3.DatabaseError("quick_check failed")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _migrate(self) -> bool:
        """Add the columns newer versions keep (in place: no row is touched); True when they are
        there. A journal that cannot be changed (a read-only file) is still read, without them."""
        for table, column, kind in ADDED_COLUMNS:
            if column not in self._columns(table):
                # read-only, or another process added it just now: looked at again below
                with contextlib.suppress(sqlite3.OperationalError):
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        return all(column in self._columns(table) for table, column, _ in ADDED_COLUMNS)

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}

    def _set_aside_and_reopen(self) -> sqlite3.Connection:
        """A damaged journal is kept as a backup, never deleted, and a fresh one started."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            shutil.move(self.path, backup)
            for suffix in ("-wal", "-shm"):
                side = Path(str(self.path) + suffix)
                if side.exists():
                    shutil.move(side, Path(str(backup) + suffix))
        except OSError as e:
            raise InvalidInput(
                f"The journal {self.path} is damaged and cannot be moved aside: {e}.",
                hint="Move it away by hand, then try again.",
            ) from e
        self.recovered_from = backup
        try:
            return self._connect()
        except sqlite3.DatabaseError as e:
            raise InvalidInput(f"Cannot create a journal at {self.path}: {e}.") from e

    @classmethod
    def read_only(cls, path: Path) -> Journal:
        """For reading when the data folder cannot be written (a read-only disk): SQLite cannot
        make its WAL index there, and nothing can change the file, so it is opened as immutable."""
        journal = cls.__new__(cls)
        journal.path = path
        journal.recovered_from = None
        journal.writable = False
        try:
            journal.db = sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
            journal.db.execute("SELECT count(*) FROM sessions").fetchone()
            journal.has_summaries = {c for _, c, _ in ADDED_COLUMNS} <= journal._columns("sessions")
        except sqlite3.DatabaseError as e:
            raise InvalidInput(
                f"Cannot read the journal {path}: {e}.", hint="Check the data folder, or set VOICEGUIDE_HOME."
            ) from e
        return journal

    def close(self) -> None:
        self.db.close()

    def _write(self, sql: str, args: tuple) -> sqlite3.Cursor:
        """Every write goes through here: a full disk or a read-only file is a clear message."""
        try:
            return self.db.execute(sql, args)
        except sqlite3.OperationalError as e:
            raise JournalWriteError(
                f"Cannot write the journal {self.path}: {e}.",
                hint="Free some disk space or make the data folder writable, then: voiceguide play --resume",
            ) from e

    # --- writing ---------------------------------------------------------------

    def start_session(
        self, plan: dict, output: str, person: str = "", resumed_from: int | None = None
    ) -> int:
        cur = self._write(
            "INSERT INTO sessions (started, person, mode, stage, minutes, plan, output, resumed_from)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_iso(),
                person,
                plan["mode"],
                plan["stage"],
                plan["minutes"],
                json.dumps(plan),
                output,
                resumed_from,
            ),
        )
        return int(cur.lastrowid)

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Writes that mean one thing, in one commit: a kill keeps all of them or none. (An
        answer's actions journaled without the plan they rewrote would be resumed half done.)"""
        if self.db.in_transaction:  # already inside one
            yield
            return
        self._write("BEGIN IMMEDIATE", ())
        try:
            yield
            self._write("COMMIT", ())
        except BaseException:
            if self.db.in_transaction:  # an error among them, or a commit that failed (a full disk)
                with contextlib.suppress(sqlite3.Error):  # the first error is the one to tell
                    self.db.execute("ROLLBACK")  # none of it, as after a kill: never half
            raise

    def event(self, session_id: int, t: float, event: str, data: dict) -> None:
        """Committed (and synced) when this returns, or when the `together` block it is in ends:
        only then may the caller act on it."""
        self._write(
            "INSERT INTO events (session_id, t, wall, event, data) VALUES (?, ?, ?, ?, ?)",
            (session_id, round(t, 3), now_iso(), event, json.dumps(data, ensure_ascii=False)),
        )

    def end_session(
        self, session_id: int, status: str, reason: str, stop_reason: str | None, seconds: float
    ) -> None:
        """The session's end, with the summary of its events (in the same write)."""
        args = (status, now_iso(), reason, stop_reason, round(seconds, 3))
        sql = "UPDATE sessions SET status = ?, ended = ?, end_reason = ?, stop_reason = ?, seconds_played = ?"
        summary = self._summary(session_id) if self.has_summaries else None
        if summary is not None:
            sql += ", summary = ?, summary_upto = ?"
            args += (json.dumps(summary[0], ensure_ascii=False), summary[1])
        self._write(sql + " WHERE id = ?", (*args, session_id))

    def _summary(self, session_id: int) -> tuple[dict, int] | None:
        """The summary of a session's events and the last event it covers. It only saves reading
        them again later: if it cannot be made, the end is still recorded and `history` makes it."""
        from voiceguide.history import summarise_events

        try:
            events, last = self.events_upto(session_id)
            return summarise_events(events), last
        except Exception:  # a summary is never worth losing how the session ended
            return None

    def keep_summaries(self, made: list[tuple[int, dict, int]]) -> None:
        """Store summaries made on reading (session id, summary, last event), all in one commit.
        Best effort: a journal that cannot be written now (read-only, full, busy) makes them again."""
        if not (self.writable and self.has_summaries):
            return
        rows = [(json.dumps(summary, ensure_ascii=False), last, sid) for sid, summary, last in made]
        try:
            with self.db:  # commits, or rolls back on an error
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("UPDATE sessions SET summary = ?, summary_upto = ? WHERE id = ?", rows)
        except sqlite3.Error:
            pass

    def update_plan(self, session_id: int, plan: dict) -> None:
        self._write("UPDATE sessions SET plan = ? WHERE id = ?", (json.dumps(plan), session_id))

    def mark_running(self, session_id: int) -> None:
        """A session taken up again by `play --resume` is running once more."""
        self._write("UPDATE sessions SET status = 'running' WHERE id = ?", (session_id,))

    # --- reading ---------------------------------------------------------------

    def _row(self, r: tuple) -> SessionRow:
        return SessionRow(
            id=r[0],
            started=r[1],
            mode=r[2],
            stage=r[3],
            minutes=r[4],
            plan=json.loads(r[5]),
            output=r[6],
            status=r[7],
            end_reason=r[8],
            stop_reason=r[9],
            seconds_played=r[10],
            resumed_from=r[11],
        )

    _COLUMNS = (
        "id, started, mode, stage, minutes, plan, output, status, end_reason, stop_reason,"
        " seconds_played, resumed_from"
    )

    def session(self, session_id: int) -> SessionRow | None:
        r = self.db.execute(f"SELECT {self._COLUMNS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return self._row(r) if r else None

    def sessions(self) -> list[SessionRow]:
        rows = self.db.execute(f"SELECT {self._COLUMNS} FROM sessions ORDER BY id").fetchall()
        return [self._row(r) for r in rows]

    def last_unfinished(self) -> SessionRow | None:
        r = self.db.execute(
            f"SELECT {self._COLUMNS} FROM sessions WHERE status IN ('running', 'interrupted')"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return self._row(r) if r else None

    def heads(self) -> list[SessionHead]:
        """Every session, oldest first, with its summary when one covers all its events: one
        indexed look-up per session, whatever the number of events (plans are not read)."""
        kept = "summary, summary_upto" if self.has_summaries else "NULL, NULL"
        rows = self.db.execute(
            f"SELECT id, started, mode, stage, minutes, status, stop_reason, seconds_played, {kept},"
            " (SELECT max(e.id) FROM events e WHERE e.session_id = s.id) FROM sessions s ORDER BY id"
        ).fetchall()
        out = []
        for *head, summary, upto, last in rows:
            fresh = summary is not None and upto == (last or 0)
            out.append(SessionHead(*head, summary=json.loads(summary) if fresh else None))
        return out

    def events(self, session_id: int, kinds: tuple[str, ...] | None = None) -> list[dict]:
        return self.events_upto(session_id, kinds)[0]

    # --- pain ratings on days without a session (voiceguide pain N) ---------------------------

    def add_pain_rating(self, pain: int, at: str | None = None) -> str:
        """Keep a 0-10 pain rating given outside a session; returns when it was taken (UTC, ISO)."""
        if not 0 <= pain <= 10:
            raise UsageProblem(f"Pain {pain} is out of range: rate it from 0 to 10.")
        at = at or now_iso()
        self._write("INSERT INTO ratings (at, pain) VALUES (?, ?)", (at, pain))
        return at

    def pain_ratings(self) -> list[tuple[str, int]]:
        """Every rating given outside a session, oldest first, as (UTC ISO time, pain); none in a
        journal from before ratings were kept that cannot be changed (opened read-only)."""
        try:
            rows = self.db.execute("SELECT at, pain FROM ratings ORDER BY at, id")
            return [(at, pain) for at, pain in rows]
        except sqlite3.OperationalError:
            return []

    def events_upto(self, session_id: int, kinds: tuple[str, ...] | None = None) -> tuple[list[dict], int]:
        """A session's events in order, and the id of its last event (0: none)."""
        rows = self.db.execute(
            "SELECT id, t, event, data FROM events WHERE session_id = ? ORDER BY id", (session_id,)
        ).fetchall()
        out = []
        for _, t, event, data in rows:
            if kinds and event not in kinds:
                continue
            item = json.loads(data)
            item["t"] = t
            item["event"] = event
            out.append(item)
        return out, rows[-1][0] if rows else 0


def open_journal(person: str | None = None) -> Journal:
    from voiceguide import paths

    try:
        return Journal(paths.journal_path(person))
    except sqlite3.OperationalError as e:
        raise InvalidInput(
            f"Cannot open the journal in {paths.data_dir(create=False)}: {e}.",
            hint="Check that the data folder is writable and the disk is not full.",
        ) from e


def open_existing(person: str | None = None, repair: bool = False) -> Journal | None:
    """The person's journal for reading, or None when they have none yet (nothing is created).

    Without repair (planning only peeks) a damaged journal also gives None: it is left for `play`
    to set aside and say so. With repair (`history`) it is set aside here (see recovered_from).
    A journal in a folder that cannot be written (a read-only disk) is opened read-only.
    """
    from voiceguide import paths

    path = paths.person_dir(person, create=False) / "journal.sqlite3"
    if not path.exists():
        return None
    if not repair and not _looks_sound(path):
        return None
    return Journal(path) if os.access(path.parent, os.W_OK) else Journal.read_only(path)


def _looks_sound(path: Path) -> bool:
    """Whether a read-only look finds a sound journal (never changes or moves the file)."""
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if not sound(probe, path):
                return False
            probe.execute("SELECT count(*) FROM sessions").fetchone()
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        return False
    return True


# --- one session at a time -------------------------------------------------------------

_HELD: dict[Path, int] = {}  # lock files this process holds, by path (flock is per open file)


class SessionRunning(UsageProblem):
    """Another `play` is running for this person: two would talk over each other."""


def claim_session(person: str | None = None) -> Path:
    """Hold this person's session lock until the process ends (a kill -9 releases it too).

    Two sessions at once would speak over each other and both claim the journal's
    unfinished session on --resume, so the second one is refused with a clear message.
    """
    from voiceguide import paths

    path = paths.person_dir(person) / "session.lock"
    if path in _HELD:
        return path
    try:
        import fcntl
    except ImportError:  # no flock (Windows): sessions are not guarded
        return path
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as e:
        raise JournalWriteError(
            f"Cannot use {path}: {e.strerror or e}.",
            hint="Make the data folder writable, or set VOICEGUIDE_HOME.",
        ) from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip()
        os.close(fd)
        raise SessionRunning(
            f"A voiceguide session is already playing here (process {holder or 'unknown'}).",
            hint="Let it finish or stop it. An interrupted one continues with: voiceguide play --resume",
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD[path] = fd
    return path


def release_session(path: Path) -> None:
    fd = _HELD.pop(path, None)
    if fd is not None:
        os.close(fd)  # closing the file releases the lock
