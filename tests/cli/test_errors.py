"""Every way a user can hold the command wrong ends in one line and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import SEED, ok, tracker


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["state", "--at", "abc"],
         "Error: Invalid value for '--at': 'abc' is not a valid int. (see 'tracker state -h')"),
        (["state", "--bogus"], "Error: No such option: --bogus (see 'tracker state -h')"),
        (["nosuch"], "Error: No such command 'nosuch'. (see 'tracker -h')"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(tmp_path: Path, args: list[str],
                                               message: str) -> None:
    result = tracker("--db", tmp_path / "u.sqlite", *args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


def test_an_unknown_global_option_is_one_line_in_a_real_process(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "tracker"  # the console script, as a user runs it
    done = subprocess.run([str(script), "--bogus"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    assert done.stderr == "Error: No such option: --bogus (see 'tracker -h')\n"


def test_json_nested_too_deeply_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "deep.sqlite"
    ok("--db", db, "import", SEED)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000)
    result = tracker("--db", db, "import", deep)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {deep} line 1: not valid JSON (nested too deeply)\n"
    assert ok("--db", db, "verify").stdout.startswith("OK: 17 events")
