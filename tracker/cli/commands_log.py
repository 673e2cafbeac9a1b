"""Commands on the log: add, import, log, state, export, schema, types, db."""

from __future__ import annotations

import typer

from tracker.cli.app import app


def open_app(ctx: typer.Context) -> None:
    """`tracker` with no command: the TUI once it exists; help until then."""
    typer.echo(ctx.get_help())


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the export format."""
    import json

    from tracker.document import schema as export_schema

    typer.echo(json.dumps(export_schema(), indent=2))
