"""The export dialog: every format, the view on screen or the whole log, and the file to write.

The choices come from the session (:class:`~tracker.tui.session.ExportOffer`); the dialog says
when a filter or a "known on" date narrows the screen and offers either that view or the whole
log, and starts in the user's documents folder. An error stays in the dialog, under the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, RadioButton, RadioSet, Select, Static

from tracker.app.exports import FORMATS, SUFFIXES, ExportView
from tracker.errors import TrackerError
from tracker.tui.screens import TrackerModal
from tracker.tui.session import FIRST_FORMAT, ExportOffer

#: The one format that is always the whole log (its hashes are checked on import).
WHOLE_ONLY = "json"
#: The format offered first when the screen shows a view (one that can take it).
VIEW_FORMAT = "csv"


@dataclass(frozen=True)
class ExportChoice:
    format: str
    view: ExportView | None  # None: every event of the log
    path: Path


Write = Callable[[str, ExportView | None, Path, bool], int]  # the last: replace the file


class ExportScreen(TrackerModal[tuple[ExportChoice, int] | None]):
    """Choose a format, the view or the whole log, and a file; the dialog writes it (in a
    worker) and closes with what it wrote, or stays open with the error under the file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel")]

    DEFAULT_CSS = """
    #export Label { margin-top: 1; }
    #export .error { width: 1fr; height: auto; }
    #export-format-about, #export-scope-note { width: 1fr; height: auto; }
    #export-scope { height: auto; border: none; padding: 0; background: $panel; }
    """

    def __init__(self, offer: ExportOffer, write: Write) -> None:
        super().__init__()
        self.offer = offer
        self.write = write
        self.writing = False
        self.first_format = FIRST_FORMAT if offer.view is None else VIEW_FORMAT
        self._confirmed: Path | None = None

    def compose(self) -> ComposeResult:
        offer = self.offer
        with Vertical(id="export"):
            yield Static("Export", classes="title")
            yield Select([(f"{name}  ({SUFFIXES[name]})", name) for name in FORMATS],
                         value=self.first_format, allow_blank=False, compact=True,
                         id="export-format")
            yield Static(Content(FORMATS[self.first_format]), id="export-format-about",
                         classes="hint")
            if offer.view is not None:
                yield Label(Content(f"The screen shows a view: {offer.about}"), markup=False)
                with RadioSet(id="export-scope", compact=True):
                    yield RadioButton(
                        f"the view on screen ({offer.shown:,} of {offer.total:,} events)",
                        id="export-view", value=True)
                    yield RadioButton(f"the whole log ({offer.total:,} events)",
                                      id="export-whole")
            else:
                yield Label(Content(f"Every event of the log ({offer.total:,})"),
                            id="export-all", markup=False)
            yield Static(Content(offer.note), id="export-scope-note", classes="hint")
            yield Label("File", markup=False)
            yield Input(str(offer.path(self.first_format)), id="export-path", compact=True)
            yield Label("", id="export-error", classes="error", markup=False)
            yield Static("enter writes the file · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self._format_changed(self.first_format)
        self.query_one("#export-path", Input).focus()

    @property
    def format(self) -> str:
        value = self.query_one("#export-format", Select).value
        return value if isinstance(value, str) else FIRST_FORMAT

    @property
    def takes_view(self) -> bool:
        """Whether the view on screen is chosen (else every event)."""
        if self.offer.view is None:
            return False
        return self.query_one("#export-view", RadioButton).value

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._format_changed(event.value)

    def _format_changed(self, name: str) -> None:
        self.query_one("#export-format-about", Static).update(Content(FORMATS[name]))
        path = self.query_one("#export-path", Input)
        current = Path(path.value)
        if current.suffix in SUFFIXES.values():  # the file follows the format
            path.value = str(current.with_suffix(SUFFIXES[name]))
        notes = [self.offer.note] if self.offer.note else []
        if self.offer.view is not None:
            whole_only = name == WHOLE_ONLY
            view_button = self.query_one("#export-view", RadioButton)
            if whole_only:
                self.query_one("#export-whole", RadioButton).value = True
                notes.append("JSON (tracker-timeline) is always the whole log, so that "
                             "`tracker import` can check its hashes.")
            view_button.disabled = whole_only
        self.query_one("#export-scope-note", Static).update(Content(" ".join(notes)))

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        error = self.query_one("#export-error", Label)
        if not text:
            error.update("Give a file path.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.offer.folder / path
        if path.is_dir():
            error.update(Content(f"{path}: is a directory; give a file name"))
            return
        if not path.parent.is_dir():
            error.update(Content(f"{path}: the folder {path.parent} does not exist"))
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            error.update(Content(f"{path} exists: press enter again to replace it"))
            return
        if self.writing:
            return
        self.writing = True
        error.update(Content(f"Writing {path}…"))
        self.write_worker(ExportChoice(self.format,
                                       self.offer.view if self.takes_view else None, path))

    @work(thread=True, exclusive=True, group="export")
    def write_worker(self, choice: ExportChoice) -> None:
        try:
            n = self.write(choice.format, choice.view, choice.path,
                           choice.path == self._confirmed)
        except TrackerError as exc:
            self.app.call_from_thread(self.failed, exc.message)
            return
        except Exception as exc:  # a fault of tracker's own: said, never a traceback
            self.app.call_from_thread(
                self.failed, f"unexpected failure: {type(exc).__name__}: {exc}")
            return
        self.app.call_from_thread(self.dismiss, (choice, n))

    def failed(self, message: str) -> None:
        self.writing = False
        self.query_one("#export-error", Label).update(Content(message))
        self.query_one("#export-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
