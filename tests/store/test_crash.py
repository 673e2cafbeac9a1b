"""Crash safety: a process killed with SIGKILL in the middle of a large import leaves the log with
none or all of that import; the database file is sound and the hash chain verifies.

Issue 4, "Must show" 3. The import is a real `python -m tracker import` process; it is killed
once it is demonstrably writing: on SQLite when its one transaction has spilled megabytes into
the WAL file, on PostgreSQL when its backend holds the log's write lock.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli_support import ROOT, SEED, ok
from tests.integrity_data import positions, write_lines
from tracker.app.service import open_timeline

pytestmark = pytest.mark.slow

SEEDED = 17
SPILLED = 8 * 1024 * 1024  # WAL bytes that show the import's transaction is being written


def start_import(db: str, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", db, "import", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
    )


def wait_until(proc: subprocess.Popen[bytes], writing: object, limit: float = 240) -> bool:
    """Poll until ``writing()`` is true; False if the process ended first."""
    deadline = time.monotonic() + limit
    while proc.poll() is None:
        if writing():  # type: ignore[operator]
            return True
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.02)
    return False


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_during_a_200k_import_leaves_none_of_it(tmp_path: Path) -> None:
    """Must show 3 (SQLite): old count or old + 200,000; integrity_check ok; verify passes."""
    db = tmp_path / "crash.sqlite"
    ok("--db", db, "import", SEED)
    big = write_lines(tmp_path / "big.jsonl", "crash", 200_000)
    wal = Path(f"{db}-wal")

    proc = start_import(str(db), big)
    mid_write = wait_until(proc, lambda: wal.exists() and wal.stat().st_size > SPILLED)
    kill(proc)
    assert mid_write, "the import finished before it could be killed"

    with sqlite3.connect(db) as conn:  # a plain connection recovers from the WAL as SQLite does
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    count = len(positions(db))
    assert count in (SEEDED, SEEDED + 200_000)
    assert count == SEEDED  # killed mid-transaction: none of it
    assert positions(db) == list(range(1, count + 1))
    assert ok("--db", db, "verify").stdout.startswith(f"OK: {count} events, head ")

    # The log goes on as if nothing had happened: the same import now goes through whole.
    small = write_lines(tmp_path / "after.jsonl", "after", 100)
    ok("--db", db, "import", small)
    assert ok("--db", db, "verify").stdout.startswith(f"OK: {SEEDED + 100} events, head ")


@pytest.mark.postgres
def test_sigkill_during_an_import_into_postgresql_leaves_none_of_it(pg_url: str,
                                                                    tmp_path: Path) -> None:
    ok("--db", pg_url, "import", SEED)
    big = write_lines(tmp_path / "big.jsonl", "crash", 20_000)
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)

    with psycopg.connect(admin, autocommit=True) as watcher:

        def holds_write_lock() -> bool:
            row = watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE relation = 'events'::regclass "
                "AND mode = 'ExclusiveLock' AND granted"
            ).fetchone()
            return bool(row and row[0])

        proc = start_import(pg_url, big)
        mid_write = wait_until(proc, holds_write_lock)
        kill(proc)
        assert mid_write, "the import finished before it could be killed"

    tl = open_timeline(pg_url)
    try:
        deadline = time.monotonic() + 30  # the server notices the dead client and rolls back
        while tl.count() not in (SEEDED, SEEDED + 20_000) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tl.count() == SEEDED
        assert tl.check().ok
    finally:
        tl.close()
