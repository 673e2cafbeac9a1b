"""Commands on the log: add, import, log, state, export, schema, types, db.

Each command parses what the user typed, makes one call on the Timeline, and renders the answer.
Text from events is printed through Rich ``Text`` objects or :func:`tracker.text.visible`, never
as markup.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from tracker.cli.app import app, timeline
from tracker.errors import InvalidInput, TrackerError
from tracker.text import clip, json_safe, visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from tracker.app.service import Timeline

# Each command imports what it uses (the domain, Rich, the service): `tracker --help` and the
# commands that need none of it start without them.

db_app = typer.Typer(
    help="Run and report the database's schema migrations.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, as the app's (see tracker.cli.app)
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_app, name="db")


def open_app(ctx: typer.Context) -> None:
    """`tracker` with no command: the timeline app on the --db / TRACKER_DB / default log.

    What opening did (created, seeded, upgraded) is said on stderr first.
    """
    from tracker.tui.app import run

    with timeline(ctx) as tl:
        run(tl)


def _console(err: bool = False) -> Console:
    """A console on the current stdout/stderr (tests swap them), printing no markup."""
    from rich.console import Console

    return Console(file=sys.stderr if err else sys.stdout, highlight=False, markup=False,
                   emoji=False, soft_wrap=False)


def _show(*renderables: RenderableType) -> None:
    console = _console()
    if console.is_terminal:
        for r in renderables:
            # what is long comes in pieces: Rich holds all that one print renders until it ends
            pieces = getattr(r, "pieces", None)
            for piece in pieces(console) if pieces is not None else (r,):
                console.print(piece)
        return
    # Into a file or a pipe: no padding to the console's width at the ends of lines (and what
    # can give its lines as plain text, a large state say, is not rendered to be stripped).
    for r in renderables:
        lines = getattr(r, "plain_lines", None)
        if lines is not None:
            sys.stdout.writelines(line + "\n" for line in lines(console))
            continue
        with console.capture() as captured:
            console.print(r)
        sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _done_telling(tl: Timeline) -> None:
    """The progress line erased before what a command shows of its work (a stale line would
    sit above it, or among it on the terminal)."""
    close = getattr(tl.progress, "close", None)
    if close is not None:
        close()


def _written_to_the_terminal(tl: Timeline) -> None:
    """A command about to write what it reads to stdout draws no progress line where stdout
    is the terminal (the line would sit among what is written, and its erasing erase it)."""
    if sys.stdout.isatty():
        tl.progress = None


# --------------------------------------------------------------------------- add


def _split_pair(value: str, sep: str, flag: str, shape: str) -> tuple[str, str]:
    left, found, right = value.partition(sep)
    if not found or not left.strip() or not right.strip():
        raise InvalidInput(f"{flag} {clip(repr(value))} must look like {shape}")
    return left.strip(), right.strip()


def _details(pairs: list[str], type_name: str) -> dict[str, Any]:
    """--detail KEY=VALUE pairs as the details object of the event's type.

    A list detail takes items separated by ; and/or repeats; an object detail (a correction's
    changes) takes JSON; a yes/no detail takes yes, no, true or false (as the app's form does:
    :func:`tracker.domain.input.detail_from_text`).
    """
    from tracker.app.terms import EVENT_TYPES, detail_from_text, json_value

    etype = EVENT_TYPES.get(type_name)
    out: dict[str, Any] = {}
    for pair in pairs:
        key, value = _split_pair(pair, "=", "--detail", "KEY=VALUE")
        kind = etype.details.get(key) if etype is not None else None
        if etype is None or kind is None:
            out[key] = value  # unknown types and keys are named by the event's validation
        elif kind == "object":
            out[key] = json_value(value, f"--detail {clip(key, 40)}")
        elif kind == "list[str]":
            out.setdefault(key, []).extend(detail_from_text(etype, key, value))
        else:
            try:
                out[key] = detail_from_text(etype, key, value)
            except TrackerError as exc:
                said = exc.message.removeprefix(f"field 'details.{key}' ")
                raise InvalidInput(f"--detail {clip(key, 40)}: {said}") from None
    return out


def _event_from_options(
    type_: str,
    id_: str | None,
    subject: str | None,
    story: str | dict[str, Any] | None,
    summary: str | None,
    actor: list[str],
    place: str | None,
    outlet: str | None,
    published: str | None,
    author: str | None,
    url: str | None,
    speaker: str | None,
    off_record: bool,
    quote: str | None,
    ref: list[str],
    detail: list[str],
) -> dict[str, Any]:
    missing = [flag for flag, value in (("--story", story), ("--summary", summary),
                                        ("--outlet", outlet), ("--published", published))
               if value is None]
    if missing:
        raise InvalidInput(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required with --type "
            "(every event has a story date, a summary and a source with its publication date)"
        )
    from tracker.app.terms import actor_from_text

    actors = []
    for a in actor:
        typed = actor_from_text(a)
        if not typed["name"] or not typed["role"]:
            raise InvalidInput(f"--actor {clip(repr(a))} must look like NAME:ROLE or "
                               "NAME:ROLE:OFFICE (e.g. 'John Kerry:invitee' or "
                               "'Mike Pompeo:participant:Secretary of State')")
        actors.append(typed)
    refs = []
    for r in ref:
        rel, target = _split_pair(r, ":", "--ref", "REL:ID (e.g. responds_to:kl-02)")
        refs.append({"rel": rel, "id": target})
    source: dict[str, Any] = {"outlet": outlet, "published": published}
    for key, value in (("author", author), ("url", url), ("speaker", speaker), ("quote", quote)):
        if value is not None:
            source[key] = value
    if off_record:
        source["on_record"] = False
    obj: dict[str, Any] = {"type": type_, "story": story, "summary": summary, "source": source,
                           "actors": actors, "refs": refs, "details": _details(detail, type_)}
    if id_ is not None:
        obj["id"] = id_
    if subject is not None:
        obj["subject"] = subject
    if place is not None:
        obj["place"] = place
    return obj


def _story_option(story: str | None, story_tz: str | None, received: str | None,
                  received_tz: str | None) -> str | dict[str, Any] | None:
    """--story with its zone and receipt: the story object of the event format, or the bare
    expression when neither is given."""
    if received is None and received_tz is not None:
        raise InvalidInput("--received-tz needs --received (when the document was received)")
    if story is None or (story_tz is None and received is None):
        return story
    out: dict[str, Any] = {"expr": story}
    if story_tz is not None:
        out["tz"] = story_tz
    if received is not None:
        out["received"] = {"expr": received, **({"tz": received_tz} if received_tz else {})}
    return out


def _event_from_json(name: str) -> dict[str, Any]:
    label = "stdin" if name == "-" else name
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{label}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InvalidInput(f"{label}: no event given (expected one JSON object)")
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{label}: not valid JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(obj, dict):
        raise InvalidInput(f"{label}: expected one JSON object (an event), not a list or a value")
    return obj


@app.command("add")
def add(
    ctx: typer.Context,
    type_: Annotated[str | None, typer.Option("--type", "-t", metavar="TYPE", help="Event type (see `tracker types`).")] = None,
    id_: Annotated[str | None, typer.Option("--id", metavar="ID", help="Stable id; generated if left out.")] = None,
    subject: Annotated[str | None, typer.Option(metavar="ITEM", help="The item it is about (e.g. invitation:kerry-to-moscow); "
                                                      "taken from --ref when left out.")] = None,
    story: Annotated[str | None, typer.Option(metavar="DATE", help="When it happened: '2014-03-07', 'last Friday', "
                                                    "'last week', 'no later than 2014-03-10'.")] = None,
    story_tz: Annotated[str | None, typer.Option(metavar="ZONE", help="The time zone of the story date: the place's "
                                                      "local day (Europe/Brussels, +01:00).")] = None,
    received: Annotated[str | None, typer.Option(metavar="DATE", help="A document: when it reached its addressee "
                                                      "('Saturday', '2014-03-08').")] = None,
    received_tz: Annotated[str | None, typer.Option(metavar="ZONE", help="The time zone of --received "
                                                         "(Asia/Shanghai, +08:00).")] = None,
    summary: Annotated[str | None, typer.Option(metavar="TEXT", help="One line saying what happened.")] = None,
    actor: Annotated[list[str] | None, typer.Option(
        metavar="NAME:ROLE[:OFFICE]", help="NAME:ROLE, or NAME:ROLE:OFFICE with the office held "
        "then; repeatable.")] = None,
    place: Annotated[str | None, typer.Option(metavar="PLACE", help="Where it happened.")] = None,
    outlet: Annotated[str | None, typer.Option(metavar="OUTLET", help="Source: the outlet that reported it.")] = None,
    published: Annotated[str | None, typer.Option(metavar="DATE", help="Source: publication date (YYYY-MM-DD); "
                                                        "relative story dates are read against it.")] = None,
    author: Annotated[str | None, typer.Option(metavar="NAME", help="Source: the author.")] = None,
    url: Annotated[str | None, typer.Option(metavar="URL", help="Source: the URL.")] = None,
    speaker: Annotated[str | None, typer.Option(metavar="NAME", help="Source: who said it (a name or an anonymous label).")] = None,
    off_record: Annotated[bool, typer.Option("--off-record", help="The speaker spoke not for attribution.")] = False,
    quote: Annotated[str | None, typer.Option(metavar="TEXT", help="Source: a short quote.")] = None,
    certainty: Annotated[str | None, typer.Option(metavar="LEVEL", help="certain (stated as fact, the default), "
                                                       "probable or possible.")] = None,
    ref: Annotated[list[str] | None, typer.Option(metavar="REL:ID", help="An earlier entry it acts on (responds_to:kl-03); "
                                                          "repeatable.")] = None,
    detail: Annotated[list[str] | None, typer.Option(metavar="KEY=VALUE", help="A detail of the type (venue=Moscow); repeatable; "
                                                          "a list's items separated by ; or "
                                                          "repeated; yes/no: yes, no, true or false.")] = None,
    expect_position: Annotated[int | None, typer.Option(metavar="N", help="Refuse (exit 3) unless the log is still at "
                                                             "this position.")] = None,
    json_file: Annotated[str | None, typer.Option("--json", metavar="FILE", help="Read the event as a JSON object from "
                                                                 "this file, or - for stdin.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Append even to a log that fails its "
                                                        "integrity check.")] = False,
) -> None:
    """Append one event, from options or from a JSON object on stdin.

    \b
    Example:
      tracker add --type meeting.held --story 'last Friday' \\
        --published 2014-03-10 --outlet McClatchy \\
        --summary 'Kerry and Lavrov met' \\
        --actor 'John Kerry:participant:Secretary of State' \\
        --actor 'Sergey Lavrov:participant:Foreign Minister'
    """
    given = [type_, id_, subject, story, summary, place, outlet, published, author, url, speaker,
             quote, certainty, story_tz, received, received_tz]
    if json_file is None and type_ is None:
        if any(v is not None for v in given) or actor or ref or detail or off_record:
            raise InvalidInput("--type is required (see `tracker types`), or give the event as "
                               "JSON with --json")
        if sys.stdin.isatty():
            raise InvalidInput("give the event as options (--type, --story, --summary, --outlet, "
                               "--published...) or as a JSON object on stdin (--json -)")
        json_file = "-"
    if json_file is not None:
        if any(v is not None for v in given) or actor or ref or detail or off_record:
            raise InvalidInput("give the event either as options or as JSON (--json), not both")
        obj = _event_from_json(json_file)
        where = "stdin" if json_file == "-" else json_file
    else:
        assert type_ is not None
        obj = _event_from_options(type_, id_, subject, _story_option(story, story_tz, received,
                                                                     received_tz),
                                  summary, actor or [], place,
                                  outlet, published, author, url, speaker, off_record, quote,
                                  ref or [], detail or [])
        if certainty is not None:
            obj["certainty"] = certainty
        where = "event"
    with timeline(ctx) as tl:
        event = tl.parse(obj, where)
        report = tl.append([event], [where], expected_position=expect_position, force=force)
        if report.added:
            stored = report.added[0]
            head = f"Added event {stored.position}: {stored.id}"
        else:
            stored = tl.get(event.id)
            head = (f"Already in the log at position {stored.position} with the same content: "
                    f"{stored.id}; nothing added.")
    from tracker.render import terminal as render

    typer.echo(visible(head))
    _show(*render.event_lines(stored))


# --------------------------------------------------------------------------- import


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="An export, a JSON array of events, or JSON Lines; "
                                             "- for stdin.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Append even to a log that fails its "
                                                        "integrity check.")] = False,
) -> None:
    """Append every event of a file, all or nothing; events already in the log are skipped.

    \b
    Example:
      tracker import seeds/kerry-lavrov-2014-03.json
    """
    from tracker.app.service import check_input
    from tracker.app.terms import read_file, read_stream

    data = read_stream(sys.stdin.buffer, "stdin") if file == "-" else read_file(Path(file))
    with timeline(ctx, create=True, before_upgrade=lambda: check_input(data), driver=True) as tl:
        report = tl.import_input(data, force=force)
    added, repeated = len(report.added), len(report.repeated)
    message = f"Imported {added} event{'s' if added != 1 else ''} ({repeated} already in the log)."
    if added == 0:
        message += " Every event was already there: importing again is harmless."
    typer.echo(message)


# The filters `log` and `export` share, written once.
TypeFilter = Annotated[list[str] | None, typer.Option(
    "--type", "-t", metavar="TYPE", help="An event type or a kind (invitation); repeatable.")]
ActorFilter = Annotated[str | None, typer.Option(metavar="NAME", help="Part of an actor's name (any case).")]
SourceFilter = Annotated[str | None, typer.Option(metavar="TEXT", help="Part of the outlet, speaker or author.")]
DateFrom = Annotated[str | None, typer.Option(
    "--from", metavar="DATE", help="Story dates from (YYYY-MM-DD); an event whose date is a window matches if "
    "the window overlaps the range.")]
DateTo = Annotated[str | None, typer.Option("--to", metavar="DATE", help="Story dates to (YYYY-MM-DD), inclusive.")]
Within = Annotated[bool, typer.Option(
    "--within", help="Only events certainly inside --from/--to: the whole window in the range.")]


# --------------------------------------------------------------------------- log


@app.command("log")
def log(
    ctx: typer.Context,
    type_: TypeFilter = None,
    actor: ActorFilter = None,
    source: SourceFilter = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    within: Within = False,
    order: Annotated[str, typer.Option(metavar="ORDER", help="story (when it happened) or recorded (log order).")] = "story",
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one export-shaped event each.")] = False,
    limit: Annotated[int | None, typer.Option(metavar="N", help="Show at most this many.")] = None,
) -> None:
    """List events, in story order or log order, optionally filtered.

    An event whose story date is a window (last week, no later than 2014-03-10) matches a
    --from/--to range the window overlaps: it may have happened inside it. --within keeps only
    the events certainly inside the range. In story order, a date marked ≈ is of uncertain
    order against its neighbours.

    \b
    Example:
      tracker log --type invitation --actor kerry
      tracker log --from 2014-03-03 --to 2014-03-09 --order recorded
      tracker log --from 2014-03-03 --to 2014-03-09 --within
    """
    from tracker.app.terms import EventFilter, event_to_dict
    from tracker.render import terminal as render

    if order not in {"story", "recorded"}:
        raise InvalidInput(f"--order must be story or recorded, not {clip(repr(order))}")
    if limit is not None and limit < 0:
        raise InvalidInput(f"--limit must be 0 or more, not {limit}")
    chosen = EventFilter.build(type_ or (), actor, source, date_from, date_to, within)
    with timeline(ctx, create=False, read_only=True) as tl:
        listed = tl.listing(chosen, "story" if order == "story" else "recorded", limit)
        if as_json:
            out = sys.stdout.buffer
            for entry in listed:
                out.write(json_safe(orjson.dumps(event_to_dict(entry.event, entry.hash))) + b"\n")
            out.flush()
            return
        picked = list(listed)
        empty = not picked and not tl.count()
    if not picked:
        typer.echo("No events." if empty else f"No events match ({chosen.describe()}).")
        return
    marks = {entry.event.id: entry.marks for entry in picked}
    uncertain = [entry.uncertain for entry in picked] if order == "story" else None
    _show(render.events_table([entry.event for entry in picked], marks, uncertain))


# --------------------------------------------------------------------------- state


def recorded_time(text: str, flag: str = "--recorded-by") -> str:
    """An ISO date (the end of that day, UTC) or datetime (UTC unless it says otherwise), in the
    log's recorded_at format (the app's audit view reads its input with the same parser)."""
    from tracker.app.terms import parse_recorded_time

    return parse_recorded_time(text, flag)


@app.command("state")
def state(
    ctx: typer.Context,
    at: Annotated[int | None, typer.Option(metavar="N", help="After the first N events of the log.")] = None,
    as_of: Annotated[str | None, typer.Option(metavar="DATE", help="What had happened by this story date (YYYY-MM-DD).")] = None,
    known_at: Annotated[str | None, typer.Option(metavar="DATE", help="Only what had been published by this date.")] = None,
    recorded_by: Annotated[str | None, typer.Option(metavar="TIME", help="Only what the log held at this time "
                                                         "(ISO date or datetime, UTC).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The state document as JSON.")] = False,
) -> None:
    """The state of affairs replayed from the log; the four questions combine.

    \b
    Example:
      tracker state --as-of 2014-03-08
      tracker state --known-at 2014-03-10 --json
    """
    from tracker.app.terms import Query, parse_iso_date

    if at is not None and at < 0:
        raise InvalidInput(f"--at must be a log position, 0 or more, not {at}")
    query = Query(
        at=at,
        as_of=None if as_of is None else parse_iso_date(as_of.strip(), "--as-of").isoformat(),
        known_at=None if known_at is None else parse_iso_date(known_at.strip(), "--known-at").isoformat(),
        recorded_by=None if recorded_by is None else recorded_time(recorded_by),
    )
    with timeline(ctx, create=False, read_only=True) as tl:
        if as_json:
            # The bytes of json_safe(orjson.dumps(doc, option=OPT_INDENT_2)) (json.dumps with
            # indent=2 and ensure_ascii=False, terminal controls escaped), folded and written an
            # item at a time: a large log's state is never held whole.
            _written_to_the_terminal(tl)
            out = sys.stdout.buffer
            tl.write_state(out, query, indent=True)
            out.write(b"\n")
            out.flush()
            return
        from tracker.render import terminal as render  # the view only (--json needs no Rich)

        # shown as the records are read: a large log's state is never held whole
        with tl.state_parts(query) as parts:
            _done_telling(tl)
            _show(render.state_view(parts, query.describe()))


# --------------------------------------------------------------------------- export, schema, types


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to this file "
                                                "(atomically) instead of stdout.")] = None,
    format_: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="json, csv, timelinejs, "
                                         "timelinejs-csv, plover or html (see above).")] = "json",
    type_: TypeFilter = None,
    actor: ActorFilter = None,
    source: SourceFilter = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    within: Within = False,
    as_of: Annotated[str | None, typer.Option(metavar="DATE", help="What had happened by this story date.")] = None,
    known_at: Annotated[str | None, typer.Option(metavar="DATE", help="Only what had been published by this date.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists; "
                                        "export even a log that fails its integrity check.")] = False,
) -> None:
    """Write the timeline in a format: the whole log as tracker-timeline JSON (the default; see
    `tracker schema`), or a view of it (the filters of `tracker log`, --as-of, --known-at) for
    other tools and for people.

    \b
    Formats:
      json            tracker-timeline JSON: the whole log, lossless; `tracker import` reads it
      csv             one row per event (UTF-8, RFC 4180, formula-safe); `tracker import` reads it
      timelinejs      Knight Lab TimelineJS 3 JSON: a slide per event, a lane per kind of item,
                      the state at the end on the title slide
      timelinejs-csv  the columns of TimelineJS's Google Sheets template
      plover          PLOVER event data, JSON Lines; statements, proposals submitted or countered,
                      and disputed or confirmed accounts have no PLOVER category (event empty,
                      CAMEO code kept)
      html            one self-contained page: a visual timeline, the state, the events

    \b
    TimelineJS cannot carry an uncertain date as data (a slide sits at one bound and says the
    window in words), a dispute as a relation (a line and a link), certainty, or what was known
    on which date: keep the json export for those.

    \b
    Example:
      tracker export --format html --as-of 2014-03-08 -o report.html
      tracker export --format csv --type invitation > invitations.csv
    """
    from tracker.app.exports import ExportView, check_format
    from tracker.app.terms import EventFilter, parse_iso_date

    check_format(format_)
    view = ExportView(
        EventFilter.build(type_ or (), actor, source, date_from, date_to, within),
        as_of=None if as_of is None else parse_iso_date(as_of.strip(), "--as-of").isoformat(),
        known_at=None if known_at is None else parse_iso_date(known_at.strip(), "--known-at").isoformat(),
    )
    with timeline(ctx, create=False, read_only=True) as tl:
        if output is None:
            _written_to_the_terminal(tl)
            tl.export_view(format_, view, sys.stdout.buffer, force=force)
            sys.stdout.buffer.flush()
            return
        n = tl.export_view(format_, view, output, force=force)
    typer.echo(f"Exported {n} event{'s' if n != 1 else ''} to {visible(str(output))}.", err=True)


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the export format."""
    from tracker.app.terms import export_schema

    typer.echo(json.dumps(export_schema(), indent=2))


@app.command("types")
def types() -> None:
    """The event vocabulary: each type, what it means, its roles, details and required refs."""
    from tracker.render import terminal as render

    _show(render.types_view())


# --------------------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or bring it to the newest schema; every event is kept."""
    with timeline(ctx) as tl:  # opening migrates (and says so)
        changed = bool(tl.notices)
        revision = tl.revision()
        label = tl.label
    if not changed:
        typer.echo(f"{visible(label)} is already at the newest schema (revision {revision}).")
    else:
        typer.echo(f"{visible(label)} is at the newest schema (revision {revision}).")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the newest one, without changing anything."""
    from tracker.app.service import schema_status

    status = schema_status(ctx.find_root().obj.db)
    if not status.exists:
        typer.echo(f"{visible(status.label)}: no database yet (the newest schema is revision "
                   f"{status.head}); `tracker db upgrade` creates it.")
        return
    typer.echo(f"database: {visible(status.label)}")
    typer.echo(f"revision: {visible(status.revision) if status.revision else 'none'}")
    typer.echo(f"head:     {status.head}")
    typer.echo(status.verdict)
