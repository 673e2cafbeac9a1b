"""Exports in every format, of a view of the log: the one call the CLI and the app make
(:meth:`tracker.app.service.Timeline.export_view`).

A view is the filters of ``tracker log`` with the as-of and known-at questions of ``tracker
state``. Events are read from the store and written one at a time, in log order (story order for
the HTML page); the formats that show the state at the end read the state of the view in parts, a
section at a time, from its records (kept for the whole log; a question's folded an item at a
time). Nothing holds every event, nor the whole state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from tracker.codec.exports import About, Marks
from tracker.codec.rows import event_from_row
from tracker.domain.events import Event
from tracker.domain.fold import Query
from tracker.domain.selection import EventFilter
from tracker.errors import InvalidInput
from tracker.store.recorder import utc_now

if TYPE_CHECKING:
    from tracker.app.service import Timeline

#: Every format, with what it is for (the CLI's --help and the app's dialog list these).
FORMATS: Mapping[str, str] = {
    "json": "tracker-timeline JSON: the whole log, lossless, with hashes; `tracker import` "
            "reads it back",
    "csv": "a spreadsheet, one row per event (UTF-8, RFC 4180); `tracker import` reads it back",
    "timelinejs": "Knight Lab TimelineJS 3 JSON, one slide per event, the state on the title "
                  "slide",
    "timelinejs-csv": "the columns of TimelineJS's Google Sheets template, to paste there",
    "plover": "PLOVER event data, JSON Lines, one record per event",
    "html": "one self-contained page to open in a browser: a visual timeline, the state, the "
            "events with their sources",
}
SUFFIXES: Mapping[str, str] = {"json": ".json", "csv": ".csv", "timelinejs": ".json",
                               "timelinejs-csv": ".csv", "plover": ".jsonl", "html": ".html"}


@dataclass(frozen=True, slots=True)
class ExportView:
    """Which events an export shows: ``chosen`` (the filters of ``tracker log``), and the state
    and events as of a story date and as known on a publication date."""

    chosen: EventFilter = field(default_factory=EventFilter)
    as_of: str | None = None
    known_at: str | None = None

    @property
    def query(self) -> Query:
        return Query(as_of=self.as_of, known_at=self.known_at)

    @property
    def whole(self) -> bool:
        return not self.chosen.active and self.as_of is None and self.known_at is None

    def admits(self, event: Event) -> bool:
        return self.query.admits(event) and self.chosen.matches(event)

    def describe(self) -> str:
        """The view in words, named at the top of what is exported."""
        if self.whole:
            return "every event of the log"
        parts = [] if not self.chosen.active else [self.chosen.describe()]
        if self.as_of is not None:
            parts.append(f"as of {self.as_of}")
        if self.known_at is not None:
            parts.append(f"as known on {self.known_at}")
        return "events: " + ", ".join(parts)


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise InvalidInput(f"--format {name!r} is not a format tracker writes "
                           f"(formats: {', '.join(FORMATS)})")
    return name


def write(timeline: Timeline, format: str, view: ExportView, out: IO[bytes], *,
          force: bool = False) -> int:
    """Write the view of the log in the format to ``out``; returns the events written
    (``force``: even a log that fails its check, see :meth:`Timeline.export`)."""
    check_format(format)
    if format == "json":
        if not view.whole:
            raise InvalidInput(
                "the tracker-timeline export (--format json) is always the whole log, so that "
                "`tracker import` can check its hashes; filters, --as-of and --known-at apply "
                "to the other formats")
        return timeline.export(out, force=force)
    # the other formats' writers (the page's with the terminal's): not what the JSON needs
    from tracker.codec.exports import csv, plover, timelinejs
    from tracker.render import html

    head = timeline.head()
    query, chosen, whole = view.query, view.chosen, view.whole

    def in_log_order(what: str = "writing the events") -> Iterator[Event]:
        for row in timeline.replaying(timeline.rows(0, head[0]), head[0], what):
            event = event_from_row(row)
            if whole or (query.admits(event) and chosen.matches(event)):
                yield event

    if format == "csv":
        return csv.write(out, in_log_order())
    if format == "plover":
        return plover.write(out, in_log_order())
    about = About(timeline.label, head, utc_now(), view.describe())
    with timeline.state_parts(view.query, head) as state:  # read a section at a time
        if format == "html":
            return html.write(out, _story_order(timeline, view, head[0]), state, about)
        marks = Marks(state)
        if format == "timelinejs":
            return timelinejs.write(out, in_log_order(), marks, about)
        count = (state.events if not view.chosen.active
                 else sum(1 for _ in in_log_order("counting the events chosen")))
        return csv.write_timelinejs(out, in_log_order(), marks, about, count)


def _story_order(timeline: Timeline, view: ExportView, until: int
                 ) -> Callable[[], Iterator[Event]]:
    def events() -> Iterator[Event]:
        for listed in timeline.listing(view.chosen if view.chosen.active else None):
            event = listed.event
            if event.position <= until and view.query.admits(event):
                yield event
    return events
