"""Tamper evidence: `tracker verify` recomputes the hash chain and names the first position where
the log was altered behind tracker's back; an export carries its head hash and a tampered export
is refused on import.

Issue 4, "Must show" 1. The SQLite tampering goes through the real /usr/bin/sqlite3 shell (the
triggers that refuse UPDATE and DELETE dropped first, as someone set on it would); PostgreSQL's
through a plain psycopg connection with the triggers disabled.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli_support import SEED, ok, tracker
from tracker.app.service import open_timeline
from tracker.text import clip

SQLITE3 = "/usr/bin/sqlite3" if Path("/usr/bin/sqlite3").exists() else shutil.which("sqlite3")
DROP_GUARDS = {
    "sqlite": "DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete; "
              "DROP TRIGGER events_refuse_out_of_place;",
    "postgresql": "ALTER TABLE events DISABLE TRIGGER USER;",
}


def backend(db: str) -> str:
    return "postgresql" if "://" in db else "sqlite"


def tamper(db: str, sql: str) -> None:
    """Run SQL against the log as an outsider: the sqlite3 shell, or a bare psycopg connection."""
    if backend(db) == "sqlite":
        if SQLITE3 is None:  # pragma: no cover - the machine and CI have the shell
            with sqlite3.connect(db) as conn:
                conn.executescript(sql)
            return
        done = subprocess.run([SQLITE3, db, sql], capture_output=True, text=True, timeout=30,
                              check=False)
        assert done.returncode == 0, done.stderr
        return
    url = make_url(db).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def head_of(db: str) -> tuple[int, str]:
    tl = open_timeline(db)
    try:
        return tl.head()
    finally:
        tl.close()


@pytest.fixture
def log(any_url: str) -> str:
    """The seed timeline in a new log, on each backend."""
    ok("--db", any_url, "import", SEED)
    return any_url


def refused(db: str, *flags: str) -> str:
    """`tracker verify` must fail with exit 4 and exactly one line on stderr; that line."""
    result = tracker("--db", db, "verify", *flags)
    assert result.exit_code == 4, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the log was altered at position ")
    assert result.stdout == ""
    return lines[0]


def label(db: str) -> str:
    if backend(db) == "sqlite":
        return db
    return make_url(db).render_as_string(hide_password=True)


def test_an_untouched_log_verifies_and_names_its_head(log: str) -> None:
    position, head = head_of(log)
    result = ok("--db", log, "verify")
    assert result.stdout == f"OK: 17 events, head {head}\n"
    assert position == 17


def test_an_empty_log_verifies(tmp_path: Path) -> None:
    ok("--db", tmp_path / "empty.sqlite", "db", "upgrade")
    result = ok("--db", tmp_path / "empty.sqlite", "verify")
    assert result.stdout == f"OK: 0 events, head {'0' * 64}\n"


def test_the_guards_stand_until_dropped(tmp_path: Path) -> None:
    db = str(tmp_path / "guarded.sqlite")
    ok("--db", db, "import", SEED)
    done = subprocess.run(
        [SQLITE3 or "sqlite3", db, "UPDATE events SET body = '{}' WHERE position = 5"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert done.returncode != 0 and "events are immutable" in done.stderr
    ok("--db", db, "verify")


def test_an_edited_event_is_named_by_its_position(log: str) -> None:
    """Must show 1: UPDATE of one event with the triggers dropped; verify names that position."""
    tamper(log, DROP_GUARDS[backend(log)]
           + "UPDATE events SET body = replace(body, 'Sochi', 'Yalta') WHERE position = 5;")
    line = refused(log)
    assert line.startswith("Error: the log was altered at position 5: entry 'kl-05-")
    assert "does not match its hash" in line


@pytest.mark.parametrize(
    ("column", "value"),
    [("recorded_at", "'2001-01-01T00:00:00.000000Z'"), ("story_earliest", "'2014-03-01'"),
     ("type", "'statement.made'"), ("published", "'2014-03-11'"), ("schema_version", "1")],
)
def test_any_stored_column_is_covered_by_the_hash(tmp_path: Path, column: str, value: str) -> None:
    db = str(tmp_path / "cols.sqlite")
    ok("--db", db, "import", SEED)
    tamper(db, DROP_GUARDS["sqlite"] + f"UPDATE events SET {column} = {value} WHERE position = 9;")
    assert refused(db).startswith("Error: the log was altered at position 9: ")


def test_a_deleted_event_is_named_by_its_position(log: str) -> None:
    tamper(log, DROP_GUARDS[backend(log)] + "DELETE FROM events WHERE position = 8;")
    assert refused(log) == (
        "Error: the log was altered at position 8: the entry at position 8 is missing (deleted, "
        f"or the entries after it renumbered) ({label(log)})"
    )


def test_reordered_events_are_named(tmp_path: Path) -> None:
    db = str(tmp_path / "swap.sqlite")
    ok("--db", db, "import", SEED)
    tamper(db, DROP_GUARDS["sqlite"]
           + "UPDATE events SET position = 100 WHERE position = 6;"
           + "UPDATE events SET position = 6 WHERE position = 7;"
           + "UPDATE events SET position = 7 WHERE position = 100;")
    assert refused(db).startswith("Error: the log was altered at position 6: entry 'kl-07-")


def test_an_event_inserted_in_the_middle_is_named(tmp_path: Path) -> None:
    db = str(tmp_path / "insert.sqlite")
    ok("--db", db, "import", SEED)
    tamper(db, DROP_GUARDS["sqlite"]
           + "UPDATE events SET position = position + 1000 WHERE position >= 4;"
           + "UPDATE events SET position = position - 999 WHERE position >= 1000;"
           + "INSERT INTO events (position, id, type, schema_version, subject, story_earliest, "
             "story_latest, published, recorded_at, body, hash) SELECT 4, 'forged', type, "
             "schema_version, subject, story_earliest, story_latest, published, recorded_at, body, "
             "hash FROM events WHERE position = 3;")
    assert refused(db).startswith("Error: the log was altered at position 4: entry 'forged' ")


def test_a_row_appended_behind_trackers_back_is_named(tmp_path: Path) -> None:
    """INSERT at the next position is allowed by the triggers (appending is what a log does),
    so a forged row there needs no tampering with them at all; its hash cannot be right without
    the chain."""
    db = str(tmp_path / "append.sqlite")
    ok("--db", db, "import", SEED)
    tamper(db, "INSERT INTO events (position, id, type, schema_version, subject, story_earliest, "
               "story_latest, published, recorded_at, body, hash) SELECT 18, 'forged', type, "
               "schema_version, subject, story_earliest, story_latest, published, recorded_at, "
               f"body, '{'f' * 64}' FROM events WHERE position = 3;")
    assert refused(db).startswith("Error: the log was altered at position 18: entry 'forged' ")


def test_entries_removed_from_the_end_are_caught_against_a_noted_head(log: str) -> None:
    """The chain alone cannot see a shortened log; a head noted earlier can."""
    _, noted = head_of(log)
    ok("--db", log, "verify", "--head", noted)
    tamper(log, DROP_GUARDS[backend(log)] + "DELETE FROM events WHERE position >= 16;")
    ok("--db", log, "verify")  # each remaining entry still follows the one before it
    assert refused(log, "--head", noted) == (
        f"Error: the log was altered at position 16: the log no longer holds the noted head "
        f"{noted[:12]}…: entries were removed from its end, or it was rewritten ({label(log)})"
    )


def test_an_earlier_head_is_still_held_by_a_longer_log(tmp_path: Path) -> None:
    db = str(tmp_path / "grow.sqlite")
    ok("--db", db, "import", SEED)
    _, noted = head_of(db)
    ok("--db", db, "add", "--type", "statement.made", "--story", "2014-03-11",
       "--published", "2014-03-11", "--outlet", "Reuters", "--summary", "Lavrov speaks",
       "--actor", "Sergey Lavrov:speaker")
    assert ok("--db", db, "verify", "--head", noted).stdout.startswith("OK: 18 events, head ")


@pytest.mark.parametrize("given", ["b13a5ca8", "nothex", "z" * 64, ""])
def test_a_head_that_is_not_a_hash_is_refused_as_input_not_as_tampering(tmp_path: Path,
                                                                         given: str) -> None:
    db = str(tmp_path / "plain.sqlite")
    ok("--db", db, "import", SEED)
    result = tracker("--db", db, "verify", "--head", given)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --head: {clip(given)!r} is not a head hash (64 hexadecimal digits, as "
        "`tracker verify` prints it)\n"
    )


def test_a_noted_head_may_be_given_in_upper_case(tmp_path: Path) -> None:
    db = str(tmp_path / "upper.sqlite")
    ok("--db", db, "import", SEED)
    _, noted = head_of(db)
    assert ok("--db", db, "verify", "--head", noted.upper()).stdout.startswith("OK: 17 events")


# --------------------------------------------------------------------------- exports


@pytest.fixture
def export(tmp_path: Path) -> dict[str, object]:
    db = str(tmp_path / "source.sqlite")
    ok("--db", db, "import", SEED)
    out = tmp_path / "export.json"
    ok("--db", db, "export", "--output", out)
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def import_refused(tmp_path: Path, doc: dict[str, object]) -> str:
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(doc))
    target = str(tmp_path / "target.sqlite")
    ok("--db", target, "db", "upgrade")  # create it empty
    result = tracker("--db", target, "import", path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert head_of(target) == (0, "0" * 64)  # nothing written
    return lines[0].replace(str(path), "FILE")


def test_an_export_carries_the_head_hash_and_imports(export: dict[str, object],
                                                     tmp_path: Path) -> None:
    events = export["events"]
    assert isinstance(events, list) and isinstance(export["head"], dict)
    assert export["head"]["hash"] == events[-1]["hash"]
    path = tmp_path / "export-again.json"
    path.write_text(json.dumps(export))
    assert ok("--db", tmp_path / "copy.sqlite", "import", path).stdout.startswith("Imported 17")


def test_an_export_with_an_edited_event_is_refused(export: dict[str, object],
                                                   tmp_path: Path) -> None:
    events = export["events"]
    assert isinstance(events, list)
    events[2]["summary"] = "Kerry accepts the invitation"
    assert import_refused(tmp_path, export) == (
        "Error: FILE line 1 (event 3): its hash does not match its content; the export was altered after "
        "it was written"
    )


def test_an_export_with_an_event_removed_is_refused(export: dict[str, object],
                                                    tmp_path: Path) -> None:
    events = export["events"]
    assert isinstance(events, list)
    del events[-1]
    assert import_refused(tmp_path, export) == (
        "Error: the export's head says 17 events but it holds 16"
    )


def test_an_export_with_hashes_stripped_is_refused(export: dict[str, object],
                                                   tmp_path: Path) -> None:
    events = export["events"]
    assert isinstance(events, list)
    for event in events:
        del event["hash"]
    assert import_refused(tmp_path, export) == (
        "Error: FILE line 1 (event 1): field 'hash' is missing, but the export names a head hash; the "
        "export was altered after it was written"
    )


def test_an_export_with_a_forged_head_is_refused(export: dict[str, object],
                                                 tmp_path: Path) -> None:
    export["head"] = {"position": 17, "hash": "0" * 64}
    assert import_refused(tmp_path, export) == (
        "Error: the export's events do not hash to its head hash; it was altered"
    )


def test_an_export_with_a_nonsense_position_is_refused(export: dict[str, object],
                                                       tmp_path: Path) -> None:
    events = export["events"]
    assert isinstance(events, list)
    events[0]["position"] = "first"
    assert import_refused(tmp_path, export) == (
        "Error: FILE line 1 (event 1): field 'position' must be a whole number"
    )
