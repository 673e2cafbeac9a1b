"""Engines for the two backends: an SQLite file (the default) and a PostgreSQL server.

SQLAlchemy is imported where an engine is made, not with this module: a command that only reads
an SQLite log already at the newest schema reads it through :class:`SQLiteFile`, with the driver
alone (importing SQLAlchemy is a large part of such a command's start-up).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

from tracker.errors import DatabaseError, NotATrackerDatabase
from tracker.text import clip, mask_url

BUSY_TIMEOUT_MS = 30_000

# SQLAlchemy's pool logs a traceback when it cannot reset a connection the server closed; the
# error itself reaches the user as one line, so the log record has nowhere to go.
logging.getLogger("sqlalchemy").addHandler(logging.NullHandler())
SQLITE_MAGIC = b"SQLite format 3\x00"


def _port_of(url: URL, shown: str) -> None:
    try:
        port = url.port
    except ValueError:
        port = None
        raise DatabaseError(f"{shown}: the port is not a number") from None
    if port is not None and not 0 < port < 65536:
        raise DatabaseError(f"{shown}: the port {port} is not between 1 and 65535")


def database_url(target: str) -> str:
    """A SQLAlchemy URL from what a user typed: a URL, or a path to an SQLite file."""
    if "://" in target:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        shown = repr(clip(mask_url(target), 120))
        try:
            url = make_url(target)
        except ArgumentError:
            raise DatabaseError(f"{shown} is not a database URL or path") from None
        except ValueError:  # SQLAlchemy reads the port as a number while parsing
            raise DatabaseError(f"{shown}: the port is not a number") from None
        backend = url.get_backend_name()
        if backend not in {"sqlite", "postgresql"}:
            raise DatabaseError(
                f"{shown}: tracker works with SQLite files and PostgreSQL servers, "
                f"not {clip(backend, 30)}"
            )
        if backend == "postgresql" and url.drivername not in {"postgresql", "postgresql+psycopg"}:
            raise DatabaseError(
                f"{shown}: tracker talks to PostgreSQL through psycopg 3; write the URL as "
                "postgresql://... or postgresql+psycopg://..."
            )
        if backend == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        _port_of(url, shown)
        return url.render_as_string(hide_password=False)
    path = Path(target).expanduser()
    return f"sqlite:///{path}"


def remove_sqlite_files(path: Path) -> None:
    """Remove an SQLite file and whatever SQLite keeps beside it (-wal, -shm, -journal)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL (None for other backends and in-memory databases)."""
    if url.startswith("sqlite:///") and "?" not in url:  # what make_url reads it as, unparsed
        name = url[len("sqlite:///"):]
        return Path(name) if name and name != ":memory:" else None
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def check_sqlite_file(path: Path) -> None:
    """Refuse, without writing anything, a file that is not an SQLite database."""
    if not path.exists():
        return
    if path.is_dir():
        raise NotATrackerDatabase(f"{path} is a directory, not a tracker database")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_MAGIC))
    if header and header != SQLITE_MAGIC:
        raise NotATrackerDatabase(f"{path} is not an SQLite database (it is some other kind of file)")


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Autocommit driver mode: the recorder issues BEGIN IMMEDIATE / COMMIT itself, so a second
    # writer waits at the start of its transaction instead of failing in the middle of it.
    # Nothing here writes to the file: a database that is then refused stays byte for byte as
    # it was (WAL is switched on by use_wal, once the database is accepted).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {lock_wait_seconds() * 1000}")
    cur.close()


def use_wal(engine: Engine) -> None:
    """Put an accepted SQLite log in WAL mode (readers never block the writer); it persists."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:  # SQLAlchemy's errors: what open_timeline translates
        _while_locked(lambda: _switch_to_wal(
            lambda sql: conn.exec_driver_sql(sql).scalar()))


def _wal(conn: sqlite3.Connection) -> None:
    """:func:`use_wal` with the driver alone."""
    _while_locked(lambda: _switch_to_wal(lambda sql: conn.execute(sql).fetchone()[0]))


def _switch_to_wal(query: Callable[[str], Any]) -> None:
    if query("PRAGMA journal_mode") not in ("wal", "memory"):
        query("PRAGMA journal_mode = WAL")


