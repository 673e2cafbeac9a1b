"""Start-up: a command imports only what it uses. `tracker --help` needs neither SQLAlchemy nor
Alembic; no command needs Alembic unless a migration is due (one query of the revision says so).

Each case runs the real command in a fresh process and lists the top-level packages it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli_support import SEED, ok
from tracker.store import migrate

PROBE = """
import json, sys
sys.argv = ["tracker", *json.loads(sys.argv[1])]
from tracker.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nIMPORTED " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})) + "\\n")
"""


def imported_by(*args: str | Path) -> set[str]:
    """The top-level packages a fresh `tracker ARGS...` process has imported when it ends."""
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps([str(a) for a in args])],
                          capture_output=True, text=True, timeout=120, check=False)
    line = done.stderr.rsplit("IMPORTED ", 1)
    assert len(line) == 2, done.stderr
    return set(json.loads(line[1]))


def test_help_imports_neither_sqlalchemy_nor_alembic() -> None:
    for args in (["--help"], ["-h"], ["state", "--help"], ["export", "--help"], ["db", "--help"]):
        imported = imported_by(*args)
        assert "sqlalchemy" not in imported, args
        assert "alembic" not in imported, args
        assert "typer" in imported  # the probe sees what the command imported


def test_a_command_that_reads_an_up_to_date_sqlite_log_imports_neither(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    for args in (["log"], ["state", "--json"], ["verify"], ["export", "-o", tmp_path / "x.json"]):
        imported = imported_by("--db", db, *args)
        assert "sqlalchemy" not in imported, args  # read with the driver alone
        assert "alembic" not in imported, args
        assert "tracker" in imported, args
    imported = imported_by("--db", db, "backup", tmp_path / "copy.sqlite")
    assert "sqlalchemy" in imported  # the online backup goes through the engine
    assert "alembic" not in imported


def test_importing_into_an_up_to_date_sqlite_log_imports_neither(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    assert "sqlalchemy" in imported_by("--db", db, "import", SEED)  # created: the migrations ran
    lines = tmp_path / "more.jsonl"
    lines.write_text('{"id": "more-1", "type": "statement.made", "story": "2014-03-10", '
                     '"summary": "Kerry spoke", "source": {"outlet": "AP", "published": '
                     '"2014-03-10"}, "actors": [{"name": "John Kerry", "role": "speaker"}]}\n'
                     '{"id": "more-2", "type": "statement.made", "story": "2014-03-10", '
                     '"summary": "Lavrov spoke", "source": {"outlet": "AP", "published": '
                     '"2014-03-10"}, "actors": [{"name": "Sergey Lavrov", "role": "speaker"}]}\n')
    imported = imported_by("--db", db, "import", lines)
    assert "sqlalchemy" not in imported  # appended with the driver alone
    assert "alembic" not in imported
    assert ok("--db", db, "log", "--json").stdout.count("\"id\":\"more-") == 2


def test_creating_or_upgrading_a_log_is_when_alembic_is_imported(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    assert "alembic" in imported_by("--db", db, "db", "upgrade")  # created: the migrations ran
    assert "alembic" not in imported_by("--db", db, "log")  # now up to date
    from tracker.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    try:
        migrate.downgrade(engine, "0001")
    finally:
        engine.dispose()
    assert "alembic" in imported_by("--db", db, "log")  # behind: upgraded
    assert "alembic" not in imported_by("--db", db, "log")


def test_the_revisions_read_from_the_files_are_alembics() -> None:
    script = migrate.script_directory()
    assert migrate.revisions() == {s.revision: s.down_revision for s in script.walk_revisions()}
    assert [migrate.head_revision()] == script.get_heads()


def test_no_command_imports_pydantic(tmp_path: Path) -> None:
    """Typer 0.29 and later coerce each option through a pydantic adapter (0.1 s of every
    command): pyproject.toml keeps Typer below it, and options are click's to coerce."""
    db = tmp_path / "log.sqlite"
    ok("--db", db, "import", SEED)
    imported = imported_by("--db", db, "add", "--type", "meeting.held", "--story", "2014-03-07",
                           "--published", "2014-03-10", "--outlet", "McClatchy", "--summary",
                           "Kerry and Lavrov met", "--actor", "John Kerry:participant")
    assert "pydantic" not in imported
    assert "alembic" not in imported
    assert "pydantic" not in imported_by("--db", db, "log", "--limit", "1")  # a number too
    assert "pydantic" not in imported_by("--db", db, "export", "-o", tmp_path / "out.json")
