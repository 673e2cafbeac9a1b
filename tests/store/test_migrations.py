"""On a new database the migrations run to head, and the table models and the migrations agree
(the equivalent of `alembic check`): on SQLite and on the PostgreSQL server.

Issue 2, "Must show" 7.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.cli_support import ok
from tracker.app.service import open_timeline
from tracker.store import migrate
from tracker.store.engine import database_url, make_engine


def test_a_new_database_is_migrated_to_head_and_has_no_drift(any_url: str) -> None:
    tl = open_timeline(any_url)
    try:
        assert tl.notices[0].startswith("Created a new tracker log at ")
        assert migrate.current_revision(tl.engine) == migrate.head_revision()
        migrate.check(tl.engine)  # raises AssertionError naming the drift
        with tl.engine.connect() as conn:
            assert "events" in sa.inspect(conn).get_table_names()
    finally:
        tl.close()


def test_the_schema_comes_from_the_migrations_only(any_url: str) -> None:
    """No create_all on the real path: alembic's version table is there, at the head."""
    open_timeline(any_url).close()
    engine = make_engine(database_url(any_url))
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert names == {"events", "alembic_version"}
        assert version == migrate.head_revision()
    finally:
        engine.dispose()


def test_the_revisions_form_one_line_from_base_to_head() -> None:
    script = migrate.script_directory()
    assert script.get_heads() == [migrate.head_revision()]
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert revisions[0].revision == migrate.head_revision()


def test_db_current_agrees(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite"
    ok("--db", db, "db", "upgrade")
    assert ok("--db", db, "db", "current").stdout.endswith("Up to date.\n")


def test_opening_again_changes_nothing(any_url: str) -> None:
    open_timeline(any_url).close()
    again = open_timeline(any_url)
    try:
        assert again.notices == []
        migrate.check(again.engine)
    finally:
        again.close()
