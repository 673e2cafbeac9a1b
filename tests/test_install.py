"""An installed tracker, not only a checkout, creates, migrates and seeds its database: the wheel
carries the migrations, the seed timeline and the JSON Schema as package data.

The wheel is built from this checkout (hatchling, without build isolation, so no network), unzipped
into a temporary folder and put first on PYTHONPATH of a process started in another temporary
folder, so that the checkout itself cannot be imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SHIPPED = [
    "tracker/migrations/env.py",
    "tracker/migrations/versions/0001_create_events.py",
    "tracker/seeds/kerry-lavrov-2014-03.json",
    "tracker/codec/timeline.schema.json",
    "tracker/cli/app.py",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("tracker-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    return site


def run_installed(site: Path, cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(site), "HOME": str(home),
                "XDG_DATA_HOME": str(home / ".local" / "share")})
    env.pop("TRACKER_DB", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120, check=False)


def test_the_wheel_carries_migrations_seed_and_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in SHIPPED:
        assert path in names, path
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "tracker = tracker.cli:main" in text


def test_the_installed_package_is_the_one_imported(installed: Path, tmp_path: Path) -> None:
    done = run_installed(installed, tmp_path, tmp_path, "-c",
                         "import tracker; print(tracker.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed)


def test_an_installed_tracker_creates_migrates_and_seeds_from_package_data(
    installed: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = run_installed(installed, tmp_path, home, "-m", "tracker", "state", "--json")
    assert done.returncode == 0, done.stderr
    assert "Seeded it with the seed timeline (17 events" in done.stderr
    state = json.loads(done.stdout)
    assert state["events"] == 17
    assert state["invitations"][0]["status"] == "disputed"


def test_an_installed_tracker_migrates_a_named_database_to_head(
    installed: Path, tmp_path: Path
) -> None:
    db = tmp_path / "x.sqlite"
    done = run_installed(installed, tmp_path, tmp_path, "-m", "tracker", "--db", str(db), "db",
                         "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"Created a new tracker log at {db}.\n"
    state = run_installed(installed, tmp_path, tmp_path, "-m", "tracker", "--db", str(db), "state",
                          "--json")
    assert json.loads(state.stdout)["events"] == 0
    current = run_installed(installed, tmp_path, tmp_path, "-m", "tracker", "--db", str(db), "db",
                            "current")
    assert current.stdout.endswith("Up to date.\n")
    schema = run_installed(installed, tmp_path, tmp_path, "-m", "tracker", "schema")
    assert json.loads(schema.stdout)["title"].startswith("tracker-timeline export")
