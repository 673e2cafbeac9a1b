"""The timeline: one line per event, drawn with Textual's Line API so a million rows cost nothing.

Rows are drawn from a :class:`~tracker.tui.model.View` (positions) and a cache of
:class:`~tracker.tui.model.Line` texts that the app fills from the database a page at a time. A
row whose text is not cached yet is drawn as a placeholder and asked for with
:class:`TimelineView.NeedLines`. Text goes into segments as it is: never parsed as markup.
"""

from __future__ import annotations

from array import array
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.app.terms import RELATIONS, Outline, mark_names
from tracker.tui.keys import KEYS
from tracker.tui.model import LRU, Line, View

SCROLL_KEYS = {"up", "down", "pageup", "pagedown", "home", "end"}
PAGE_MARGIN = 2  # pages of rows fetched beyond the visible ones
MARK_SYMBOLS = {r.mark: r.mark_symbol for r in RELATIONS.values() if r.mark}


def marks_text(bits: int) -> str:
    """Marks for what later entries said about an entry: disputed, corrected, retracted."""
    return "".join(MARK_SYMBOLS.get(name, "!") for name in mark_names(bits))


def fit(text: str, width: int) -> str:
    """Text cut or padded to exactly ``width`` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)




class TimelineView(ScrollView, can_focus=True):
    """The scrolling list of events; its cursor is "now"."""

    DEFAULT_CSS = """
    TimelineView { background: $surface; overflow-x: hidden; }
    TimelineView > .timeline--cursor { background: $accent 40%; text-style: bold; }
    TimelineView:focus > .timeline--cursor { background: $accent; color: $text; }
    TimelineView > .timeline--position { color: $text-muted; }
    TimelineView > .timeline--date { color: $secondary; }
    TimelineView > .timeline--type { color: $primary; }
    TimelineView > .timeline--mark { color: $warning; text-style: bold; }
    TimelineView > .timeline--match { color: $success; text-style: bold; }
    TimelineView > .timeline--pending { color: $text-disabled; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--cursor", "timeline--position", "timeline--date", "timeline--type",
        "timeline--mark", "timeline--match", "timeline--pending",
    }

    # A scroll view's own keys (arrows, page, home/end) move the cursor here; the viewport
    # follows it. The letter keys stay on the screen, where the footer shows them; the page keys,
    # which only a scroll view has, show in the footer from here ("PgUp PgDn Page").
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"app.{k.action}", "Page" if key == "pageup" else k.description,
                show=key == "pageup", id=k.id, key_display="PgUp PgDn" if key == "pageup" else None)
        for k in KEYS for key in k.keys.split(",") if key in SCROLL_KEYS
    ]

    cursor: reactive[int] = reactive(0, repaint=False, always_update=True)

    class CursorMoved(Message):
        """The cursor moved to a row."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    class NeedLines(Message):
        """Rows are on screen whose text is not loaded: the app fetches these positions."""

        def __init__(self, positions: list[int]) -> None:
            super().__init__()
            self.positions = positions

    def __init__(self, lines: LRU[int, Line] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = View(array("i"))
        self.outline = Outline()
        self.marks = self.outline.marks
        #: row texts by position (the session's: it reads a row's date from them)
        self.lines: LRU[int, Line] = lines if lines is not None else LRU(4096)
        self.matches: set[int] = set()  # positions matching the search
        self.show_uncertain = True
        self._strips: LRU[tuple[int, bool, bool, int, bool], Strip] = LRU(2048)
        self._requested: set[int] = set()
        self._digits = 1
        self._check_scheduled = False

    # -- data --------------------------------------------------------------------------------

    def set_view(self, view: View, outline: Outline, cursor: int, show_uncertain: bool,
                 marks: bytearray | None = None) -> None:
        """Show ``view``; ``marks`` (by position) replace the outline's in a narrowed view."""
        self.view = view
        self.outline = outline
        self.marks = marks if marks is not None else outline.marks
        self.show_uncertain = show_uncertain
        self._digits = len(str(max(outline.count, 1)))
        self._strips.clear()
        self._requested.clear()
        self.virtual_size = Size(0, len(view))  # rows fit the width: nothing to scroll sideways
        self.set_reactive(TimelineView.cursor, max(0, min(cursor, len(view) - 1)))
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor, False)

    def add_lines(self, lines: list[Line]) -> None:
        for line in lines:
            self.lines.put(line.position, line)
            self._requested.discard(line.position)
        self._strips.clear()
        self.refresh()

    def lines_on_screen(self) -> bool:
        """Whether every row on screen has its text (none waits for the database)."""
        top = round(self.scroll_offset.y)
        return all(p in self.lines for p in self.view.positions(top, top + self.size.height))

    def forget_lines(self) -> None:
        self.lines.clear()
        self._strips.clear()
        self._requested.clear()

    def set_matches(self, matches: set[int]) -> None:
        self.matches = matches
        self._strips.clear()
        self.refresh()

    @property
    def position(self) -> int | None:
        if not len(self.view):
            return None
        return self.view.position(self.cursor)

    # -- moving ------------------------------------------------------------------------------

    def move_to(self, row: int) -> None:
        if not len(self.view):
            return
        self.cursor = max(0, min(row, len(self.view) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(new))

    def scroll_to_cursor(self, animate: bool = False) -> None:
        """Keep the cursor on screen. Past an edge the view jumps by most of a page (not one
        row), so stepping on redraws one row at a time, not the whole list at every step."""
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_offset.y)
        jump = max(height * 3 // 4, 1)
        if self.cursor < top:
            self.scroll_to(y=max(self.cursor - jump + 1, 0), animate=animate, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - (height - jump), animate=animate, immediate=True)

    def _refresh_row(self, row: int) -> None:
        y = row - round(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_offset.y) + offset.y
        if 0 <= row < len(self.view):
            self.cursor = row

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self.view))
        self._strips.clear()

    # -- drawing -----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        strips = super().render_lines(crop)
        if not self._check_scheduled:
            # Rendering runs in the screen's context: ask from our own message loop, so the
            # request bubbles up to the app as ours.
            self._check_scheduled = True
            self.call_later(self._request_missing)
        return strips

    def _request_missing(self) -> None:
        self._check_scheduled = False
        n = len(self.view)
        if not n:
            return
        top = round(self.scroll_offset.y)
        height = max(self.size.height, 1)
        missing = [
            p for p in self.view.positions(top, top + height)
            if p not in self.lines and p not in self._requested
        ]
        if not missing:
            return
        wanted = [
            p for p in self.view.positions(top - PAGE_MARGIN * height, top + (PAGE_MARGIN + 1) * height)
            if p not in self.lines and p not in self._requested
        ]
        self._requested.update(wanted)
        self.post_message(self.NeedLines(wanted))

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width  # not under the scrollbar
        if row >= len(self.view):
            return Strip.blank(width, self.rich_style)
        position = self.view.position(row)
        selected = row == self.cursor
        matched = position in self.matches
        key = (position, selected, matched, width, self.show_uncertain)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._build(position, selected, matched, width)
            if position in self.lines:
                self._strips.put(key, strip)
        scroll_x = round(self.scroll_offset.x)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _build(self, position: int, selected: bool, matched: bool, width: int) -> Strip:
        style = self.get_component_rich_style
        base = self.rich_style
        cursor_style = style("timeline--cursor") if selected else Style()
        line = self.lines.get(position)
        uncertain = self.show_uncertain and bool(self.outline.uncertain[position - 1]) \
            if position <= self.outline.count else False
        bits = self.marks[position - 1] if position <= len(self.marks) else 0
        pointer = "▶" if selected else ("•" if matched else " ")
        lead = f"{pointer}{position:>{self._digits}} "
        segs: list[Segment] = [
            Segment(lead, base + (style("timeline--match") if matched else
                                  style("timeline--position")) + cursor_style),
            Segment("≈ " if uncertain else "  ", base + style("timeline--mark") + cursor_style),
        ]
        rest = max(width - cell_len(lead) - 2, 0)
        if line is None:
            segs.append(Segment(fit(f"{self.outline.type_name(position)} …", rest),
                                base + style("timeline--pending") + cursor_style))
            return Strip(segs)
        date_w = 12
        type_w = min(20, max(rest // 4, 8))
        actors_w = min(22, max(rest // 5, 0)) if rest >= 100 else 0
        mark = marks_text(bits)
        mark_w = cell_len(mark) + 1 if mark else 0
        summary_w = max(rest - date_w - 1 - type_w - 1 - (actors_w + 1 if actors_w else 0)
                        - mark_w, 0)
        segs.append(Segment(fit(line.date, date_w) + " ",
                            base + style("timeline--date") + cursor_style))
        segs.append(Segment(fit(line.type, type_w) + " ",
                            base + style("timeline--type") + cursor_style))
        if actors_w:
            segs.append(Segment(fit(line.actors, actors_w) + " ", base + cursor_style))
        if mark:
            segs.append(Segment(mark + " ", base + style("timeline--mark") + cursor_style))
        segs.append(Segment(fit(line.summary, summary_w), base + cursor_style))
        return Strip(segs)
