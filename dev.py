#!/usr/bin/env python3
"""Bootstrap and run tracker from a checkout with nothing but Python 3.11+ and git.

    python3 dev.py run [ARGS...]   create .venv if needed, install, then run `tracker ARGS...`
    python3 dev.py test [ARGS...]  create .venv if needed, install, then run the whole test suite

The virtual environment is rebuilt only when pyproject.toml changes (a stamp holds its hash).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".tracker-install-stamp"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _step(text: str) -> None:
    print(f"dev.py: {text}", file=sys.stderr, flush=True)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  (a friendly message on an old Python)
        sys.exit(f"tracker needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        _step(f"creating a virtual environment in {VENV} (first run only) ...")
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _wanted_stamp():
        return
    # pip's own lines (Collecting..., Installing...) show the progress: a first install fetches
    # about forty packages and takes a minute or two, which silence would make look like a hang.
    # (--progress-bar is an option of `pip install`, not of pip itself: the pip a new venv
    # bundles refuses it before the command.)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check"]
    _step("updating pip inside .venv ...")
    subprocess.run([*pip, "install", "--progress-bar", "off", "-q", "-U", "pip"], check=True)
    _step("installing tracker and its dependencies into .venv (pip's progress follows) ...")
    subprocess.run([*pip, "install", "--progress-bar", "off", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(_wanted_stamp())
    _step("installed; the next runs start at once")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "run":
        # from where the user is: a file named on the command line is theirs, not the checkout's
        args = [str(BIN / "tracker"), *rest]
    else:
        _step("running the whole test suite (pytest, two workers; SQLite, PostgreSQL, the app) ...")
        args = [str(BIN / "python"), "-m", "pytest", "-n", "2", "-q", *rest]
        os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call(args)
    os.execv(args[0], args)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
