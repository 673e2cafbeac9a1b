"""An actor's office is stored with the event (schema version 4: ``[name, role, office]``) and
kept by every export; rows stored before (version 3 and older) read exactly as they did.

``tests/data/tracker-v3-jcpoa.sqlite`` was written by the previous version of tracker itself
(commit 10bbef8: event schema version 3) importing ``seeds/jcpoa-2011-2018.jsonl``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_support import ROOT, ok, state_json, tracker
from tests.integrity_data import sqlite_exec
from tracker.codec.rows import (
    UPCASTERS,
    decode_step,
    encode_body,
    event_from_row,
    event_to_dict,
    row_dict_and_step,
    row_to_dict,
    stored_body,
)
from tracker.domain.events import SCHEMA_VERSION, Actor
from tracker.domain.fold import step_of
from tracker.domain.input import parse_event

V3_LOG = ROOT / "tests" / "data" / "tracker-v3-jcpoa.sqlite"
JCPOA = ROOT / "seeds" / "jcpoa-2011-2018.jsonl"
ROW_SQL = ("SELECT position, id, type, schema_version, subject, story_earliest, story_latest, "
           "published, recorded_at, body, hash FROM events ORDER BY position")

MEETING: dict[str, Any] = {
    "id": "pompeo-may", "type": "meeting.held", "subject": "meeting:pompeo-kim-2018-05-09",
    "story": {"expr": "May 9, 2018", "tz": "Asia/Pyongyang"},
    "summary": "Pompeo meets Kim Jong Un in Pyongyang",
    "actors": [{"name": "Mike Pompeo", "role": "participant", "office": "Secretary of State"},
               {"name": "Kim Jong Un", "role": "host"}],
    "place": "Pyongyang", "source": {"outlet": "Associated Press", "published": "2018-05-09"},
}


@pytest.fixture
def v3_log(tmp_path: Path) -> Path:
    db = tmp_path / "v3.sqlite"
    shutil.copy(V3_LOG, db)
    return db


def rows(db: Path) -> list[tuple[Any, ...]]:
    return sqlite_exec(db, ROW_SQL)


def add_json(db: Path, obj: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / f"{obj['id']}.json"
    path.write_bytes(orjson.dumps(obj))
    return ok("--db", db, "add", "--json", path)


def test_the_v3_log_really_is_from_the_previous_version(v3_log: Path) -> None:
    assert sqlite_exec(v3_log, "SELECT DISTINCT schema_version FROM events") == [(3,)]
    assert SCHEMA_VERSION == 4
    assert sorted(UPCASTERS) == [1, 2, 3]


def test_an_old_row_without_office_reads_the_same(v3_log: Path) -> None:
    """A version 3 row: its actors have no office, its body is what version 4 writes for the
    same event, and every way of reading it agrees."""
    for row in rows(v3_log):
        event = event_from_row(row)
        assert event.schema_version == 3
        assert all(a.office is None for a in event.actors)
        assert stored_body(event, 3) == row[9]
        assert encode_body(event) == row[9]  # the shape did not change for it
        assert decode_step(row) == (event.subject or event.id, step_of(event))
        assert row_to_dict(row) == event_to_dict(event, row[10])
        assert row_dict_and_step(row) == (row_to_dict(row), decode_step(row))
        assert all("office" not in a for a in row_to_dict(row)["actors"])


def test_a_v3_log_verifies_and_replays_to_the_state_a_fresh_import_gives(
        v3_log: Path, tmp_path: Path) -> None:
    before = rows(v3_log)
    head = before[-1][10]
    assert ok("--db", v3_log, "verify").stdout == f"OK: 18 events, head {head}\n"
    fresh = tmp_path / "fresh.sqlite"
    ok("--db", fresh, "import", JCPOA)
    for flags in ([], ["--as-of", "2016-01-31"], ["--known-at", "2018-05-08"]):
        assert state_json(v3_log, *flags) == state_json(fresh, *flags)
    assert rows(v3_log) == before  # not a byte of any row rewritten


def test_an_office_added_to_a_v3_log_is_stored_at_version_4_and_the_chain_holds(
        v3_log: Path, tmp_path: Path) -> None:
    add_json(v3_log, MEETING, tmp_path)
    new = rows(v3_log)[-1]
    assert new[3] == 4
    assert orjson.loads(new[9])["actors"] == [
        ["Mike Pompeo", "participant", "Secretary of State"], ["Kim Jong Un", "host"]]
    assert ok("--db", v3_log, "verify").stdout.startswith("OK: 19 events, head ")
    assert event_from_row(new).actors == (
        Actor("Mike Pompeo", "participant", "Secretary of State"), Actor("Kim Jong Un", "host"))


def test_an_export_of_a_v3_log_with_an_office_added_imports_with_every_hash_checked(
        v3_log: Path, tmp_path: Path) -> None:
    add_json(v3_log, MEETING, tmp_path)
    out = tmp_path / "export.json"
    ok("--db", v3_log, "export", "--output", out)
    doc = json.loads(out.read_text())
    assert {e["schema_version"] for e in doc["events"]} == {3, 4}
    assert doc["events"][-1]["actors"] == [
        {"name": "Mike Pompeo", "role": "participant", "office": "Secretary of State"},
        {"name": "Kim Jong Un", "role": "host"}]
    target = tmp_path / "target.sqlite"
    assert ok("--db", target, "import", out).stdout.startswith("Imported 19 events")
    assert state_json(target) == state_json(v3_log)


def test_an_export_claiming_an_office_was_stored_at_version_3_fails_its_hash(
        v3_log: Path, tmp_path: Path) -> None:
    """Version 3 could not hold an office: an exported v3 event given one was altered."""
    out = tmp_path / "export.json"
    ok("--db", v3_log, "export", "--output", out)
    doc = json.loads(out.read_text())
    doc["events"][3]["actors"][0]["office"] = "Foreign Minister"  # Zarif, at Lausanne
    out.write_text(json.dumps(doc))
    target = tmp_path / "target.sqlite"
    ok("--db", target, "db", "upgrade")
    result = tracker("--db", target, "import", out)
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: {out} line 1 (event 4): its hash does not match its content; the export was "
        "altered after it was written\n"))
    assert rows(target) == []
    event = parse_event(doc["events"][3], "x")
    assert stored_body(event, 3) is None
    assert stored_body(event, 4) is not None


# --------------------------------------------------------------------------- other formats


@pytest.fixture
def with_offices(tmp_path: Path) -> Path:
    db = tmp_path / "log.sqlite"
    add_json(db, MEETING, tmp_path)
    add_json(db, {**MEETING, "id": "pompeo-easter", "subject": "meeting:pompeo-kim-easter",
                  "story": "March 31-April 1, 2018",
                  "summary": "Pompeo met Kim Jong Un in Pyongyang over Easter",
                  "actors": [{"name": "Mike Pompeo", "role": "participant",
                              "office": "CIA Director (acting, as reported)"},
                             {"name": "Organisation (OSCE)", "role": "mentioned"}],
                  "source": {"outlet": "The Washington Post", "published": "2018-04-17"}},
             tmp_path)
    return db


def test_csv_writes_each_office_and_reads_it_back(with_offices: Path, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    ok("--db", with_offices, "export", "--format", "csv", "-o", out)
    cells = [row["actors"] for row in csv.DictReader(io.StringIO(out.read_text(), newline=""))]
    assert cells == [
        "Mike Pompeo (participant, Secretary of State); Kim Jong Un (host)",
        "Mike Pompeo (participant, CIA Director (acting, as reported)); "
        "Organisation (OSCE) (mentioned)",
    ]
    again = tmp_path / "again.sqlite"
    ok("--db", again, "import", out)
    assert [e["actors"] for e in state_json(again)["meetings"]] == [
        e["actors"] for e in state_json(with_offices)["meetings"]]


def test_a_csv_actor_that_is_no_name_and_role_is_named(tmp_path: Path, with_offices: Path) -> None:
    out = tmp_path / "log.csv"
    ok("--db", with_offices, "export", "--format", "csv", "-o", out)
    bad = tmp_path / "bad.csv"
    bad.write_text(out.read_text().replace("Kim Jong Un (host)", "Kim Jong Un host"),
                   newline="")
    result = tracker("--db", tmp_path / "new.sqlite", "import", bad)
    assert result.stderr == (f"Error: {bad} line 2: column 'actors': 'Kim Jong Un host' must "
                             "look like 'Name (role)' or 'Name (role, office)'\n")


def test_plover_timelinejs_and_html_show_the_office(with_offices: Path) -> None:
    plover = [json.loads(line) for line in
              ok("--db", with_offices, "export", "--format", "plover").stdout.splitlines()]
    assert plover[0]["actor"] == [{"entity_text": "Mike Pompeo", "role": "participant",
                                   "office": "Secretary of State"}]
    assert plover[0]["recipient"] == [{"entity_text": "Kim Jong Un", "role": "host"}]
    assert "also named: Organisation (OSCE) (mentioned)" in plover[1]["comment"]
    slides = json.loads(ok("--db", with_offices, "export", "--format", "timelinejs").stdout)
    texts = [s["text"]["text"] for s in slides["events"]]
    assert any("Mike Pompeo (participant, Secretary of State); Kim Jong Un (host)" in t
               for t in texts)
    page = ok("--db", with_offices, "export", "--format", "html").stdout
    assert "Mike Pompeo (participant, Secretary of State), Kim Jong Un (host)" in page
    assert "Mike Pompeo (participant, CIA Director (acting, as reported))" in page


def test_a_log_from_before_offices_is_marked_newer_once_opened(tmp_path: Path) -> None:
    """The log tracker wrote at event schema 3 (revision 0004) opens upgraded to revision 0005,
    rows untouched: from then on the tracker of 0004, which could not shape a row with an office,
    refuses the log as newer than it (one line) instead of failing on such a row."""
    from tests.cli_support import ok
    from tests.integrity_data import sqlite_exec

    db = tmp_path / "v3.sqlite"
    shutil.copy(V3_LOG, db)
    assert sqlite_exec(db, "SELECT version_num FROM alembic_version") == [("0004",)]
    rows = sqlite_exec(db, ROW_SQL)
    result = ok("--db", db, "verify")
    assert result.stderr == f"Upgraded {db} from schema 0004 to 0005; every event is kept.\n"
    assert sqlite_exec(db, "SELECT version_num FROM alembic_version") == [("0005",)]
    assert sqlite_exec(db, ROW_SQL) == rows
