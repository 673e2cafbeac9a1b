"""The timeline app: step through the log and watch the state of affairs change.

The screen holds three panes: the timeline (a Line-API list; its cursor is "now"), the event
under the cursor, and the state as it stood after that event with what this step changed on top.
All database work runs in thread workers that post their results back as messages. The state at
the cursor never comes from a replay from the start: on a log of ordinary size from
:class:`tracker.readmodels.checkpoints.Checkpoints` (full states, the whole state can be shown), on a
large one from :class:`tracker.readmodels.stateindex.StateIndex` (statuses by step: the change, the counts
by status and the items changed lately, in flat arrays).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from tracker.app.collector import keep_collecting, paused_gc
from tracker.app.memory import map_large_blocks, return_freed_memory
from tracker.app.service import Timeline
from tracker.codec.rows import event_from_row
from tracker.domain.dates import resolve
from tracker.domain.events import Event
from tracker.domain.fold import Query, State, diff, evolve
from tracker.domain.ordering import OPEN_END_DAY, day_number, day_text
from tracker.domain.selection import EventFilter
from tracker.errors import TrackerError
from tracker.readmodels.checkpoints import Checkpoints
from tracker.readmodels.outline import Outline, narrowed
from tracker.readmodels.stateindex import Order, StateIndex
from tracker.text import one_line
from tracker.tui import keys
from tracker.tui.model import (
    LRU,
    RECORDED,
    STORY,
    Line,
    View,
    chunks,
    events_at,
    filter_rows,
    line_of,
    needs_text,
    next_day_row,
    parse_position,
    restrict,
    row_on_or_after,
    row_spanning,
    search_matches,
)
from tracker.tui.render import event_detail, header, index_view, step_view
from tracker.tui.screens import ExportScreen, FilterScreen, HelpScreen, PromptScreen, RefPicker
from tracker.tui.timeline import TimelineView

PLAY_INTERVALS = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1)  # seconds per step
NARROW = 110  # below this many columns the panes stack

CSS = """
#header { height: 1; background: $panel; padding: 0 1; }
Footer.-compact FooterLabel { margin: 0 1 0 0; }
#body { layout: horizontal; height: 1fr; }
#timeline { width: 55%; height: 1fr; border: round $primary-darken-2; }
#timeline:focus { border: round $accent; }
#side { width: 1fr; height: 1fr; }
#detail-pane { height: 1fr; border: round $primary-darken-2; }
#state-pane { height: 1fr; border: round $primary-darken-2; }
#detail, #state { width: 1fr; }
MainScreen.narrow #body { layout: vertical; }
MainScreen.narrow #timeline { width: 1fr; height: 2fr; border: none; border-top: hkey $accent; }
MainScreen.narrow #side { width: 1fr; height: 3fr; }
MainScreen.narrow #detail-pane { border: none; border-top: hkey $primary; }
MainScreen.narrow #state-pane { border: none; border-top: hkey $primary; }
MainScreen.zoom-event #timeline, MainScreen.zoom-event #state-pane { display: none; }
MainScreen.zoom-state #timeline, MainScreen.zoom-state #detail-pane { display: none; }
"""

#: What z shows in turn: every pane, the event pane alone, the state pane alone.
ZOOMS = ("", "zoom-event", "zoom-state")


# --------------------------------------------------------------------------- messages


class Loaded(Message):
    def __init__(self, index: Outline, land_on: int | None) -> None:
        super().__init__()
        self.index = index
        self.land_on = land_on


class LinesReady(Message):
    def __init__(self, lines: list[Line]) -> None:
        super().__init__()
        self.lines = lines


StateSource = Checkpoints | StateIndex
"""Where the state at a step comes from: full states (small logs) or the state index."""


class CheckpointsReady(Message):
    def __init__(self, key: tuple[Any, ...], checkpoints: StateSource) -> None:
        super().__init__()
        self.key = key
        self.checkpoints = checkpoints


class DetailReady(Message):
    def __init__(self, token: int, row: int, event: Event, refs: dict[str, str],
                 state: RenderableType | None) -> None:
        super().__init__()
        self.token = token
        self.row = row
        self.event = event
        self.refs = refs
        self.state = state


class SearchReady(Message):
    def __init__(self, token: int, needle: str, positions: set[int], rows: array) -> None:
        super().__init__()
        self.token = token
        self.needle = needle
        self.positions = positions
        self.rows = rows


class FilterReady(Message):
    def __init__(self, flt: EventFilter, positions: set[int]) -> None:
        super().__init__()
        self.flt = flt
        self.positions = positions


class AdmittedReady(Message):
    def __init__(self, known_on: str | None, recorded_by: str | None,
                 admitted: bytearray | None, story: array | None = None,
                 marks: bytearray | None = None) -> None:
        super().__init__()
        self.known_on = known_on
        self.recorded_by = recorded_by
        self.admitted = admitted
        self.story = story
        self.marks = marks


class Located(Message):
    def __init__(self, event_id: str, position: int | None) -> None:
        super().__init__()
        self.event_id = event_id
        self.position = position


class Failed(Message):
    """A worker's work failed in a way the user should hear about (one line)."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


