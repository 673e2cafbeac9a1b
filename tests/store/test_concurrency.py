"""Concurrent writers lose nothing and duplicate nothing: positions stay gap-free, the chain
verifies, and an append that says "only if the log is still at position N" fails cleanly with a
conflict when someone else got there first.

Issue 4, "Must show" 2. Real processes (`python -m tracker import`, and workers appending through
the service) against a real SQLite file and the real PostgreSQL server.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_support import ROOT, SEED, ok, tracker
from tests.integrity_data import event, write_lines
from tracker.app.service import open_timeline
from tracker.errors import AppendConflict

pytestmark = pytest.mark.slow

SEEDED = 17


@pytest.fixture
def log(any_url: str) -> str:
    ok("--db", any_url, "import", SEED)
    return any_url


def start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", *[str(a) for a in args]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def ids_in_order(db: str) -> list[str]:
    tl = open_timeline(db)
    try:
        rows = list(tl.rows())
    finally:
        tl.close()
    assert [r.position for r in rows] == list(range(1, len(rows) + 1)), "positions have gaps"
    return [r.id for r in rows]


def test_two_imports_at_once_add_exactly_ten_thousand(log: str, tmp_path: Path) -> None:
    """Must show 2: two processes import 5,000 different events each at the same time."""
    files = [write_lines(tmp_path / f"{p}.jsonl", p, 5000) for p in ("left", "right")]
    procs = [start("--db", log, "import", f) for f in files]
    outputs = [finish(p) for p in procs]
    assert outputs == ["Imported 5000 events (0 already in the log).\n"] * 2

    ids = ids_in_order(log)
    assert len(ids) == SEEDED + 10_000
    assert not [i for i, n in Counter(ids).items() if n > 1]
    for prefix in ("left", "right"):
        mine = [n for n, i in enumerate(ids) if i.startswith(prefix + "-")]
        assert len(mine) == 5000
        assert mine == list(range(mine[0], mine[0] + 5000)), "an import is one transaction"
        assert [ids[n] for n in mine] == [f"{prefix}-{k:07d}" for k in range(5000)]
    assert ok("--db", log, "verify").stdout.startswith(f"OK: {SEEDED + 10_000} events, head ")


def run_together(target: Any, args: list[tuple[Any, ...]]) -> None:
    """Run target(*a) for each a in its own forked process, all at once; each must succeed."""
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=target, args=a) for a in args]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0


def _add_one_at_a_time(db: str, prefix: str, count: int, barrier: Any) -> None:
    tl = open_timeline(db)
    try:
        barrier.wait()
        for n in range(count):
            tl.add(event(prefix, n))
    finally:
        tl.close()


def test_many_writers_adding_one_event_at_a_time(log: str) -> None:
    writers, each = 4, 40
    barrier = multiprocessing.get_context("fork").Barrier(writers)
    run_together(_add_one_at_a_time, [(log, f"w{k}", each, barrier) for k in range(writers)])
    ids = ids_in_order(log)
    assert len(ids) == SEEDED + writers * each
    assert sorted(ids[SEEDED:]) == sorted(f"w{k}-{n:07d}" for k in range(writers)
                                          for n in range(each))
    assert ok("--db", log, "verify").stdout.startswith(f"OK: {SEEDED + writers * each} events")


def _append_expecting(db: str, position: int, n: int, barrier: Any, results: Any) -> None:
    tl = open_timeline(db)
    try:
        barrier.wait()
        try:
            tl.add(event("race", n), expected_position=position)
            results.put("added")
        except AppendConflict as exc:
            results.put(f"conflict: {exc}")
    finally:
        tl.close()


def test_only_one_of_racing_expected_position_appends_wins(log: str) -> None:
    racers = 4
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(racers), ctx.Queue()
    run_together(_append_expecting, [(log, SEEDED, n, barrier, results) for n in range(racers)])
    outcomes = sorted(results.get(timeout=5) for _ in range(racers))
    assert outcomes == ["added"] + [
        f"conflict: the log is at position {SEEDED + 1}, not {SEEDED}: someone else appended "
        "meanwhile; look again and retry"
    ] * (racers - 1)
    assert len(ids_in_order(log)) == SEEDED + 1


def test_add_with_a_stale_expected_position_exits_3_and_writes_nothing(log: str,
                                                                        tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_bytes(orjson.dumps(event("cli", 1)))
    two = tmp_path / "two.json"
    two.write_bytes(orjson.dumps(event("cli", 2)))
    ok("--db", log, "add", "--json", one, "--expect-position", str(SEEDED))
    result = tracker("--db", log, "add", "--json", two, "--expect-position", str(SEEDED))
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: the log is at position {SEEDED + 1}, not {SEEDED}: someone else appended "
        "meanwhile; look again and retry\n"
    )
    assert ids_in_order(log)[-1] == "cli-0000001"


# --------------------------------------------------------------------------- opening a new log at once


def test_the_switch_to_wal_waits_while_another_connection_reads_the_new_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite refuses the switch to WAL at once, with no busy wait, while another connection
    reads the database: several processes opening a new log at the same moment meet that. The
    switch is tried again until the reader is done (here: the first time it pauses)."""
    import sqlite3

    from tracker.store import engine

    path = tmp_path / "new.sqlite"
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("CREATE TABLE t (x)")
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()  # a read transaction: a shared lock held
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if reader.in_transaction:
            reader.execute("COMMIT")

    monkeypatch.setattr(engine.time, "sleep", pause)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        engine._wal(writer)
        assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pauses, "the switch did not meet the reader's lock: this proves nothing"
    finally:
        writer.close()
        reader.close()


def test_a_process_that_did_not_make_a_new_log_never_removes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When opening a new log fails, the file is removed only by the process that made it:
    another may be at work in it. Here the file appears (made by someone else) between the
    look for it and the making of it, and the opening then fails."""
    from tracker.app import service
    from tracker.errors import DatabaseError
    from tracker.store import migrate

    path = tmp_path / "new.sqlite"
    made_meanwhile = service._made_exclusively

    def someone_else_made_it(p: Path) -> bool:
        p.write_bytes(b"")  # the other process's empty file
        return made_meanwhile(p)

    def fails(*_: object, **__: object) -> None:
        raise DatabaseError("refused")

    monkeypatch.setattr(service, "_made_exclusively", someone_else_made_it)
    monkeypatch.setattr(migrate, "prepare", fails)
    with pytest.raises(DatabaseError):
        open_timeline(str(path))
    assert path.exists()

    monkeypatch.setattr(service, "_made_exclusively", made_meanwhile)
    path.unlink()
    with pytest.raises(DatabaseError):
        open_timeline(str(path))
    assert not path.exists()  # made here: removed
