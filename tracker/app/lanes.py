"""The timeline drawn as time: one lane per item on a date axis, around the event at a cursor.

What the app's lanes view shows (:class:`tracker.tui.lanes.LanesView` draws it). Each item is a
lane; each event a mark on it at its story date: a certain date is one block (``█``), an
uncertain one is the window it may fall in, shaded (``░``), and a bound that is open ("no later
than") runs to the edge of the window with an arrow. The axis spans ``columns`` columns of
``scale`` days each.

Only what is on screen is worked out: the steps whose dates fall in the window are found by
binary search over two monotone arrays of the view's story order (built once per view), the
lanes are the cursor's item and the items of the steps nearest the cursor, and each lane's marks
come from that item's own steps. A step on a million-event log costs the marks drawn, not the log.

A filter (type, actor, source) narrows the lanes as it narrows the list: only the events it
admits are drawn, and only items with such an event in the window get a lane.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate

from tracker.domain.ordering import OPEN_END_DAY, OPEN_START_DAY
from tracker.readmodels.stateindex import StateIndex

#: Days per column the axis may take, finest first.
SCALES = (1, 2, 7, 14, 30, 91, 182, 365, 730, 1826, 3652)
#: The scale is chosen so that this many steps either side of the cursor fit on the axis.
NEIGHBOURS = 40
#: Steps looked at, outward from the cursor, to find the items to give lanes to.
SCAN = 20_000
#: A lane with more events in the window than this many per column draws the first of each.
DENSE = 2
#: How far an open bound ("no later than") is drawn before (or after) its one known date.
OPEN_RUN = 6

CERTAIN, WINDOW, NONE = "█", "░", " "


@lru_cache(maxsize=65_536)
def ordinal(day: int) -> int:
    """The day number 20140310 as a count of days (an axis is drawn in days)."""
    return date(day // 10_000, day // 100 % 100, day % 100).toordinal()


def day_of(ordinal_day: int) -> date:
    return date.fromordinal(ordinal_day)


def _day_number(day: date) -> int:
    """2014-03-10 -> 20140310 (the outline's and the index's day numbers)."""
    return day.year * 10_000 + day.month * 100 + day.day


@dataclass(frozen=True)
class Lane:
    """One item's lane: its subject and the axis drawn for it (one character per column)."""

    subject: str
    cells: str
    cursor: bool  # the item of the event under the cursor
    #: the columns of the cursor's event in this lane (first, last), to highlight
    cursor_span: tuple[int, int] | None = None


@dataclass(frozen=True)
class LaneWindow:
    """The lanes around one event: what the lanes view draws, line by line."""

    first: int  # the ordinal of the axis's first day
    scale: int  # days per column
    columns: int
    cursor_column: int | None  # None: the cursor's event has no date to draw
    labels: str  # the axis's date labels, one character per column
    ruler: str  # the axis with its ticks and the cursor's column
    lanes: tuple[Lane, ...]
    more: bool  # more items have events in this window than there are lanes

    @property
    def anchor(self) -> tuple[int, int]:
        """What keeps the axis still while the cursor stays on it (see :meth:`Lanes.window`)."""
        return self.first, self.scale

    def span(self) -> str:
        """The axis in words: "2014-02-24 – 2014-04-20, a day per column"."""
        last = day_of(self.first + self.columns * self.scale - 1)
        unit = "a day" if self.scale == 1 else f"{self.scale} days"
        return f"{day_of(self.first).isoformat()} – {last.isoformat()}, {unit} per column"


