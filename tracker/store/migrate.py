"""Alembic, driven from code: the migrations ship inside the package (``tracker/migrations`` in a
wheel) and live at the top of a checkout (``migrations/``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Engine

from tracker.errors import DatabaseError, NotATrackerDatabase, SchemaTooNew
from tracker.store.engine import use_wal

PACKAGE_DIR = Path(__file__).resolve().parent.parent
NO_LOG = "no tracker log at {where}; `tracker import` or `tracker db upgrade` creates one"


def migrations_dir() -> Path:
    for candidate in (PACKAGE_DIR / "migrations", PACKAGE_DIR.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("tracker's migrations are missing from this installation")


def alembic_config(engine: Engine, connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class Upgrade:
    """What :func:`prepare` did to a database."""

    before: str | None
    after: str
    created: bool

    @property
    def changed(self) -> bool:
        return self.before != self.after


def inspect(engine: Engine) -> tuple[bool, str | None]:
    """(has tables at all, alembic revision or None) without writing anything."""
    tables, revision = inspect_tables(engine)
    return bool(tables), revision


def inspect_tables(engine: Engine) -> tuple[set[str], str | None]:
    """(the names of its tables, alembic revision or None) without writing anything."""
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        revision = MigrationContext.configure(conn).get_current_revision()
    return names, revision


def prepare(engine: Engine, where: str, *, create: bool = True,
            read_only: bool = False) -> Upgrade:
    """Make the database a tracker log at the head revision, or refuse it untouched.

    A new empty database is created (unless ``create`` is False: then it is refused as no log);
    one from an older tracker is upgraded (unless ``read_only``: then it is refused, since the
    upgrade would write); one from a newer tracker, or one that is not a tracker log, is
    refused before anything is written.
    """
    tables, revision = inspect_tables(engine)
    if not tables and not create:
        raise DatabaseError(NO_LOG.format(where=where))
    known = {s.revision for s in script_directory().walk_revisions()}
    if (revision is None and tables) or (revision is not None and "events" not in tables):
        raise NotATrackerDatabase(f"{where} is a database, but not a tracker log (no tracker schema in it)")
    if revision is not None and revision not in known:
        raise SchemaTooNew(
            f"{where} was written by a newer version of tracker (schema revision {revision}); "
            "upgrade tracker to open it"
        )
    head = head_revision()
    if revision == head:
        if not read_only:
            use_wal(engine)
        return Upgrade(revision, head, created=False)
    if read_only:
        raise DatabaseError(
            f"{where} is at schema {revision} and needs an upgrade to {head}, which writes to it, "
            "but it cannot be written here; run `tracker db upgrade` where it can"
        )
    use_wal(engine)
    before = upgrade(engine)  # another process may have done it meanwhile: it says what it found
    return Upgrade(before, head, created=before is None)


#: The PostgreSQL advisory lock that serialises tracker's migrations of one database.
MIGRATION_LOCK = 0x7472_6163  # "trac"


@contextmanager
def _migrating(engine: Engine) -> Iterator[sa.Connection]:
    """One transaction holding the database's write lock for a migration.

    Migrations run all or nothing (a process killed half way leaves the old schema), and two
    processes opening an old or new database at once do not both migrate it: the second waits,
    then finds the work done. SQLite: ``BEGIN IMMEDIATE`` (the driver runs in autocommit mode, so
    SQLAlchemy's own begin would not start a transaction at all); PostgreSQL: a transaction-scoped
    advisory lock.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def upgrade(engine: Engine, target: str = "head") -> str | None:
    """Migrate up to target; returns the revision found once the lock was held."""
    with _migrating(engine) as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(alembic_config(engine, conn), target)
    return before


def downgrade(engine: Engine, target: str) -> None:
    with _migrating(engine) as conn:
        command.downgrade(alembic_config(engine, conn), target)


def check(engine: Engine) -> None:
    """Raise if the table models and the migrations disagree (alembic check)."""
    with engine.begin() as conn:
        try:
            command.check(alembic_config(engine, conn))
        except CommandError as exc:
            raise AssertionError(str(exc)) from None
