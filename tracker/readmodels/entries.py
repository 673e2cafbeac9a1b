"""The state's entries, kept: each item's record of the state document (its entry and what it
adds across items: :class:`tracker.codec.state_document.ItemRecord`) in an SQLite file, with
what all of them say across items (:class:`tracker.codec.state_document.CrossItem`) and each
entry as the document shows it, so that a whole state (``tracker state --json``, an export's
state) is written by reading them rather than by replaying the log; and the export's events as
it last wrote them.

An item's record depends on its own events only, an event's export on its row alone, and a log
only grows, its hash chain saying whether it still holds the rows a file was made from. So the
file keeps the position it was made through, that row's hash and the version of the code that
made it: brought up to date, it makes again just the items that later rows touched (and the
entries whose links or conditions they change), and an export writes the events kept and then
those of later rows; made by other code, through a row the log no longer holds (another log at
the same place), or unreadable, it is made again from the start. A file that cannot be written
is replaced by a temporary one (the same work as a replay, nothing kept): what is written never
depends on what was kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from tracker.codec.state_document import (
    SECTIONS,
    CrossItem,
    ItemRecord,
    StateParts,
    final_entry,
    link_of,
    write_document,
)
from tracker.domain.fold import LinkFacts, Query, links_of
from tracker.readmodels import links

#: Rows after the kept position beyond which the items are made again from the start rather
#: than looked up one by one (a bulk import: a replay reads the log in order, faster).
CATCH_UP_ROWS = 20_000

#: Each kind's items in their order: made after the items when they are made in bulk.
_ORDER_INDEX = "CREATE INDEX IF NOT EXISTS items_in_order ON items (kind, place)"

_SCHEMA = (
    # ``events_through``, ``events_written``: the export's events kept (see ``events``): through
    # which position, how many
    "CREATE TABLE IF NOT EXISTS basis (one INTEGER PRIMARY KEY CHECK (one = 1), "
    "code TEXT NOT NULL, through INTEGER NOT NULL, hash TEXT NOT NULL, "
    "events_through INTEGER NOT NULL, events_written INTEGER NOT NULL)",
    # ``final``: the entry with what it gains from other items (see ``final_entry``), where
    # it gains any
    "CREATE TABLE IF NOT EXISTS items (subject TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "place TEXT NOT NULL, entry BLOB, facts BLOB, status TEXT NOT NULL, final BLOB)",
    _ORDER_INDEX,
    # What the items' facts say across items (``CrossItem.to_json``), as JSON.
    "CREATE TABLE IF NOT EXISTS cross_item (one INTEGER PRIMARY KEY CHECK (one = 1), "
    "data BLOB NOT NULL)",
    # The export's events as it writes them, in parts: an event's is made from its row alone,
    # and a log only grows, so an export writes those kept and then those of the rows since.
    "CREATE TABLE IF NOT EXISTS events (part INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    *links.SCHEMA,
)

#: The columns each table has (a file kept by a version that made other tables is made again).
_SHAPE = {"basis": "one, code, through, hash, events_through, events_written",
          "items": "subject, kind, place, entry, facts, status, final",
          "cross_item": "one, data", "events": "part, data", **links.SHAPE}

#: The size of a part of the events kept.
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
        self._cross: CrossItem | None = None  # as last kept in this transaction

    def made(self) -> tuple[str, int, str] | None:
        """(code, through, hash) of what the file holds, None if it was never made."""
        row = self.conn.execute("SELECT code, through, hash FROM basis").fetchone()
        return (row[0], int(row[1]), row[2]) if row else None

    def keep(self) -> None:
        """Keep what was made so far, whatever becomes of the rest of the transaction."""
        self.conn.commit()

    def clear(self) -> None:
        for table in _SHAPE:
            self.conn.execute(f"DELETE FROM {table}")
        self._cross = None

    def make(self, records: Iterable[ItemRecord]) -> None:
        """Keep these records, every item's, in place of any kept."""
        self.clear()
        # made in bulk: the order index is built once, at the end, not kept up to date per row
        self.conn.execute("DROP INDEX IF EXISTS items_in_order")
        cross, loads = CrossItem(), orjson.loads
        take = cross.take
        linkable: list[LinkFacts] = []

        def taken() -> Iterator[ItemRecord]:
            for record in records:
                if record.facts is not None:
                    facts = loads(record.facts)
                    take(facts)
                    if (link := link_of(facts)) is not None:
                        linkable.append(link)
                yield record

        self._put(taken())
        self.conn.execute(_ORDER_INDEX)
        linked = links_of(linkable)
        links.keep(self.conn, linkable, linked)
        linkable.clear()  # what the links were made from: not held while the rest is written
        self._finish(cross, linked, linked.keys() | cross.gates.keys())

    def update(self, records: Iterable[ItemRecord]) -> None:
        """Keep these records of items changed, in place of those kept of them: what they
        said across items is given back and what they say now taken, and the entries of the
        items that gain or lose a link or a condition by it made again."""
        loads = orjson.loads
        changed = list(records)
        cross = self.cross()
        before = [loads(facts) for facts in self._column("facts", [r.subject for r in changed])
                  if facts is not None]
        after = [loads(r.facts) for r in changed if r.facts is not None]
        affected = {r.subject for r in changed}
        for facts in before:
            cross.drop(facts)
        for facts in after:
            cross.take(facts)
        for facts in (*before, *after):
            if facts[0] is not None:
                affected.update(facts[0][0])  # the items a demand gates, before and after
        self._put(changed)
        gains = links.relink(
            self.conn, {f.subject: f for f in map(link_of, before) if f is not None},
            {f.subject: f for f in map(link_of, after) if f is not None}, self._links_of)
        affected.update(gains)
        self._finish(cross, self._gains(affected), affected)

    def _links_of(self, subjects: Iterable[str]) -> Iterator[LinkFacts]:
        """What ties each of these items to others, from the facts kept."""
        for facts in self._column("facts", list(subjects)):
            if facts is not None and (link := link_of(orjson.loads(facts))) is not None:
                yield link

    def _gains(self, subjects: Iterable[str]) -> dict[str, dict[str, Any]]:
        """What each of these items gains from what it is tied to, as kept."""
        subjects = list(subjects)
        found = self._column("extras", subjects, table="linked")
        return {s: orjson.loads(extras) for s, extras in zip(subjects, found, strict=True)
                if extras is not None}

    def _put(self, records: Iterable[ItemRecord], batch: int = 2000) -> None:
        """Keep these records (their entries as they are), replacing any of the same items."""
        execute = self.conn.executemany
        chunk: list[ItemRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, NULL)", chunk)
                chunk = []
        if chunk:
            execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, NULL)", chunk)

    def _finish(self, cross: CrossItem, linked: dict[str, dict[str, Any]],
                subjects: Iterable[str]) -> None:
        """The entries of these items made whole (see ``final_entry``), and ``cross`` kept."""
        subjects = list(subjects)
        finals = [(final_entry(entry, linked.get(subject), cross.conditions(subject)), subject)
                  for subject, entry in zip(subjects, self._column("entry", subjects),
                                            strict=True) if entry is not None]
        self.conn.executemany("UPDATE items SET final = ? WHERE subject = ?", finals)
        self.conn.execute("INSERT OR REPLACE INTO cross_item VALUES (1, ?)",
                          (orjson.dumps(cross.to_json()),))
        self._cross = cross

    def _column(self, column: str, subjects: list[str], table: str = "items") -> list[Any]:
        """This column of the items named, in their order (None for an item not kept)."""
        found: dict[str, Any] = dict(links.rows(
            self.conn, f"SELECT subject, {column} FROM {table} WHERE subject IN ({{}})",
            subjects))
        return [found.get(subject) for subject in subjects]

    def cross(self) -> CrossItem:
        """What the items kept say across items (read once: the one just kept is at hand)."""
        if self._cross is None:
            row = self.conn.execute("SELECT data FROM cross_item").fetchone()
            self._cross = CrossItem.from_json(orjson.loads(row[0])) if row else CrossItem()
        return self._cross

    def mark(self, code: str, through: int, hash_: str) -> None:
        """Say the records are those of the log through this position (the export's events
        kept stay as they were: rows are never changed)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO basis VALUES (1, ?, ?, ?, "
            "coalesce((SELECT events_through FROM basis), 0), "
            "coalesce((SELECT events_written FROM basis), 0))", (code, through, hash_))

    def write_whole(self, out: IO[bytes]) -> None:
        """Write the whole state's document, compact (:meth:`write` of every event the records
        were made through, with no question)."""
        made = self.made()
        self.write(out, made[1] if made is not None else 0)

    def events_kept(self) -> tuple[int, int]:
        """(through which position, how many) the export's events are kept."""
        row = self.conn.execute("SELECT events_through, events_written FROM basis").fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def write_events(self, out: IO[bytes]) -> tuple[int, int]:
        """Write the export's events kept; returns :meth:`events_kept`."""
        cur = self.conn.execute("SELECT data FROM events ORDER BY part")
        while chunk := cur.fetchmany(16):
            for (data,) in chunk:
                out.write(data)
        return self.events_kept()

    def keeping_events(self, out: IO[bytes]) -> _Parts:
        """A writer of the export's events after those kept: what it writes goes to ``out``
        and is kept after them (:meth:`mark_events` says through where, once flushed)."""
        return _Parts(self.conn, out)

    def mark_events(self, through: int, written: int) -> None:
        self.conn.execute("UPDATE basis SET events_through = ?, events_written = ?",
                          (through, written))

    def write(self, out: IO[bytes], size: int, query: Query | None = None, *,
              indent: bool = False) -> None:
        """Write the state document of the records kept (see
        :func:`tracker.codec.state_document.write_document`)."""
        write_document(out, size, query, self.cross(), self._entries_of, indent=indent)

    def parts(self, size: int) -> StateParts:
        """The state document of the records kept (of ``size`` events), in parts: each
        section's entries are read as they are asked for, a few thousand at a time."""
        counts = dict(self.conn.execute(
            "SELECT kind, count(*) FROM items WHERE entry IS NOT NULL GROUP BY kind"))
        widest = self.conn.execute(
            "SELECT max(length(status)) FROM items WHERE entry IS NOT NULL").fetchone()[0]
        loads = orjson.loads

        def items_of(kind: str) -> Callable[[], Iterator[dict[str, Any]]]:
            return lambda: map(loads, self._entries_of(kind))

        return StateParts(size, widest or 0, [
            (section, counts.get(kind, 0), items_of(kind)) for kind, section in SECTIONS.items()],
            self.cross().actors.entries())

    def _entries_of(self, kind: str) -> Iterator[bytes]:
        """The entries of a kind's items, whole, in their order."""
        cur = self.conn.execute("SELECT coalesce(final, entry) FROM items WHERE kind = ? "
                                "AND entry IS NOT NULL ORDER BY place", (kind,))
        while chunk := cur.fetchmany(5000):
            for (data,) in chunk:
                yield data


