"""Running the real `tracker` command in tests: through typer's CliRunner (in process) or as a
subprocess (a real terminal-less process, for what only a process shows: exit codes of
``python -m tracker``, the default database in an empty home, tracebacks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "kerry-lavrov-2014-03.json"

runner = CliRunner()


def tracker(*args: str | Path, input: str | bytes | None = None) -> Result:
    """Invoke `tracker ARGS...` in process; stdout and stderr are kept apart."""
    return runner.invoke(app, [str(a) for a in args], input=input)


def ok(*args: str | Path, input: str | bytes | None = None) -> Result:
    """Invoke and insist it succeeded, showing what it said if not."""
    result = tracker(*args, input=input)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def state_json(db: Path | str, *flags: str) -> dict[str, Any]:
    return json.loads(ok("--db", db, "state", "--json", *flags).stdout)  # type: ignore[no-any-return]


def seeded_db(folder: Path) -> Path:
    """A new SQLite log with the seed timeline imported through the CLI."""
    db = folder / "seeded.sqlite"
    ok("--db", db, "import", SEED)
    return db


def run_process(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m tracker ARGS...` as a real process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tracker", *[str(a) for a in args]],
        capture_output=True, text=True, env=full_env, cwd=cwd, input=input, timeout=120,
        check=False,
    )
