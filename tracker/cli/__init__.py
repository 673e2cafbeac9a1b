"""The ``tracker`` command: thin commands around :mod:`tracker.app.service`.

Each command group lives in its own module and registers itself on :data:`app`; every failure is
translated once, in :func:`main`, into a one-line message and an exit code.
"""

from __future__ import annotations

from tracker.cli import commands_integrity, commands_log  # noqa: F401  (register commands)
from tracker.cli.app import app, main

__all__ = ["app", "main"]
