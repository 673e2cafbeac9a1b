"""The recorder: appends rows and reads rows. It knows nothing of what an event means.

Every append is one transaction that takes the log's write lock first (SQLite ``BEGIN
IMMEDIATE``; PostgreSQL ``LOCK TABLE ... EXCLUSIVE``), so positions are total, gap-free and in
commit order, and each row's hash chains to the row before it.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from operator import le
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.errors import AppendConflict, DatabaseError
from tracker.store.engine import LOCK_TIMEOUT, lock_wait_seconds
from tracker.store.row import Row
from tracker.text import clip, mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.store.engine import SQLiteFile

GENESIS_HASH = "0" * 64
COLUMNS = (
    "position, id, type, schema_version, subject, story_earliest, story_latest, published, "
    "recorded_at, body, hash"
)
NewRow = tuple[str, str, int, str | None, str | None, str | None, str, str]
"""id, type, schema_version, subject, story_earliest, story_latest, published, body."""

READ_BATCH = 5000
_SEPARATOR = "\x1f"  # char(31): what the columnar reads join values with

#: On SQLite, each reference of a row ``e`` (``r``: its [relation, id] pair) with the row ``t``
#: it names: what both reads of references select from.
_SQLITE_REFERENCES = ("events AS e, json_each(e.body, '$.refs') AS r "
                      "JOIN events AS t ON t.id = r.value ->> 1")

_new = tuple.__new__  # Row(*fields) without the keyword-aware constructor

Lookup = Callable[[Iterable[str]], dict[str, Row]]
"""Rows by id, looked up inside an append's transaction."""


