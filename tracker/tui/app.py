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

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.command import Hit, Hits, Provider
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from tracker.app.collector import keep_collecting
from tracker.app.lanes import LaneWindow
from tracker.app.memory import map_large_blocks, return_freed_memory
from tracker.app.service import Timeline
from tracker.app.stepping import Stepper, StepState
from tracker.app.terms import Event, EventFilter, Query
from tracker.errors import TrackerError
from tracker.text import mask_url, one_line
from tracker.tui import keys
from tracker.tui.export import ExportChoice, ExportScreen
from tracker.tui.keybar import KeyBar
from tracker.tui.lanes import LanesView
from tracker.tui.render import HEADER_TAIL, comparison_view, event_detail, header, state_pane
from tracker.tui.screens import (
    CompareScreen,
    FilterScreen,
    HelpScreen,
    PromptScreen,
    RefPicker,
    ReportScreen,
)
from tracker.tui.session import Detail, Landing, Point, Said, Session
from tracker.tui.timeline import TimelineView

PLAY_INTERVALS = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1)  # seconds per step
NARROW = 110  # below this many columns the panes stack
#: Seconds between two looks at the log's head (has another writer appended?).
WATCH_EVERY = 3.0
#: What the app keeps of what it said (newest last): what a user could still read in the log.
SAID_KEPT = 1000

