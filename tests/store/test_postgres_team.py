"""The team server: the same tracker on a shared PostgreSQL server. A log moves between the two
backends with ``tracker export`` and ``tracker import`` and gives the same state; every member
points at the server with ``--db`` or ``TRACKER_DB`` and the whole CLI works against it.

(Concurrent appenders on PostgreSQL: tests/store/test_concurrency.py runs on both backends. The store
contract on both backends: tests/store/test_store_contract.py.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.generate import generate_events
from tests.cli_support import SEED, ok, run_process, state_json, tracker
from tracker.app.service import open_timeline

pytestmark = pytest.mark.postgres

LOG_FIELDS = ("position", "recorded_at", "hash")


def content(export: Path) -> list[dict[str, Any]]:
    """The events of an export without what the log gives them (position, time, hash)."""
    doc = orjson.loads(export.read_bytes())
    return [{k: v for k, v in e.items() if k not in LOG_FIELDS} for e in doc["events"]]


def test_a_seed_log_exported_from_sqlite_and_imported_into_postgresql_gives_the_same_state(
    tmp_path: Path, pg_url: str
) -> None:
    sqlite_db = tmp_path / "desk.sqlite"
    ok("--db", sqlite_db, "import", SEED)
    export = tmp_path / "desk.json"
    ok("--db", sqlite_db, "export", "--output", export)

    result = ok("--db", pg_url, "import", export)
    assert "17" in result.stdout
    assert state_json(pg_url) == state_json(sqlite_db)
    for flags in (["--at", "5"], ["--as-of", "2014-03-07"], ["--known-at", "2014-03-10"]):
        assert state_json(pg_url, *flags) == state_json(sqlite_db, *flags)

    back = tmp_path / "from-pg.json"
    ok("--db", pg_url, "export", "--output", back)
    assert content(back) == content(export)
    ok("--db", pg_url, "verify")


def test_a_large_generated_log_moves_to_postgresql_and_back_unchanged(
    tmp_path: Path, pg_url: str
) -> None:
    lines = tmp_path / "generated.jsonl"
    lines.write_bytes(b"\n".join(orjson.dumps(o) for o in generate_events(1500, seed=3)))
    sqlite_db = tmp_path / "a.sqlite"
    ok("--db", sqlite_db, "import", lines)
    first = tmp_path / "a.json"
    ok("--db", sqlite_db, "export", "--output", first)

    ok("--db", pg_url, "import", first)
    via_pg = tmp_path / "pg.json"
    ok("--db", pg_url, "export", "--output", via_pg)
    again = tmp_path / "b.sqlite"
    ok("--db", again, "import", via_pg)
    last = tmp_path / "b.json"
    ok("--db", again, "export", "--output", last)

    assert content(via_pg) == content(first) == content(last)
    a, b = orjson.loads(first.read_bytes()), orjson.loads(via_pg.read_bytes())
    assert a["state"] == b["state"]
    assert [e["position"] for e in b["events"]] == list(range(1, 1501))


def test_importing_the_export_into_postgresql_twice_adds_nothing_the_second_time(
    tmp_path: Path, pg_url: str
) -> None:
    ok("--db", pg_url, "import", SEED)
    export = tmp_path / "pg.json"
    ok("--db", pg_url, "export", "--output", export)
    ok("--db", pg_url, "import", export)
    timeline = open_timeline(pg_url)
    try:
        assert timeline.count() == 17
        assert timeline.verify().ok
    finally:
        timeline.close()


def test_every_member_points_at_the_server_with_tracker_db(tmp_path: Path, pg_url: str) -> None:
    env = {"TRACKER_DB": pg_url}
    first = run_process("import", SEED, env=env)
    assert first.returncode == 0, first.stderr
    assert "Created a new tracker log" in first.stderr + first.stdout

    add = run_process(
        "add", "--type", "statement.made", "--id", "team-1", "--story", "2014-03-11",
        "--published", "2014-03-11", "--outlet", "Desk", "--summary", "A second analyst's entry",
        "--actor", "John Kerry:speaker", env=env,
    )
    assert add.returncode == 0, add.stderr
    assert "Added event 18" in add.stdout

    listing = run_process("log", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "A second analyst's entry" in listing.stdout

    state = run_process("state", "--json", env=env)
    assert state.returncode == 0, state.stderr
    assert json.loads(state.stdout)["events"] == 18

    verified = run_process("verify", env=env)
    assert verified.returncode == 0, verified.stderr

    current = run_process("db", "current", env=env)
    assert current.returncode == 0, current.stderr


def test_a_wrong_server_is_one_line_naming_it(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = tracker("--db", url, "log")
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert "127.0.0.1" in lines[0]
    assert "Traceback" not in result.stderr
