"""`tracker backup DEST`: a consistent copy of the log taken while others write; the copy opens as
a tracker log and verifies to the head it was copied at.

Issue 4, "Must show" 4. SQLite logs are copied with SQLite's online backup API (all pages in one
step, inside one read snapshot); a PostgreSQL log is copied row by row, as stored, from one
snapshot into a new SQLite log, so the copy has the same hashes and head.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_support import ROOT, SEED, ok, tracker
from tests.integrity_data import digest, events, snapshot, write_lines
from tracker.app.service import open_timeline
from tracker.codec import document

SEEDED = 17


def copy_verifies(copy: Path) -> int:
    """The copy opens as a tracker log, its chain verifies; its event count."""
    assert not Path(f"{copy}-wal").exists(), "a backup is one self-contained file"
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    result = ok("--db", copy, "verify")
    assert result.stdout.startswith("OK: ")
    return int(result.stdout.split()[1])


@pytest.fixture
def log(any_url: str) -> str:
    ok("--db", any_url, "import", SEED)
    return any_url


def test_a_backup_is_the_same_log(log: str, tmp_path: Path) -> None:
    dest = tmp_path / "backup.sqlite"
    head, rows, state = snapshot(log)
    result = ok("--db", log, "backup", dest)
    assert result.stdout == (
        f"Backed up 17 events to {dest} (head {head[1]}); the copy verifies.\n"
    )
    assert copy_verifies(dest) == SEEDED
    assert snapshot(dest) == (head, rows, state)


def test_an_existing_file_is_not_overwritten_without_force(log: str, tmp_path: Path) -> None:
    dest = tmp_path / "precious.sqlite"
    dest.write_bytes(b"yesterday's backup")
    before = digest(dest)
    result = tracker("--db", log, "backup", dest)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {dest} already exists; give --force to replace it\n"
    assert digest(dest) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    ok("--db", log, "backup", dest, "--force")
    assert copy_verifies(dest) == SEEDED


@pytest.mark.parametrize(
    ("where", "message"),
    [("folder", "Error: {dest} is a folder; give the backup a file name\n"),
     ("missing/b.sqlite", "Error: {dest}: the folder {parent} does not exist\n")],
)
def test_a_destination_that_cannot_be_a_backup_is_refused(tmp_path: Path, where: str,
                                                          message: str) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    (tmp_path / "folder").mkdir()
    dest = tmp_path / where
    result = tracker("--db", db, "backup", dest)
    assert result.exit_code == 1
    assert result.stderr == message.format(dest=dest, parent=dest.parent)


def test_a_log_in_use_is_not_replaced_even_with_force(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    dest = tmp_path / "open.sqlite"
    ok("--db", db, "backup", dest)
    reader = sqlite3.connect(dest)  # someone has the old backup open, in WAL mode
    reader.execute("PRAGMA journal_mode = WAL")
    reader.execute("SELECT count(*) FROM events").fetchall()
    try:
        before = digest(dest)
        result = tracker("--db", db, "backup", dest, "--force")
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {dest} is in use, or was not closed cleanly (open.sqlite-wal is beside it); "
            "close it, or back up to another file\n"
        )
        assert digest(dest) == before
    finally:
        reader.close()
    ok("--db", db, "backup", dest, "--force")  # closed: now it may be replaced
    assert copy_verifies(dest) == SEEDED


def test_a_url_is_not_a_backup_destination(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    result = tracker("--db", db, "backup", "postgresql://elsewhere/db")
    assert result.exit_code == 1
    assert result.stderr == ("Error: postgresql://elsewhere/db: a backup is an SQLite file; give "
                             "a file path, not a URL\n")


def test_a_filesystem_without_hard_links_still_gets_its_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where os.link is refused (FAT, some network shares), the copy is moved into place."""
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)

    def no_links(*_: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("tracker.store.backup.os.link", no_links)
    dest = tmp_path / "usb-stick.sqlite"
    ok("--db", db, "backup", dest)
    assert copy_verifies(dest) == SEEDED
    result = tracker("--db", db, "backup", dest)
    assert result.stderr == f"Error: {dest} already exists; give --force to replace it\n"


def test_the_log_cannot_be_backed_up_onto_itself(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    before = digest(db)
    result = tracker("--db", db, "backup", db, "--force")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {db} is the log itself or one of its files; back it up to another file\n")
    assert digest(db) == before


def test_an_altered_log_is_not_backed_up(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    conn = sqlite3.connect(db)
    conn.executescript("DROP TRIGGER events_refuse_update; "
                       "UPDATE events SET recorded_at = '2000' WHERE position = 4;")
    conn.close()
    dest = tmp_path / "copy.sqlite"
    result = tracker("--db", db, "backup", dest)
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: the log was altered at position 4: entry ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.sqlite"]


def test_a_backup_during_a_running_import_opens_and_verifies(tmp_path: Path) -> None:
    """Must show 4: the import's transaction is under way (its WAL is growing) when the backup
    is taken; the copy holds the log as it was before it, and the import still completes."""
    db = tmp_path / "busy.sqlite"
    ok("--db", db, "import", SEED)
    big = write_lines(tmp_path / "big.jsonl", "busy", 20_000)
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen([sys.executable, "-m", "tracker", "--db", str(db), "import", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 240
    while proc.poll() is None and not (wal.exists() and wal.stat().st_size > 3 * 1024 * 1024):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # Held where it is, mid-transaction, while the backup is taken: on a loaded machine the
    # import could otherwise commit before the backup starts reading.
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        importing = proc.poll() is None
        dest = tmp_path / "mid-import.sqlite"
        ok("--db", db, "backup", dest)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert importing, "the import ended before the backup could be taken during it"
    assert copy_verifies(dest) == SEEDED
    assert ok("--db", db, "verify").stdout.startswith(f"OK: {SEEDED + 20_000} events")


def _import_in_chunks(db: str, chunks: int, size: int) -> None:
    tl = open_timeline(db)
    try:
        for k in range(chunks):
            objs = list(events(f"chunk{k}", size))
            entries = [document.Entry(f"chunk {k} event {n + 1}", o) for n, o in enumerate(objs)]
            tl.import_input(document.Input(entries, None, "array"))
    finally:
        tl.close()


def test_backups_taken_while_imports_commit_each_hold_whole_imports(log: str,
                                                                    tmp_path: Path) -> None:
    chunks, size = 8, 500
    writer = multiprocessing.get_context("fork").Process(
        target=_import_in_chunks, args=(log, chunks, size))
    writer.start()
    counts = []
    n = 0
    while writer.is_alive() or n == 0:
        dest = tmp_path / f"copy-{n}.sqlite"
        ok("--db", log, "backup", dest)
        counts.append(copy_verifies(dest))
        n += 1
    writer.join(timeout=300)
    assert writer.exitcode == 0
    assert all((c - SEEDED) % size == 0 for c in counts), counts  # never half an import
    assert counts == sorted(counts)
    assert ok("--db", log, "verify").stdout.startswith(f"OK: {SEEDED + chunks * size} events")
