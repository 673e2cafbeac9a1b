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
from typing import IO, cast

import orjson

from tracker.codec.state_document import CrossItem, ItemRecord, write_document
from tracker.domain.fold import Query

#: Rows after the kept position beyond which the items are made again from the start rather
#: than looked up one by one (a bulk import: a replay reads the log in order, faster).
CATCH_UP_ROWS = 20_000

#: Each kind's items in their order: made after the items when they are made in bulk.
_ORDER_INDEX = "CREATE INDEX IF NOT EXISTS items_in_order ON items (kind, place)"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS basis (one INTEGER PRIMARY KEY CHECK (one = 1), "
    "code TEXT NOT NULL, through INTEGER NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS items (subject TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "place TEXT NOT NULL, entry BLOB, facts BLOB)",
    _ORDER_INDEX,
    # The whole state's document as an export writes it (compact), in parts, once written:
    # what the records make, as long as they are not changed.
    "CREATE TABLE IF NOT EXISTS document (part INTEGER PRIMARY KEY, data BLOB NOT NULL)",
)

#: The columns each table has (a file kept by a version that made other tables is made again).
_SHAPE = {"basis": "one, code, through, hash", "items": "subject, kind, place, entry, facts",
          "document": "part, data"}

#: The size of a part of the kept document.
PART_BYTES = 1 << 20


def code_version() -> str:
    """A digest of the tracker's code (any of it: the fold, the vocabulary, the codec, what
    reads the rows and writes the document) and of orjson's version: records made by other
    code are made again. A few milliseconds."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(orjson.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


class Records:
    """An open file of records, in one transaction until closed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        #: Whether :func:`bring_up_to_date` made them from the start (read every row).
        self.made_from_start = False

    def made(self) -> tuple[str, int, str] | None:
        """(code, through, hash) of what the file holds, None if it was never made."""
        row = self.conn.execute("SELECT code, through, hash FROM basis").fetchone()
        return (row[0], int(row[1]), row[2]) if row else None

    def clear(self) -> None:
        self.conn.execute("DELETE FROM items")
        self.conn.execute("DELETE FROM basis")
        self.conn.execute("DELETE FROM document")

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
        """Say the records are those of the log through this position (and no longer what
        the document kept was written from)."""
        self.conn.execute("INSERT OR REPLACE INTO basis VALUES (1, ?, ?, ?)",
                          (code, through, hash_))
        self.conn.execute("DELETE FROM document")

    def write_whole(self, out: IO[bytes]) -> None:
        """Write the whole state's document, compact (:meth:`write` of every event the records
        were made through, with no question), from the parts kept of it when it was last
        written, or written from the records and kept."""
        cur = self.conn.execute("SELECT data FROM document ORDER BY part")
        kept = False
        while chunk := cur.fetchmany(16):
            for (data,) in chunk:
                out.write(data)
            kept = True
        if kept:
            return
        made = self.made()
        parts = _Parts(self.conn, out)
        self.write(cast(IO[bytes], parts), made[1] if made is not None else 0)
        parts.flush()

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


class _Parts:
    """A writer that writes to ``out`` and keeps what it writes as the document's parts, of
    :data:`PART_BYTES` each but the last (read back a part at a time: memory stays flat)."""

    def __init__(self, conn: sqlite3.Connection, out: IO[bytes]) -> None:
        self.conn, self.out = conn, out
        self.held = b""
        self.part = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        held = self.held + data if self.held else data
        size = PART_BYTES
        while len(held) >= size:
            self._keep(held[:size])
            held = held[size:]
        self.held = held
        return len(data)

    def flush(self) -> None:
        if self.held:
            self._keep(self.held)
            self.held = b""

    def _keep(self, data: bytes) -> None:
        self.part += 1
        self.conn.execute("INSERT INTO document VALUES (?, ?)", (self.part, data))


#: How long to wait for another process's use of the kept file before using a temporary one.
WAIT_SECONDS = 5.0


def _begin(conn: sqlite3.Connection, *, temporary: bool = False) -> None:
    # A copy of what the log says: a crash loses at most the last update, which the kept
    # position then says was never made.
    conn.execute("PRAGMA synchronous=OFF")
    if temporary:
        conn.execute("PRAGMA journal_mode=OFF")
    # Held until the document is written: no other process moves the records on meanwhile.
    conn.execute("BEGIN IMMEDIATE")
    for statement in _SCHEMA:
        conn.execute(statement)


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
            conn = sqlite3.connect(Path(folder) / "records.sqlite", isolation_level=None)
            _begin(conn, temporary=True)
        stack.callback(conn.close)
        try:
            yield Records(conn)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _open_kept(path: Path) -> sqlite3.Connection | None:
    for _attempt in range(2):
        conn = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=WAIT_SECONDS)
            _begin(conn)
            for table, columns in _SHAPE.items():  # a file of another shape: made again
                conn.execute(f"SELECT {columns} FROM {table} LIMIT 0")
            return conn
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                return None  # in use for longer than we wait
            _remove(path)  # not one of these files: made again
        except sqlite3.DatabaseError:  # not a database
            if conn is not None:
                conn.close()
            _remove(path)
        except OSError:
            if conn is not None:
                conn.close()
            return None
    return None


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


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
    # made in bulk: the order index is built once, at the end, not kept up to date per row
    records.conn.execute("DROP INDEX IF EXISTS items_in_order")
    records.put(every_item(until))
    records.conn.execute(_ORDER_INDEX)
    records.mark(code, until, head_hash)
    return True
