"""Small modal screens: help, a one-line prompt, the filter, the export path, a reference picker.

Text from events or users is shown through ``Content``/``Text`` or widgets with ``markup=False``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, TypeVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tracker.app.terms import EVENT_TYPES, EventFilter, check_type_prefix, kinds
from tracker.errors import TrackerError
from tracker.tui.keys import KEYS, shown_keys

ResultT = TypeVar("ResultT")


class TrackerModal(ModalScreen[ResultT]):
    """A centred box over the timeline."""

    DEFAULT_CSS = """
    TrackerModal { align: center middle; }
    TrackerModal > Vertical, TrackerModal > VerticalScroll {
        width: 80%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    TrackerModal .title { text-style: bold; width: 1fr; margin-bottom: 1; }
    TrackerModal .hint { color: $text-muted; }
    TrackerModal .error { color: $error; text-style: bold; }
    TrackerModal .buttons { height: auto; margin-top: 1; }
    TrackerModal .buttons Button { margin-right: 2; }
    #filter Label { margin-top: 1; }
    """


class HelpScreen(TrackerModal[None]):
    """Every key, from the same table as the bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, log: str = "") -> None:
        super().__init__()
        self.log_label = log

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key in KEYS:
            table.add_row(shown_keys(key), key.help)
        table.add_row("ctrl+p", "Command palette (every action above, by name)")
        table.add_row("ctrl+s / esc", "In a form: save / cancel")
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="title")
            yield Static(table, id="help-keys")
            yield Static(Text(
                "The cursor is \"now\": the right-hand panes show the event under it and the "
                "state of affairs as it stood after it, with what this step changed on top. "
                "≈ marks events whose order against a neighbour is uncertain; ⚑ ✓ ✎ ✗ mark "
                "entries a later entry disputed, confirmed, corrected or retracted.",
                style="dim"))
            if self.log_label:
                yield Static(Text(f"The log: {self.log_label}", style="dim"), id="help-log")
            yield Static("esc closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class PromptScreen(TrackerModal[str | None]):
    """One line of input (search, go to, a date); enter confirms, esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, hint: str, value: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.hint = hint
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), classes="title")
            yield Input(self.value, id="prompt-input")
            yield Static(Content(f"{self.hint} · enter: go · esc: cancel"), classes="hint")
            yield Label("", id="prompt-error", classes="error", markup=False)

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def show_error(self, message: str) -> None:
        self.query_one("#prompt-error", Label).update(Content(message))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterScreen(TrackerModal[EventFilter | None]):
    """Filter by type or kind, actor and source; "Clear" removes the filter."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="filter.cancel")]

    def __init__(self, current: EventFilter) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        cur = self.current
        # Compact fields and buttons: the whole dialog fits an 80x24 terminal.
        with Vertical(id="filter"):
            yield Static("Filter the timeline", classes="title")
            yield Label("Type or kind", markup=False)
            yield Input(", ".join(cur.types), id="filter-type", compact=True,
                        placeholder="e.g. invitation or invitation.declined")
            yield Static(f"kinds: {', '.join(kinds())}", classes="hint")
            yield Label("Actor (part of a name)", markup=False)
            yield Input(cur.actor or "", id="filter-actor", placeholder="e.g. Lavrov",
                        compact=True)
            yield Label("Source (outlet, speaker or author)", markup=False)
            yield Input(cur.source or "", id="filter-source", placeholder="e.g. Reuters",
                        compact=True)
            yield Label("", id="filter-error", classes="error", markup=False)
            yield Static("The state still folds every event: a filter only narrows the list.",
                         classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="filter-apply", variant="primary", compact=True)
                yield Button("Clear", id="filter-clear", compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#filter-apply")
    def apply(self) -> None:
        types_text = self.query_one("#filter-type", Input).value
        try:
            types = tuple(check_type_prefix(t, "type") for t in types_text.split(",") if t.strip())
        except TrackerError as exc:
            self.query_one("#filter-error", Label).update(Content(str(exc)))
            self.query_one("#filter-type", Input).focus()
            return
        actor = self.query_one("#filter-actor", Input).value.strip().casefold() or None
        source = self.query_one("#filter-source", Input).value.strip().casefold() or None
        self.dismiss(EventFilter(types=types, actor=actor, source=source))

    @on(Button.Pressed, "#filter-clear")
    def clear(self) -> None:
        self.dismiss(EventFilter())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportScreen(TrackerModal[Path | None]):
    """The path to export to; an existing file needs a second confirmation."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, default: Path) -> None:
        super().__init__()
        self.default = default
        self._confirmed: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export the timeline (JSON, tracker-timeline format)", classes="title")
            yield Input(str(self.default), id="export-path")
            yield Label("", id="export-error", classes="error", markup=False)
            yield Static("enter writes the file · esc cancels", classes="hint")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        error = self.query_one("#export-error", Label)
        if not text:
            error.update("Give a file path.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
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
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RefPicker(TrackerModal[str | None]):
    """Choose which reference of an event to follow."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="refs.cancel")]

    def __init__(self, refs: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.refs = refs  # (rel, id, summary)

    def compose(self) -> ComposeResult:
        options = [
            Option(Content.assemble((rel, "bold"), " → ", rid, ("  " + summary, "italic")), id=rid)
            for rel, rid, summary in self.refs
        ]
        with Vertical():
            yield Static("Follow which reference?", classes="title")
            yield OptionList(*options, id="refs", markup=False)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def type_choices() -> list[tuple[str, str]]:
    return [(f"{name}  {t.description}", name) for name, t in EVENT_TYPES.items()]
