"""The baseline processes of ``python -m bench commands``: each does one command's job raw, as a
fresh process, importing only what the job needs (this module imports nothing but the standard
library at the top: each job imports its own tools).

    python -m bench.rawjobs read RAW_DB OUT        # sqlite3 read of every row + json.loads
    python -m bench.rawjobs dump RAW_DB OUT        # the same + an orjson dump of the rows
    python -m bench.rawjobs load JSONL RAW_DB      # parse the lines, one executemany, one commit
    python -m bench.rawjobs insert RAW_DB          # one sqlite3 insert + commit
    python -m bench.rawjobs sa-insert RAW_DB       # the same through SQLAlchemy (imported)

The raw table is ``events(seq INTEGER PRIMARY KEY, id, type, published, payload)``, the payload
being the whole event as JSON (see :mod:`bench.baselines`), WAL on, SQLite's default
``synchronous`` (FULL) as on the tracker's side.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable

RAW_DDL = ("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
           "type TEXT NOT NULL, published TEXT NOT NULL, payload TEXT NOT NULL)")
INSERT = "INSERT INTO events (id, type, published, payload) VALUES (?, ?, ?, ?)"
SELECT = "SELECT seq, id, type, published, payload FROM events ORDER BY seq"


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def read(db: str, out: str) -> None:
    import json

    conn = _connect(db)
    loads = json.loads
    n = 0
    for row in conn.execute(SELECT):
        loads(row[4])
        n += 1
    with open(out, "w") as fh:
        fh.write(f"{n}\n")


def dump(db: str, out: str) -> None:
    import orjson

    conn = _connect(db)
    with open(out, "wb") as fh:
        fh.write(b"[")
        first = True
        for seq, id_, type_, published, payload in conn.execute(SELECT):
            fh.write(b"\n" if first else b",\n")
            first = False
            fh.write(orjson.dumps({"seq": seq, "id": id_, "type": type_, "published": published,
                                   "payload": orjson.loads(payload)}))
        fh.write(b"\n]\n")


def load(jsonl: str, db: str) -> None:
    import json

    import orjson

    dumps = json.dumps
    rows = []
    with open(jsonl, "rb") as fh:
        for line in fh:
            o = orjson.loads(line)
            rows.append((o["id"], o["type"], o["source"]["published"],
                         dumps(o, separators=(",", ":"), ensure_ascii=False)))
    conn = _connect(db)
    conn.execute(RAW_DDL)
    conn.execute("BEGIN")
    conn.executemany(INSERT, rows)
    conn.execute("COMMIT")


def _one_row() -> tuple[str, str, str, str]:
    stamp = f"{time.time_ns()}"
    return (f"raw-{stamp}", "meeting.held", "2014-03-10",
            '{"summary":"Kerry and Lavrov met","story":{"expr":"last Friday"}}')


def insert(db: str) -> None:
    conn = _connect(db)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(INSERT, _one_row())
    conn.execute("COMMIT")


def sa_insert(db: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql(INSERT, _one_row())


JOBS: dict[str, Callable[..., None]] = {"read": read, "dump": dump, "load": load, "insert": insert, "sa-insert": sa_insert}

if __name__ == "__main__":
    JOBS[sys.argv[1]](*sys.argv[2:])
