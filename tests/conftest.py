"""Shared fixtures: real SQLite files in a temporary folder, the real PostgreSQL server, and a
home directory of our own so no test touches the user's data."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.app.service import Timeline, open_timeline

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "kerry-lavrov-2014-03.json"
PG_SERVER = os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def own_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs with an empty home and data directory, and no TRACKER_DB."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("TRACKER_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a new SQLite log (not created yet)."""
    return tmp_path / "log.sqlite"


@pytest.fixture
def timeline(db_path: Path) -> Iterator[Timeline]:
    tl = open_timeline(str(db_path))
    yield tl
    tl.close()


@pytest.fixture
def seeded(timeline: Timeline) -> Timeline:
    """A log holding the seed timeline."""
    timeline.import_file(SEED)
    return timeline


def _pg_admin_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_SERVER).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_available() -> str | None:
    """None if the server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(_pg_admin_url(), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # any failure to connect is a reason to skip
        return f"PostgreSQL at {PG_SERVER} is not reachable: {str(exc).strip().splitlines()[0]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the real server, dropped afterwards.

    Skipped with the reason when no server answers, except in CI, which must never skip it.
    """
    reason = postgres_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"tracker_t_{secrets.token_hex(6)}"
    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new log on each backend: an SQLite file, and a database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "any.sqlite")
    return str(request.getfixturevalue("pg_url"))
