"""Alembic, driven from code: the migrations ship inside the package (``tracker/migrations`` in a
wheel) and live at the top of a checkout (``migrations/``).

Opening a log that is already at the newest schema imports no Alembic (it costs a command a third
of its start-up): the database's revision is one query, and the revisions the migrations hold are
read from their files' ``revision`` / ``down_revision`` lines. Alembic is imported only when a
migration is due (or asked about: ``tracker db current``, the tests' drift check).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: opening a log at the newest schema needs neither
    import sqlalchemy as sa
    from alembic.config import Config
    from alembic.script import ScriptDirectory
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
    from alembic.config import Config

    cfg = Config(stdout=sys.stdout)  # the stream of now (Config's default is bound at import)
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config(stdout=sys.stdout)  # the stream of now (Config's default is bound at import)
    cfg.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(cfg)


_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(None|['\"]([^'\"]+)['\"])",
                            re.MULTILINE)


@cache
def revisions() -> dict[str, str | None]:
    """Each revision of the migrations and the one it follows, read from the files' own lines
    (what Alembic's script directory finds, without importing Alembic)."""
    found: dict[str, str | None] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        fields = {m.group(1): m.group(3) for m in _REVISION_LINE.finditer(path.read_text("utf-8"))}
        if fields.get("revision"):
            found[fields["revision"]] = fields.get("down_revision")
    return found


def head_revision() -> str:
    """The newest revision: the one no other follows."""
    known = revisions()
    followed = set(known.values())
    heads = [r for r in known if r not in followed]
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {heads}"
    return heads[0]


def _revision(conn: sa.Connection) -> str | None:
    """The database's revision: the one row of Alembic's version table (None without it)."""
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    if len(row) > 1:
        raise NotATrackerDatabase("the database names more than one schema revision")
    return str(row[0][0]) if row else None


def current_revision(engine: Engine) -> str | None:
    import sqlalchemy as sa

    with engine.connect() as conn:
        if "alembic_version" not in sa.inspect(conn).get_table_names():
            return None
        return _revision(conn)


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
    import sqlalchemy as sa

    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
        revision = _revision(conn) if "alembic_version" in names else None
    return names, revision


def prepare(engine: Engine, where: str, *, create: bool = True, read_only: bool = False,
            before_upgrade: Callable[[], None] | None = None) -> Upgrade:
    """Make the database a tracker log at the head revision, or refuse it untouched.

    A new empty database is created (unless ``create`` is False: then it is refused as no log);
    one from an older tracker is upgraded (unless ``read_only``: then it is refused, since the
    upgrade would write), after ``before_upgrade`` (a command's own checks, which may refuse it
    untouched); one from a newer tracker, or one that is not a tracker log, is refused before
    anything is written.
    """
    tables, revision = inspect_tables(engine)
    if not tables and not create:
        raise DatabaseError(NO_LOG.format(where=where))
    known = revisions()
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
    if before_upgrade is not None and revision is not None:
        before_upgrade()
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
    import sqlalchemy as sa
    from alembic import command

    with _migrating(engine) as conn:
        before = _revision(conn) if sa.inspect(conn).has_table("alembic_version") else None
        command.upgrade(alembic_config(engine, conn), target)
    return before


def downgrade(engine: Engine, target: str) -> None:
    from alembic import command

    with _migrating(engine) as conn:
        command.downgrade(alembic_config(engine, conn), target)


def check(engine: Engine) -> None:
    """Raise if the table models and the migrations disagree (alembic check)."""
    from alembic import command
    from alembic.util.exc import CommandError

    with engine.begin() as conn:
        try:
            command.check(alembic_config(engine, conn))
        except CommandError as exc:
            raise AssertionError(str(exc)) from None
