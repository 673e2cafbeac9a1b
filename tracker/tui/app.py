"""The timeline app: step through the log and watch the state of affairs change.

The screen holds three panes: the timeline (a Line-API list; its cursor is "now"), the event
under the cursor, and the state as it stood after that event with what this step changed on top.
The app composes the widgets and maps keys to actions; what the user is looking at (the view, the
cursor, the filter, the search, where the state comes from) is a
:class:`~tracker.tui.session.Session`, plain Python, which asks the service
(:mod:`tracker.app.service`). Its slow calls run in thread workers here; their answers come back
to the UI thread as :class:`Answer` messages. A failure is shown as one line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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

from tracker.app.collector import keep_collecting
from tracker.app.memory import map_large_blocks, return_freed_memory
from tracker.app.service import Timeline
from tracker.app.stepping import Stepper, StepState
from tracker.app.terms import Event, EventFilter
from tracker.errors import TrackerError
from tracker.text import mask_url, one_line
from tracker.tui import keys
from tracker.tui.render import event_detail, header, state_pane
from tracker.tui.screens import ExportScreen, FilterScreen, HelpScreen, PromptScreen, RefPicker
from tracker.tui.session import Detail, Said, Session
from tracker.tui.timeline import TimelineView

PLAY_INTERVALS = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1)  # seconds per step
NARROW = 110  # below this many columns the panes stack
#: What the app keeps of what it said (newest last): what a user could still read in the log.
SAID_KEPT = 1000

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


class Answer(Message):
    """A worker's answer, applied on the UI thread."""

    def __init__(self, apply: Callable[[], None]) -> None:
        super().__init__()
        self.apply = apply


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

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield HeaderLine(id="header")
        with Container(id="body"):
            yield TimelineView(self.session.lines, id="timeline")
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

    def __init__(self, timeline: Timeline, *, small_log: int = 50_000) -> None:
        super().__init__()
        self.service = timeline
        self.session = Session(timeline, small_log=small_log)
        self.said: list[str] = []  # every message shown, newest last (SAID_KEPT of them)
        self.play_timer: Timer | None = None
        self.speed = 2
        self.main = MainScreen(self.session)
        self.shown_row: int | None = None  # the row whose state the state pane shows
        self._detail_pending = False
        self._building: tuple[object, ...] | None = None  # the stepper under construction

    # -- plumbing ----------------------------------------------------------------------------

    #: The one line the app left with after a failure nothing else handled (None: none).
    fatal_message: str | None = None
    #: Whether the log failed the cheap check on open (the header says so while the app runs).
    log_altered = False

    def _fatal_error(self) -> None:
        """A failure nothing handled ends the app with one line, never Textual's traceback: that
        traceback shows frame locals, which hold the log's URL and so a server's password."""
        self.bell()
        error = self._exception
        what = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
        self.fatal_message = one_line(mask_url(f"unexpected failure: {what}"))
        self._exit_renderables.append(Text(f"Error: {self.fatal_message}"))
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        keep_collecting(True)  # for as long as the app runs: see tracker.app.collector
        map_large_blocks()
        self.push_screen(self.main)
        for notice in self.service.notices:  # what opening did (created, seeded, upgraded)
            self.say(notice)
        # The cheap check on open (the tail of the chain, the row count against the last
        # position): an altered log is said to be altered, for as long as the app runs.
        altered = self.service.altered()
        self.log_altered = altered is not None
        if altered is not None:
            self.notify(one_line(f"{altered}; appending is refused (the CLI's --force appends "
                                 "anyway)"), severity="error", timeout=24 * 3600, markup=False)
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

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Show a toast, and keep what it said (a toast goes after a few seconds)."""
        self.said.append(message)
        del self.said[:-SAID_KEPT]
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def tell(self, said: Said | None) -> None:
        if said is not None:
            self.say(said.text, said.error)

    @property
    def busy(self) -> bool:
        """Whether work for the screen is still under way (tests wait for it to finish)."""
        return self._detail_pending or any(w.is_running for w in self.workers)

    def answer(self, apply: Callable[[], None]) -> None:
        """From a worker: run ``apply`` on the UI thread."""
        self.post_message(Answer(apply))

    def on_answer(self, message: Answer) -> None:
        message.apply()

    def failed(self, exc: Exception) -> None:
        """From a worker: a failure, said as one line. Database errors arrive translated by the
        service (a TrackerError naming the log); anything else is a fault of tracker's own,
        said as such rather than as a traceback."""
        if isinstance(exc, TrackerError):
            self.post_message(Failed(exc.message))
        else:
            self.post_message(Failed(
                f"unexpected failure: {type(exc).__name__}: {exc}"))

    def on_failed(self, message: Failed) -> None:
        self.session.searching = False  # whatever failed, no search result is coming
        self._building = None
        self.say(message.message, error=True)
        self.update_header()

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self, land_on: int | None = None) -> None:
        worker = get_current_worker()
        try:
            outline = self.session.load(lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        finally:
            return_freed_memory()
        if not worker.is_cancelled:
            self.answer(partial(self.take_outline, outline, land_on))

    def take_outline(self, outline: Any, land_on: int | None) -> None:
        session = self.session
        keep = land_on or session.position
        narrowed_or_filtered = session.narrowed_or_filtered
        session.take_outline(outline, keep)
        self.timeline_view.forget_lines()
        if narrowed_or_filtered:  # a new event may belong to the narrowed view: ask again
            if session.known_on or session.recorded_by:
                self.narrow(session.known_on, session.recorded_by)
            if session.filter_ok is not None:
                self.filter_worker(session.filter)
        self.show_view()
        if not outline.count:
            self.main.query_one("#detail", Static).update(
                Text("The log is empty: press a to add the first event.", style="dim"))
            self.main.query_one("#state", Static).update("")

    def show_view(self) -> None:
        """The session's view (rebuilt) on screen: rows, matches, and the state's source."""
        session = self.session
        if session.needle:
            self.run_search(keep=True)
        self.timeline_view.set_matches(set())
        self.timeline_view.set_view(session.view, session.outline, session.cursor,
                                    session.order_name == "story", session.view_marks)
        if session.outline.count <= session.small_log:
            self.start_stepper()
        else:
            # on a large log the rows come first: the state is worked out once they are on
            # screen (when their text arrives, or now if it is all at hand already)
            self.call_after_refresh(self._stepper_if_rows_shown)
        self.show_cursor()

    def _stepper_if_rows_shown(self) -> None:
        if self.timeline_view.lines_on_screen():
            self.start_stepper()

    def start_stepper(self) -> None:
        """Work out where the state at each step of this view comes from, if not there yet."""
        key = self.session.stepper_key
        if key in self.session.steppers or self._building == key:
            return
        self._building = key
        self.stepper_worker(key)

    @work(thread=True, exclusive=True, group="stepper")
    def stepper_worker(self, key: tuple[object, ...]) -> None:
        try:
            stepper = self.session.stepper()
        except Exception as exc:
            self.failed(exc)
            return
        finally:
            return_freed_memory()
        if not get_current_worker().is_cancelled:
            self.answer(partial(self.take_stepper, key, stepper))

    def take_stepper(self, key: tuple[object, ...], stepper: Stepper) -> None:
        if self._building == key:
            self._building = None
        self.session.take_stepper(key, stepper)
        if key == self.session.stepper_key:
            self.show_cursor()

    @on(TimelineView.NeedLines)
    def need_lines(self, message: TimelineView.NeedLines) -> None:
        self.fetch_lines(message.positions)

    @work(thread=True, group="lines")
    def fetch_lines(self, positions: list[int]) -> None:
        try:
            lines = self.session.lines_at(positions)
        except Exception as exc:  # the database went away: say so, keep running
            self.failed(exc)
            return
        self.answer(partial(self.take_lines, lines))

    def take_lines(self, lines: list[Any]) -> None:
        self.timeline_view.add_lines(lines)
        if self.session.outline.count > self.session.small_log:
            self.call_after_refresh(self.start_stepper)

    # -- the cursor and the panes ------------------------------------------------------------

    @on(TimelineView.CursorMoved)
    def cursor_moved(self, message: TimelineView.CursorMoved) -> None:
        # where the timeline's cursor is now (a click moves it; keys pressed faster than the
        # screen repaints have moved it on since this message was sent)
        self.session.move_to(self.timeline_view.cursor)
        self.show_cursor()

    def move(self, row: int) -> None:
        """The cursor to a row, in the session at once (the next key counts from there) and
        on the timeline (which then says it moved)."""
        self.timeline_view.move_to(self.session.move_to(row))

    def update_header(self) -> None:
        session = self.session
        total = len(session.view)
        step = session.cursor + 1 if total else 0
        playing = f"▶ {PLAY_INTERVALS[self.speed]:g}s" if self.play_timer else ""
        self.main.query_one(HeaderLine).show(
            header(self.service.label + (" (ALTERED: see tracker verify)" if self.log_altered
                                         else ""), step, total, session.order_name, session.views_status(),
                   session.filter.describe() if session.filter.active else "",
                   session.search_status(), playing))

    def show_cursor(self) -> None:
        self.update_header()
        session = self.session
        if not session.loaded:
            return
        if not len(session.view):
            if session.outline.count:
                self.show_empty_view()
            return
        position = session.position
        assert position is not None
        stepper = session.steppers.get(session.stepper_key)
        # Draw the cursor's frame first; then fetch the event and work out the state.
        self._detail_pending = True
        self.call_after_refresh(self._start_detail, session.generation, session.cursor,
                                position, stepper)

    def show_empty_view(self) -> None:
        """Nothing to show under this view: say why and how to get out of it, and show no
        event's detail or state from before."""
        session = self.session
        reason, ways = session.empty_reason()
        text = Text(reason, style="dim")
        if ways:
            text.append("\nWays out: " + "; ".join(ways) + ".", style="dim")
        self.shown_row = None
        with self.batch_update():
            self.main.query_one("#detail", Static).update(text)
            self.main.query_one("#state", Static).update(Text(
                f"Nothing yet. {reason}" if session.narrowing is not None
                and not session.filter.active else reason, style="dim"))

    def _start_detail(self, generation: int, row: int, position: int,
                      stepper: Stepper | None) -> None:
        self._detail_pending = False
        if generation == self.session.generation and row == self.session.cursor:
            self.load_detail(generation, row, position, stepper)

    @work(thread=True, exclusive=True, group="detail")
    def load_detail(self, generation: int, row: int, position: int,
                    stepper: Stepper | None) -> None:
        worker = get_current_worker()
        try:
            detail = self.session.detail(position)
            if detail is None or worker.is_cancelled:
                return
            state = None if stepper is None else self.session.state(
                stepper, position, lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        if not worker.is_cancelled:
            self.answer(partial(self.show_detail, generation, row, detail, state))

    def show_detail(self, generation: int, row: int, detail: Detail,
                    state: StepState | None) -> None:
        if generation != self.session.generation or row != self.session.cursor:
            return
        every = self.timeline_view.marks
        event = detail.event
        marks = every[event.position - 1] if event.position <= len(every) else 0
        shown: RenderableType = state_pane(state) if state is not None else Text(
            "Working out the state at each step… (a large log takes a while)", style="dim")
        with self.batch_update():
            self.main.query_one("#detail", Static).update(
                event_detail(event, marks, detail.refs))
            self.main.query_one("#state", Static).update(shown)
        self.shown_row = row if state is not None else None

    # -- moving ------------------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        self.move(self.session.cursor + delta)

    def action_first(self) -> None:
        self.move(0)

    def action_last(self) -> None:
        self.move(len(self.session.view) - 1)

    def action_page(self, direction: int) -> None:
        self.move(self.session.cursor + direction * self.timeline_view.page_height)

    def action_day(self, step: int) -> None:
        self.move(self.session.day(step))

    def action_toggle_order(self) -> None:
        self.session.toggle_order()
        self.show_view()

    def action_toggle_full(self) -> None:
        said = self.session.toggle_full()
        self.tell(said)
        if said is None:
            self.show_cursor()

    def action_goto(self) -> None:
        self.push_screen(PromptScreen(
            "Go to", "a log position (17 or #17) or a date (2014-03-07, March 7 2014)"),
            self.goto)

    def goto(self, text: str | None) -> None:
        if text:
            said = self.session.goto(text)
            self.move(self.session.cursor)
            self.tell(said)

    # -- search ------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.push_screen(PromptScreen("Search", "text in summaries, actors, places, sources",
                                      self.session.needle), self.search)

    def search(self, text: str | None) -> None:
        if text is None:
            return
        if self.session.start_search(text):
            self.run_search()
        else:
            self.timeline_view.set_matches(set())
            self.update_header()

    def run_search(self, keep: bool = False) -> None:
        session = self.session
        session.searching = True
        self.search_worker(session.generation, session.needle, keep)

    @work(thread=True, exclusive=True, group="search")
    def search_worker(self, generation: int, needle: str, keep: bool) -> None:
        worker = get_current_worker()
        try:
            found = self.session.search(needle, lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        if not worker.is_cancelled:
            self.answer(partial(self.take_search, generation, needle, found, keep))

    def take_search(self, generation: int, needle: str, found: set[int], keep: bool) -> None:
        session = self.session
        if generation != session.generation or needle != session.needle:
            return
        said = session.take_search(generation, needle, found, keep)
        self.timeline_view.set_matches(session.matches)
        self.move(session.cursor)
        self.tell(said)
        self.update_header()

    def action_next_match(self, step: int) -> None:
        self.tell(self.session.next_match(step))
        self.move(self.session.cursor)

    # -- filter and views --------------------------------------------------------------------

    def action_filter(self) -> None:
        self.push_screen(FilterScreen(self.session.filter), self.apply_filter)

    def action_clear_filter(self) -> None:
        self.apply_filter(EventFilter())

    def apply_filter(self, flt: EventFilter | None) -> None:
        if flt is None:
            return
        if self.session.set_filter(flt):
            self.filter_worker(flt)
        else:
            self.show_view()

    @work(thread=True, exclusive=True, group="filter")
    def filter_worker(self, flt: EventFilter) -> None:
        worker = get_current_worker()
        try:
            found = self.session.filter_text(flt, lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        if not worker.is_cancelled:
            self.answer(partial(self.take_filter, flt, found))

    def take_filter(self, flt: EventFilter, found: set[int]) -> None:
        self.session.take_filter(flt, found)
        self.show_view()

    def action_known_on(self) -> None:
        self.push_screen(PromptScreen(
            "Known on", "show only what had been published by this date (empty: everything)",
            self.session.known_on or ""), partial(self.set_view_dates, "known"))

    def action_recorded_by(self) -> None:
        self.push_screen(PromptScreen(
            "Audit view", "what the log held at this time, e.g. 2026-11-28T10:00 (empty: now)",
            self.session.recorded_by or ""), partial(self.set_view_dates, "recorded"))

    def set_view_dates(self, which: str, text: str | None) -> None:
        if text is None:
            return
        asked = self.session.view_dates(which, text)
        if isinstance(asked, Said):
            self.tell(asked)
            return
        self.narrow(*asked)

    @work(thread=True, exclusive=True, group="narrow")
    def narrow(self, known_on: str | None, recorded_by: str | None) -> None:
        worker = get_current_worker()
        try:
            narrowing = self.session.narrow(known_on, recorded_by, lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        if not worker.is_cancelled:
            self.answer(partial(self.take_narrowing, known_on, recorded_by, narrowing))

    def take_narrowing(self, known_on: str | None, recorded_by: str | None,
                       narrowing: Any) -> None:
        self.session.take_narrowing(known_on, recorded_by, narrowing)
        self.show_view()

    # -- references --------------------------------------------------------------------------

    def action_follow(self) -> None:
        position = self.session.position
        detail = self.session.details.get(position) if position is not None else None
        if detail is None:
            return
        event = detail.event
        if not event.refs:
            self.say("this event refers to no other entry")
            return
        if len(event.refs) == 1:
            self.locate(event.refs[0].id)
            return
        choices = [(r.rel, r.id, one_line(detail.refs.get(r.id, ""))) for r in event.refs]
        self.push_screen(RefPicker(choices), self._follow_chosen)

    def _follow_chosen(self, event_id: str | None) -> None:
        if event_id:
            self.locate(event_id)

    @work(thread=True, exclusive=True, group="locate")
    def locate(self, event_id: str) -> None:
        try:
            position = self.session.locate(event_id)
        except Exception as exc:
            self.failed(exc)
            return
        self.answer(partial(self.take_located, event_id, position))

    def take_located(self, event_id: str, position: int | None) -> None:
        self.tell(self.session.take_located(event_id, position))
        self.move(self.session.cursor)

    def action_go_back(self) -> None:
        self.tell(self.session.go_back())
        self.move(self.session.cursor)

    # -- play --------------------------------------------------------------------------------

    def action_play(self) -> None:
        if self.play_timer is not None:
            self.play_timer.stop()
            self.play_timer = None
        else:
            self.play_timer = self.set_interval(PLAY_INTERVALS[self.speed], self.play_step)
        self.update_header()

    def play_step(self) -> None:
        if self.session.cursor >= len(self.session.view) - 1:
            self.action_play()
            return
        self.move(self.session.cursor + 1)

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

        session = self.session
        position = session.position
        detail = session.details.get(position) if position is not None else None
        cursor_event = detail.event if detail is not None else None
        if mode != "new" and cursor_event is None:
            self.say("no event under the cursor to " + ("correct" if mode == "correct"
                                                         else "retract"), error=True)
            return
        nearby = [(p, line) for p in session.view.positions(session.cursor - 20,
                                                            session.cursor + 21)
                  if (line := session.lines.get(p)) is not None]
        self.push_screen(EventForm(self.service, mode, cursor_event, nearby,
                                   session.outline.count), self.saved)

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
            n = self.service.export_to(path)
        except Exception as exc:
            self.failed(exc)
            return
        self.answer(partial(self.say, f"Exported {n} events to {path}"))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.service.label))


def run(timeline: Timeline) -> None:
    """Run the app on an open timeline (the CLI's `tracker` with no command)."""
    TrackerApp(timeline).run()
