"""The database accepts a new row only at the next position, and `verify` reads every row.

Issue 16, point 1: a plain INSERT at position 0 (or past the end, or below 1) used to pass the
triggers, sit outside the hash chain unseen by `verify`, be copied by `backup`, and make an
import of an event with its id a silent no-op. Migration 0004 refuses it on both backends; a
log that already holds such a row (written before 0004, or with the trigger dropped) is said to
be altered, naming the stray position.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli_support import SEED, ok, seeded_db, tracker

COPY = ("INSERT INTO events (position, id, type, schema_version, subject, story_earliest, "
        "story_latest, published, recorded_at, body, hash) SELECT {position}, 'hidden', type, "
        "schema_version, subject, story_earliest, story_latest, published, recorded_at, body, "
        "hash FROM events WHERE position = 3")
REFUSED = "events are append-only: a new entry must take the next position"


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


@pytest.mark.parametrize("position", [0, -1, 19, 1_000_000, 3])
def test_sqlite_refuses_a_row_that_is_not_at_the_next_position(tmp_path: Path,
                                                               position: int) -> None:
    db = seeded_db(tmp_path)
    conn = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match=REFUSED):
            conn.execute(COPY.format(position=position))
    finally:
        conn.close()
    assert count(db) == 17
    assert ok("--db", db, "verify").stdout.startswith("OK: 17 events, head ")


def smuggle(db: Path, position: int) -> None:
    """A row put in place the way a log written before migration 0004 could hold one."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP TRIGGER events_refuse_out_of_place")
        conn.execute(COPY.format(position=position))
        conn.commit()
    finally:
        conn.close()


def test_verify_finds_a_row_hidden_below_the_chain(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    smuggle(db, 0)
    result = tracker("--db", db, "verify")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: the log was altered at position 0: an entry was inserted at position 0, outside "
        f"the chain (the database holds a row that no append wrote) ({db})\n")
    refused = tracker("--db", db, "backup", tmp_path / "copy.sqlite")
    assert refused.exit_code == 4
    assert "the log was altered at position 0" in refused.stderr
    assert not (tmp_path / "copy.sqlite").exists()


def test_verify_finds_a_row_past_a_gap(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    smuggle(db, 40)
    result = tracker("--db", db, "verify")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: the log was altered at position 18: the entry at position 18 is missing "
        f"(deleted, or the entries after it renumbered) ({db})\n")


def test_an_import_of_the_hidden_rows_id_is_not_silently_skipped(tmp_path: Path) -> None:
    """The hidden row's id made an import of the same event "already in the log": refused now,
    because appending to an altered log is refused until the user says otherwise."""
    db = seeded_db(tmp_path)
    smuggle(db, 0)
    result = tracker("--db", db, "import", SEED)
    assert result.exit_code == 4
    assert "the log was altered at position 0" in result.stderr
    assert count(db) == 18


@pytest.mark.postgres
def test_postgresql_refuses_a_row_that_is_not_at_the_next_position(pg_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    ok("--db", pg_url, "import", SEED)
    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        for position in (0, -1, 19, 1_000_000, 3):
            with pytest.raises(psycopg.errors.DatabaseError, match=REFUSED):
                conn.execute(COPY.format(position=position))
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (17,)
        conn.execute("DROP TRIGGER events_refuse_out_of_place ON events")
        conn.execute(COPY.format(position=0))
    result = tracker("--db", pg_url, "verify")
    assert result.exit_code == 4
    assert result.stderr.startswith(
        "Error: the log was altered at position 0: an entry was inserted at position 0, outside "
        "the chain")
