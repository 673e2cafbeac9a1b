"""What the timeline screen does with the log's outline (:mod:`tracker.readmodels.outline`): the rows on
screen in the active order, filters over them, moving by day, and the text of the lines shown.

No Textual here. Event text is fetched from the database by position, a page at a time, when it
is shown.
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from tracker.app.service import search_text
from tracker.app.terms import (
    OPEN_END_DAY,
    OPEN_START_DAY,
    TYPE_NAMES,
    Event,
    EventFilter,
    Outline,
    Source,
    StoryTime,
)
from tracker.text import one_line

STORY = "story"
RECORDED = "recorded"


_PLACEHOLDER_SOURCE = Source(outlet="", published="")


# --------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class View:
    """The rows on screen: ``order`` holds the positions the state is built from, in the active
    order; ``rows`` (when a filter is on) the indices into ``order`` that are shown."""

    order: array
    rows: array | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.rows is not None else len(self.order)

    def order_index(self, row: int) -> int:
        return self.rows[row] if self.rows is not None else row

    def position(self, row: int) -> int:
        return int(self.order[self.order_index(row)])

    def row_of_position(self, position: int) -> int | None:
        """The row showing a log position (None when it is not shown)."""
        try:
            i = self.order.index(position)
        except ValueError:
            return None
        if self.rows is None:
            return i
        return self.row_of_order_index(i, exact=True)

    def row_of_order_index(self, i: int, exact: bool = False) -> int | None:
        if self.rows is None:
            return i if 0 <= i < len(self.order) else None
        from bisect import bisect_left

        r = bisect_left(self.rows, i)
        if exact:
            return r if r < len(self.rows) and self.rows[r] == i else None
        return min(r, len(self.rows) - 1) if len(self.rows) else None

    def positions(self, start: int, stop: int) -> list[int]:
        stop = min(stop, len(self))
        return [self.position(r) for r in range(max(start, 0), stop)]


def restrict(order: Sequence[int], admitted: bytearray | None) -> array:
    """The positions of an order that a query admitted (``admitted[position]`` is 1; all when
    admitted is None)."""
    if admitted is None:
        return array("i", order)
    n = len(admitted)
    return array("i", (p for p in order if p < n and admitted[p]))


def type_codes(flt: EventFilter) -> bytearray:
    """For each type code, whether the filter's types admit it (1) or not (0)."""
    if not flt.types:
        return bytearray(b"\x01" * len(TYPE_NAMES))
    only_types = EventFilter(types=flt.types)
    return bytearray(int(only_types.matches(_type_probe(name))) for name in TYPE_NAMES)


def _type_probe(type_name: str) -> Event:
    return Event("probe", type_name, StoryTime("", None, "", None, None), "", _PLACEHOLDER_SOURCE)


def needs_text(flt: EventFilter) -> bool:
    """Whether the filter looks at more than the type and dates (actors, sources)."""
    return bool(flt.actor or flt.source or flt.date_from or flt.date_to)


def filter_rows(view_order: array, index: Outline, flt: EventFilter,
                text_ok: set[int] | None) -> array | None:
    """Indices into ``view_order`` that the filter admits (None: no filter)."""
    if not flt.active:
        return None
    codes = type_codes(flt)
    kinds = index.kinds
    out = array("i")
    for i, p in enumerate(view_order):
        if not codes[kinds[p - 1]]:
            continue
        if text_ok is not None and p not in text_ok:
            continue
        out.append(i)
    return out


# --------------------------------------------------------------------------- moving


def next_day_row(view: View, index: Outline, row: int, step: int) -> int:
    """The first row of the next (step=1) or previous (step=-1) day from ``row``."""
    n = len(view)
    if n == 0:
        return 0
    here = index.day(view.position(row))
    r = row + step
    while 0 <= r < n and index.day(view.position(r)) == here:
        r += step
    if not 0 <= r < n:
        return row
    if step < 0:  # land on the first event of that earlier day
        day = index.day(view.position(r))
        while r > 0 and index.day(view.position(r - 1)) == day:
            r -= 1
    return r


def row_on_or_after(view: View, index: Outline, day: int) -> int | None:
    """The first row whose day is on or after ``day``, else the last row before it."""
    best_before = None
    for r in range(len(view)):
        d = index.day(view.position(r))
        if d >= day and d != OPEN_END_DAY:
            return r
        best_before = r
    return best_before


def row_spanning(view: View, index: Outline, day: int) -> int | None:
    """The first row whose date is a bounded window holding ``day`` ("last week" holds each day
    of it; "no later than" a date is no help)."""
    for r in range(len(view)):
        p = view.position(r)
        lo, hi = index.lo[p - 1], index.hi[p - 1]
        if lo < day <= hi and lo != OPEN_START_DAY and hi != OPEN_END_DAY:
            return r
    return None


_POSITION = re.compile(r"#?\s*(\d{1,9})$")


def parse_position(text: str) -> int | None:
    m = _POSITION.match(text.strip())
    return int(m.group(1)) if m and not re.match(r"\d{4}-", text.strip()) else None


# --------------------------------------------------------------------------- text for lines


@dataclass(frozen=True, slots=True)
class Line:
    """What a timeline row shows of an event (all text made safe for one terminal line)."""

    position: int
    id: str
    date: str
    type: str
    actors: str
    summary: str
    text: str  # everything searchable, folded to lower case


def date_label(story: StoryTime) -> str:
    """"2014-03-10", "≤ 2014-03-10", "03-03..03-09": a short form for a timeline row."""
    lo, hi = story.earliest, story.latest
    if lo and hi and lo != hi and lo[:4] == hi[:4]:
        whole = story.display()
        if ".." not in whole:
            return whole  # a whole month or year
        return f"{lo[5:]}..{hi[5:]}"
    return story.display()


def line_of(event: Event) -> Line:
    actors = ", ".join(dict.fromkeys(a.name for a in event.actors))
    return Line(event.position, event.id, date_label(event.story), event.type, one_line(actors),
                one_line(event.summary), search_text(event))


K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small least-recently-used cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def clear(self) -> None:
        self._data.clear()
