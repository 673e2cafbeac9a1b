"""The state's entries, kept: each item's record of the state document (its entry and what it
adds across items: :class:`tracker.codec.state_document.ItemRecord`) in an SQLite file, so that
a whole state (``tracker state --json``, an export's state) is written by reading them rather
than by replaying the log.

An item's record depends on its own events only, and a log only grows, its hash chain saying
whether it still holds the rows a file was made from. So the file keeps the position it was
made through, that row's hash and the version of the code that made it: brought up to date, it
makes again just the items that later rows touched; made by other code, through a row the log
no longer holds (another log at the same place), or unreadable, it is made again from the
start. A file that cannot be written is replaced by a temporary one (the same work as a replay,
nothing kept): what is written never depends on what was kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

from tracker.codec.state_document import CrossItem, ItemRecord, write_document
from tracker.domain.fold import Query

#: Rows after the kept position beyond which the items are made again from the start rather
#: than looked up one by one (a bulk import: a replay reads the log in order, faster).
CATCH_UP_ROWS = 20_000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS made (one INTEGER PRIMARY KEY CHECK (one = 1), "
    "code TEXT NOT NULL, through INTEGER NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS items (subject TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "place TEXT NOT NULL, entry BLOB, facts BLOB)",
    "CREATE INDEX IF NOT EXISTS items_in_order ON items (kind, place)",
)


def code_version() -> str:
    """A digest of the code that makes records (the fold, the vocabulary, the codec, this
    module) and of orjson's version: records made by other code are made again."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(orjson.__version__.encode())
    for folder in ("domain", "codec"):
        for path in sorted((root / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:32]


class Records:
    """An open file of records, in one transaction until closed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        #: Whether :func:`bring_up_to_date` made them from the start (read every row).
        self.made_from_start = False

    def made(self) -> tuple[str, int, str] | None:
        """(code, through, hash) of what the file holds, None if it was never made."""
        row = self.conn.execute("SELECT code, through, hash FROM made").fetchone()
        return (row[0], int(row[1]), row[2]) if row else None

    def clear(self) -> None:
        self.conn.execute("DELETE FROM items")
        self.conn.execute("DELETE FROM made")

    def put(self, records: Iterable[ItemRecord], batch: int = 2000) -> None:
        """Keep these records, replacing any of the same items."""
        execute = self.conn.executemany
        chunk: list[ItemRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)", chunk)
                chunk = []
        if chunk:
            execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?)", chunk)

    def mark(self, code: str, through: int, hash_: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO made VALUES (1, ?, ?, ?)",
                          (code, through, hash_))

    def write(self, out: IO[bytes], size: int, query: Query | None = None, *,
              indent: bool = False) -> None:
        """Write the state document of the records kept (see
        :func:`tracker.codec.state_document.write_document`)."""
        cross, loads = CrossItem(), orjson.loads
        take = cross.take
        cur = self.conn.execute("SELECT facts FROM items WHERE facts IS NOT NULL")
        while chunk := cur.fetchmany(5000):
            for (facts,) in chunk:
                take(loads(facts))

        def entries_of(kind: str) -> Iterator[tuple[str, bytes]]:
            cur = self.conn.execute("SELECT subject, entry FROM items WHERE kind = ? "
                                    "AND entry IS NOT NULL ORDER BY place", (kind,))
            while chunk := cur.fetchmany(5000):
                yield from chunk

        write_document(out, size, query, cross, entries_of, indent=indent)


#: How long to wait for another process's use of the kept file before using a temporary one.
WAIT_SECONDS = 5.0


def _connect(path: Path, *, temporary: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=WAIT_SECONDS)
    # A copy of what the log says: a crash loses at most the last update, which the kept
    # position then says was never made.
    conn.execute("PRAGMA synchronous=OFF")
    if temporary:
        conn.execute("PRAGMA journal_mode=OFF")
    # Held until the document is written: no other process moves the records on meanwhile.
    conn.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA:
        conn.execute(statement)
    return conn


@contextlib.contextmanager
def opened(path: Path | None) -> Iterator[Records]:
    """The records kept at ``path`` (made if missing, made again if unreadable), in one
    transaction committed when the block ends without an error; ``path`` None, or a file that
    cannot be opened for writing: a temporary file, removed at the end."""
    with contextlib.ExitStack() as stack:
        conn = None
        if path is not None:
            conn = _open_kept(path)
        if conn is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="tracker-state-"))
            conn = _connect(Path(folder) / "records.sqlite", temporary=True)
        stack.callback(conn.close)
        try:
            yield Records(conn)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _open_kept(path: Path) -> sqlite3.Connection | None:
    for _attempt in range(2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = _connect(path)
            conn.execute("SELECT count(*) FROM made").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:  # not a database, or not one of these
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                return None
            with contextlib.suppress(OSError):
                for suffix in ("", "-journal", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError:
            return None
    return None


def bring_up_to_date(
    records: Records, head: tuple[int, str], *,
    hash_at: Callable[[int], str | None],
    changed_subjects: Callable[[int, int], set[str]],
    items_of: Callable[[set[str], int], Iterable[ItemRecord]],
    every_item: Callable[[int], Iterable[ItemRecord]],
    code: str | None = None,
) -> bool:
    """Make ``records`` those of the log up to ``head`` (position, hash); returns True if they
    were made from the start (by ``every_item(until)``, which reads every row up to there),
    False if those kept were current or were brought up to date (the items that
    ``changed_subjects(after, until)`` names, made again by ``items_of(subjects, until)``).
    ``hash_at(position)``: the log's hash there (None if it holds no such row)."""
    code = code or code_version()
    until, head_hash = head
    made = records.made()
    if made is not None:
        made_code, through, through_hash = made
        if (made_code == code and through <= until and until - through <= CATCH_UP_ROWS
                and (through == 0 or hash_at(through) == through_hash)):
            if through < until:
                records.put(items_of(changed_subjects(through, until), until))
                records.mark(code, until, head_hash)
            return False
    records.clear()
    records.put(every_item(until))
    records.mark(code, until, head_hash)
    return True
