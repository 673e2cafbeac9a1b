"""Opening a log: a mistyped path is not a new log, an unwritable log can be read, and a log that
cannot be created says why (issue 15 "The command line, too", issue 16 points 12 and 13)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli_support import SEED, ok, seeded_db, tracker

NO_LOG = "no tracker log at {}; `tracker import` or `tracker db upgrade` creates one"
as_root = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.mark.parametrize("command", [["log"], ["state"], ["verify"], ["export"],
                                     ["backup", "copy.sqlite"]])
def test_reading_commands_refuse_a_path_with_no_log_and_create_nothing(
        tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "mistyped.sqlite"
    result = tracker("--db", db, *command)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {NO_LOG.format(db)}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_reading_commands_refuse_an_empty_sqlite_file_untouched(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    db.touch()
    result = tracker("--db", db, "state")
    assert result.stderr == f"Error: {NO_LOG.format(db)}\n"
    assert db.read_bytes() == b""


@pytest.mark.postgres
def test_reading_commands_refuse_a_postgresql_database_with_no_log(pg_url: str) -> None:
    result = tracker("--db", pg_url, "log")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no tracker log at postgresql+psycopg://")
    ok("--db", pg_url, "import", SEED)
    assert ok("--db", pg_url, "verify").stdout.startswith("OK: 17 events")


def test_a_refused_import_into_a_new_path_leaves_no_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "meeting.held", "summary": "no dates"}\n')
    db = tmp_path / "new.sqlite"
    result = tracker("--db", db, "import", bad)
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


def test_a_refused_import_into_an_existing_empty_log_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "kept.sqlite"
    ok("--db", db, "db", "upgrade")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "meeting.held", "summary": "no dates"}\n')
    assert tracker("--db", db, "import", bad).exit_code == 1
    assert db.exists()


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """The folder as a process cannot write it: a read-only bind mount of it when the tests run
    as root (permissions do not stop root; a read-only file system does), else mode 0555 with
    its files 0444. Yields the path to read it through."""
    if not as_root:
        files = [p for p in folder.iterdir()]
        for f in files:
            f.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
            for f in files:
                f.chmod(0o644)
        return
    view = folder.with_name(folder.name + "-ro")
    view.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True,
                             check=False).returncode == 0
    if mounted:
        mounted = subprocess.run(["mount", "-o", "remount,ro,bind", str(view)],
                                 capture_output=True, check=False).returncode == 0
        if not mounted:
            subprocess.run(["umount", str(view)], check=False)
    if not mounted:
        pytest.skip("running as root without the right to make a read-only mount")
    try:
        yield view
    finally:
        subprocess.run(["umount", "--lazy", str(view)], check=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path / "shared"
    folder.mkdir()
    db = seeded_db(folder)
    with sqlite3.connect(db) as conn:  # as it would be left by a clean close
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    with read_only(folder) as view:
        yield view, view / db.name


def test_a_log_in_a_read_only_folder_can_be_read(read_only_folder: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    folder, db = read_only_folder
    before = sorted(p.name for p in folder.iterdir())
    assert ok("--db", db, "verify").stdout.startswith("OK: 17 events, head ")
    assert ok("--db", db, "log").stdout.count("\n") >= 17
    assert '"events": 17' in ok("--db", db, "state", "--json").stdout
    ok("--db", db, "export", "-o", tmp_path / "out.json")
    ok("--db", db, "backup", tmp_path / "copy.sqlite")
    assert sorted(p.name for p in folder.iterdir()) == before


def test_appending_to_a_log_that_cannot_be_written_says_so(
        read_only_folder: tuple[Path, Path]) -> None:
    _, db = read_only_folder
    refused = tracker("--db", db, "add", "--type", "statement.made", "--story", "2014-03-11",
                      "--published", "2014-03-11", "--outlet", "W", "--summary", "x")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"Error: {db}: ")
    assert "unexpected" not in refused.stderr


def test_creating_a_log_where_it_cannot_be_written_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder) as view:
        db = view / "new.sqlite"
        result = tracker("--db", db, "import", SEED)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: cannot create a tracker log at {db}: the folder {view} is not writable\n")
        assert list(view.iterdir()) == []


@contextmanager
def full_disk(folder: Path, size: str = "96k") -> Iterator[Path]:
    """A small tmpfs mounted at ``folder``: a real disk that fills up (root only)."""
    folder.mkdir()
    if not as_root or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                      str(folder)], capture_output=True,
                                     check=False).returncode != 0:
        pytest.skip("needs the right to mount a small tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def test_a_backup_to_a_full_disk_blames_the_destination(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    with full_disk(tmp_path / "stick", "48k") as stick:
        (stick / "filler").write_bytes(b"\0" * 40_000)
        dest = stick / "copy.sqlite"
        result = tracker("--db", db, "backup", dest)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {dest}: cannot be written (")
        assert sorted(p.name for p in stick.iterdir()) == ["filler"]
    assert ok("--db", db, "verify").stdout.startswith("OK: 17 events")


def test_creating_a_log_on_a_full_disk_leaves_no_file(tmp_path: Path) -> None:
    with full_disk(tmp_path / "full", "32k") as full:
        (full / "filler").write_bytes(b"\0" * 32_000)
        result = tracker("--db", full / "new.sqlite", "import", SEED)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ")
        assert "unexpected" not in result.stderr
        assert sorted(p.name for p in full.iterdir()) == ["filler"]
