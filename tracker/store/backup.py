"""Proving the log whole, and copying it: what ``tracker verify`` and ``tracker backup`` call.

A backup is an SQLite file holding the same rows, byte for byte, as the log at one moment, so it
verifies to the same head hash:

- from an SQLite log, SQLite's online backup API copies every page in one step inside one read
  snapshot; in WAL mode writers carry on meanwhile and none of their uncommitted work is copied;
- from a PostgreSQL log, the rows of one snapshot (a single ``SELECT``) are written as they are
  (positions, recorded times, bodies and hashes) into a new SQLite log made by the migrations.

The copy is written next to the destination under a temporary name, checked (it opens as a
tracker log and its hash chain verifies), then moved into place; an existing file is replaced
only when asked to.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import IntegrityFailure, InvalidInput
from tracker.store import migrate
from tracker.store.engine import make_engine, remove_sqlite_files, sqlite_path
from tracker.store.files import is_log_file, mode_of, temporary_beside
from tracker.store.recorder import COLUMNS, Recorder
from tracker.text import clip, visible

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

COPY_BATCH = 5000


@dataclass(frozen=True)
class Verdict:
    """What recomputing the hash chain found."""

    checked: int
    head_position: int
    head_hash: str
    first_bad: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def check_chain(recorder: Recorder, noted_head: str | None = None) -> Verdict:
    """Recompute the chain and say where and how it breaks.

    ``noted_head``: a head hash noted earlier (from ``tracker verify``, an export or a backup);
    the log must still hold it. Without one, entries removed from the very end of the log (and
    a log rewritten from some position on, hashes and all) go unnoticed: the chain alone can only
    show that each entry follows the one before it.
    """
    if noted_head is not None:
        noted_head = _head_hash(noted_head)
    checked, head_hash, bad, found = recorder.verify()
    if bad is not None:
        if found is not None and found < bad:
            problem = (f"an entry was inserted at position {found}, outside the chain (the "
                       "database holds a row that no append wrote)")
            bad = found
        elif found is None or found != bad:
            problem = (f"the entry at position {bad} is missing (deleted, or the entries after it "
                       "renumbered)")
        else:
            row = recorder.read_positions([bad]).get(bad)
            name = repr(row.id) if row is not None else f"at position {bad}"
            problem = (f"entry {name} does not match its hash (it was edited, or inserted or "
                       "moved there)")
        return Verdict(checked, checked, head_hash, bad, problem)
    if noted_head is not None and noted_head != head_hash:
        at = _position_of_hash(recorder, noted_head)
        if at is None:
            return Verdict(
                checked, checked, head_hash, checked + 1,
                f"the log no longer holds the noted head {noted_head[:12]}…: entries were removed "
                "from its end, or it was rewritten",
            )
    return Verdict(checked, checked, head_hash, None)


def _head_hash(text: str) -> str:
    """A head hash as a user typed it: 64 hexadecimal digits, in either case."""
    value = text.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise InvalidInput(
            f"--head: {clip(text)!r} is not a head hash (64 hexadecimal digits, as "
            "`tracker verify` prints it)"
        )
    return value


def _position_of_hash(recorder: Recorder, wanted: str) -> int | None:
    for row in recorder.read():
        if row.hash == wanted:
            return row.position
    return None


def require_whole(verdict: Verdict, where: str) -> None:
    """Raise :class:`IntegrityFailure` naming the first bad position, if there is one."""
    if verdict.ok:
        return
    raise IntegrityFailure(
        f"the log was altered at position {verdict.first_bad}: {verdict.problem} ({where})"
    )


# --------------------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupReport:
    dest: Path
    events: int
    head_hash: str
    method: str  # "sqlite-online-backup" or "row-copy"


def backup(engine: Engine, source_label: str, target: Path | str, *,
           force: bool = False) -> BackupReport:
    """Copy the log behind ``engine`` to the SQLite file ``target`` and prove the copy whole."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", str(target)):
        raise InvalidInput(f"{target}: a backup is an SQLite file; give a file path, not a URL")
    dest = Path(target).expanduser()
    source = sqlite_path(engine.url.render_as_string(hide_password=False)) or _source_path(engine)
    _check_destination(source, dest, force)
    try:
        tmp = temporary_beside(dest, "partial", mode_of(source))
    except OSError as exc:
        raise InvalidInput(f"{visible(str(dest))}: cannot be written ({exc.strerror})") from None
    try:
        if engine.dialect.name == "sqlite":
            _online_backup(engine, tmp)
            method = "sqlite-online-backup"
        else:
            _copy_rows(Recorder(engine), tmp)
            method = "row-copy"
        verdict = _check_copy(tmp)
        require_whole(verdict, f"{source_label} (copied to {dest})")
        if force:
            os.replace(tmp, dest)
        else:
            _move_without_replacing(tmp, dest)
    except OSError as exc:
        raise InvalidInput(f"{visible(str(dest))}: cannot be written ({exc.strerror})") from None
    except sqlite3.Error as exc:  # the copy, not the log: a full disk, say
        raise InvalidInput(f"{visible(str(dest))}: cannot be written ({exc})") from None
    finally:
        remove_sqlite_files(tmp)
    return BackupReport(dest, verdict.checked, verdict.head_hash, method)


