"""The Typer application, its global options, and the one place errors become messages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from tracker.errors import TrackerError
from tracker.text import one_line

if TYPE_CHECKING:  # the service (SQLAlchemy and all) is imported by the commands that use it
    from tracker.app.service import Timeline

#: A usage error (unknown option, bad value): the base of typer's public BadParameter. Typer
#: bundles its own click in a private module; this names the class without importing it.
UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class TrackerGroup(TyperGroup):
    """The command group that turns a TrackerError from any command into its one-line message.

    Done here rather than in :func:`main` so that the CliRunner in the tests sees exactly what a
    user sees: "Error: <one line>" on stderr and the error's exit code.
    """

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer bundles click privately)
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            typer.echo(f"Error: {one_line(str(exc))}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except UsageError as exc:
            raise typer.Exit(_usage(exc)) from None

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            raise SystemExit(_usage(exc)) from None


def _usage(exc: Any) -> int:
    """A usage error (unknown option, bad value) as one line; its exit code (2)."""
    command = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "tracker"
    typer.echo(f"Error: {one_line(exc.format_message())} (see '{command} -h')", err=True)
    return int(getattr(exc, "exit_code", 2))


app = typer.Typer(
    name="tracker",
    cls=TrackerGroup,
    help="An event-sourced diplomatic timeline: record sourced events, replay them into state.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help: Typer's Rich help imports Rich's markdown, traceback and syntax
    # modules first, which doubled the start-up of `tracker --help` (see bench/RESULTS.md).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Settings:
    """Global options, kept on the Typer context for the commands."""

    def __init__(self, db: str | None) -> None:
        self.db = db


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="TRACKER_DB",
            metavar="PATH|URL", help="SQLite file path or database URL (postgresql+psycopg://...). "
            "Default: tracker.sqlite in the user data directory, seeded on first use.",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = Settings(db)
    if ctx.invoked_subcommand is None:
        from tracker.cli.commands_log import open_app

        open_app(ctx)


@contextmanager
def timeline(ctx: typer.Context, *, create: bool = True, read_only: bool = False,
             before_upgrade: Callable[[], None] | None = None,
             driver: bool = False) -> Iterator[Timeline]:
    """Open the log named by --db / TRACKER_DB / the default, telling the user what set-up did.

    Commands that only read pass ``create=False, read_only=True``: a mistyped path is refused
    instead of becoming an empty log, and a log that cannot be written is read all the same. A
    log this command created is removed again if the command fails before appending to it.
    ``before_upgrade``: the command's own checks, made before a log from an older tracker is
    upgraded for it (a refusal then leaves that log untouched). ``driver``: an up-to-date SQLite
    log is opened without SQLAlchemy (see :func:`~tracker.app.service.open_timeline`)."""
    from tracker.app.service import open_timeline
    from tracker.cli.progress import TerminalProgress

    settings: Settings = ctx.obj
    tl = open_timeline(settings.db, create=create, read_only=read_only,
                       before_upgrade=before_upgrade, driver=driver)
    progress = tl.progress = TerminalProgress.on(sys.stderr)
    try:
        if not tl.created:
            for notice in tl.notices:
                typer.echo(notice, err=True)
        yield tl
    except BaseException:
        if progress is not None:
            progress.close()  # what follows (the error) starts on a clean line
        if not tl.discard_if_unused():
            _notices_of_creation(tl)
        raise
    else:
        if progress is not None:
            progress.close()
        _notices_of_creation(tl)
    finally:
        tl.close()


def _notices_of_creation(tl: Timeline) -> None:
    """A new log is announced once the command has kept it (a refused import removes it)."""
    if tl.created:
        for notice in tl.notices:
            typer.echo(notice, err=True)


def main() -> None:
    """Console entry point: run the app, translating failures into one line and an exit code.

    Usage errors are typer's own (exit 2); a TrackerError is one line (see TrackerGroup); nothing
    a user can cause prints a traceback.
    """
    try:
        app(standalone_mode=True)
    except TrackerError as exc:  # raised outside a command (a parameter callback, say)
        typer.echo(f"Error: {one_line(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # anything unforeseen: one line, no trace
        typer.echo(f"Error: unexpected failure: {one_line(type(exc).__name__ + ': ' + str(exc))}",
                   err=True)
        sys.exit(1)
