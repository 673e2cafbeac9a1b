"""Commands that prove the log is whole: verify, backup."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.app import app, timeline
from tracker.text import visible


@app.command("verify")
def verify(
    ctx: typer.Context,
    head: Annotated[str | None, typer.Option(
        "--head", metavar="HASH", help="A head hash noted earlier (from verify, an export or a backup): the log "
        "must still hold it, which also catches entries removed from its end.")] = None,
) -> None:
    """Recompute the hash chain of the whole log; exit 4 naming the first altered position.

    \b
    Example:
      tracker verify
      OK: 17 events, head 5fe34dab...
    """
    with timeline(ctx, create=False, read_only=True) as tl:
        verdict = tl.check_whole(head)
    typer.echo(f"OK: {verdict.checked} events, head {verdict.head_hash}")


@app.command("backup")
def backup(
    ctx: typer.Context,
    dest: Annotated[str, typer.Argument(help="The SQLite file to write.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace DEST if it exists.")] = False,
) -> None:
    """Copy the log to an SQLite file while others go on writing; the copy is verified.

    \b
    Example:
      tracker backup ~/backups/tracker-2014-03-10.sqlite
    """
    with timeline(ctx, create=False, read_only=True) as tl:
        report = tl.backup(dest, force=force)
    typer.echo(
        f"Backed up {report.events} events to {visible(str(report.dest))} "
        f"(head {report.head_hash}); "
        "the copy verifies."
    )
