"""Schema evolution: events gained a ``certainty`` (how sure the source is: certain, probable,
possible) in schema version 2, with migration 0002 and an upcaster for version 1 bodies.

Old logs open and are upgraded with a notice, their rows untouched and their chain intact; old
events replay to the same state; downgrade then upgrade keeps every event; a log from a newer
tracker, a file that is not SQLite and an SQLite file that is not a tracker log are refused, left
byte for byte as they were.

Issue 4, "Must show" 5. ``tests/data/tracker-0001-seed.sqlite`` was written by the previous
version of tracker itself (commit 472e783: schema 0001, version 1 bodies) importing the seed.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.cli_support import SEED, ok, tracker
from tests.integrity_data import digest, snapshot, sqlite_exec
from tracker.app.service import open_timeline
from tracker.codec.rows import UPCASTERS, event_from_row, stored_body
from tracker.domain.events import CERTAINTY, SCHEMA_VERSION
from tracker.domain.input import parse_event
from tracker.errors import InvalidEvent
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.recorder import Recorder

OLD_LOG = Path(__file__).parents[1] / "data" / "tracker-0001-seed.sqlite"
OLD_HEAD = "cf3c8a52351046830c8d0082c72a66ce2083759ee573bfd8881ffd5bc46e79fd"
ROW_SQL = ("SELECT position, id, type, schema_version, subject, story_earliest, story_latest, "
           "published, recorded_at, body, hash FROM events ORDER BY position")


def sqlite_rows(db: Path) -> list[tuple[Any, ...]]:
    return sqlite_exec(db, ROW_SQL)


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


@pytest.fixture
def old_log(tmp_path: Path) -> Path:
    db = tmp_path / "old.sqlite"
    shutil.copy(OLD_LOG, db)
    return db


# --------------------------------------------------------------------------- upgrading


def test_the_old_log_really_is_from_the_previous_version(old_log: Path) -> None:
    assert sqlite_exec(old_log, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert sqlite_exec(old_log, "SELECT DISTINCT schema_version FROM events") == [(1,)]
    assert all('"certainty"' not in row[9] for row in sqlite_rows(old_log))


def test_a_log_from_the_previous_version_opens_upgraded_with_a_notice(old_log: Path) -> None:
    rows = sqlite_rows(old_log)
    result = ok("--db", old_log, "verify")
    assert result.stderr == f"Upgraded {old_log} from schema 0001 to 0005; every event is kept.\n"
    assert result.stdout == f"OK: 17 events, head {OLD_HEAD}\n"
    assert sqlite_exec(old_log, "SELECT version_num FROM alembic_version") == [("0005",)]
    assert sqlite_rows(old_log) == rows  # not a byte of any row rewritten
    again = ok("--db", old_log, "verify")
    assert again.stderr == ""  # upgraded once


def _statement(n: int, **extra: object) -> bytes:
    return orjson.dumps({"id": f"ev-{n}", "type": "statement.made", "story": "2014-03-10",
                         "summary": f"statement {n}",
                         "source": {"outlet": "TASS", "published": "2014-03-10"}, **extra})


@pytest.mark.parametrize(("second", "told"), [
    (b"{oops", "line 2: not valid JSON (unexpected character, expected a string key)"),
    (_statement(2, place=7), "line 2: field 'place' must be a string, not a number"),
])
def test_an_import_refused_for_its_input_leaves_a_log_from_the_previous_version_untouched(
        old_log: Path, tmp_path: Path, second: bytes, told: str) -> None:
    before = old_log.read_bytes()
    (tmp_path / "input").mkdir()
    path = tmp_path / "input" / "events.jsonl"
    path.write_bytes(_statement(1) + b"\n" + second + b"\n")
    result = tracker("--db", old_log, "import", path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {path} {told}\n"
    assert old_log.read_bytes() == before
    assert leftovers(old_log) == ["input"]  # no -wal or -shm beside the log
    assert ok("--db", old_log, "verify").stderr.startswith(f"Upgraded {old_log} from schema 0001")


def test_old_events_replay_to_the_same_state_as_new_ones(old_log: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite"
    ok("--db", fresh, "import", SEED)
    _, old_rows, old_state = snapshot(old_log)
    _, new_rows, new_state = snapshot(fresh)
    assert old_state == new_state
    old_events = [event_from_row(r) for r in old_rows]
    new_events = [event_from_row(r) for r in new_rows]
    assert {e.schema_version for e in old_events} == {1}
    assert {e.schema_version for e in new_events} == {SCHEMA_VERSION}
    assert [e.certainty for e in old_events] == ["certain"] * 17

    def content(e: Any) -> Any:
        return e._replace(schema_version=0, recorded_at="")

    assert [content(e) for e in old_events] == [content(e) for e in new_events]


def test_an_export_of_an_old_log_states_each_events_stored_version_and_imports(
    old_log: Path, tmp_path: Path
) -> None:
    out = tmp_path / "old-export.json"
    ok("--db", old_log, "export", "--output", out)
    doc = json.loads(out.read_text())
    assert {(e["schema_version"], e["certainty"]) for e in doc["events"]} == {(1, "certain")}
    assert doc["head"]["hash"] == OLD_HEAD
    # the head check recomputes each hash from the body as version 1 stored it
    assert ok("--db", tmp_path / "new.sqlite", "import", out).stdout.startswith("Imported 17")


def test_every_version_before_this_one_has_an_upcaster() -> None:
    assert sorted(UPCASTERS) == list(range(1, SCHEMA_VERSION))
    assert UPCASTERS[1]({"summary": "x"}) == {"summary": "x", "certainty": "certain"}


# --------------------------------------------------------------------------- the new field


def statement(n: int, certainty: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": f"st-{n}", "type": "statement.made", "story": "2014-03-11",
        "summary": "Russia may hold talks next week",
        "source": {"outlet": "Interfax", "published": "2014-03-11"},
        "actors": [{"name": "Sergey Lavrov", "role": "speaker"}],
    }
    if certainty is not None:
        obj["certainty"] = certainty
    return obj


def add_json(db: str | Path, obj: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / f"{obj.get('id', 'x')}.json"
    path.write_bytes(orjson.dumps(obj))
    return tracker("--db", db, "add", "--json", path)


def test_certainty_is_stored_in_the_body_and_exported(old_log: Path, tmp_path: Path) -> None:
    for n, certainty in enumerate(["probable", "possible", None]):
        assert add_json(old_log, statement(n, certainty), tmp_path).exit_code == 0
    tail = sqlite_rows(old_log)[17:]
    assert [r[3] for r in tail] == [SCHEMA_VERSION] * 3
    assert [orjson.loads(r[9])["certainty"] for r in tail] == ["probable", "possible", "certain"]
    # the generated, indexed column reads old and new rows alike
    assert sqlite_exec(old_log, "SELECT certainty, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ("certain", 18), ("possible", 1), ("probable", 1)]
    plan = sqlite_exec(old_log, "EXPLAIN QUERY PLAN SELECT id FROM events WHERE certainty = 'x'")
    assert "ix_events_certainty" in str(plan)
    lines = ok("--db", old_log, "log", "--json", "--order", "recorded").stdout.splitlines()
    assert [json.loads(line)["certainty"] for line in lines][-3:] == [
        "probable", "possible", "certain"]
    # a log holding version 1 rows and rows of this version verifies from end to end
    assert ok("--db", old_log, "verify").stdout.startswith("OK: 20 events, head ")


def test_a_certainty_outside_the_choices_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "db", "upgrade")  # create it
    result = add_json(db, statement(1, "definitely"), tmp_path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'st-1.json'}: field 'certainty' must be one of: certain, probable, "
        "possible, not 'definitely'\n"
    )
    with pytest.raises(InvalidEvent, match="one of: certain, probable, possible, not a number"):
        parse_event(statement(1, 3), "event")  # type: ignore[arg-type]
    assert tuple(CERTAINTY) == ("certain", "probable", "possible")


def test_re_importing_an_event_with_another_certainty_is_a_conflict(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    assert add_json(db, statement(1, "probable"), tmp_path).exit_code == 0
    result = add_json(db, statement(1, "certain"), tmp_path)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert len(sqlite_rows(db)) == 1


# --------------------------------------------------------------------------- down and up


def rows_and_certainty(tl_url: str) -> list[tuple[Any, ...]]:
    engine = make_engine(make_url_for(tl_url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(
                "SELECT position, hash, certainty FROM events ORDER BY position")]
    finally:
        engine.dispose()


def make_url_for(db: str) -> str:
    return db if "://" in db else f"sqlite:///{db}"


def test_downgrade_then_upgrade_keeps_every_event_and_the_state(any_url: str,
                                                                tmp_path: Path) -> None:
    """Must show 5, first half: on the populated seed log, plus version 2 events."""
    ok("--db", any_url, "import", SEED)
    assert add_json(any_url, statement(1, "possible"), tmp_path).exit_code == 0
    before = snapshot(any_url)
    certainties = rows_and_certainty(any_url)
    assert certainties[-1][2] == "possible"

    engine = make_engine(make_url_for(any_url))
    try:
        migrate.downgrade(engine, "0001")
        assert migrate.current_revision(engine) == "0001"
        with engine.connect() as conn:
            columns = [r[0] for r in conn.exec_driver_sql(
                "SELECT * FROM events LIMIT 0").cursor.description]
        assert "certainty" not in columns
        assert Recorder(engine).verify()[2] is None  # every row still there, chain intact
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == "0005"
    finally:
        engine.dispose()

    assert snapshot(any_url) == before
    assert rows_and_certainty(any_url) == certainties
    assert ok("--db", any_url, "verify").stdout == f"OK: 18 events, head {before[0][1]}\n"


# --------------------------------------------------------------------------- migrating safely


def _open(db: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        tl = open_timeline(db)
        results.put(tuple(tl.notices))
        tl.close()
    except Exception as exc:
        results.put((f"{type(exc).__name__}: {exc}",))


def open_at_once(db: str, processes: int = 4) -> list[tuple[str, ...]]:
    """What each of several processes opening the log at the same moment was told."""
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(db, barrier, results)) for _ in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    return sorted(results.get(timeout=5) for _ in procs)


def test_processes_opening_an_old_log_at_once_upgrade_it_once(old_log: Path) -> None:
    rows = sqlite_rows(old_log)
    assert open_at_once(str(old_log)) == [(), (), (), (
        f"Upgraded {old_log} from schema 0001 to 0005; every event is kept.",)]
    assert sqlite_rows(old_log) == rows
    assert ok("--db", old_log, "verify").stdout == f"OK: 17 events, head {OLD_HEAD}\n"


def test_processes_creating_a_new_log_at_once_create_it_once(any_url: str) -> None:
    label = make_url(any_url).render_as_string(hide_password=True) if "://" in any_url else any_url
    assert open_at_once(any_url) == [(), (), (), (f"Created a new tracker log at {label}.",)]
    assert ok("--db", any_url, "verify").stdout == f"OK: 0 events, head {'0' * 64}\n"


def test_a_migration_that_fails_half_way_leaves_the_old_schema(old_log: Path) -> None:
    """Migrations run in one transaction: 0002 adds its column, then cannot create its index
    (one of that name is in the way), and the column goes with it."""
    sqlite_exec(old_log, "CREATE INDEX ix_events_certainty ON events (id)")
    rows = sqlite_rows(old_log)
    result = tracker("--db", old_log, "verify")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {old_log}: index ix_events_certainty already exists\n"
    assert sqlite_exec(old_log, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert "certainty" not in [c[1] for c in sqlite_exec(old_log, "PRAGMA table_xinfo(events)")]
    assert sqlite_rows(old_log) == rows


# --------------------------------------------------------------------------- refusals


def stamp(db: Path, revision: str) -> None:
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    finally:
        conn.close()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_log_from_a_newer_tracker_is_refused_untouched(tmp_path: Path, journal: str) -> None:
    """Must show 5, second half: nothing is written, not even a journal-mode switch."""
    db = tmp_path / "newer.sqlite"
    ok("--db", db, "import", SEED)
    stamp(db, "0099_future")
    sqlite_exec(db, f"PRAGMA journal_mode = {journal}")
    assert leftovers(db) == []
    refused_untouched(db, "log", "was written by a newer version of tracker (schema revision "
                      "0099_future); upgrade tracker to open it")


@pytest.mark.postgres
def test_a_postgresql_log_from_a_newer_tracker_is_refused_untouched(pg_url: str) -> None:
    ok("--db", pg_url, "import", SEED)
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
        before = conn.execute("SELECT * FROM events ORDER BY position").fetchall()
    result = tracker("--db", pg_url, "verify")
    assert result.exit_code == 1
    assert "was written by a newer version of tracker (schema revision 0099_future)" in (
        result.stderr)
    with psycopg.connect(admin, autocommit=True) as conn:
        assert conn.execute("SELECT * FROM events ORDER BY position").fetchall() == before
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0099_future",)]


def refused_untouched(path: Path, command: str, error: str) -> None:
    """`tracker --db PATH COMMAND` fails with exactly this error; the file is as it was, alone."""
    before = digest(path)
    result = tracker("--db", path, command)
    assert result.exit_code == 1
    assert (result.stdout, result.stderr) == ("", f"Error: {path} {error}\n")
    assert digest(path) == before
    assert leftovers(path) == []  # no -wal, -shm or -journal left beside it


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Kerry said he would not go to Moscow.\n")
    refused_untouched(notes, "log", "is not an SQLite database (it is some other kind of file)")


@pytest.mark.parametrize(
    "schema",
    ["CREATE TABLE contacts (name TEXT)",
     "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); "
     "INSERT INTO alembic_version VALUES ('ae1027a6acf'); CREATE TABLE orders (id INT)"],
    ids=["some-other-database", "another-alembic-app"],
)
def test_an_sqlite_file_without_a_tracker_log_is_refused_untouched(tmp_path: Path,
                                                                   schema: str) -> None:
    other = tmp_path / "contacts.sqlite"
    conn = sqlite3.connect(other)
    conn.executescript(schema)
    conn.close()
    refused_untouched(other, "verify",
                      "is a database, but not a tracker log (no tracker schema in it)")


def test_a_version_2_export_of_a_version_1_event_cannot_pass_its_hash(old_log: Path,
                                                                      tmp_path: Path) -> None:
    """Claiming an old event was 'probable' all along changes what its hash covers."""
    out = tmp_path / "export.json"
    ok("--db", old_log, "export", "--output", out)
    doc = json.loads(out.read_text())
    doc["events"][4]["certainty"] = "probable"
    out.write_text(json.dumps(doc))
    target = tmp_path / "target.sqlite"
    ok("--db", target, "db", "upgrade")  # create it
    result = tracker("--db", target, "import", out)
    assert result.exit_code == 1
    assert len(sqlite_rows(target)) == 0
    assert result.stderr == (
        f"Error: {out} line 1 (event 5): its hash does not match its content; the export was altered "
        "after it was written\n"
    )
    old_row = sqlite_rows(old_log)[4]
    assert stored_body(event_from_row(old_row), 1) == old_row[9]
    assert stored_body(event_from_row(old_row)._replace(certainty="probable"), 1) is None
