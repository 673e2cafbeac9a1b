"""The remaining commands: export, schema, types, db upgrade / db current, and the default
database that a first run in an empty home creates, migrates and seeds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cli_support import SEED, ok, run_process, seeded_db, tracker
from tracker.codec.document import schema
from tracker.domain.events import EVENT_TYPES
from tracker.store.migrate import head_revision


def test_export_to_stdout_is_a_valid_timeline_document(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    doc = json.loads(ok("--db", db, "export").stdout)
    jsonschema.validate(doc, schema())
    assert (doc["format"], doc["version"]) == ("tracker-timeline", 1)
    assert [e["position"] for e in doc["events"]] == list(range(1, 18))
    assert doc["head"]["position"] == 17
    assert doc["state"]["invitations"][0]["status"] == "disputed"


def test_export_to_a_file_says_how_many_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    out = tmp_path / "out" / "timeline.json"
    out.parent.mkdir()
    result = ok("--db", db, "export", "-o", out)
    assert result.stdout == ""
    assert result.stderr == f"Exported 17 events to {out}.\n"
    jsonschema.validate(json.loads(out.read_text()), schema())
    assert [p.name for p in out.parent.iterdir()] == ["timeline.json"]


def test_export_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    target = tmp_path / "nowhere" / "x.json"
    result = tracker("--db", db, "export", "-o", target)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {target}: the folder {target.parent} does not exist\n"
    )


def test_schema_prints_the_shipped_json_schema() -> None:
    printed = json.loads(ok("schema").stdout)
    assert printed == schema()
    jsonschema.Draft202012Validator.check_schema(printed)


def test_types_lists_the_whole_vocabulary() -> None:
    out = ok("types").stdout
    flat = " ".join(out.split())  # undo the wrapping
    for name, etype in EVENT_TYPES.items():
        assert f"{name} {etype.description}" in flat, name
        if etype.status:
            assert f"{etype.description} → {etype.status.replace('_', ' ')}" in flat, name
        if etype.required_refs:
            assert f"needs ref: {', '.join(etype.required_refs)}" in flat, name
    assert "roles: inviter*, invitee*" in flat  # invitation.extended requires both
    assert "details: demand*" in flat  # demand.made requires what is demanded


def test_db_upgrade_creates_and_then_finds_nothing_to_do(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    first = ok("--db", db, "db", "upgrade")
    assert first.stderr == f"Created a new tracker log at {db}.\n"
    assert first.stdout == f"{db} is at the newest schema (revision {head_revision()}).\n"
    again = ok("--db", db, "db", "upgrade")
    assert again.stdout == f"{db} is already at the newest schema (revision {head_revision()}).\n"


def test_db_current_reports_without_changing_anything(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    assert ok("--db", db, "db", "current").stdout == (
        f"{db}: no database yet (the newest schema is revision {head_revision()}); "
        "`tracker db upgrade` creates it.\n"
    )
    assert not db.exists()
    ok("--db", db, "db", "upgrade")
    assert ok("--db", db, "db", "current").stdout == (
        f"database: {db}\nrevision: {head_revision()}\nhead:     {head_revision()}\nUp to date.\n"
    )


def test_db_current_on_a_foreign_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    out = ok("--db", db, "db", "current").stdout
    assert out.endswith("revision: none\nhead:     " + head_revision() + "\nNot a tracker log.\n")
    result = tracker("--db", db, "state")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {db} is a database, but not a tracker log (no tracker schema in it)\n"
    )


def test_a_first_run_in_an_empty_home_creates_migrates_and_seeds_the_default_log(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"), "TRACKER_DB": ""}
    first = run_process("state", "--json", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    default = home / ".local" / "share" / "tracker" / "tracker.sqlite"
    assert first.stderr.splitlines() == [
        f"Created a new tracker log at {default}.",
        "Seeded it with the seed timeline (17 events: Kerry, Lavrov and the invitation to "
        "Moscow, March 2014).",
    ]
    assert json.loads(first.stdout)["invitations"][0]["status"] == "disputed"
    assert default.exists()
    second = run_process("state", "--json", env=env, cwd=tmp_path)
    assert (second.returncode, second.stderr) == (0, "")
    assert json.loads(second.stdout)["events"] == 17


def test_tracker_db_environment_variable_names_the_log(tmp_path: Path) -> None:
    db = tmp_path / "env.sqlite"
    done = run_process("import", SEED, env={"TRACKER_DB": str(db)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Imported 17 events (0 already in the log).\n"
    assert db.exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("mysql://u@h/db", "'mysql://u@h/db': tracker works with SQLite files and PostgreSQL "
         "servers, not mysql"),
    ],
)
def test_an_unusable_database_is_one_line(target: str, message: str) -> None:
    result = tracker("--db", target, "state")
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    result = tracker("--db", notes, "state")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {notes} is not an SQLite database (it is some other kind of file)\n"
    )
    assert notes.read_text() == "not a database\n"


def test_usage_errors_are_short_and_carry_no_traceback(tmp_path: Path) -> None:
    done = run_process("state", "--no-such-flag", cwd=tmp_path)
    assert done.returncode == 2
    assert "No such option: --no-such-flag" in done.stderr
    assert "Traceback" not in done.stderr


def _commands() -> list[list[str]]:
    import typer

    from tracker.cli import app

    found: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def _flags(command: list[str]) -> set[str]:
    import typer

    from tracker.cli import app

    cmd: Any = typer.main.get_command(app)
    for name in command:
        cmd = cmd.commands[name]
    return {opt for p in cmd.params if getattr(p, "is_flag", False) for opt in p.opts}


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "tracker")
def test_help_shows_flags_bare(command: list[str]) -> None:
    """A flag (--json on state, --within, --off-record, --force) takes no value: its help line
    shows the flag alone, never `<bool>`."""
    out = ok(*command, "--help").stdout
    assert "<bool>" not in out
    flags = _flags(command) - {"--help"}
    shown = [line.split() for line in out.splitlines() if line.strip().split()[:1] and
             line.split()[0] in flags]
    assert len(shown) == len(flags)
    for words in shown:
        assert len(words) == 1 or not words[1].startswith("<"), words


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "tracker")
def test_help_names_what_each_option_takes(command: list[str]) -> None:
    """An option that takes a value shows what it takes in words (DATE, N, NAME:ROLE), not the
    Python type it is parsed as (`<str>`, `<list[str]>`, `<int>`)."""
    out = ok(*command, "--help").stdout
    options = out.partition("Options:")[2]
    assert "<" not in options, options
