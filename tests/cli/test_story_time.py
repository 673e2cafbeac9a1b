"""Time as sources give it, at the edges: a story date's zone and a document's receipt through
`tracker add`, `tracker import` and the export; and the rule that what happened cannot be
reported before it happened (planned types excepted, as the vocabulary says)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_support import ok, seeded_db, tracker
from tracker.domain.events import EVENT_TYPES, SCHEMA_VERSION

PAPER = [
    "add", "--type", "proposal.submitted", "--id", "eu-paper", "--story", "Friday night",
    "--story-tz", "Europe/Brussels", "--received", "Saturday", "--received-tz", "Asia/Shanghai",
    "--published", "2014-03-10", "--outlet", "Xinhua", "--summary", "An EU paper reaches Beijing",
    "--actor", "European Union:proposer", "--actor", "China:addressee",
]


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def event_json(db: Path, id_: str) -> dict[str, Any]:
    for line in ok("--db", db, "log", "--json").stdout.splitlines():
        obj = json.loads(line)
        if obj["id"] == id_:
            return obj  # type: ignore[no-any-return]
    raise AssertionError(id_)


def test_the_vocabulary_says_which_types_are_plans() -> None:
    planned = sorted(name for name, t in EVENT_TYPES.items() if not t.happened)
    assert planned == ["meeting.proposed", "meeting.scheduled"]


def test_a_document_sent_friday_night_in_brussels_and_received_saturday_in_beijing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "log.sqlite"
    shown = " ".join(ok("--db", db, *PAPER).stdout.split())  # as one line, however wrapped
    assert ("story Friday night → 2014-03-07 Europe/Brussels (read against 2014-03-10) "
            "received Saturday → 2014-03-08 Asia/Shanghai type proposal.submitted") in shown
    story = event_json(db, "eu-paper")["story"]
    assert story == {
        "expr": "Friday night", "anchor": "2014-03-10", "edtf": "2014-03-07",
        "earliest": "2014-03-07", "latest": "2014-03-07", "tz": "Europe/Brussels",
        "received": {"expr": "Saturday", "anchor": "2014-03-10", "edtf": "2014-03-08",
                     "earliest": "2014-03-08", "latest": "2014-03-08", "tz": "Asia/Shanghai"},
    }
    # stored at this schema version, the story's own bounds in their columns as local days
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT schema_version, story_earliest, story_latest, body FROM events"
                           ).fetchone()
    assert row[:3] == (SCHEMA_VERSION, "2014-03-07", "2014-03-07")
    assert orjson.loads(row[3])["story"]["tz"] == "Europe/Brussels"
    # export, import into a new log, export again: the same story, the hash chain verified
    out = tmp_path / "export.json"
    ok("--db", db, "export", "--output", out)
    again = tmp_path / "again.sqlite"
    ok("--db", again, "import", out)
    assert event_json(again, "eu-paper")["story"] == story
    assert ok("--db", db, "import", out).stdout.startswith("Imported 0 events (1 already")


def test_an_export_claiming_an_older_version_cannot_hold_a_zone(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, *PAPER)
    out = tmp_path / "export.json"
    ok("--db", db, "export", "--output", out)
    doc = json.loads(out.read_text())
    doc["events"][0]["schema_version"] = 2
    out.write_text(json.dumps(doc))
    result = tracker("--db", tmp_path / "new.sqlite", "import", out)
    assert result.exit_code == 1
    assert "its hash does not match its content; the export was altered" in result.stderr


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--story-tz", "Mars/Olympus"],
         "Error: event: field 'story.tz': 'Mars/Olympus' is not a time zone; give an IANA time "
         "zone such as Europe/Brussels or Asia/Shanghai, or a UTC offset such as +01:00\n"),
        (["--story-tz", "Europe/Brussels", "--received", "Thursday",
          "--received-tz", "Europe/Brussels"],
         "Error: event: field 'story.received': it cannot be received (2014-03-06 "
         "Europe/Brussels, 'Thursday') before it was sent (2014-03-07 Europe/Brussels, "
         "'Friday night')\n"),
        (["--received-tz", "Asia/Shanghai"],
         "Error: --received-tz needs --received (when the document was received)\n"),
        (["--received", "tomorrow"],
         "Error: event: field 'story.received': 'tomorrow' begins on 2014-03-11, after the "
         "source's publication date (2014-03-10); proposal.submitted reports what happened, "
         "which no source can tell before it does (a plan is meeting.proposed or "
         "meeting.scheduled)\n"),
    ],
)
def test_a_bad_zone_or_receipt_is_named_and_nothing_is_written(
    tmp_path: Path, flags: list[str], message: str
) -> None:
    db = seeded_db(tmp_path)
    result = tracker("--db", db, "add", "--type", "proposal.submitted", "--story", "Friday night",
                     "--published", "2014-03-10", "--outlet", "Xinhua", "--summary", "A paper",
                     "--actor", "European Union:proposer", *flags)
    assert (result.exit_code, result.stderr) == (1, message)
    assert count(db) == 17


def test_a_meeting_held_after_its_report_is_refused_with_the_field_named(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    result = tracker("--db", db, "add", "--type", "meeting.held", "--story", "tomorrow",
                     "--published", "2014-03-10", "--outlet", "Reuters",
                     "--summary", "Kerry and Lavrov meet", "--actor", "John Kerry:participant")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: event: field 'story': 'tomorrow' begins on 2014-03-11, after the source's "
        "publication date (2014-03-10); meeting.held reports what happened, which no source can "
        "tell before it does (a plan is meeting.proposed or meeting.scheduled)\n"
    )
    assert count(db) == 17


def test_a_meeting_scheduled_for_a_later_date_is_a_plan_and_is_taken(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    ok("--db", db, "add", "--type", "meeting.scheduled", "--story", "next week",
       "--published", "2014-03-10", "--outlet", "Reuters", "--summary", "Talks set for next week",
       "--actor", "John Kerry:participant")
    ok("--db", db, "add", "--type", "meeting.proposed", "--story", "2014-04-01",
       "--published", "2014-03-10", "--outlet", "Reuters", "--summary", "A meeting in April?",
       "--actor", "John Kerry:participant")
    assert count(db) == 19


def test_an_import_names_the_line_of_an_event_reported_before_it_happened(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    events = tmp_path / "events.jsonl"
    good = {"id": "ok-1", "type": "statement.made", "story": "2014-03-10", "summary": "Said",
            "source": {"outlet": "TASS", "published": "2014-03-10"}}
    early = {"id": "early-1", "type": "sanction.imposed", "story": "late March 2014",
             "summary": "Sanctions", "source": {"outlet": "TASS", "published": "2014-03-10"},
             "actors": [{"name": "EU", "role": "imposer"}, {"name": "Russia", "role": "target"}]}
    events.write_text(json.dumps(good) + "\n" + json.dumps(early) + "\n")
    result = tracker("--db", db, "import", events)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {events} line 2: field 'story': 'late March 2014' begins on 2014-03-21, after "
        "the source's publication date (2014-03-10); sanction.imposed reports what happened, "
        "which no source can tell before it does (a plan is meeting.proposed or "
        "meeting.scheduled)\n"
    )
    assert count(db) == 17  # all or nothing


def test_another_places_day_may_begin_before_the_publication_date_ends_somewhere(
    tmp_path: Path,
) -> None:
    db = tmp_path / "log.sqlite"
    # Saturday early morning in Beijing is still Friday evening in Brussels, where it was printed
    ok("--db", db, "add", "--type", "statement.made", "--story", "2014-03-08",
       "--story-tz", "Asia/Shanghai", "--published", "2014-03-07", "--outlet", "Le Soir",
       "--summary", "Beijing answers overnight", "--actor", "Wang Yi:speaker")
    assert count(db) == 1


def test_an_export_with_zones_and_receipts_validates_against_the_schema(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    from tracker.codec.document import schema

    db = tmp_path / "log.sqlite"
    ok("--db", db, *PAPER)
    out = tmp_path / "export.json"
    ok("--db", db, "export", "--output", out)
    Draft202012Validator(schema()).validate(json.loads(out.read_text()))