class Lanes:
    """The lanes of one view (the story order of its state index); ``shown`` (one byte per
    story-order step, non-zero where the view's filter admits the event; None: every event)
    keeps the lanes to what the list shows."""

    def __init__(self, index: StateIndex, shown: bytes | bytearray | None = None) -> None:
        self.index = index
        self.shown = shown
        lo, hi = index.story_days()
        self.lo, self.hi = lo, hi
        # The day each step sorts by, made monotone both ways: the story order is by date, but
        # an answer sorts with what it answers, so a day may step back a little.
        sort_day = array("i", [a if a != OPEN_START_DAY else b for a, b in zip(lo, hi, strict=True)])
        self.rising = array("i", accumulate(sort_day, max))  # running maximum
        falling = array("i", accumulate(reversed(sort_day), min))  # minimum from here on
        falling.reverse()
        self.falling = falling
        self.sort_day = sort_day

    def __len__(self) -> int:
        return len(self.lo)

    def dated(self, step: int) -> bool:
        return not (self.lo[step] == OPEN_START_DAY and self.hi[step] == OPEN_END_DAY)

    def window(self, position: int, columns: int, rows: int,
               anchor: tuple[int, int] | None = None) -> LaneWindow | None:
        """The lanes around the event at a log position (None: the view does not hold it), on
        an axis of ``columns`` columns with at most ``rows`` lanes. ``anchor`` (an earlier
        window's) keeps the axis where it was while the cursor's event is still on it."""
        index = self.index
        step = index.step_of_position("story", position)
        if step is None or columns < 1:
            return None
        first, scale = self._axis(step, columns, anchor)
        last = first + columns * scale - 1
        here = self._columns(step, first, scale, columns) if self.dated(step) else None
        start = bisect_left(self.rising, _day_number(day_of(first)))
        stop = bisect_right(self.falling, _day_number(day_of(last)))
        items, more = self._items(step, start, stop, max(rows, 1))
        cursor_item = index.item_at("story", step)
        # the first step of each column (a lane with more events than columns draws the first
        # of each column: the lane is full either way, and a step costs the columns, not the log)
        edges: list[int] | None = None
        lanes = []
        for item in items:
            cells = [NONE] * columns
            steps = self._steps(item)
            a, b = bisect_left(steps, start), bisect_left(steps, stop)
            if b - a <= DENSE * columns:
                chosen: Iterable[int] = steps[a:b]
            else:
                if edges is None:
                    edges = [bisect_left(self.rising, _day_number(day_of(first + c * scale)))
                             for c in range(columns + 1)]
                chosen = self._firsts(steps, a, b, edges)
            for s in chosen:
                if self.dated(s):
                    self._draw(cells, self._columns(s, first, scale, columns))
            span = None
            if item == cursor_item and here is not None and here[0] <= here[1]:
                span = (here[0], here[1])
            lanes.append(Lane(index.subjects[item], "".join(cells), item == cursor_item, span))
        cursor_column = None
        if here is not None and here[0] <= here[1]:
            cursor_column = here[2]
        labels, ruler = self._axis_text(first, scale, columns, cursor_column)
        return LaneWindow(first, scale, columns, cursor_column, labels, ruler, tuple(lanes), more)

    def _shown(self, step: int) -> bool:
        return self.shown is None or bool(self.shown[step])

    def _steps(self, item: int) -> Sequence[int]:
        """The item's story-order steps the view shows, ascending."""
        steps = self.index.item_steps("story", item)
        shown = self.shown
        return steps if shown is None else [s for s in steps if shown[s]]

    @staticmethod
    def _firsts(steps: Sequence[int], a: int, b: int, edges: list[int]) -> Iterator[int]:
        """The item's first step in each column (``edges``: each column's first step)."""
        for c in range(len(edges) - 1):
            k = bisect_left(steps, edges[c], a, b)
            if k < b and steps[k] < edges[c + 1]:
                yield steps[k]

    # -- the axis ----------------------------------------------------------------------------

    def _axis(self, step: int, columns: int, anchor: tuple[int, int] | None) -> tuple[int, int]:
        """The axis's first day and scale: the anchor's while the cursor's date is on it, else
        the finest scale on which the cursor's neighbours fit."""
        days = [ordinal(self.sort_day[s]) for s in range(max(step - NEIGHBOURS, 0),
                                                        min(step + NEIGHBOURS + 1, len(self)))
                if self.dated(s) and self.sort_day[s] != OPEN_END_DAY]
        if not self.dated(step) or self.sort_day[step] == OPEN_END_DAY:
            here = days[len(days) // 2] if days else date.today().toordinal()
        else:
            here = ordinal(self.sort_day[step])
        if anchor is not None:
            first, scale = anchor
            if first <= here < first + columns * scale:
                return anchor
        low, high = (min(days), max(days)) if days else (here, here)
        usable = max(columns - 2, 1)
        scale = next((s for s in SCALES if (high - low) // s < usable), SCALES[-1])
        # the neighbours in the middle of the axis (a column of air before them at least)
        first = low - max((usable - (high - low) // scale) // 2, 1) * scale
        if not first <= here < first + columns * scale:
            first = here - (columns // 4) * scale
        return first, scale

    def _columns(self, step: int, first: int, scale: int, columns: int) -> tuple[int, int, int]:
        """The columns an event covers on the axis (first, last: empty when off the axis; may
        run past either edge, clipped), and the column of the day it sorts by."""
        lo, hi = self.lo[step], self.hi[step]
        open_lo, open_hi = lo == OPEN_START_DAY, hi == OPEN_END_DAY
        a = ordinal(hi if open_lo else lo)
        b = ordinal(lo if open_hi else hi)
        if open_lo:
            a -= OPEN_RUN * scale
        if open_hi:
            b += OPEN_RUN * scale
        ca, cb = (a - first) // scale, (b - first) // scale
        sort = (ordinal(self.sort_day[step]) - first) // scale
        return max(ca, 0), min(cb, columns - 1), max(0, min(sort, columns - 1))

    def _draw(self, cells: list[str], cover: tuple[int, int, int]) -> None:
        a, b, _ = cover
        if a > b:
            return
        if a == b:
            cells[a] = CERTAIN
            return
        for c in range(a, b + 1):
            if cells[c] == NONE:
                cells[c] = WINDOW

    def _items(self, step: int, start: int, stop: int, rows: int) -> tuple[list[int], bool]:
        """The items to give lanes to: the cursor's, then those of the steps nearest it in the
        window, in the order they first appear in it; and whether more were left out."""
        index = self.index
        found = {index.item_at("story", step): step}
        more = False
        for k in range(1, SCAN):
            before, after = step - k, step + k
            if before < start and after >= stop:
                break
            for s in (before, after):
                if start <= s < stop and self._shown(s):
                    item = index.item_at("story", s)
                    if item not in found:
                        if len(found) >= rows:
                            more = True
                            break
                        found[item] = s
            if more:
                break
        firsts = {}
        for item in found:
            steps = self._steps(item)
            k = bisect_left(steps, start)
            firsts[item] = steps[k] if k < len(steps) else found[item]
        return sorted(found, key=lambda i: firsts[i]), more

    def _axis_text(self, first: int, scale: int, columns: int, cursor: int | None
                   ) -> tuple[str, str]:
        """The date labels over the axis and the axis itself (``┬`` at each tick: a week, month,
        year or decade starting in that column, by scale; ``▼`` at the cursor's column)."""
        labels = [" "] * columns
        ruler = ["─"] * columns
        free = 0  # the first column a label may start at
        dated = False  # a label with the year has been placed
        for c in range(columns):
            tick = _tick(day_of(first + c * scale), day_of(first + (c + 1) * scale - 1), scale)
            if tick is None:
                continue
            day, label = tick
            ruler[c] = "┬"
            if not dated and scale <= 366 and str(day.year) not in label:
                label = f"{label} {day:%b %Y}" if label.isdigit() else f"{label} {day:%Y}"
            if c >= free and c + len(label) <= columns:
                labels[c:c + len(label)] = label
                free = c + len(label) + 1
                dated = dated or str(day.year) in label
        if cursor is not None:
            ruler[cursor] = "▼"
        return "".join(labels), "".join(ruler)


def _month_start(lo: date, hi: date) -> date | None:
    """The first day of a month within lo..hi, if there is one."""
    if lo.day == 1:
        return lo
    after = date(lo.year + lo.month // 12, lo.month % 12 + 1, 1)
    return after if after <= hi else None


def _tick(lo: date, hi: date, scale: int) -> tuple[date, str] | None:
    """The tick of the column lo..hi, if a week (fine scales), month, year or decade starts in
    it: the day it starts on and its label."""
    month = _month_start(lo, hi)
    if scale <= 31 and month is not None:
        return month, month.strftime("%b %Y" if month.month == 1 else "%b")
    if scale <= 2:
        monday = lo if lo.weekday() == 0 else date.fromordinal(
            lo.toordinal() + 7 - lo.weekday())
        return (monday, str(monday.day)) if monday <= hi else None
    if scale <= 366:
        if month is not None and month.month == 1:
            return month, str(month.year)
        return None
    every = 10 if scale > 1000 else 5
    for year in range(lo.year, hi.year + 1):
        start = date(year, 1, 1)
        if year % every == 0 and lo <= start <= hi:
            return start, str(year)
    return None
