"""Engines for the two backends: an SQLite file (the default) and a PostgreSQL server."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from tracker.errors import DatabaseError, NotATrackerDatabase

BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"


def database_url(target: str) -> str:
    """A SQLAlchemy URL from what a user typed: a URL, or a path to an SQLite file."""
    if "://" in target:
        try:
            url = make_url(target)
        except ArgumentError:
            raise DatabaseError(f"{target!r} is not a database URL or path") from None
        backend = url.get_backend_name()
        if backend not in {"sqlite", "postgresql"}:
            raise DatabaseError(
                f"{target!r}: tracker works with SQLite files and PostgreSQL servers, not {backend}"
            )
        if backend == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    path = Path(target).expanduser()
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL (None for other backends and in-memory databases)."""
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
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.close()


def use_wal(engine: Engine) -> None:
    """Put an accepted SQLite log in WAL mode (readers never block the writer); it persists."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        if mode not in ("wal", "memory"):
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")


def make_engine(url: str) -> Engine:
    """An engine for the URL with the settings the log relies on (WAL, busy timeout)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            check_sqlite_file(path)
            if not path.parent.exists():
                raise DatabaseError(f"{path}: the folder {path.parent} does not exist")
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": int(os.environ.get("TRACKER_PG_TIMEOUT", "5"))}
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