# --------------------------------------------------------------------------- the screen


class HeaderLine(Widget):
    """One line of text; changing it repaints the line and never lays the screen out again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = Content("")

    def show(self, content: Content) -> None:
        if content != self.content:
            self.content = content
            self.refresh()

    def render(self) -> Content:
        return self.content


class MainScreen(Screen[None]):
    """Header, timeline | event + state, footer."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings())

    def compose(self) -> ComposeResult:
        yield HeaderLine(id="header")
        with Container(id="body"):
            yield TimelineView(id="timeline")
            with Vertical(id="side"):
                with VerticalScroll(id="detail-pane"):
                    yield Static(Text("Loading the log…", style="dim"), id="detail")
                with VerticalScroll(id="state-pane"):
                    yield Static(id="state")
        # The palette's key is in the header: docked in a footer that overflows, it let the
        # overflow show through in the last column.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one("#detail-pane").border_title = "Event"
        self.query_one("#state-pane").border_title = "State"
        for pane in ("#detail-pane", "#state-pane"):
            self.query_one(pane).border_subtitle = "z zoom"
        self.query_one(TimelineView).focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "narrow")


class TrackerApp(App[None]):
    """Step through a tracker log."""

    TITLE = "tracker"
    CSS = CSS
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, timeline: Timeline, *, every: int = 256, small_log: int = 50_000) -> None:
        super().__init__()
        self.timeline = timeline
        self.every = every
        self.small_log = small_log
        self.index = Outline()
        self.loaded = False
        self.order_name = STORY
        self.known_on: str | None = None
        self.recorded_by: str | None = None
        self.admitted: bytearray | None = None  # one byte per log position: 1 if shown
        # a narrowed view's own story order and marks (see tracker.readmodels.outline.narrowed)
        self.view_story: array | None = None
        self.view_marks: bytearray | None = None
        self.filter = EventFilter()
        self.filter_ok: set[int] | None = None
        self.view = View(array("i"))
        self.token = 0
        self.checkpoints: dict[tuple[Any, ...], StateSource] = {}
        self._cp_lock = threading.Lock()
        self._cp_building: tuple[Any, ...] | None = None
        self.events: LRU[int, tuple[Event, dict[str, str]]] = LRU(512)
        self.needle = ""
        self.searching = False  # a search is under way: its matches are not known yet
        self.match_rows = array("i")
        self.history: list[int] = []
        self.full = False
        self.play_timer: Timer | None = None
        self.speed = 2
        self.main = MainScreen()
        self.shown_row: int | None = None  # the row the event and state panes show
        self._detail_pending = False
        self._last_state: tuple[Checkpoints, int, State] | None = None
        self._state_order = array("i")

    # -- plumbing ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        keep_collecting(True)  # for as long as the app runs: see tracker.app.collector
        map_large_blocks()
        self.push_screen(self.main)
        for notice in self.timeline.notices:  # what opening did (created, seeded, upgraded)
            self.say(notice)
        self.load()

    def on_unmount(self) -> None:
        keep_collecting(False)

    @property
    def timeline_view(self) -> TimelineView:
        return self.main.query_one(TimelineView)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's own Quit, Keys panel and Maximize repeat or shadow ours (q, ?, z): left out
        yield from (c for c in super().get_system_commands(screen)
                    if c.title not in {"Quit", "Keys", "Maximize", "Minimize"})
        for key in keys.KEYS:
            yield SystemCommand(f"{key.description} ({keys.shown_keys(key)})", key.help,
                                partial(self.run_action, key.action))

    def say(self, message: str, error: bool = False) -> None:
        self.notify(one_line(message), severity="error" if error else "information",
                    markup=False)

    @property
    def large(self) -> bool:
        """A log too large to keep full states for: the state index serves it instead."""
        return self.index.count > self.small_log

    @property
    def cp_key(self) -> tuple[Any, ...]:
        order = "both" if self.large else self.order_name
        return (order, self.known_on, self.recorded_by, self.index.count)

    @property
    def state_scope(self) -> str:
        """Which events the state at the cursor is built from, as the state pane says it."""
        query = self.query_now
        scope = f"the events up to this one in {self.order_name} order"
        return scope if query == Query() else f"{scope}, {query.describe()}"

    @property
    def query_now(self) -> Query:
        return Query(known_at=self.known_on, recorded_by=self.recorded_by)

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self, land_on: int | None = None) -> None:
        worker = get_current_worker()
        try:
            base = self.index if self.loaded else None
            index = self.timeline.outline(lambda: worker.is_cancelled, base)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        finally:
            return_freed_memory()
        if not worker.is_cancelled:
            self.post_message(Loaded(index, land_on))

    def on_loaded(self, message: Loaded) -> None:
        keep = message.land_on or self.timeline_view.position
        self.index = message.index
        self.loaded = True
        self.events.clear()
        self.timeline_view.forget_lines()
        if self.admitted is not None or self.filter_ok is not None:
            # a new event may belong to the narrowed view: ask again
            if self.known_on or self.recorded_by:
                self.compute_admitted(self.known_on, self.recorded_by)
            if needs_text(self.filter):
                self.compute_filter(self.filter)
        self.rebuild_view(keep)
        if not self.index.count:
            self.main.query_one("#detail", Static).update(
                Text("The log is empty: press a to add the first event.", style="dim"))
            self.main.query_one("#state", Static).update("")

    def rebuild_view(self, keep_position: int | None) -> None:
        index = self.index
        story = self.view_story if self.view_story is not None else index.story
        base = story if self.order_name == STORY else index.recorded()
        order = restrict(base, self.admitted)
        rows = filter_rows(order, index, self.filter, self.filter_ok)
        self.view = View(order, rows)
        self.token += 1
        row = 0
        if keep_position is not None and len(self.view):
            try:
                i = order.index(keep_position)
            except ValueError:
                i = 0
            row = self.view.row_of_order_index(i) or 0
        self.match_rows = array("i")
        self.timeline_view.set_matches(set())
        if self.needle:
            self.run_search(self.needle, keep=True)
        self.timeline_view.set_view(self.view, index, row, self.order_name == STORY,
                                    self.view_marks)
        self._state_order = order
        if not self.large:
            self.start_state_build()
        else:
            # on a large log the rows come first: the state is built once they are on screen
            # (when their text arrives, or now if it is all at hand already)
            self.call_after_refresh(self._build_state_if_rows_shown)
        self.show_cursor()

    def _build_state_if_rows_shown(self) -> None:
        if self.timeline_view.lines_on_screen():
            self.start_state_build()

    def start_state_build(self) -> None:
        """Build the checkpoints or the state index for the current view, if not there yet."""
        key = self.cp_key
        if key in self.checkpoints or self._cp_building == key:
            return
        self._cp_building = key
        if self.large:
            # One index at a time on a large log: an index of a million events is ~70 MB, and
            # the whole log's is saved on disk, so going back to it is a load, not a build.
            # After an append, the whole log's index grows from the one held before it.
            held = [cp for k, cp in self.checkpoints.items()
                    if isinstance(cp, StateIndex) and k[1:3] == (None, None) and k[3] < key[3]]
            self.checkpoints.clear()
            self.build_state_index(key, self.query_now, held[-1] if held else None)
        else:
            self.build_checkpoints(key, self._state_order, self.admitted is None)

    @work(thread=True, exclusive=True, group="checkpoints")
    def build_state_index(self, key: tuple[Any, ...], query: Query,
                          base: StateIndex | None = None) -> None:
        try:
            index = self.timeline.state_index(query, base=base, outline=self.index)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        finally:
            return_freed_memory()
        if not get_current_worker().is_cancelled:
            self.post_message(CheckpointsReady(key, index))

    @work(thread=True, exclusive=True, group="checkpoints")
    def build_checkpoints(self, key: tuple[Any, ...], order: array, whole: bool) -> None:
        worker = get_current_worker()
        read = self.timeline.recorder.read_positions

        def fetch(start: int, stop: int) -> Sequence[Event]:
            return events_at(read, order[start:stop])

        def in_order() -> Iterator[Event]:
            if whole and key[0] == RECORDED:
                source: Iterable[Event] = self.timeline.events()
            else:
                source = (e for chunk in chunks(order, 2000) for e in events_at(read, chunk))
            for event in source:
                if worker.is_cancelled:
                    return
                yield event

        try:
            with paused_gc():
                checkpoints = Checkpoints(in_order(), fetch, self.every)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        if not worker.is_cancelled and len(checkpoints) == len(order):
            self.post_message(CheckpointsReady(key, checkpoints))

    def on_checkpoints_ready(self, message: CheckpointsReady) -> None:
        if self._cp_building == message.key:
            self._cp_building = None
        while len(self.checkpoints) >= 2:
            self.checkpoints.pop(next(iter(self.checkpoints)))
        self.checkpoints[message.key] = message.checkpoints
        if message.key == self.cp_key:
            self.show_cursor()

    @on(TimelineView.NeedLines)
    def need_lines(self, message: TimelineView.NeedLines) -> None:
        self.fetch_lines(message.positions)

    @work(thread=True, group="lines")
    def fetch_lines(self, positions: list[int]) -> None:
        try:
            rows = self.timeline.recorder.read_positions(positions)
        except Exception as exc:  # the database went away: say so once, keep running
            self.post_message(Failed(f"reading the log failed: {exc}"))
            return
        self.post_message(LinesReady([line_of(event_from_row(r)) for r in rows.values()]))

    def on_lines_ready(self, message: LinesReady) -> None:
        self.timeline_view.add_lines(message.lines)
        if self.large:
            self.call_after_refresh(self.start_state_build)

    def on_failed(self, message: Failed) -> None:
        self.searching = False  # whatever failed, no search result is coming
        self.say(message.message, error=True)

    # -- the cursor and the panes ------------------------------------------------------------

    @on(TimelineView.CursorMoved)
    def cursor_moved(self, message: TimelineView.CursorMoved) -> None:
        self.show_cursor()

    def update_header(self) -> None:
        tl = self.timeline_view
        total = len(self.view)
        step = tl.cursor + 1 if total else 0
        known = ""
        if self.known_on:
            known += f"known on {self.known_on}"
        if self.recorded_by:
            known += (" · " if known else "") + f"recorded by {self.recorded_by}"
        search = ""
        if self.needle:
            if self.searching:
                search = f"/{self.needle} searching…"
            elif self.match_rows:
                r = bisect_right(self.match_rows, tl.cursor)
                on_match = r > 0 and self.match_rows[r - 1] == tl.cursor
                n = len(self.match_rows)
                where = f"{r:,}/{n:,}" if on_match else f"{n:,} match{'es' if n != 1 else ''}"
                search = f"/{self.needle} {where}"
            else:
                search = f"/{self.needle} no match"
        playing = f"▶ {PLAY_INTERVALS[self.speed]:g}s" if self.play_timer else ""
        label = self.timeline.label
        self.main.query_one(HeaderLine).show(
            header(label, step, total, self.order_name, known, self.filter.describe()
                   if self.filter.active else "", search, playing))

    def show_cursor(self) -> None:
        self.update_header()
        if not self.loaded:
            return
        if not len(self.view):
            if self.index.count:
                self.show_empty_view()
            return
        tl = self.timeline_view
        row = tl.cursor
        position = self.view.position(row)
        i = self.view.order_index(row)
        cp = self.checkpoints.get(self.cp_key)
        # Draw the cursor's frame first; then fetch the event and work out the state.
        self._detail_pending = True
        self.call_after_refresh(self._start_detail, self.token, row, position, i, cp, self.full)

    def show_empty_view(self) -> None:
        """Nothing to show under this view: say why and how to get out of it, and show no
        event's detail or state from before."""
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
        reason = "No events in this view: " + "; ".join(why or ["none"]) + "."
        text = Text(reason, style="dim")
        if ways:
            text.append("\nWays out: " + "; ".join(ways) + ".", style="dim")
        self.shown_row = None
        with self.batch_update():
            self.main.query_one("#detail", Static).update(text)
            self.main.query_one("#state", Static).update(Text(
                f"Nothing yet. {reason}" if self.admitted is not None and not self.filter.active
                else reason, style="dim"))

    def _start_detail(self, token: int, row: int, position: int, i: int,
                      cp: StateSource | None, full: bool) -> None:
        self._detail_pending = False
        if token == self.token and row == self.timeline_view.cursor:
            self.load_detail(token, row, position, i, cp, full)

    @property
    def busy(self) -> bool:
        """Whether work for the screen is still under way (tests wait for it to finish)."""
        return self._detail_pending or any(w.is_running for w in self.workers)

    @work(thread=True, exclusive=True, group="detail")
    def load_detail(self, token: int, row: int, position: int, i: int, cp: StateSource | None,
                    full: bool) -> None:
        worker = get_current_worker()
        try:
            cached = self.events.get(position)
            if cached is None:
                found = events_at(self.timeline.recorder.read_positions, [position])
                if not found:
                    return
                event = found[0]
                refs: dict[str, str] = {}
                if event.refs:
                    rows = self.timeline.recorder.lookup([r.id for r in event.refs])
                    refs = {rid: event_from_row(r).summary for rid, r in rows.items()}
                cached = (event, refs)
                self.events.put(position, cached)
            event, refs = cached
            if worker.is_cancelled:
                return
            state: RenderableType | None = None
            if isinstance(cp, StateIndex):
                order: Order = "story" if self.order_name == STORY else "recorded"
                step = cp.step_of_position(order, position)
                if step is not None:
                    state = index_view(cp, order, step, self.state_scope)
            elif cp is not None:
                last = self._last_state
                if last is not None and last[0] is cp and last[1] == i:
                    before = last[2]  # stepping on: the state after the previous step
                else:
                    with self._cp_lock:
                        before = cp.state_at(i)
                after = evolve(before, event)
                self._last_state = (cp, i + 1, after)
                changes = diff(before, after, [event.subject or event.id])
                state = step_view(after, changes, i + 1, len(cp), full, self.query_now,
                                  self.state_scope)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(DetailReady(token, row, event, refs, state))

    def on_detail_ready(self, message: DetailReady) -> None:
        if message.token != self.token or message.row != self.timeline_view.cursor:
            return
        every = self.timeline_view.marks
        marks = every[message.event.position - 1] if message.event.position <= len(every) else 0
        state = message.state
        if state is None:
            state = Text("Working out the state at each step… (a large log takes a while)",
                         style="dim")
        with self.batch_update():
            self.main.query_one("#detail", Static).update(
                event_detail(message.event, marks, message.refs))
            self.main.query_one("#state", Static).update(state)
        self.shown_row = message.row if message.state is not None else None

    # -- moving ------------------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        self.timeline_view.move_to(self.timeline_view.cursor + delta)

    def action_first(self) -> None:
        self.timeline_view.move_to(0)

    def action_last(self) -> None:
        self.timeline_view.move_to(len(self.view) - 1)

    def action_page(self, direction: int) -> None:
        tl = self.timeline_view
        tl.move_to(tl.cursor + direction * tl.page_height)

    def action_day(self, step: int) -> None:
        if len(self.view):
            tl = self.timeline_view
            tl.move_to(next_day_row(self.view, self.index, tl.cursor, step))

    def action_toggle_order(self) -> None:
        self.order_name = RECORDED if self.order_name == STORY else STORY
        self.rebuild_view(self.timeline_view.position)

    def action_toggle_full(self) -> None:
        if self.large:
            # The state index holds statuses, not whole items: listing every item of a log this
            # size would be a replay. Say where the full list is instead of doing nothing.
            self.say(f"past {self.small_log:,} events the state pane shows counts and what "
                     "changed lately; `tracker state --at N` prints every item after the first "
                     "N events")
            return
        self.full = not self.full
        self.show_cursor()

    def action_goto(self) -> None:
        self.push_screen(PromptScreen(
            "Go to", "a log position (17 or #17) or a date (2014-03-07, March 7 2014)"),
            self.goto)

    def goto(self, text: str | None) -> None:
        if not text:
            return
        position = parse_position(text)
        if position is not None:
            row = self.view.row_of_position(position)
            if row is None:
                self.say(f"position {position} is not in this view "
                         f"(the log has {self.index.count} events)", error=True)
                return
            self.timeline_view.move_to(row)
            return
        try:
            story = resolve(text)
        except TrackerError as exc:
            self.say(str(exc), error=True)
            return
        day = day_number(story.earliest or story.latest, 0)
        found = row_on_or_after(self.view, self.index, day)
        if found is None:
            self.say("no events in this view to go to", error=True)
            return
        self.timeline_view.move_to(found)
        landed = self.index.day(self.view.position(found))
        if landed == day:
            return
        if landed == OPEN_END_DAY:  # an event of no known date sorts last
            said = f"nothing dated on or after {day_text(day)}: at the last event"
        elif landed < day:
            said = f"nothing on or after {day_text(day)}: the last event is on {day_text(landed)}"
        else:
            said = f"nothing on {day_text(day)}: the next event is on {day_text(landed)}"
        spanning = row_spanning(self.view, self.index, day)
        if spanning is not None:  # not dated that day, but it may have been
            p = self.view.position(spanning)
            line = self.timeline_view.lines.get(p)
            said += f"; #{p}{f' ({line.date})' if line else ''} may fall on it"
        self.say(said)

    # -- search ------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.push_screen(PromptScreen("Search", "text in summaries, actors, places, sources",
                                      self.needle), self.search)

    def search(self, text: str | None) -> None:
        if text is None:
            return
        self.needle = text
        if not text:
            self.searching = False
            self.match_rows = array("i")
            self.timeline_view.set_matches(set())
            self.update_header()
            return
        self.run_search(text)

    def run_search(self, needle: str, keep: bool = False) -> None:
        self._search_keep = keep
        self.searching = True
        self.search_worker(self.token, needle, self.view)

    @work(thread=True, exclusive=True, group="search")
    def search_worker(self, token: int, needle: str, view: View) -> None:
        worker = get_current_worker()
        try:
            found = search_matches(self.timeline.rows(), needle, None, lambda: worker.is_cancelled)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        rows = array("i", (r for r in range(len(view)) if view.position(r) in found))
        if not worker.is_cancelled:
            self.post_message(SearchReady(token, needle, found, rows))

    def on_search_ready(self, message: SearchReady) -> None:
        if message.token != self.token or message.needle != self.needle:
            return
        self.searching = False
        self.match_rows = message.rows
        self.timeline_view.set_matches(message.positions)
        if not message.rows:
            self.say(f"no event matches {message.needle!r}")
        elif not getattr(self, "_search_keep", False):
            cursor = self.timeline_view.cursor
            r = bisect_left(message.rows, cursor)
            self.timeline_view.move_to(message.rows[r % len(message.rows)])
        self.update_header()

    def action_next_match(self, step: int) -> None:
        rows = self.match_rows
        if not rows:
            if self.needle:
                self.say(f"no event matches {self.needle!r}")
            return
        cursor = self.timeline_view.cursor
        if step > 0:
            r = bisect_right(rows, cursor) % len(rows)
        else:
            r = (bisect_left(rows, cursor) - 1) % len(rows)
        self.timeline_view.move_to(rows[r])

    # -- filter and views --------------------------------------------------------------------

    def action_filter(self) -> None:
        self.push_screen(FilterScreen(self.filter), self.apply_filter)

    def action_clear_filter(self) -> None:
        self.apply_filter(EventFilter())

    def apply_filter(self, flt: EventFilter | None) -> None:
        if flt is None:
            return
        if needs_text(flt):
            self.compute_filter(flt)
            return
        self.filter, self.filter_ok = flt, None
        self.rebuild_view(self.timeline_view.position)

    @work(thread=True, exclusive=True, group="filter")
    def compute_filter(self, flt: EventFilter) -> None:
        worker = get_current_worker()
        try:
            # one text criterion: rows not holding it anywhere are skipped before decoding
            texts = [t for t in (flt.actor, flt.source) if t]
            needle = texts[0] if len(texts) == 1 else ""
            found = search_matches(self.timeline.rows(), needle, flt, lambda: worker.is_cancelled)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(FilterReady(flt, found))

    def on_filter_ready(self, message: FilterReady) -> None:
        self.filter, self.filter_ok = message.flt, message.positions
        self.rebuild_view(self.timeline_view.position)

    def action_known_on(self) -> None:
        self.push_screen(PromptScreen(
            "Known on", "show only what had been published by this date (empty: everything)",
            self.known_on or ""), partial(self.set_view_dates, "known"))

    def action_recorded_by(self) -> None:
        self.push_screen(PromptScreen(
            "Audit view", "what the log held at this time, e.g. 2026-11-28T10:00 (empty: now)",
            self.recorded_by or ""), partial(self.set_view_dates, "recorded"))

    def set_view_dates(self, which: str, text: str | None) -> None:
        if text is None:
            return
        known, recorded = self.known_on, self.recorded_by
        value: str | None = text.strip() or None
        if which == "known":
            if value is not None:
                try:
                    story = resolve(value)
                except TrackerError as exc:
                    self.say(str(exc), error=True)
                    return
                value = story.latest or story.earliest
            known = value
        else:
            recorded = value
        self.compute_admitted(known, recorded)

    @work(thread=True, exclusive=True, group="admitted")
    def compute_admitted(self, known_on: str | None, recorded_by: str | None) -> None:
        if known_on is None and recorded_by is None:
            self.post_message(AdmittedReady(None, None, None))
            return
        worker = get_current_worker()
        query = Query(known_at=known_on, recorded_by=recorded_by)
        outline = self.index
        try:
            until = outline.count
            admitted = bytearray(until + 1)
            for n, times in enumerate(self.timeline.recorder.read_times(0, until)):
                if n % 4096 == 0 and worker.is_cancelled:
                    return
                if query.admits_times(*times):
                    admitted[times[0]] = 1
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        if worker.is_cancelled:
            return
        story, marks = narrowed(outline, admitted)
        self.post_message(AdmittedReady(known_on, recorded_by, admitted, story, marks))

    def on_admitted_ready(self, message: AdmittedReady) -> None:
        self.known_on, self.recorded_by = message.known_on, message.recorded_by
        self.admitted = message.admitted
        self.view_story, self.view_marks = message.story, message.marks
        self.rebuild_view(self.timeline_view.position)

    # -- references --------------------------------------------------------------------------

    def action_follow(self) -> None:
        position = self.timeline_view.position
        cached = self.events.get(position) if position is not None else None
        if cached is None:
            return
        event, refs = cached
        if not event.refs:
            self.say("this event refers to no other entry")
            return
        if len(event.refs) == 1:
            self.locate(event.refs[0].id)
            return
        choices = [(r.rel, r.id, one_line(refs.get(r.id, ""))) for r in event.refs]
        self.push_screen(RefPicker(choices), self._follow_chosen)

    def _follow_chosen(self, event_id: str | None) -> None:
        if event_id:
            self.locate(event_id)

    @work(thread=True, exclusive=True, group="locate")
    def locate(self, event_id: str) -> None:
        try:
            rows = self.timeline.recorder.lookup([event_id])
        except Exception as exc:
            self.post_message(Failed(f"looking up {event_id!r} failed: {exc}"))
            return
        row = rows.get(event_id)
        self.post_message(Located(event_id, row.position if row else None))

    def on_located(self, message: Located) -> None:
        if message.position is None:
            self.say(f"the log holds no entry {message.event_id!r}", error=True)
            return
        row = self.view.row_of_position(message.position)
        if row is None:
            self.say(f"{message.event_id} is not in this view (filtered out or not yet known)",
                     error=True)
            return
        here = self.timeline_view.position
        if here is not None:
            self.history.append(here)
        self.timeline_view.move_to(row)

    def action_go_back(self) -> None:
        while self.history:
            row = self.view.row_of_position(self.history.pop())
            if row is not None:
                self.timeline_view.move_to(row)
                return
        self.say("nothing to come back to")

    # -- play --------------------------------------------------------------------------------

    def action_play(self) -> None:
        if self.play_timer is not None:
            self.play_timer.stop()
            self.play_timer = None
        else:
            self.play_timer = self.set_interval(PLAY_INTERVALS[self.speed], self.play_step)
        self.update_header()

    def play_step(self) -> None:
        tl = self.timeline_view
        if tl.cursor >= len(self.view) - 1:
            self.action_play()
            return
        tl.move_to(tl.cursor + 1)

    def action_speed(self, step: int) -> None:
        self.speed = max(0, min(len(PLAY_INTERVALS) - 1, self.speed + step))
        if self.play_timer is not None:
            self.play_timer.stop()
            self.play_timer = self.set_interval(PLAY_INTERVALS[self.speed], self.play_step)
        self.say(f"playing at one step every {PLAY_INTERVALS[self.speed]:g} s")
        self.update_header()

    # -- writing -----------------------------------------------------------------------------

    def _form(self, mode: str) -> None:
        from tracker.tui.form import EventForm

        position = self.timeline_view.position
        cursor_event = None
        if position is not None:
            cached = self.events.get(position)
            cursor_event = cached[0] if cached else None
        if mode != "new" and cursor_event is None:
            self.say("no event under the cursor to " + ("correct" if mode == "correct"
                                                         else "retract"), error=True)
            return
        nearby = [
            (p, line) for p in self.view.positions(self.timeline_view.cursor - 20,
                                                   self.timeline_view.cursor + 21)
            if (line := self.timeline_view.lines.get(p)) is not None
        ]
        self.push_screen(EventForm(self.timeline, mode, cursor_event, nearby, self.index.count),
                         self.saved)

    def action_append(self) -> None:
        self._form("new")

    def action_correct(self) -> None:
        self._form("correct")

    def action_retract(self) -> None:
        self._form("retract")

    def saved(self, event: Event | None) -> None:
        if event is None:
            return
        self.say(f"Added #{event.position}: {event.summary}")
        self.load(event.position)

    def action_zoom(self) -> None:
        now = next((z for z in ZOOMS[1:] if self.main.has_class(z)), "")
        after = ZOOMS[(ZOOMS.index(now) + 1) % len(ZOOMS)]
        self.main.remove_class(*ZOOMS[1:])
        if after:
            self.main.add_class(after)
            event = after == "zoom-event"
            self.main.query_one("#detail-pane" if event else "#state-pane", VerticalScroll
                                ).border_subtitle = "z: the state pane" if event else "z: all panes"
        else:
            for pane in self.main.query("#detail-pane, #state-pane").results(VerticalScroll):
                pane.border_subtitle = "z zoom"
            self.call_after_refresh(self.timeline_view.scroll_to_cursor, False)

    def action_export(self) -> None:
        self.push_screen(ExportScreen(Path.cwd() / "tracker-export.json"), self.export)

    def export(self, path: Path | None) -> None:
        if path is not None:
            self.export_worker(path)

    @work(thread=True, exclusive=True, group="export")
    def export_worker(self, path: Path) -> None:
        try:
            n = self.timeline.export_to(path)
        except TrackerError as exc:
            self.post_message(Failed(str(exc)))
            return
        self.call_from_thread(self.say, f"Exported {n} events to {path}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.timeline.label))


def run(timeline: Timeline) -> None:
    """Run the app on an open timeline (the CLI's `tracker` with no command)."""
    TrackerApp(timeline).run()

