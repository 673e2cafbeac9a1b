"""The lanes view: the timeline drawn as time, one lane per item on a date axis.

Drawn with the Line API from a :class:`~tracker.app.lanes.LaneWindow` (worked out by the
session for the lines on screen only): the axis's labels and ruler, one line per lane (the
item's subject, then its marks), and a legend. The event under the cursor is highlighted on its
lane and marked ``▼`` on the axis. Subjects go into segments as they are: never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tracker.app.lanes import CERTAIN, WINDOW, LaneWindow
from tracker.tui.timeline import fit

#: Lines that are not lanes: the labels, the ruler and the legend.
CHROME = 3


class LanesView(Widget, can_focus=True):
    """Items as lanes on a date axis, around the event under the cursor."""

    DEFAULT_CSS = """
    LanesView { background: $surface; }
    LanesView > .lanes--axis { color: $text-muted; }
    LanesView > .lanes--subject { color: $text-muted; }
    LanesView > .lanes--here { color: $accent; text-style: bold; }
    LanesView > .lanes--event { color: $primary; }
    LanesView > .lanes--window { color: $secondary; }
    LanesView > .lanes--cursor { background: $accent; color: $text; text-style: bold; }
    LanesView > .lanes--legend { color: $text-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "lanes--axis", "lanes--subject", "lanes--here", "lanes--event", "lanes--window",
        "lanes--cursor", "lanes--legend",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.window: LaneWindow | None = None
        self.row: int | None = None  # the timeline row whose lanes are shown
        self.note = "Working out the lanes…"

    @property
    def label_width(self) -> int:
        return max(8, min(28, self.size.width // 3))

    @property
    def axis_columns(self) -> int:
        """Columns of the date axis at this width."""
        return max(self.size.width - self.label_width - 1, 1)

    @property
    def lane_rows(self) -> int:
        """Lanes that fit at this height."""
        return max(self.size.height - CHROME, 1)

    class NeedWindow(Message):
        """The view's size changed: the lanes are worked out again for it."""

    def on_resize(self) -> None:
        self.post_message(self.NeedWindow())

    def show(self, window: LaneWindow | None, note: str = "", row: int | None = None) -> None:
        self.window = window
        self.row = row
        self.note = note
        self.refresh()

    def lines(self) -> list[str]:
        """What the view shows, as plain text (what a test or a reader sees)."""
        return [self.render_line(y).text.rstrip() for y in range(self.size.height)]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        style = self.get_component_rich_style
        window = self.window
        if window is None:
            text = self.note if y == 0 else ""
            return Strip([Segment(fit(text, width), base + style("lanes--legend"))])
        pad = " " * (self.label_width + 1)
        if y == 0:
            return self._plain(pad + window.labels, width, base + style("lanes--axis"))
        if y == 1:
            return self._plain(pad + window.ruler, width, base + style("lanes--axis"))
        lane_index = y - 2
        if y == self.size.height - 1:
            return self._plain(self._legend(window), width, base + style("lanes--legend"))
        if lane_index >= len(window.lanes):
            return Strip.blank(width, base)
        lane = window.lanes[lane_index]
        label_style = style("lanes--here") if lane.cursor else style("lanes--subject")
        segs = [Segment(fit(lane.subject, self.label_width) + " ", base + label_style)]
        cells = lane.cells
        spans = [(0, len(cells), False)]
        if lane.cursor_span is not None:
            a, b = lane.cursor_span
            spans = [(0, a, False), (a, b + 1, True), (b + 1, len(cells), False)]
        for start, stop, cursor in spans:
            for text, kind in _runs(cells[start:stop]):
                if cursor:
                    text = text.replace(" ", "▒")
                    seg_style = style("lanes--cursor")
                elif kind == CERTAIN:
                    seg_style = style("lanes--event")
                elif kind == WINDOW:
                    seg_style = style("lanes--window")
                else:
                    seg_style = Style()
                segs.append(Segment(text, base + seg_style))
        return Strip(segs).crop_extend(0, width, base)

    def _plain(self, text: str, width: int, style: Style) -> Strip:
        return Strip([Segment(fit(text, width), style)])

    def _legend(self, window: LaneWindow) -> str:
        more = " · more items than lanes here" if window.more else ""
        here = "" if window.cursor_column is not None else " · the cursor's event has no date"
        return (f"{CERTAIN} date  {WINDOW} may fall within  ▼ cursor  l: list · {window.span()}"
                f"{here}{more}")


def _runs(cells: str) -> list[tuple[str, str]]:
    """The cells in runs of one character: ("███", "█"), ("  ", " ")..."""
    out: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(cells) + 1):
        if i == len(cells) or cells[i] != cells[start]:
            out.append((cells[start:i], cells[start]))
            start = i
    return out