def _while_locked(action: Callable[[], None]) -> None:
    """Do ``action``, again while the database is locked, for as long as a writer waits for the
    lock (:func:`lock_wait_seconds`). The switch to WAL needs the database to itself, and SQLite
    refuses it at once, without the busy wait, while another connection reads or migrates it:
    several processes opening a new log at the same moment meet just that."""
    deadline = time.monotonic() + lock_wait_seconds()
    pause = 0.005
    while True:
        try:
            action()
            return
        except Exception as exc:  # sqlite3's, or SQLAlchemy's wrapping it
            if "database is locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def writable(path: Path) -> bool:
    """Whether this process may write the SQLite file at ``path`` and its folder (the -wal and
    -shm files live beside it); False on a read-only file system too."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _read_only_connect(path: Path) -> sqlite3.Connection:
    """A connection that never writes: ``mode=ro``; ``immutable=1`` where no -wal file can be
    there (a folder nobody can write: then no writer can be at work either), since SQLite needs
    to create the -shm file to read a WAL database otherwise."""
    flags = "mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-wal").exists():
        flags = "immutable=1"
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?{flags}"
    return sqlite3.connect(uri, uri=True, check_same_thread=False,
                           timeout=lock_wait_seconds())


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine for the URL with the settings the log relies on (WAL, busy timeout).

    ``read_only``: an SQLite file is opened so that nothing can be written (a log in a folder or
    on a file system this process cannot write can still be read)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            check_sqlite_file(path)
            if not path.parent.exists():
                raise DatabaseError(f"{path}: the folder {path.parent} does not exist")
        if read_only and path is not None:
            engine = sa.create_engine("sqlite://", creator=partial(_read_only_connect, path))
        else:
            engine = sa.create_engine(
                url, connect_args={"check_same_thread": False, "timeout": lock_wait_seconds()}
            )
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    lock_ms = lock_wait_seconds() * 1000
    connect_args: dict[str, Any] = {
        "connect_timeout": seconds_from_env(PG_TIMEOUT, 5),
        # a writer waiting for another session's lock gives up, as SQLite's busy timeout does
        "options": f"-c lock_timeout={lock_ms}",
    }
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)


class SQLiteFile:
    """Connections to an SQLite log, made as :func:`make_engine`'s engine makes them (the same
    arguments, the same settings on connect) and kept for reuse as its pool keeps them (each
    rolled back when given back), without SQLAlchemy: what the recorder reads through, for a
    command that only reads a log already at the newest schema (see :func:`open_sqlite_file`).
    What needs SQLAlchemy itself (a migration, a backup) asks :meth:`engine` for an engine."""

    class _Dialect:
        name = "sqlite"

    dialect = _Dialect()

    def __init__(self, path: Path, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self.url = f"sqlite:///{path}"
        self._idle: list[sqlite3.Connection] = []
        self._engine: Engine | None = None

    def __repr__(self) -> str:
        return f"SQLiteFile({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        conn = (_read_only_connect(self.path) if self.read_only else
                sqlite3.connect(str(self.path), check_same_thread=False,
                                timeout=lock_wait_seconds()))
        _on_sqlite_connect(conn, None)
        return conn

    def raw_connection(self) -> _PooledConnection:
        return _PooledConnection(self._idle.pop() if self._idle else self._connect(), self._idle)

    def engine(self) -> Engine:
        """An SQLAlchemy engine on the same file, made when first asked."""
        if self._engine is None:
            self._engine = make_engine(self.url, read_only=self.read_only)
        return self._engine

    def dispose(self) -> None:
        while self._idle:
            self._idle.pop().close()
        if self._engine is not None:
            self._engine.dispose()


class _PooledConnection:
    """A connection of :class:`SQLiteFile`: ``close`` rolls back what is open and gives it back."""

    __slots__ = ("_idle", "driver_connection")

    def __init__(self, conn: sqlite3.Connection, idle: list[sqlite3.Connection]) -> None:
        self.driver_connection = conn
        self._idle = idle

    def cursor(self) -> sqlite3.Cursor:
        return self.driver_connection.cursor()

    def commit(self) -> None:
        self.driver_connection.commit()

    def rollback(self) -> None:
        self.driver_connection.rollback()

    def close(self) -> None:
        try:
            self.driver_connection.rollback()
        except sqlite3.Error:
            self.driver_connection.close()
            return
        self._idle.append(self.driver_connection)


def open_sqlite_file(path: Path, read_only: bool, at_revision: str) -> SQLiteFile | None:
    """The log at ``path`` as a :class:`SQLiteFile`, if it is a tracker log at schema
    ``at_revision`` (put in WAL mode unless ``read_only``, as :func:`make_engine` and the
    migrations leave a log they accept); None for anything else, which the engine's way
    (SQLAlchemy, and the migrations) then opens, refuses or upgrades, as it always did."""
    check_sqlite_file(path)
    if not path.parent.exists():
        return None
    log = SQLiteFile(path, read_only)
    try:
        raw = log.raw_connection()
        try:
            conn = raw.driver_connection
            tables = {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = (conn.execute("SELECT version_num FROM alembic_version").fetchall()
                        if {"alembic_version", "events"} <= tables else [])
            at_head = len(revision) == 1 and str(revision[0][0]) == at_revision
            if at_head and not read_only:
                _wal(conn)
        finally:
            raw.close()
    except sqlite3.Error:
        at_head = False
    if not at_head:
        log.dispose()
        return None
    return log


def is_sqlalchemy_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one of SQLAlchemy's errors (none is, unless SQLAlchemy was imported)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


PG_TIMEOUT = "TRACKER_PG_TIMEOUT"
LOCK_TIMEOUT = "TRACKER_LOCK_TIMEOUT"


def seconds_from_env(name: str, default: int) -> int:
    """A whole number of seconds (1 to 86400) from the environment variable ``name``."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    if not text.strip().isdigit() or not 0 < int(text) <= 86_400:
        raise DatabaseError(
            f"{name} must be a whole number of seconds from 1 to 86400, not {clip(repr(text), 40)}")
    return int(text)


def lock_wait_seconds() -> int:
    """How long a writer waits for the log's lock before giving up (both backends):
    ``TRACKER_LOCK_TIMEOUT`` seconds, 30 by default."""
    return seconds_from_env(LOCK_TIMEOUT, BUSY_TIMEOUT_MS // 1000)
