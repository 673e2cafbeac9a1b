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

import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from tracker.app.compare import ItemDifference
from tracker.app.exports import FORMATS, SUFFIXES, ExportView
from tracker.app.lanes import Lanes, LaneWindow
from tracker.app.service import Narrowed, Timeline
from tracker.app.stepping import Stepper, StepState
from tracker.app.terms import (
    OPEN_END_DAY,
    OPEN_START_DAY,
    Event,
    EventFilter,
    Order,
    Outline,
    Query,
    day_number,
    day_text,
    parse_recorded_time,
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
#: A point to compare: a query (as of a date) or the log positions of the events up to a step.
Point = Query | tuple[int, ...]
_STEP = re.compile(r"(?:step\s*)?(\d{1,9})", re.IGNORECASE)

#: How each view prompt's date is named in an error.
VIEW_DATES = {"as_of": "the as-of date", "known_on": "the known-on date",
              "recorded_by": "the audit time"}
#: Rows read on either side of the event a save lands on, with it (a screenful and more).
LANDING_ROWS = 60
#: While a view's state index is built, the state pane answers its first this many steps from
#: an index of those events alone (built in a moment: see Session.early_state).
EARLY_STEPS = 4096


def never() -> bool:
    return False


@dataclass(frozen=True)
class Said:
    """A one-line message for the user; ``error`` ones are shown as errors."""

    text: str
    error: bool = False
    #: a newer message of the same key replaces this one ("search": a search's report)
    key: str | None = None


@dataclass(frozen=True)
class Detail:
    """The event at a position, with what each entry it refers to says."""

    event: Event
    refs: dict[str, str]


@dataclass(frozen=True)
class Landing:
    """What the screen shows on landing on an event of a grown log (a save), worked out with
    the log's new outline before the app takes it, so the first frame after it shows the event
    whole: its row's text and its neighbours', its detail, the state after it."""

    position: int
    detail: Detail
    lines: list[Line]
    stepper_key: tuple[object, ...]
    stepper: Stepper
    state: StepState | None


@dataclass(frozen=True)
class ExportOffer:
    """What the export dialog offers: the view on screen (when it is not the whole log) or the
    whole log, and where to write."""

    view: ExportView | None  # the view on screen as an export takes it (None: every event)
    shown: int  # events in the view on screen
    total: int  # events in the log
    about: str  # the view in words ("filter: type invitation; known on 2014-03-08")
    note: str  # what of the view on screen an export cannot take, if anything
    folder: Path

    def path(self, format: str, name: str = "tracker-export") -> Path:
        return self.folder / f"{name}{SUFFIXES[format]}"


def documents_folder() -> Path:
    """Where an export goes unless told otherwise: the user's documents folder (platformdirs:
    $XDG_DOCUMENTS_DIR, else ~/Documents), else the home folder when there is none."""
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()


#: The format the export dialog starts on.
FIRST_FORMAT = next(iter(FORMATS))


class Session:
    """The app's state of looking at one log, and what it asks the service."""

    def __init__(self, timeline: Timeline, *, small_log: int = 50_000) -> None:
        self.timeline = timeline
        #: past this many events the full state (every item) is not kept: `s` says where it is
        self.small_log = small_log
        self.outline = Outline()
        self.loaded = False
        self.order_name = STORY
        self.as_of: str | None = None  # what had certainly happened by this story date
        self.known_on: str | None = None
        self.recorded_by: str | None = None
        self.narrowing: Narrowed | None = None  # the "as of" / "known on" / "recorded by" view
        #: in an "as of" view, the events not counted whose dates straddle the date: see
        #: :meth:`straddles`
        self.straddling: list[tuple[int, str, str]] = []
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
        #: the early stepper of the view shown (see :meth:`early_state`), with its key
        self._early: tuple[tuple[object, ...], Stepper] | None = None
        self._early_lock = threading.Lock()
        self.details: LRU[int, Detail] = LRU(512)
        #: the text of timeline rows fetched so far, by position (the timeline draws from it)
        self.lines: LRU[int, Line] = LRU(4096)
        self.kept_position: int | None = None  # where the cursor was when the view was rebuilt
        self.own_until = 0  # the last position this session appended (its own, not arrivals)
        #: the lanes of the shown view: its stepper's key, its filter's rows, the lanes
        self._lanes: tuple[tuple[object, ...], array | None, Lanes] | None = None
        #: keeps the lanes' axis still: (first day, scale) and the columns it was for
        self.lanes_anchor: tuple[tuple[int, int], int] | None = None

    # -- what is shown -----------------------------------------------------------------------

    @property
    def position(self) -> int | None:
        """The log position under the cursor (None: the view is empty)."""
        return self.view.position(self.cursor) if len(self.view) else None

    @property
    def query(self) -> Query:
        return Query(as_of=self.as_of, known_at=self.known_on, recorded_by=self.recorded_by)

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
        if self.as_of:
            why.append(f"nothing had certainly happened by {self.as_of}")
            ways.append("d with an empty date shows everything")
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

    def state_behind_filter(self) -> int | None:
        """When a filter matches nothing in a view that holds events, the position whose state
        the state pane goes on showing (the state folds every event; a filter only narrows the
        list): where the cursor was, if the view holds it, else the view's first event."""
        order = self.view.order
        if len(self.view) or not len(order):
            return None
        kept = self.kept_position
        return kept if kept is not None and kept in order else int(order[0])

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
        parts = [f"as of {self.as_of}" if self.as_of else "",
                 f"known on {self.known_on}" if self.known_on else "",
                 f"recorded by {_moment(self.recorded_by)}" if self.recorded_by else ""]
        return " · ".join(p for p in parts if p)

    # -- loading the log ---------------------------------------------------------------------

    def load(self, cancelled: Cancelled = never) -> Outline:
        """The log's outline (grown from the one held, after an append)."""
        return self.timeline.outline(cancelled, self.outline if self.loaded else None)

    def take_outline(self, outline: Outline, land_on: int | None = None,
                     landing: Landing | None = None) -> None:
        """The log's outline, and the view rebuilt on it. A log that grew keeps the rows and
        events read so far (an entry never changes once appended); ``landing`` brings what the
        screen shows on the event it lands on."""
        keep = land_on or self.position
        if not (self.loaded and outline.count >= self.outline.count):
            self.details.clear()
            self.lines.clear()
        self.outline = outline
        self.loaded = True
        if landing is not None:
            self.details.put(landing.position, landing.detail)
            for line in landing.lines:
                self.lines.put(line.position, line)
            self.take_stepper(landing.stepper_key, landing.stepper)
        self.rebuild(keep)

    def landing(self, outline: Outline, position: int, cancelled: Cancelled = never
                ) -> Landing | None:
        """What the screen shows on ``position`` of ``outline`` (the log grown by a save), read
        before the outline is taken (see :class:`Landing`); None if cancelled."""
        detail = self.detail(position)
        if detail is None or cancelled():
            return None
        order = outline.story if self.order_name == STORY else outline.recorded()
        try:
            i = order.index(position)
        except ValueError:
            i = 0
        near = [p for p in order[max(0, i - LANDING_ROWS):i + LANDING_ROWS]
                if p != position and self.lines.get(p) is None]
        lines = [line_of(detail.event), *self.lines_at(near)]
        key = self.stepper_key_of(outline)
        stepper = self.steppers.get(key) or self.stepper(outline, cancelled)
        if stepper is None or cancelled():
            return None
        state = self.state(stepper, position, cancelled)
        return Landing(position, detail, lines, key, stepper, state)

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
        self.kept_position = keep_position
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

    def goto_problem(self, text: str) -> str | None:
        """What keeps :meth:`goto` from going where ``text`` says (None: nothing): the go-to
        prompt stays open with it at the field."""
        said = self._goto_row(text)
        return said.text if isinstance(said, Said) else None

    def _goto_row(self, text: str) -> tuple[int, int | None] | Said:
        """(row, day asked for; None for a log position) of a go-to, or what is wrong."""
        position = parse_position(text)
        if position is not None:
            row = self.view.row_of_position(position)
            if row is None:
                return Said(f"position {position} is not in this view "
                            f"(the log has {self.outline.count} events)", error=True)
            return row, None
        try:
            story = resolve(text)
        except TrackerError as exc:
            return Said(exc.message, error=True)
        day = day_number(story.earliest or story.latest, 0)
        found = row_on_or_after(self.view, self.outline, day)
        if found is None:
            return Said("no events in this view to go to", error=True)
        return found, day

    def goto(self, text: str) -> Said | None:
        """To a log position (17, #17) or the first event on or after a date."""
        where = self._goto_row(text)
        if isinstance(where, Said):
            return where
        found, day = where
        self.move_to(found)
        if day is None:
            return None
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
        if landed > day and landed != OPEN_END_DAY:  # this step's state holds a later day's
            said += f" (d: the state as of {day_text(day)})"
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
            # run again after the view changed: the header says it; said once is enough
            return None if keep else Said(f"no event matches {needle!r}", key="search")
        if not keep:
            r = bisect_left(self.match_rows, self.cursor)
            self.move_to(self.match_rows[r % len(self.match_rows)])
        return None

    def next_match(self, step: int) -> Said | None:
        rows = self.match_rows
        if not rows:
            return Said(f"no event matches {self.needle!r}", key="search") if self.needle else None
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

    def view_dates(self, which: str, text: str) -> Query | Said:
        """The view a prompt's answer asks for (``which``: "as_of", "known_on" or "recorded_by"; empty
        text: that question no longer narrows the view), or what is wrong with the answer (the
        audit time is read as `tracker state --recorded-by` reads it, with its messages)."""
        query = self.query
        value: str | None = text.strip() or None
        try:
            if which == "recorded_by":
                recorded = None if value is None else parse_recorded_time(value,
                                                                          VIEW_DATES[which])
                return Query(as_of=query.as_of, known_at=query.known_at, recorded_by=recorded)
            day = None
            if value is not None:
                story = resolve(value)
                day = story.latest or story.earliest
                if day is None:
                    return Said(f"{VIEW_DATES[which]} {value!r} names no day", error=True)
        except TrackerError as exc:
            return Said(exc.message, error=True)
        if which == "as_of":
            return Query(as_of=day, known_at=query.known_at, recorded_by=query.recorded_by)
        return Query(as_of=query.as_of, known_at=day, recorded_by=query.recorded_by)

    def narrow(self, query: Query, cancelled: Cancelled = never) -> Narrowed | None:
        """What an "as of" / "known on" / "recorded by" view holds (None: everything, or
        cancelled)."""
        if query == Query():
            return None
        return self.timeline.narrowed(self.outline, query, cancelled)

    def take_narrowing(self, query: Query, narrowing: Narrowed | None,
                       straddling: list[tuple[int, str, str]] | None = None) -> None:
        self.as_of, self.known_on, self.recorded_by = (query.as_of, query.known_at,
                                                       query.recorded_by)
        self.narrowing = narrowing
        self.straddling = straddling or []
        self.rebuild(self.position)

    def straddles(self, query: Query, narrowing: Narrowed | None, described: int = 12
                  ) -> list[tuple[int, str, str]]:
        """The events an "as of" view leaves out that may have happened by its date (their
        window begins on or before it, or is open, and ends after it), in story order: (log
        position, their dates in words, the summary of the first ``described`` of them)."""
        if query.as_of is None or narrowing is None:
            return []
        day = day_number(query.as_of, 0)
        outline, admitted = self.outline, narrowing.admitted
        found = []
        for p in outline.story:
            lo, hi = outline.lo[p - 1], outline.hi[p - 1]
            if not admitted[p] and lo <= day < hi:
                when = (f"no later than {day_text(hi)}" if lo == OPEN_START_DAY
                        else f"on or after {day_text(lo)}" if hi == OPEN_END_DAY
                        else f"{day_text(lo)}..{day_text(hi)}")
                found.append((int(p), when))
        summaries = {e.position: e.summary
                     for e in self.timeline.events_at([p for p, _ in found[:described]])}
        return [(p, when, summaries.get(p, "")) for p, when in found]

    @property
    def narrowed_or_filtered(self) -> bool:
        return self.narrowing is not None or self.filter_ok is not None

    # -- comparing two points ----------------------------------------------------------------

    def compare_point(self, text: str) -> tuple[Point, str] | Said:
        """A point to compare, and how to name it: ``step 5`` or ``5`` (the events up to step 5
        of this view), ``#5`` (up to the event at log position 5, in this view), or a story date
        (what had certainly happened by then, as this view knows it)."""
        value = text.strip()
        step = _STEP.fullmatch(value)
        if step is not None or value.startswith("#"):
            if step is not None:
                row, n = int(step.group(1)) - 1, len(self.view)
                if not 0 <= row < n:
                    return Said(f"step {row + 1} is not in this view (it has steps 1 to {n:,})"
                                if n else "this view holds no steps", error=True)
            else:
                position = parse_position(value)
                found = None if position is None else self.view.row_of_position(position)
                if found is None:
                    return Said(f"{value} is not a log position in this view", error=True)
                row = found
            i = self.view.order_index(row)
            label = f"step {row + 1:,} (#{self.view.position(row)})"
            return tuple(int(p) for p in self.view.order[:i + 1]), label
        if not value:
            return Said("give a step (5), a log position (#5) or a story date (2014-03-08)",
                        error=True)
        try:
            story = resolve(value)
        except TrackerError as exc:
            return Said(exc.message, error=True)
        day = story.latest or story.earliest
        if day is None:
            return Said(f"{value!r} names no day", error=True)
        query = self.query
        return Query(as_of=day, known_at=query.known_at, recorded_by=query.recorded_by), \
            f"as of {day}"

    def compare(self, first: Point, second: Point) -> list[ItemDifference]:
        """What changed from one point to the other, item by item."""
        return self.timeline.compare(first, second)

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
        return self.stepper_key_of(self.outline)

    def stepper_key_of(self, outline: Outline) -> tuple[object, ...]:
        return (self.query, outline.count)

    @property
    def order(self) -> Order:
        return "story" if self.order_name == STORY else "recorded"

    def stepper(self, outline: Outline | None = None, cancelled: Cancelled = never
                ) -> Stepper | None:
        """Where the state at each step of this view comes from (built, loaded, or grown from
        the one of the whole log held before an append); ``outline``: the log's, if not the
        one held (a grown log's, not taken yet). None: cancelled on the way."""
        outline = outline if outline is not None else self.outline
        key = self.stepper_key_of(outline)
        whole = Query()
        held = [s for k, s in self.steppers.items()
                if k[0] == whole and isinstance(k[1], int) and k[1] < outline.count]
        return self.timeline.stepper(self.query, full_limit=self.small_log,
                                     base=held[-1] if key[0] == whole and held else None,
                                     outline=outline, cancelled=cancelled)

    def early_state(self, position: int, cancelled: Cancelled = never) -> StepState | None:
        """The state pane's content after the event at a position while the view's stepper is
        still being built, if the event is among the view's first ``EARLY_STEPS`` (None: it is
        not): from an index of those events alone (:meth:`Timeline.early_stepper`), which
        answers them as the whole index will. Opening a large log, the pane shows at once where
        the cursor starts."""
        order = self.view.order
        try:
            order.index(position, 0, EARLY_STEPS)
        except ValueError:
            return None
        key = (*self.stepper_key, self.order)
        with self._early_lock:  # one build: the workers of the next keys wait for it
            held = self._early
            if held is None or held[0] != key:
                stepper = self.timeline.early_stepper(self.query, order[:EARLY_STEPS],
                                                      len(order), full_limit=self.small_log)
                held = self._early = (key, stepper)  # kept, even if this worker is cancelled
        if cancelled():
            return None
        return self.state(held[1], position, cancelled)

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

    # -- the lanes view ----------------------------------------------------------------------

    def lanes(self, columns: int, rows: int) -> LaneWindow | Said:
        """The lanes around the event under the cursor, on an axis of ``columns`` columns with
        at most ``rows`` lanes; or why there are none yet. The first call on a view works out
        its lanes' arrays (a pass over the view's steps): the app calls it from a worker."""
        key = self.stepper_key
        stepper = self.steppers.get(key)
        position = self.position
        if position is None:
            return Said("No events in this view.")
        if stepper is None:
            return Said("Working out the lanes… (a large log takes a while)")
        filtered = self.view.rows  # the filter's rows: a new filter is a new array
        made = self._lanes
        if made is not None and made[0] == key and made[1] is filtered:
            lanes = made[2]
        else:
            lanes = Lanes(stepper.index, self._shown_steps(stepper))
            self._lanes = (key, filtered, lanes)
        anchor = self.lanes_anchor
        window = lanes.window(position, columns, rows,
                              anchor[0] if anchor is not None and anchor[1] == columns else None)
        if window is None:
            return Said(f"#{position} is not in this view's lanes.")
        return window

    def _shown_steps(self, stepper: Stepper) -> bytearray | None:
        """One byte per story-order step of the stepper's index: 1 where the filter admits the
        event (None: no filter, every event is shown)."""
        view = self.view
        if view.rows is None:
            return None
        index = stepper.index
        shown = bytearray(len(index))
        for row in view.rows:
            step = index.step_of_position("story", int(view.order[row]))
            if step is not None:
                shown[step] = 1
        return shown

    def take_lanes(self, window: LaneWindow) -> None:
        """The axis stays where this window put it while the cursor's event is on it."""
        self.lanes_anchor = (window.anchor, window.columns)

    # -- export ------------------------------------------------------------------------------

    def export_offer(self) -> ExportOffer:
        """The export dialog's choices for what is on screen now."""
        parts = []
        if self.filter.active:
            parts.append(f"filter: {self.filter.describe()}")
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        if self.known_on:
            parts.append(f"known on {self.known_on}")
        view = None
        if parts:
            view = ExportView(chosen=self.filter, as_of=self.as_of, known_at=self.known_on)
        note = ""
        if self.recorded_by:
            note = (f"The audit view (the log as it stood at {self.recorded_by}) is not "
                    "exported: an export takes the log as it stands now.")
        return ExportOffer(view, len(self.view), self.outline.count, "; ".join(parts), note,
                           documents_folder())

    def export(self, format: str, view: ExportView | None, path: Path,
               replace: bool = False) -> int:
        """Write the view (None: every event) in a format to a file; the events written.
        ``replace``: the user said to replace a file that exists."""
        return self.timeline.export_view(format, view or ExportView(), path, replace=replace)

    # -- other writers -----------------------------------------------------------------------

    def head_count(self) -> int:
        """How many events the log holds now (a cheap read of its head)."""
        return self.timeline.count()

    def appended(self, position: int) -> None:
        """This session appended the event at ``position`` (its arrival is no news)."""
        self.own_until = max(self.own_until, position)

    def arrivals(self, count: int) -> Said | None:
        """What another writer appended, if the log now holds ``count`` events: the notice the
        app shows before it reads them (None: nothing new)."""
        known = max(self.outline.count, self.own_until)
        if count <= known:
            return None
        n = count - known
        where = f"#{known + 1}" if n == 1 else f"#{known + 1}–#{count}"
        return Said(f"{n:,} new event{'s' if n != 1 else ''} from another writer ({where})")


def _moment(recorded: str) -> str:
    """A recorded-by time as the header says it: the day alone when it is the end of a day."""
    return recorded[:10] if recorded.endswith("T23:59:59.999999Z") else recorded