def _move_without_replacing(tmp: Path, dest: Path) -> None:
    exists = InvalidInput(f"{visible(str(dest))} already exists; give --force to replace it")
    try:
        os.link(tmp, dest)  # atomic: never replaces a file that appeared meanwhile
    except FileExistsError:
        raise exists from None
    except OSError:  # a filesystem without hard links (FAT on a USB stick, some shares)
        if dest.exists():
            raise exists from None
        os.replace(tmp, dest)
    remove_sqlite_files(tmp)


def _source_path(engine: Engine) -> Path | None:
    """The file of an SQLite engine opened read-only (its URL names no file)."""
    if engine.dialect.name != "sqlite":
        return None
    raw = engine.raw_connection()
    try:
        rows = raw.driver_connection.execute("PRAGMA database_list").fetchall()  # type: ignore[union-attr]
    finally:
        raw.close()
    return Path(rows[0][2]) if rows and rows[0][2] else None


def _check_destination(source: Path | None, dest: Path, force: bool) -> None:
    shown = visible(str(dest))
    if dest.is_dir():
        raise InvalidInput(f"{shown} is a folder; give the backup a file name")
    if not dest.parent.exists():
        raise InvalidInput(f"{shown}: the folder {visible(str(dest.parent))} does not exist")
    if is_log_file(dest, source):
        raise InvalidInput(f"{shown} is the log itself or one of its files; back it up to "
                           "another file")
    if dest.exists() and not force:
        raise InvalidInput(f"{shown} already exists; give --force to replace it")
    for side in ("-wal", "-journal"):
        if Path(f"{dest}{side}").exists():  # replacing it would pair a new file with its journal
            raise InvalidInput(
                f"{shown} is in use, or was not closed cleanly ({visible(dest.name)}{side} is "
                "beside it); "
                "close it, or back up to another file"
            )


def _online_backup(engine: Engine, tmp: Path) -> None:
    raw = engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)  # all pages in one step: one consistent snapshot
            target.execute("PRAGMA journal_mode = DELETE")  # the copy is one self-contained file
        finally:
            target.close()
    finally:
        raw.close()


def _copy_rows(recorder: Recorder, tmp: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        migrate.prepare(engine, str(tmp))
    finally:
        engine.dispose()
    target = sqlite3.connect(tmp, isolation_level=None)
    try:
        target.execute("BEGIN IMMEDIATE")
        marks = ", ".join(["?"] * len(COLUMNS.split(",")))
        sql = f"INSERT INTO events ({COLUMNS}) VALUES ({marks})"
        batch: list[tuple[object, ...]] = []
        for row in recorder.read():  # one SELECT: one snapshot of the log
            batch.append(tuple(row))
            if len(batch) >= COPY_BATCH:
                target.executemany(sql, batch)
                batch.clear()
        target.executemany(sql, batch)
        target.execute("COMMIT")
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()


def _check_copy(tmp: Path) -> Verdict:
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        migrate.prepare(engine, str(tmp))  # it must open as a tracker log
        return check_chain(Recorder(engine))
    finally:
        engine.dispose()
        with _sqlite(tmp) as conn:  # back to one file, no -wal beside it
            conn.execute("PRAGMA journal_mode = DELETE")


@contextlib.contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()
