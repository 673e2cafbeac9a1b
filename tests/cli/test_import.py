"""`tracker import FILE`: an export, a JSON array or JSON Lines; all or nothing; errors name the
file, the line and the field; importing the same events again is harmless and says so.

Issue 2, "Must show" 4.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli_support import SEED, ok, run_process, seeded_db, tracker


def seed_events() -> list[dict[str, Any]]:
    return json.loads(SEED.read_text())["events"]  # type: ignore[no-any-return]


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def write_lines(path: Path, objects: list[Any]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects))
    return path


def fresh_events(prefix: str, n: int = 3) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{i}",
            "type": "statement.made",
            "story": "Monday",
            "summary": f"Statement {i}",
            "actors": [{"name": "Jen Psaki", "role": "speaker"}],
            "source": {"outlet": "Wire", "published": "2014-03-10", "speaker": "Jen Psaki"},
        }
        for i in range(1, n + 1)
    ]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seeded_db(tmp_path)


def refused(db: Path, path: Path) -> str:
    """Import a file that must be refused: exit 1, nothing written; returns the message."""
    result = tracker("--db", db, "import", path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert count(db) == 17
    return result.stderr


def test_a_malformed_third_line_names_line_3_and_the_field_and_writes_nothing(
    db: Path, tmp_path: Path
) -> None:
    events = fresh_events("new")
    events[2]["story"] = "the 45th of Smarch"
    bad = write_lines(tmp_path / "bad.jsonl", events)
    message = refused(db, bad)
    assert message.startswith(f"Error: {bad} line 3: field 'story': ")
    assert "'the 45th of Smarch'" in message
    assert message.count("\n") == 1


def test_the_same_in_a_real_process_prints_no_traceback(db: Path, tmp_path: Path) -> None:
    events = fresh_events("new")
    events[2]["source"] = {"outlet": "Wire"}
    write_lines(tmp_path / "bad.jsonl", events)
    done = run_process("--db", db, "import", "bad.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "Error: bad.jsonl line 3: field 'source.published' is required\n"
    assert "Traceback" not in done.stdout + done.stderr
    assert count(db) == 17


@pytest.mark.parametrize(
    ("third_line", "message"),
    [
        ("{not json", "bad.jsonl line 3: not valid JSON"),
        ('{"type": "meeting.teleported"}', "bad.jsonl line 3: unknown event type 'meeting.teleported'"),
        ('["a list"]', "bad.jsonl line 3: an event must be a JSON object, not a list"),
    ],
)
def test_every_kind_of_bad_third_line_is_named(
    db: Path, tmp_path: Path, third_line: str, message: str
) -> None:
    lines = [json.dumps(o) for o in fresh_events("new", 2)]
    (tmp_path / "bad.jsonl").write_text("\n".join([*lines, third_line]) + "\n")
    done = run_process("--db", db, "import", "bad.jsonl", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: {message}")
    assert "Traceback" not in done.stderr
    assert count(db) == 17


def test_a_reference_to_nothing_fails_the_whole_file(db: Path, tmp_path: Path) -> None:
    events = fresh_events("new")
    events[1]["refs"] = [{"rel": "about", "id": "no-such-entry"}]
    bad = write_lines(tmp_path / "refs.jsonl", events)
    assert refused(db, bad) == (
        f"Error: {bad} line 2: refs: about 'no-such-entry', but the log holds no entry "
        "'no-such-entry'\n"
    )


def test_json_lines_and_json_arrays_import(db: Path, tmp_path: Path) -> None:
    lines = write_lines(tmp_path / "a.jsonl", fresh_events("lines"))
    assert ok("--db", db, "import", lines).stdout == "Imported 3 events (0 already in the log).\n"
    array = tmp_path / "b.json"
    array.write_text(json.dumps(fresh_events("array", 2)))
    assert ok("--db", db, "import", array).stdout == "Imported 2 events (0 already in the log).\n"
    assert count(db) == 22


def test_stdin_imports_with_a_dash(db: Path) -> None:
    text = "".join(json.dumps(o) + "\n" for o in fresh_events("stdin", 1))
    result = ok("--db", db, "import", "-", input=text)
    assert result.stdout == "Imported 1 event (0 already in the log).\n"


def test_importing_the_same_events_again_is_harmless_and_says_so(db: Path) -> None:
    result = ok("--db", db, "import", SEED)
    assert result.stdout == (
        "Imported 0 events (17 already in the log). "
        "Every event was already there: importing again is harmless.\n"
    )
    assert count(db) == 17


def test_a_partly_new_file_adds_only_the_new_events(db: Path, tmp_path: Path) -> None:
    mixed = write_lines(tmp_path / "mixed.jsonl", [*seed_events()[:5], *fresh_events("more", 2)])
    result = ok("--db", db, "import", mixed)
    assert result.stdout == "Imported 2 events (5 already in the log).\n"
    assert count(db) == 19


def test_an_existing_id_with_other_content_is_refused(db: Path, tmp_path: Path) -> None:
    changed = seed_events()[2]
    changed["summary"] = "Kerry accepted the invitation"
    for key in ("position", "recorded_at", "hash"):
        changed.pop(key)
    bad = write_lines(tmp_path / "changed.jsonl", [changed])
    assert refused(db, bad) == (
        f"Error: {bad} line 1: id 'kl-03-kerry-declines' is already in the log (position 3) "
        "with different content; events are never rewritten: record a correction instead\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "{name}: the file is empty"),
        ('{"format": "something-else", "events": []}',
         "{name}: field 'format' is 'something-else', not 'tracker-timeline'"),
        ('{"format": "tracker-timeline", "version": 99, "events": []}',
         "{name}: export format version 99 is not supported (this tracker reads 1)"),
    ],
)
def test_files_that_are_not_timelines_are_refused(
    db: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(content)
    assert refused(db, path) == "Error: " + message.format(name=path) + "\n"


def test_a_missing_file_is_named(db: Path, tmp_path: Path) -> None:
    result = tracker("--db", db, "import", tmp_path / "nowhere.jsonl")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nowhere.jsonl'}: no such file\n"


def test_an_error_in_an_export_names_the_line_the_event_starts_on(tmp_path: Path) -> None:
    """Exports put one event on a line; a bad one is named by its line (and its place)."""
    import json

    doc = json.loads(SEED.read_text())
    doc["events"][2]["story"] = {"expr": "2014-02-30"}
    head = {k: v for k, v in doc.items() if k not in ("events", "state")}
    lines = ["{", *(f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()),
             '  "events": [']
    lines += [f"    {json.dumps(e)}{',' if i < len(doc['events']) - 1 else ''}"
              for i, e in enumerate(doc["events"])]
    lines += ["  ],", '  "state": {}', "}"]
    bad = tmp_path / "bad-export.json"
    bad.write_text("\n".join(lines) + "\n")
    db = tmp_path / "x.sqlite"
    ok("--db", db, "db", "upgrade")
    result = tracker("--db", db, "import", bad)
    assert result.exit_code == 1
    # "{", the header's fields, '"events": [', then events 1 and 2: event 3 starts after them.
    assert result.stderr == (
        f"Error: {bad} line {1 + len(head) + 1 + 3} (event 3): field 'story': '2014-02-30' is "
        "not a real date (February 2014 has 28 days)\n"
    )