class _Parts:
    """A writer that writes to ``out`` and keeps what it writes as the events' parts, after
    those kept, of :data:`PART_BYTES` each but the last (read back a part at a time: memory
    stays flat). A last part kept short is taken up again and filled."""

    def __init__(self, conn: sqlite3.Connection, out: IO[bytes]) -> None:
        self.conn, self.out = conn, out
        self.held = b""
        self.part: int | None = None

    def write(self, data: bytes) -> int:
        self.out.write(data)
        if self.part is None:  # at the first write: the parts may have been made again since
            self._take_up_last()
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

    def _take_up_last(self) -> None:
        row = self.conn.execute("SELECT part, data FROM events ORDER BY part DESC LIMIT 1"
                                ).fetchone()
        self.part = row[0] if row else 0
        if row and len(row[1]) < PART_BYTES:
            self.conn.execute("DELETE FROM events WHERE part = ?", (row[0],))
            self.part, self.held = row[0] - 1, row[1]

    def _keep(self, data: bytes) -> None:
        assert self.part is not None
        self.part += 1
        self.conn.execute("INSERT INTO events VALUES (?, ?)", (self.part, data))


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
                records.update(items_of(changed_subjects(through, until), until))
                records.mark(code, until, head_hash)
            return False
    records.make(every_item(until))
    records.mark(code, until, head_hash)
    return True