CSS = """
#header { height: 1; background: $panel; padding: 0 1; }
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
#lanes { display: none; width: 55%; height: 1fr; border: round $primary-darken-2; }
#lanes:focus { border: round $accent; }
MainScreen.lanes #timeline { display: none; }
MainScreen.lanes #lanes { display: block; }
MainScreen.narrow #lanes { width: 1fr; height: 2fr; border: none; border-top: hkey $accent; }
MainScreen.zoom-event #lanes, MainScreen.zoom-state #lanes { display: none; }
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


class Actions(SystemCommandsProvider):
    """The palette's commands found by name, as Textual's are, and by what they do: a query
    that begins a word of a command's description ("date", "publish", "json", "as of") finds it
    too, after the commands whose name matches."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = re.compile(r"\b" + re.escape(" ".join(query.split())), re.IGNORECASE)
        named, described = [], []
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            if (score := matcher.match(name)) > 0:
                named.append(Hit(score, matcher.highlight(name), callback, help=help_text))
            elif query.strip() and words.search(help_text):
                described.append(Hit(0.1, Content(name), callback, text=name, help=help_text))
        for hit in named + described:
            yield hit


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
        """The line; when it is wider than the screen, what is cut is the middle, never the
        keys at its end ("? help")."""
        content, width = self.content, self.size.width
        tail = len(HEADER_TAIL)
        if width <= tail or content.cell_length <= width or not content.plain.endswith(
                HEADER_TAIL):
            return content
        head = content[:len(content.plain) - tail]
        return head.truncate(width - tail, ellipsis=True) + content[len(content.plain) - tail:]


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
            yield LanesView(id="lanes")
            with Vertical(id="side"):
                with VerticalScroll(id="detail-pane"):
                    yield Static(Text("Loading the log…", style="dim"), id="detail")
                with VerticalScroll(id="state-pane"):
                    yield Static(id="state")
        # Every key, a page at a time on a narrow terminal (m turns the pages); the palette's
        # key is in the header.
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one("#lanes").border_title = "Timeline: lanes"
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
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {Actions}

    def __init__(self, timeline: Timeline, *, small_log: int = 50_000,
                 watch_every: float | None = WATCH_EVERY) -> None:
        super().__init__()
        self.watch_every = watch_every  # None: only R looks for other writers' events
        self.service = timeline
        self.session = Session(timeline, small_log=small_log)
        self.said: list[str] = []  # every message shown, newest last (SAID_KEPT of them)
        self._keyed: dict[str, Notification] = {}  # the latest toast of each key
        self._owned: list[tuple[Screen[Any], Notification]] = []  # toasts raised by a screen
        self._withdrawn: set[str] = set()  # toasts taken back (identities)
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
        if self.watch_every:
            self.set_interval(self.watch_every, self.check_head)
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

    def say(self, message: str, error: bool = False, key: str | None = None) -> None:
        """The app's own message (a toast that stays its few seconds whatever screen is on
        top); ``key``: a newer message of the same key takes the older one's place."""
        self.toast(one_line(message), severity="error" if error else "information",
                   markup=False, key=key)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A toast raised by a screen (a form's warning, say): it goes when that screen goes,
        since what it said is about that screen."""
        self.toast(message, title=title, severity=severity, timeout=timeout, markup=markup,
                   owner=self.screen if len(self.screen_stack) > 1 else None)

    def toast(self, message: str, *, title: str = "", severity: Any = "information",
              timeout: float | None = None, markup: bool = True, key: str | None = None,
              owner: Screen[Any] | None = None) -> None:
        """Show a toast, and keep what it said (a toast goes after a few seconds)."""
        self.said.append(message)
        del self.said[:-SAID_KEPT]
        notification = Notification(message, title, severity,
                                    self.NOTIFICATION_TIMEOUT if timeout is None else timeout,
                                    markup=markup)
        if key is not None:
            older = self._keyed.get(key)
            if older is not None:
                self.withdraw(older)
            self._keyed[key] = notification
        if owner is not None:
            self._owned.append((owner, notification))
        self.post_message(Notify(notification))

    def withdraw(self, notification: Notification) -> None:
        """A toast that is no longer true goes (or, not shown yet, never shows)."""
        self._withdrawn.add(notification.identity)
        self._unnotify(notification)

    def _on_notify(self, event: Notify) -> None:
        if event.notification.identity not in self._withdrawn:
            super()._on_notify(event)

    def pop_screen(self) -> Any:
        done = super().pop_screen()
        self.call_later(self._forget_gone_screens)
        return done

    def _forget_gone_screens(self) -> None:
        """Toasts raised by screens no longer shown go with them."""
        stack = self.screen_stack
        gone = [n for screen, n in self._owned if screen not in stack]
        self._owned = [(screen, n) for screen, n in self._owned if screen in stack]
        for notification in gone:
            self.withdraw(notification)

    @property
    def showing(self) -> list[str]:
        """The toasts shown now (not expired, not withdrawn), oldest first."""
        return [n.message for n in self._notifications]

    def tell(self, said: Said | None) -> None:
        if said is not None:
            self.say(said.text, said.error, said.key)

    @property
    def busy(self) -> bool:
        """Whether work for the screen is still under way (tests wait for it to finish)."""
        return self._detail_pending or any(w.is_running for w in self.workers)

    def answer(self, apply: Callable[[], None]) -> None:
        """From a worker: run ``apply`` on the UI thread."""
        self.post_message(Answer(apply))

    @property
    def showing_main(self) -> bool:
        """Whether the main screen is up to take an answer: mounted, and the app not closing
        (once it begins to close, its widgets are taken down one by one: a worker's late answer
        or failure, a timer or a queued callback must find none of them)."""
        return self.is_running and self.main.is_attached

    def on_answer(self, message: Answer) -> None:
        if self.showing_main:  # not an answer arriving as the app closes
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
        if not self.showing_main:  # a failure arriving as the app closes: nothing to say it on
            return
        self.session.searching = False  # whatever failed, no search result is coming
        self._building = None
        self.say(message.message, error=True)
        self.update_header()

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self, land_on: int | None = None) -> None:
        worker = get_current_worker()
        landing: Landing | None = None
        try:
            outline = self.session.load(lambda: worker.is_cancelled)
            if land_on is not None and not worker.is_cancelled:
                # after a save: the event, its rows and the state after it come with the log
                landing = self.session.landing(outline, land_on, lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        finally:
            return_freed_memory()
        if not worker.is_cancelled:
            self.answer(partial(self.take_outline, outline, land_on, landing))

    def take_outline(self, outline: Any, land_on: int | None,
                     landing: Landing | None = None) -> None:
        session = self.session
        keep = land_on or session.position
        narrowed_or_filtered = session.narrowed_or_filtered
        session.take_outline(outline, keep, landing)
        self.timeline_view.forget_lines()
        if narrowed_or_filtered:  # a new event may belong to the narrowed view: ask again
            if session.query != Query():
                self.narrow(session.query)
            if session.filter_ok is not None:
                self.filter_worker(session.filter)
        self.show_view()
        if landing is not None and session.position == landing.position:
            self.show_detail(session.generation, session.cursor, landing.detail, landing.state)
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
        if self.showing_main and self.timeline_view.lines_on_screen():
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
        worker = get_current_worker()
        try:
            # called off when the app quits or another view's is asked for: quitting does not
            # wait for the build (tens of seconds on a million events)
            stepper = self.session.stepper(cancelled=lambda: worker.is_cancelled)
        except Exception as exc:
            self.failed(exc)
            return
        finally:
            return_freed_memory()
        if stepper is not None and not worker.is_cancelled:
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
        if not self.showing_main:
            return
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
        if self.lanes_shown:
            self.show_lanes()
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
        behind = session.state_behind_filter()
        stepper = session.steppers.get(session.stepper_key)
        with self.batch_update():
            self.main.query_one("#detail", Static).update(text)
            if behind is not None and stepper is not None:
                self.state_behind_worker(session.generation, behind, stepper)
                return
            self.main.query_one("#state", Static).update(Text(
                f"Nothing yet. {reason}" if session.narrowing is not None
                and not session.filter.active else reason, style="dim"))

    @work(thread=True, exclusive=True, group="detail")
    def state_behind_worker(self, generation: int, position: int, stepper: Stepper) -> None:
        """The state pane under a filter that matches nothing: the state after the event the
        cursor was on (the state folds every event; a filter only narrows the list)."""
        try:
            state = self.session.state(stepper, position)
        except Exception as exc:
            self.failed(exc)
            return
        if state is not None:
            self.answer(partial(self.show_state_behind, generation, position, state))

    def show_state_behind(self, generation: int, position: int, state: StepState) -> None:
        if generation != self.session.generation:
            return
        note = Text(f"The filter matches no event; the state still folds every event: here, "
                    f"as it stood after #{position}.", style="dim")
        self.main.query_one("#state", Static).update(Group(note, Text(), state_pane(state)))

    def _start_detail(self, generation: int, row: int, position: int,
                      stepper: Stepper | None) -> None:
        self._detail_pending = False
        if self.showing_main and generation == self.session.generation \
                and row == self.session.cursor:
            self.load_detail(generation, row, position, stepper)

    @work(thread=True, exclusive=True, group="detail")
    def load_detail(self, generation: int, row: int, position: int,
                    stepper: Stepper | None) -> None:
        worker = get_current_worker()
        try:
            detail = self.session.detail(position)
            if detail is None or worker.is_cancelled:
                return
            def cancelled() -> bool:
                return worker.is_cancelled

            # while the view's stepper is built, its first steps from an early one
            state = self.session.early_state(position, cancelled) if stepper is None \
                else self.session.state(stepper, position, cancelled)
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
        shown: RenderableType = state_pane(
            state, self.session.as_of, self.session.straddling) if state is not None else Text(
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
        """A page of the timeline; in a zoomed pane, a page of that pane (it scrolls)."""
        zoomed = next((z for z in ZOOMS[1:] if self.main.has_class(z)), "")
        if zoomed:
            pane = self.main.query_one("#detail-pane" if zoomed == "zoom-event"
                                       else "#state-pane", VerticalScroll)
            if direction > 0:
                pane.scroll_page_down(animate=False)
            else:
                pane.scroll_page_up(animate=False)
            return
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
            "Go to", "a log position (17 or #17) or a date (2014-03-07, March 7 2014)",
            check=self.session.goto_problem), self.goto)

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

    def action_as_of(self) -> None:
        self.view_prompt("as_of", "As of a story date",
                         "the state from what had certainly happened by this date (empty: "
                         "everything)", self.session.as_of)

    def action_known_on(self) -> None:
        self.view_prompt("known_on", "Known on",
                         "show only what had been published by this date (empty: everything)",
                         self.session.known_on)

    def action_recorded_by(self) -> None:
        self.view_prompt("recorded_by", "Audit view",
                         "what the log held at this time, e.g. 2026-11-28 or 2026-11-28T10:00Z "
                         "(empty: now)", self.session.recorded_by)

    def view_prompt(self, which: str, title: str, hint: str, now: str | None) -> None:
        """A prompt for one of the view's dates: it starts empty (enter alone: everything), says
        what the view holds now, and keeps an answer it cannot read open at the field."""
        def check(text: str) -> str | None:
            asked = self.session.view_dates(which, text)
            return asked.text if isinstance(asked, Said) else None

        if now:
            hint += f" · now: {now}"
        self.push_screen(PromptScreen(title, hint, check=check),
                         partial(self.set_view_dates, which))

    def set_view_dates(self, which: str, text: str | None) -> None:
        if text is None:
            return
        asked = self.session.view_dates(which, text)
        if isinstance(asked, Said):
            self.tell(asked)
            return
        self.narrow(asked, land_last=which == "as_of" and asked.as_of is not None)

    @work(thread=True, exclusive=True, group="narrow")
    def narrow(self, query: Query, land_last: bool = False) -> None:
        worker = get_current_worker()
        try:
            narrowing = self.session.narrow(query, lambda: worker.is_cancelled)
            straddling = self.session.straddles(query, narrowing)
        except Exception as exc:
            self.failed(exc)
            return
        if not worker.is_cancelled:
            self.answer(partial(self.take_narrowing, query, narrowing, straddling, land_last))

    def take_narrowing(self, query: Query, narrowing: Any,
                       straddling: list[tuple[int, str, str]], land_last: bool = False) -> None:
        self.session.take_narrowing(query, narrowing, straddling)
        if land_last:  # the state as of the date: after every event that counts
            self.session.last()
        self.show_view()

    # -- comparing two points ----------------------------------------------------------------

    def action_compare(self) -> None:
        def check(text: str) -> str | None:
            point = self.session.compare_point(text)
            return point.text if isinstance(point, Said) else None

        self.push_screen(CompareScreen(check), self.compare)

    def compare(self, points: tuple[str, str] | None) -> None:
        if points is None:
            return
        first, second = (self.session.compare_point(p) for p in points)
        if isinstance(first, Said) or isinstance(second, Said):  # the view changed meanwhile
            self.tell(first if isinstance(first, Said) else second)  # type: ignore[arg-type]
            return
        self.compare_worker(first, second)

    @work(thread=True, exclusive=True, group="compare")
    def compare_worker(self, first: tuple[Point, str], second: tuple[Point, str]) -> None:
        try:
            differences = self.session.compare(first[0], second[0])
        except Exception as exc:
            self.failed(exc)
            return
        n = len(differences)
        views = self.session.views_status()
        title = (f"From {first[1]} to {second[1]}: {n:,} item{'' if n == 1 else 's'} changed"
                 + (f" ({views})" if views else ""))
        self.answer(partial(self.show_report, title, comparison_view(differences)))

    def show_report(self, title: str, body: RenderableType) -> None:
        self.push_screen(ReportScreen(title, body))

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
        self.session.appended(event.position)
        self.say(f"Added #{event.position}: {event.summary}")
        self.load(event.position)

    # -- other writers -----------------------------------------------------------------------

    def check_head(self) -> None:
        """Now and then: has another writer appended? (Not while the log is being read, nor
        while a dialog is open: a form's own save is not another writer's.)"""
        if self.showing_main and self.screen is self.main and self.session.loaded and not any(
                w.is_running and w.group in ("load", "head") for w in self.workers):
            self.head_worker(False)

    def action_reload(self) -> None:
        self.head_worker(True)

    @work(thread=True, exclusive=True, group="head")
    def head_worker(self, asked: bool) -> None:
        try:
            count = self.session.head_count()
        except Exception as exc:
            if asked:  # a look of its own accord says nothing: the next key will
                self.failed(exc)
            return
        self.answer(partial(self.take_head, count, asked))

    def take_head(self, count: int, asked: bool) -> None:
        said = self.session.arrivals(count)
        if said is None:
            if asked:
                self.say(f"Nothing new: the log holds {count:,} events.")
            return
        self.tell(said)
        self.load()

    # -- the lanes view ----------------------------------------------------------------------

    @property
    def lanes_view(self) -> LanesView:
        return self.main.query_one(LanesView)

    @property
    def lanes_shown(self) -> bool:
        return self.main.has_class("lanes")

    def action_lanes(self) -> None:
        """The timeline pane as lanes on a date axis, or back to the list."""
        shown = not self.lanes_shown
        self.main.set_class(shown, "lanes")
        if shown:
            self.lanes_view.focus()
            self.show_lanes()
        else:
            self.timeline_view.focus()
            self.call_after_refresh(self.timeline_view.scroll_to_cursor, False)

    @on(LanesView.NeedWindow)
    def show_lanes(self) -> None:
        if not self.showing_main or not self.lanes_shown:
            return
        view = self.lanes_view
        if not view.size.width:  # not laid out yet: its resize asks again
            return
        self.lanes_worker(self.session.generation, self.session.cursor, view.axis_columns,
                          view.lane_rows)

    @work(thread=True, exclusive=True, group="lanes")
    def lanes_worker(self, generation: int, row: int, columns: int, rows: int) -> None:
        try:
            window = self.session.lanes(columns, rows)
        except Exception as exc:
            self.failed(exc)
            return
        if not get_current_worker().is_cancelled:
            self.answer(partial(self.take_lanes, generation, row, window))

    def take_lanes(self, generation: int, row: int, window: LaneWindow | Said) -> None:
        session = self.session
        if generation != session.generation or row != session.cursor:
            return  # the cursor moved on meanwhile: its own window is on the way
        if isinstance(window, Said):
            self.lanes_view.show(None, window.text)
            return
        session.take_lanes(window)
        self.lanes_view.show(window, row=row)

    def action_more_keys(self) -> None:
        self.main.query_one(KeyBar).next_page()

    def action_zoom(self) -> None:
        now = next((z for z in ZOOMS[1:] if self.main.has_class(z)), "")
        after = ZOOMS[(ZOOMS.index(now) + 1) % len(ZOOMS)]
        self.main.remove_class(*ZOOMS[1:])
        if after:
            self.main.add_class(after)
            event = after == "zoom-event"
            self.main.query_one("#detail-pane" if event else "#state-pane", VerticalScroll
                                ).border_subtitle = ("PgUp/PgDn scroll · z: the state pane" if event
                                                     else "PgUp/PgDn scroll · z: all panes")
        else:
            for pane in self.main.query("#detail-pane, #state-pane").results(VerticalScroll):
                pane.border_subtitle = "z zoom"
            self.call_after_refresh(self.timeline_view.scroll_to_cursor, False)

    def action_export(self) -> None:
        self.push_screen(ExportScreen(self.session.export_offer(), self.session.export),
                         self.exported)

    def exported(self, done: tuple[ExportChoice, int] | None) -> None:
        if done is not None:
            choice, n = done
            what = "the view on screen" if choice.view is not None else "the whole log"
            self.say(f"Exported {what} ({n:,} events) as {choice.format} to {choice.path}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.service.label))


def run(timeline: Timeline) -> None:
    """Run the app on an open timeline (the CLI's `tracker` with no command)."""
    TrackerApp(timeline).run()
