"""What the user is looking at in the timeline app, and the service calls that answer it.

Plain Python (no Textual): the app composes widgets and maps keys to actions, and asks a
:class:`Session` what to show. The session holds the view (which positions, in which order,
narrowed and filtered how), the cursor, the search and its matches, where the state at the cursor
comes from (a :class:`~tracker.app.stepping.Stepper`), and the way back after following a
reference. Its slow calls (``load``, ``search``, ``narrow``, ``filter_text``, ``stepper``,
``detail``, ``state``) only read: the app runs them in worker threads and hands what they give
to the matching ``take_*`` method on its own thread. Each failure is a
:class:`~tracker.errors.TrackerError` whose message the app shows as it is.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from tracker.app.service import Narrowed, Timeline
from tracker.app.stepping import Stepper, StepState
from tracker.app.terms import (
    OPEN_END_DAY,
    Event,
    EventFilter,
    Order,
    Outline,
    Query,
    day_number,
    day_text,
    resolve,
)
from tracker.errors import TrackerError
from tracker.tui.model import (
    LRU,
    RECORDED,
    STORY,
    Line,
    View,
    filter_rows,
    line_of,
    needs_text,
    next_day_row,
    parse_position,
    restrict,
    row_on_or_after,
    row_spanning,
)

Cancelled = Callable[[], bool]


def never() -> bool:
    return False


@dataclass(frozen=True)
class Said:
    """A one-line message for the user; ``error`` ones are shown as errors."""

    text: str
    error: bool = False


@dataclass(frozen=True)
class Detail:
    """The event at a position, with what each entry it refers to says."""

    event: Event
    refs: dict[str, str]


class Session:
    """The app's state of looking at one log, and what it asks the service."""

    def __init__(self, timeline: Timeline, *, small_log: int = 50_000) -> None:
        self.timeline = timeline
        #: past this many events the full state (every item) is not kept: `s` says where it is
        self.small_log = small_log
        self.outline = Outline()
        self.loaded = False
        self.order_name = STORY
        self.known_on: str | None = None
        self.recorded_by: str | None = None
        self.narrowing: Narrowed | None = None  # the "known on" / "recorded by" view
        self.filter = EventFilter()
        self.filter_ok: set[int] | None = None  # positions a text filter admits
        self.view = View(array("i"))
        self.cursor = 0  # the row under the cursor
        self.generation = 0  # goes up each time the view is rebuilt: older answers are stale
        self.needle = ""
        self.searching = False  # a search is under way: its matches are not known yet
        self.matches: set[int] = set()  # positions matching the search
        self.match_rows = array("i")
        self.history: list[int] = []  # positions to come back to
        self.full = False  # the state pane lists every item
        self.steppers: dict[tuple[object, ...], Stepper] = {}
        self.details: LRU[int, Detail] = LRU(512)
        #: the text of timeline rows fetched so far, by position (the timeline draws from it)
        self.lines: LRU[int, Line] = LRU(4096)

    # -- what is shown -----------------------------------------------------------------------

    @property
    def position(self) -> int | None:
        """The log position under the cursor (None: the view is empty)."""
        return self.view.position(self.cursor) if len(self.view) else None

    @property
    def query(self) -> Query:
        return Query(known_at=self.known_on, recorded_by=self.recorded_by)

    @property
    def state_scope(self) -> str:
        """Which events the state at the cursor is built from, as the state pane says it."""
        scope = f"the events up to this one in {self.order_name} order"
        return scope if self.query == Query() else f"{scope}, {self.query.describe()}"

    @property
    def view_marks(self) -> bytearray | None:
        return self.narrowing.marks if self.narrowing is not None else None

    def empty_reason(self) -> tuple[str, list[str]]:
        """Why the view holds nothing, and the ways out of it."""
        why, ways = [], []
        if self.known_on:
            why.append(f"nothing had been published by {self.known_on}")
            ways.append("o with an empty date shows everything")
        if self.recorded_by:
            why.append(f"the log held nothing by {self.recorded_by}")
            ways.append("r with an empty time shows everything")
        if self.filter.active:
            why.append(f"no event matches the filter ({self.filter.describe()})")
            ways.append("F clears the filter")
        return "No events in this view: " + "; ".join(why or ["none"]) + ".", ways

    def search_status(self) -> str:
        """The search as the header says it ("/moscow 2/5", "/moscow searching…")."""
        if not self.needle:
            return ""
        if self.searching:
            return f"/{self.needle} searching…"
        if not self.match_rows:
            return f"/{self.needle} no match"
        r = bisect_right(self.match_rows, self.cursor)
        n = len(self.match_rows)
        if r > 0 and self.match_rows[r - 1] == self.cursor:
            return f"/{self.needle} {r:,}/{n:,}"
        return f"/{self.needle} {n:,} match{'es' if n != 1 else ''}"

    def views_status(self) -> str:
        known = f"known on {self.known_on}" if self.known_on else ""
        if self.recorded_by:
            known += (" · " if known else "") + f"recorded by {self.recorded_by}"
        return known

    # -- loading the log ---------------------------------------------------------------------

    def load(self, cancelled: Cancelled = never) -> Outline:
        """The log's outline (grown from the one held, after an append)."""
        return self.timeline.outline(cancelled, self.outline if self.loaded else None)

    def take_outline(self, outline: Outline, land_on: int | None = None) -> None:
        keep = land_on or self.position
        self.outline = outline
        self.loaded = True
        self.details.clear()
        self.lines.clear()
        self.rebuild(keep)

    def rebuild(self, keep_position: int | None) -> None:
        """The view again (after a change of order, narrowing, filter or log), the cursor on
        ``keep_position`` if the view still holds it."""
        outline = self.outline
        story = self.narrowing.story if self.narrowing is not None else outline.story
        base = story if self.order_name == STORY else outline.recorded()
        order = restrict(base, self.narrowing.admitted if self.narrowing is not None else None)
        self.view = View(order, filter_rows(order, outline, self.filter, self.filter_ok))
        self.generation += 1
        self.cursor = 0
        if keep_position is not None and len(self.view):
            try:
                i = order.index(keep_position)
            except ValueError:
                i = 0
            self.cursor = self.view.row_of_order_index(i) or 0
        self.match_rows = array("i")
        self.matches = set()

    # -- moving ------------------------------------------------------------------------------

    def move_to(self, row: int) -> int:
        """Put the cursor on a row (kept inside the view); the row it is on."""
        if len(self.view):
            self.cursor = max(0, min(row, len(self.view) - 1))
        return self.cursor

    def step(self, delta: int) -> int:
        return self.move_to(self.cursor + delta)

    def first(self) -> int:
        return self.move_to(0)

    def last(self) -> int:
        return self.move_to(len(self.view) - 1)

    def day(self, step: int) -> int:
        """To the first event of the next (1) or previous (-1) day."""
        if not len(self.view):
            return self.cursor
        return self.move_to(next_day_row(self.view, self.outline, self.cursor, step))

    def toggle_order(self) -> None:
        self.order_name = RECORDED if self.order_name == STORY else STORY
        self.rebuild(self.position)

    def toggle_full(self) -> Said | None:
        """Between this step's counts and every item; past the small-log size, where to look."""
        if self.outline.count > self.small_log:
            return Said(f"past {self.small_log:,} events the state pane shows counts and what "
                        "changed lately; `tracker state --at N` prints every item after the first "
                        "N events")
        self.full = not self.full
        return None

    def goto(self, text: str) -> Said | None:
        """To a log position (17, #17) or the first event on or after a date."""
        position = parse_position(text)
        if position is not None:
            row = self.view.row_of_position(position)
            if row is None:
                return Said(f"position {position} is not in this view "
                            f"(the log has {self.outline.count} events)", error=True)
            self.move_to(row)
            return None
        try:
            story = resolve(text)
        except TrackerError as exc:
            return Said(exc.message, error=True)
        day = day_number(story.earliest or story.latest, 0)
        found = row_on_or_after(self.view, self.outline, day)
        if found is None:
            return Said("no events in this view to go to", error=True)
        self.move_to(found)
        landed = self.outline.day(self.view.position(found))
        if landed == day:
            return None
        if landed == OPEN_END_DAY:  # an event of no known date sorts last
            said = f"nothing dated on or after {day_text(day)}: at the last event"
        elif landed < day:
            said = f"nothing on or after {day_text(day)}: the last event is on {day_text(landed)}"
        else:
            said = f"nothing on {day_text(day)}: the next event is on {day_text(landed)}"
        spanning = row_spanning(self.view, self.outline, day)
        if spanning is not None:  # not dated that day, but it may have been
            p = self.view.position(spanning)
            line = self.lines.get(p)
            said += f"; #{p}{f' ({line.date})' if line else ''} may fall on it"
        return Said(said)

    # -- search ------------------------------------------------------------------------------

    def start_search(self, needle: str) -> bool:
        """Search for ``needle`` (empty: no search); whether a search must now run."""
        self.needle = needle
        self.searching = bool(needle)
        if not needle:
            self.match_rows = array("i")
            self.matches = set()
        return self.searching

    def search(self, needle: str, cancelled: Cancelled = never) -> set[int]:
        """Positions whose text holds ``needle`` (any case)."""
        return self.timeline.search(needle, None, cancelled)

    def take_search(self, generation: int, needle: str, found: set[int], keep: bool
                    ) -> Said | None:
        """The matches of a search, and the cursor on the next one from here (unless
        ``keep``: a search run again after the view changed leaves the cursor where it is)."""
        if generation != self.generation or needle != self.needle:
            return None  # stale: the view or the search changed since
        self.searching = False
        self.matches = found
        view = self.view
        self.match_rows = array("i", (r for r in range(len(view)) if view.position(r) in found))
        if not self.match_rows:
            return Said(f"no event matches {needle!r}")
        if not keep:
            r = bisect_left(self.match_rows, self.cursor)
            self.move_to(self.match_rows[r % len(self.match_rows)])
        return None

    def next_match(self, step: int) -> Said | None:
        rows = self.match_rows
        if not rows:
            return Said(f"no event matches {self.needle!r}") if self.needle else None
        if step > 0:
            r = bisect_right(rows, self.cursor) % len(rows)
        else:
            r = (bisect_left(rows, self.cursor) - 1) % len(rows)
        self.move_to(rows[r])
        return None

    # -- filter and narrowed views -----------------------------------------------------------

    def set_filter(self, flt: EventFilter) -> bool:
        """Apply a filter at once when the outline can tell (types); whether the log must be
        read for it first (:meth:`filter_text`, then :meth:`take_filter`)."""
        if needs_text(flt):
            return True
        self.take_filter(flt, None)
        return False

    def filter_text(self, flt: EventFilter, cancelled: Cancelled = never) -> set[int]:
        """Positions a filter on actors, sources or dates admits."""
        # one text criterion: rows not holding it anywhere are skipped before decoding
        texts = [t for t in (flt.actor, flt.source) if t]
        return self.timeline.search(texts[0] if len(texts) == 1 else "", flt, cancelled)

    def take_filter(self, flt: EventFilter, positions: set[int] | None) -> None:
        self.filter, self.filter_ok = flt, positions
        self.rebuild(self.position)

    def view_dates(self, which: str, text: str) -> tuple[str | None, str | None] | Said:
        """The (known on, recorded by) a prompt's answer asks for, or what is wrong with it."""
        known, recorded = self.known_on, self.recorded_by
        value: str | None = text.strip() or None
        if which == "known":
            if value is not None:
                try:
                    story = resolve(value)
                except TrackerError as exc:
                    return Said(exc.message, error=True)
                value = story.latest or story.earliest
            known = value
        else:
            recorded = value
        return known, recorded

    def narrow(self, known_on: str | None, recorded_by: str | None,
               cancelled: Cancelled = never) -> Narrowed | None:
        """What a "known on" / "recorded by" view holds (None: everything, or cancelled)."""
        if known_on is None and recorded_by is None:
            return None
        return self.timeline.narrowed(self.outline, Query(known_at=known_on,
                                                          recorded_by=recorded_by), cancelled)

    def take_narrowing(self, known_on: str | None, recorded_by: str | None,
                       narrowing: Narrowed | None) -> None:
        self.known_on, self.recorded_by = known_on, recorded_by
        self.narrowing = narrowing
        self.rebuild(self.position)

    @property
    def narrowed_or_filtered(self) -> bool:
        return self.narrowing is not None or self.filter_ok is not None

    # -- references --------------------------------------------------------------------------

    def locate(self, event_id: str) -> int | None:
        return self.timeline.position_of(event_id)

    def take_located(self, event_id: str, position: int | None) -> Said | None:
        """To the entry a reference names, remembering where we were."""
        if position is None:
            return Said(f"the log holds no entry {event_id!r}", error=True)
        row = self.view.row_of_position(position)
        if row is None:
            return Said(f"{event_id} is not in this view (filtered out or not yet known)",
                        error=True)
        here = self.position
        if here is not None:
            self.history.append(here)
        self.move_to(row)
        return None

    def go_back(self) -> Said | None:
        while self.history:
            row = self.view.row_of_position(self.history.pop())
            if row is not None:
                self.move_to(row)
                return None
        return Said("nothing to come back to")

    # -- the event and the state at the cursor -----------------------------------------------

    def detail(self, position: int) -> Detail | None:
        """The event at a position and what the entries it refers to say (kept for a while)."""
        found = self.details.get(position)
        if found is not None:
            return found
        events = self.timeline.events_at([position])
        if not events:
            return None
        event = events[0]
        refs = self.timeline.summaries(r.id for r in event.refs) if event.refs else {}
        found = Detail(event, refs)
        self.details.put(position, found)
        return found

    @property
    def stepper_key(self) -> tuple[object, ...]:
        return (self.known_on, self.recorded_by, self.outline.count)

    @property
    def order(self) -> Order:
        return "story" if self.order_name == STORY else "recorded"

    def stepper(self) -> Stepper:
        """Where the state at each step of this view comes from (built, loaded, or grown from
        the one of the whole log held before an append)."""
        key = self.stepper_key
        held = [s for k, s in self.steppers.items()
                if k[:2] == (None, None) and isinstance(k[2], int) and k[2] < self.outline.count]
        return self.timeline.stepper(self.query, full_limit=self.small_log,
                                     base=held[-1] if key[:2] == (None, None) and held else None,
                                     outline=self.outline)

    def take_stepper(self, key: tuple[object, ...], stepper: Stepper) -> None:
        """Keep a view's stepper: two at most, and one alone on a large log (an index of a
        million events is ~70 MB; the whole log's is saved on disk, so going back to it is a
        load, and after an append it grows from the one held)."""
        keep = 1 if self.outline.count > self.small_log else 2
        for k in [k for k in self.steppers if k != key][:max(len(self.steppers) - keep + 1, 0)]:
            del self.steppers[k]
        self.steppers[key] = stepper

    def lines_at(self, positions: list[int]) -> list[Line]:
        """The timeline rows of these positions, read from the log."""
        return [line_of(e) for e in self.timeline.events_at(positions)]

    def state(self, stepper: Stepper, position: int, cancelled: Cancelled = never
              ) -> StepState | None:
        """The state pane's content after the event at a position."""
        return stepper.state_at(position, self.order, self.state_scope, self.full, cancelled)