def chain_hash(prev: str, position: int, new: NewRow, recorded_at: str) -> str:
    """The hash of one row: its content and its predecessor's hash."""
    id_, type_, version, subject, earliest, latest, published, body = new
    text = "\x1f".join(
        (prev, str(position), id_, type_, str(version), subject or "", earliest or "",
         latest or "", published, recorded_at, body)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Recorder:
    """Row-level access to the ``events`` table of one database."""

    def __init__(self, engine: Engine | SQLiteFile) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._param = "?" if self.dialect == "sqlite" else "%s"

    # -- connections -------------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        conn = self.engine.raw_connection()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """One write transaction holding the log's lock."""
        with self._connection() as conn:
            cur = conn.cursor()
            began = False
            try:
                if self.dialect == "sqlite":
                    cur.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout for the lock
                    began = True
                else:
                    began = True
                    cur.execute("LOCK TABLE events IN EXCLUSIVE MODE")  # up to lock_timeout
                yield cur
            except BaseException:
                if began:  # a failed rollback (a lost connection) must not hide why it failed
                    with contextlib.suppress(Exception):
                        conn.rollback() if self.dialect != "sqlite" else cur.execute("ROLLBACK")
                raise
            else:
                conn.commit() if self.dialect != "sqlite" else cur.execute("COMMIT")
            finally:
                cur.close()

    # -- writing -----------------------------------------------------------------------------

    def append(
        self,
        rows: Sequence[NewRow],
        expected_position: int | None = None,
        check: Any = None,
        whole: bool = True,
    ) -> list[Row]:
        """Append rows in one transaction; return them as stored.

        ``expected_position``: fail with :class:`AppendConflict` unless the log is still at that
        position. ``check(cursor_reader)``: called inside the transaction, under the lock, with a
        function that looks up rows by id, so callers can validate against the log as it is now.
        ``whole``: first check, under the lock, that the log is whole at its tail (see
        :meth:`tail_check`); raise :class:`LogAltered` if not, appending nothing.
        """
        stored: list[Row] = []

        def chunks(lookup: Lookup) -> Iterator[Sequence[NewRow]]:
            yield check(lookup) if check is not None else rows

        self.append_chunks(chunks, expected_position, stored.extend, whole)
        return stored

    def append_chunks(
        self,
        chunks: Callable[[Lookup], Iterable[Sequence[NewRow]]],
        expected_position: int | None = None,
        keep: Callable[[list[Row]], Any] | None = None,
        whole: bool = True,
    ) -> tuple[int, int]:
        """Append the rows of every chunk in one transaction (all or nothing); returns the
        positions (first, last) they were given ((n + 1, n): none).

        ``chunks(lookup)`` yields the rows a chunk at a time, under the lock, ``lookup`` finding
        rows by id in the log as it is now (the chunks appended before included), so that a large
        input is checked and written a chunk at a time. ``keep`` sees each chunk as stored.
        ``whole``: as for :meth:`append`.
        """
        with self._write() as cur:
            if whole:
                cur.execute("SELECT count(*), min(position), max(position) FROM events")
                count, low, high = cur.fetchone()
                broken = self._tail(cur, int(count), low, high)
                if broken is not None:
                    raise LogAltered(broken)
            cur.execute(
                "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
            )
            last = cur.fetchone()
            position, prev = (int(last[0]), last[1]) if last else (0, GENESIS_HASH)
            first = position + 1
            if expected_position is not None and position != expected_position:
                raise AppendConflict(
                    f"the log is at position {position}, not {expected_position}: "
                    "someone else appended meanwhile; look again and retry"
                )
            recorded_at: str | None = None
            p = self._param
            insert = f"INSERT INTO events ({COLUMNS}) VALUES ({', '.join([p] * 11)})"
            for rows in chunks(lambda ids: self._lookup(cur, ids)):
                if not rows:
                    continue
                if recorded_at is None:
                    # Recorded time never goes backwards along the log, even if the clock does.
                    recorded_at = max(utc_now(), last[2]) if last else utc_now()
                stored: list[Row] = []
                for new in rows:
                    position += 1
                    prev = chain_hash(prev, position, new, recorded_at)
                    stored.append(_new(Row, (position, *new[:7], recorded_at, new[7], prev)))
                cur.executemany(insert, stored)
                if keep is not None:
                    keep(stored)
            return first, position

    # -- reading -----------------------------------------------------------------------------

    def _head(self, cur: Any) -> tuple[int, str]:
        cur.execute("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        row = cur.fetchone()
        return (int(row[0]), row[1]) if row else (0, GENESIS_HASH)

    def head(self) -> tuple[int, str]:
        """The last position and its hash ((0, genesis) for an empty log)."""
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                return self._head(cur)
            finally:
                cur.close()
                conn.rollback()

    def count(self) -> int:
        return self.head()[0]

    def _lookup(self, cur: Any, ids: Iterable[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join([self._param] * len(chunk))
            cur.execute(f"SELECT {COLUMNS} FROM events WHERE id IN ({marks})", chunk)
            for r in cur.fetchall():
                found[r[1]] = Row(*r)
        return found

    def lookup(self, ids: Iterable[str]) -> dict[str, Row]:
        """The stored rows with these ids (those that exist)."""
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                return self._lookup(cur, ids)
            finally:
                cur.close()
                conn.rollback()

    def read(
        self, after: int | None = 0, until: int | None = None, batch: int = READ_BATCH
    ) -> Iterator[Row]:
        """Rows in log order with ``after < position <= until``, read in one snapshot
        (``after=None``: every row up to ``until``, whatever its position)."""
        new = tuple.__new__  # Row(*r) without the keyword-aware constructor
        for r in self._select(f"SELECT {COLUMNS} FROM events", after, until, batch):
            yield new(Row, r)

    def read_batches(self, after: int | None = 0, until: int | None = None,
                     batch: int = READ_BATCH) -> Iterator[list[tuple[Any, ...]]]:
        """What :meth:`read` gives, a batch at a time, each row a plain tuple of the columns
        of a :class:`Row` (for a reader that handles each row alike: an export)."""
        return self._select_batches(f"SELECT {COLUMNS} FROM events", after, until, batch)

    def read_subjects(self, subjects: Iterable[str], chunk: int = 10_000) -> list[Row]:
        """The rows whose subject is one of these (or, for rows stored without one, whose id
        is), in log order: every event of those items."""
        wanted = list(dict.fromkeys(subjects))
        found: dict[int, Row] = {}
        new = tuple.__new__
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                for start in range(0, len(wanted), chunk):
                    part = wanted[start:start + chunk]
                    marks = ", ".join([self._param] * len(part))
                    cur.execute(f"SELECT {COLUMNS} FROM events WHERE subject IN ({marks}) "
                                f"OR (subject IS NULL AND id IN ({marks}))", part + part)
                    for r in cur.fetchall():
                        found[r[0]] = new(Row, r)
            finally:
                cur.close()
                conn.rollback()
        return [found[p] for p in sorted(found)]

    def read_subject_names(self) -> list[str]:
        """Each subject the rows name other than their own id, once, sorted."""
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                cur.execute("SELECT DISTINCT subject FROM events WHERE subject IS NOT NULL "
                            "AND subject <> id ORDER BY subject")
                return [r[0] for r in cur.fetchall()]
            finally:
                cur.close()
                conn.rollback()

    def read_last_positions(self, until: int) -> Iterator[int]:
        """The position of the last row of each subject (a row stored without one is its own
        subject, by its id) among the rows up to ``until``, in no particular order: where a
        reader of the rows in log order has seen every row of that subject."""
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                cur.execute("SELECT max(position) FROM events WHERE position <= "
                            f"{self._param} GROUP BY coalesce(subject, id)", [until])
                while True:
                    chunk = cur.fetchmany(READ_BATCH)
                    if not chunk:
                        break
                    for (position,) in chunk:
                        yield int(position)
            finally:
                cur.close()
                conn.rollback()

    def read_times(self, after: int = 0, until: int | None = None
                   ) -> Iterator[tuple[int, str | None, str, str]]:
        """(position, story_latest, published, recorded_at) of the rows with ``after < position
        <= until``, in log order: the columns that decide which rows a view admits."""
        yield from self._select(
            "SELECT position, story_latest, published, recorded_at FROM events", after, until)

    def read_references(self, after: int = 0, until: int | None = None
                        ) -> Iterator[tuple[int, str, int]]:
        """(position, relation, referenced position) for every reference of the rows with
        ``after < position <= until``, in log order.

        The one place the store looks inside a body: its ``refs`` list of [relation, id] pairs
        are links between rows, resolved to positions through the unique index on ``id`` by the
        database itself (a reference always names an earlier row).
        """
        if self.dialect == "sqlite":
            sql = f"SELECT e.position, r.value ->> 0, t.position FROM {_SQLITE_REFERENCES}"
        else:
            sql = ("SELECT e.position, r.value ->> 0, t.position FROM events AS e "
                   "CROSS JOIN LATERAL jsonb_array_elements("
                   "CASE WHEN strpos(e.body, '\"refs\"') > 0 THEN e.body::jsonb -> 'refs' END"
                   ") AS r(value) JOIN events AS t ON t.id = r.value ->> 1")
        yield from self._select(sql, after, until, alias="e.")

    def read_outline_run(self, after: int, until: int) -> tuple[list[str], list[str]]:
        """The narrow columns a listing of the whole log needs, of the rows with ``after <
        position <= until``, in log order: the story dates as ``earliest/latest`` ('' for an
        open one), and the type. On SQLite each column comes back as one string, split here: a
        run of rows is two strings, not a tuple per row."""
        dates, types = self._column_run(
            ("coalesce(story_earliest, '') || '/' || coalesce(story_latest, '')", "type"),
            "events", "position", after, until)
        return dates, types

    def read_reference_run(self, after: int, until: int
                           ) -> tuple[list[int], list[str], list[int]]:
        """What :meth:`read_references` reads of the rows with ``after < position <= until``,
        as columns in log order: [position], [relation], [referenced position] (see
        :meth:`read_outline_run`)."""
        if self.dialect == "sqlite":
            positions, relations, targets = self._column_run(
                ("e.position", "coalesce(r.value ->> 0, '')", "t.position"),
                _SQLITE_REFERENCES, "e.position", after, until)
            sources = list(map(int, positions))
            if all(map(le, sources, islice(sources, 1, None))):
                return sources, relations, list(map(int, targets))
            # else the aggregate did not take the rows in log order: read them one by one
        rows = list(self.read_references(after, until))
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def _column_run(self, columns: Sequence[str], source: str, position: str, after: int,
                    until: int) -> list[list[str]]:
        """The text of ``columns`` (none of them NULL) of ``source`` where ``after < position
        <= until``, one list per column, in order of ``position``."""
        p = self._param
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                if self.dialect == "sqlite":
                    # one string per column, in order: an aggregate's ORDER BY where SQLite has
                    # it (3.44); before, an aggregate takes the rows as the scan of the
                    # position range visits them, in order (an ordered subquery would copy each)
                    from sqlite3 import sqlite_version_info

                    within = f" ORDER BY {position}" if sqlite_version_info >= (3, 44) else ""
                    concat = ", ".join(f"group_concat({c}, char(31){within})" for c in columns)
                    cur.execute(f"SELECT count(*), {concat} FROM {source} "
                                f"WHERE {position} > ? AND {position} <= ?", (after, until))
                    count, *texts = cur.fetchone()
                    split = [t.split(_SEPARATOR) if count else [] for t in texts]
                    if all(len(values) == count for values in split):
                        return split
                    # else a value holds the separator: these rows one by one
                cur.execute(f"SELECT {', '.join(columns)} FROM {source} WHERE {position} > {p} "
                            f"AND {position} <= {p} ORDER BY {position}", (after, until))
                rows = cur.fetchall()
                return [[str(row[i]) for row in rows] for i in range(len(columns))]
            finally:
                cur.close()
                conn.rollback()

    def _select(self, select: str, after: int | None, until: int | None,
                batch: int = READ_BATCH, alias: str = "") -> Iterator[tuple[Any, ...]]:
        """The rows of ``select`` with ``after < position <= until`` in log order, read in one
        snapshot, a batch at a time."""
        for chunk in self._select_batches(select, after, until, batch, alias):
            yield from chunk

    def _select_batches(self, select: str, after: int | None, until: int | None,
                        batch: int = READ_BATCH, alias: str = ""
                        ) -> Iterator[list[tuple[Any, ...]]]:
        """:meth:`_select`'s rows in the batches they are read in."""
        p = self._param
        bounds: list[str] = []
        params: list[Any] = []
        if after is not None:
            bounds.append(f"{alias}position > {p}")
            params.append(after)
        if until is not None:
            bounds.append(f"{alias}position <= {p}")
            params.append(until)
        sql = select + (f" WHERE {' AND '.join(bounds)}" if bounds else "")
        sql += f" ORDER BY {alias}position"
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                if self.dialect == "sqlite":
                    cur.execute("BEGIN")
                cur.execute(sql, params)
                while True:
                    chunk = cur.fetchmany(batch)
                    if not chunk:
                        break
                    yield chunk
            finally:
                cur.close()
                conn.rollback()

    def read_positions(self, positions: Sequence[int]) -> dict[int, Row]:
        """The rows at these positions (for paging a view of a large log)."""
        found: dict[int, Row] = {}
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                wanted = list(positions)
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    marks = ", ".join([self._param] * len(chunk))
                    cur.execute(f"SELECT {COLUMNS} FROM events WHERE position IN ({marks})", chunk)
                    for r in cur.fetchall():
                        found[int(r[0])] = Row(*r)
            finally:
                cur.close()
                conn.rollback()
        return found

    def verify(self) -> ChainCheck:
        """Recompute the hash chain over every row the table holds, whatever its position.

        A position is bad when its row was edited, removed, reordered or inserted: its position
        is not the next one, or its hash is not the hash of its content and its predecessor. A
        row outside 1..N (a position 0, a negative one, one past a gap) is found too: the rows
        are read with no lower bound, so none hides below the chain.
        """
        prev, expected, checked = GENESIS_HASH, 1, 0
        for row in self.read(after=None):
            if row.position != expected:
                return ChainCheck(checked, prev, expected, row.position)
            new: NewRow = (row.id, row.type, row.schema_version, row.subject, row.story_earliest,
                           row.story_latest, row.published, row.body)
            if chain_hash(prev, row.position, new, row.recorded_at) != row.hash:
                return ChainCheck(checked, prev, row.position, row.position)
            prev, expected, checked = row.hash, expected + 1, checked + 1
        return ChainCheck(checked, prev, None, None)

    def tail_check(self) -> ChainCheck | None:
        """A cheap check of a whole log, for every open and append: the rows number exactly
        1..N and the last row hashes to its content and its predecessor. None when both hold,
        else where it breaks (``found``: the position found there, None when missing)."""
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                cur.execute("SELECT count(*), min(position), max(position) FROM events")
                count, low, high = cur.fetchone()
                return self._tail(cur, int(count), low, high)
            finally:
                cur.close()
                conn.rollback()

    def _tail(self, cur: Any, count: int, low: int | None, high: int | None) -> ChainCheck | None:
        if count == 0:
            return None
        assert low is not None and high is not None
        if int(low) != 1:
            return ChainCheck(0, GENESIS_HASH, 1, int(low))
        if int(high) != count:
            return ChainCheck(0, GENESIS_HASH, count, int(high))
        p = self._param
        cur.execute(f"SELECT {COLUMNS} FROM events WHERE position >= {p} ORDER BY position",
                    [count - 1])
        rows = [Row(*r) for r in cur.fetchall()]
        prev = rows[0].hash if len(rows) == 2 else GENESIS_HASH
        last = rows[-1]
        new: NewRow = (last.id, last.type, last.schema_version, last.subject, last.story_earliest,
                       last.story_latest, last.published, last.body)
        if chain_hash(prev, last.position, new, last.recorded_at) != last.hash:
            return ChainCheck(0, prev, last.position, last.position)
        return None


class LogAltered(Exception):
    """The log failed the cheap check on append: its rows are not exactly 1..N, or its last
    row does not hash to its content (the service says where, after a full check)."""

    def __init__(self, check: ChainCheck) -> None:
        super().__init__(f"the log is altered at position {check.first_bad}")
        self.check = check


class ChainCheck(NamedTuple):
    """What recomputing the chain found: positions checked, the last good hash, the first bad
    position (None: whole) and the position of the row found there (None: it is missing)."""

    checked: int
    head_hash: str
    first_bad: int | None
    found: int | None


def wrap_database_errors(exc: BaseException, where: str) -> DatabaseError:
    """One line for a driver error a user can do something about (never a password)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    where = mask_url(where)
    if _locked(orig):
        return DatabaseError(
            f"{where}: the log is locked by another writer; gave up after waiting "
            f"{lock_wait_seconds()} s ({LOCK_TIMEOUT} sets how long)")
    if _lost(orig):
        return DatabaseError(
            f"{where}: the connection to the database was lost ({clip(mask_url(text), 120)})")
    return DatabaseError(f"{where}: {clip(mask_url(text), 300)}")


def _locked(exc: BaseException) -> bool:
    text = str(exc)
    return ("database is locked" in text or "lock timeout" in text
            or type(exc).__name__ == "LockNotAvailable")


def _lost(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(words in text for words in (
        "server closed the connection", "terminating connection", "connection is closed",
        "consuming input failed", "connection already closed", "the connection is lost"))
