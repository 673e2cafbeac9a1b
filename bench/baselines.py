"""What the tracker is measured against, in the same run on the same generated events: raw
``sqlite3`` with JSON payloads, ``orjson``, and the ``eventsourcing`` library on SQLite.

Raw rows are ``events(seq INTEGER PRIMARY KEY, id, type, published, payload)``, the payload being
the whole event as JSON (encoded with the standard library, as in the reference measurement in
``../shared/bench-anchors``). Both sides use WAL and SQLite's default ``synchronous`` setting.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import orjson

RawRow = tuple[str, str, str, dict[str, Any]]
RAW_DDL = ("CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, "
           "published TEXT NOT NULL, payload TEXT NOT NULL)")
INSERT = "INSERT INTO events (id, type, published, payload) VALUES (?, ?, ?, ?)"

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN / COMMIT
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def synchronous(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA synchronous").fetchone()[0])


def bulk_insert(path: Path, rows: Sequence[RawRow]) -> float:
    """Seconds to JSON-encode the rows and insert them with one executemany, one transaction."""
    remove_db(path)
    conn = connect(path)
    conn.execute(RAW_DDL)
    start = time.perf_counter()
    params = [(id_, type_, published, _dumps(payload)) for id_, type_, published, payload in rows]
    conn.execute("BEGIN")
    conn.executemany(INSERT, params)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def single_inserts(path: Path, rows: Sequence[RawRow]) -> float:
    """Seconds to insert and commit the rows one at a time (an interactive append each)."""
    remove_db(path)
    conn = connect(path)
    conn.execute(RAW_DDL)
    start = time.perf_counter()
    for id_, type_, published, payload in rows:
        conn.execute("BEGIN")
        conn.execute(INSERT, (id_, type_, published, _dumps(payload)))
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def read_decode(path: Path) -> tuple[float, int]:
    """Seconds to read every row in order and decode its JSON payload (a fresh connection)."""
    conn = connect(path)
    loads = json.loads
    n = 0
    start = time.perf_counter()
    for _seq, _id, _type, _published, payload in conn.execute(
        "SELECT seq, id, type, published, payload FROM events ORDER BY seq"
    ):
        loads(payload)
        n += 1
    seconds = time.perf_counter() - start
    conn.close()
    return seconds, n


def dump_orjson(path: Path, out: Path) -> float:
    """Seconds to read every row, decode it and write it back out as one JSON array (orjson)."""
    conn = connect(path)
    start = time.perf_counter()
    with out.open("wb") as fh:
        fh.write(b"[")
        first = True
        for seq, id_, type_, published, payload in conn.execute(
            "SELECT seq, id, type, published, payload FROM events ORDER BY seq"
        ):
            fh.write(b"\n" if first else b",\n")
            first = False
            fh.write(orjson.dumps({"seq": seq, "id": id_, "type": type_, "published": published,
                                   "payload": orjson.loads(payload)}))
        fh.write(b"\n]\n")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def file_bytes(path: Path) -> int:
    """Bytes the database takes on disk once its WAL is checkpointed into it."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{path}{s}").exists())


# --------------------------------------------------------------------------- eventsourcing


def eventsourcing_version() -> str | None:
    try:
        from importlib import metadata

        return metadata.version("eventsourcing")
    except Exception:
        return None


@cache
def _es_item_class() -> Any:
    """The aggregate class, defined once (eventsourcing registers each class by its topic)."""
    from eventsourcing.domain import Aggregate, event

    class Item(Aggregate):
        @event("Opened")
        def __init__(self, subject: str) -> None:
            self.subject = subject
            self.reports: int = 0

        @event("Reported")
        def report(self, type: str, payload: dict[str, Any]) -> None:
            self.reports += 1
            self.last_type = type

    return Item


def eventsourcing_append(path: Path, rows: Sequence[RawRow], subjects: Sequence[str]) -> float:
    """Seconds for the ``eventsourcing`` library (SQLite) to record the same events.

    Its natural API, as in the reference measurement: one aggregate per item (the event's
    subject), each event triggered on its aggregate, one ``save(*aggregates)`` (one transaction).
    """
    from eventsourcing.application import Application

    item = _es_item_class()
    remove_db(path)
    app: Any = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                           "SQLITE_DBNAME": str(path)})
    start = time.perf_counter()
    aggregates: dict[str, Any] = {}
    for (_id, type_, _published, payload), subject in zip(rows, subjects, strict=True):
        agg = aggregates.get(subject)
        if agg is None:
            agg = aggregates[subject] = item(subject=subject)
        agg.report(type=type_, payload=payload)
    app.save(*aggregates.values())
    seconds = time.perf_counter() - start
    app.close()
    return seconds
