"""The outline of a log: what a listing of every event needs, in flat arrays.

A million events cannot be held as a million objects by a screen that lists them. The outline
keeps, per log position, the event's story dates (as day numbers), its type (a byte), the marks
later entries gave it (disputed, confirmed, corrected, retracted: bits) and the positions it
refers to; and the log's story order with its uncertain-order marks. Text stays in the database
and is read a page at a time when it is shown.

It is built from two narrow reads of the store (the columns, and the references the database
resolves to positions), so nothing is decoded per event. Positions are 1-based and gap-free
(the log guarantees it), so ``array[position - 1]`` is the entry of that position.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import add, or_, sub
from typing import BinaryIO

from tracker.domain.events import EVENT_TYPES
from tracker.domain.ordering import (
    OPEN_END_DAY,
    OPEN_START_DAY,
    day_number,
    order_by_number,
    order_by_story,
    story_days,
    story_number,
    uncertain_marks_of,
)
from tracker.domain.selection import MARK_OF_RELATION
from tracker.readmodels.arrayfile import read_arrays, write_arrays

#: Type names by code (a byte per event).
TYPE_NAMES: tuple[str, ...] = tuple(EVENT_TYPES)
TYPE_CODE: dict[str, int] = {name: i for i, name in enumerate(TYPE_NAMES)}

#: Mark bits (by position): what later entries said about this one, in the listing's order.
MARK_NAMES: tuple[str, ...] = tuple(MARK_OF_RELATION.values())
_MARK_BIT = {rel: 1 << MARK_NAMES.index(mark) for rel, mark in MARK_OF_RELATION.items()}

#: (story dates, types) of a run of consecutive positions: the dates as ``earliest/latest``
#: ('' for an open one), as the store reads them
OutlineColumns = tuple[Sequence[str], Sequence[str]]
#: (positions, relations, referenced positions): references, in log order
ReferenceColumns = tuple[Sequence[int], Sequence[str], Sequence[int]]


def mark_names(bits: int) -> list[str]:
    return [name for i, name in enumerate(MARK_NAMES) if bits & (1 << i)]


def _ints() -> array:
    return array("i")


@dataclass
class Outline:
    """Per-position arrays for a whole log, and its story order."""

    count: int = 0
    lo: array = field(default_factory=_ints)  # earliest day (OPEN_START_DAY: open)
    hi: array = field(default_factory=_ints)  # latest day (OPEN_END_DAY: open)
    kinds: bytearray = field(default_factory=bytearray)  # type codes
    marks: bytearray = field(default_factory=bytearray)
    ref_start: array = field(default_factory=lambda: array("I", [0]))  # position -> first ref
    ref_to: array = field(default_factory=_ints)  # referenced positions
    ref_bits: bytearray = field(default_factory=bytearray)  # each reference's mark bit (or 0)
    story: array = field(default_factory=_ints)  # positions in story order
    uncertain: bytearray = field(default_factory=bytearray)  # order uncertain (story order)

    def day(self, position: int) -> int:
        """The day an event sorts by: its earliest day, else its latest."""
        lo = self.lo[position - 1]
        return lo if lo != OPEN_START_DAY else self.hi[position - 1]

    def type_name(self, position: int) -> str:
        return TYPE_NAMES[self.kinds[position - 1]]

    def references(self, position: int) -> array:
        """The positions the event at ``position`` refers to."""
        return self.ref_to[self.ref_start[position - 1]:self.ref_start[position]]

    def recorded(self) -> array:
        return array("i", range(1, self.count + 1))


def narrowed(outline: Outline, admitted: bytearray) -> tuple[array, bytearray]:
    """The story order and the entry marks of a narrowed view (``admitted[position]`` is 1 for
    each event it holds: a "known on" date, the audit view), as if the log held only those
    events: an answer to an entry left out sorts by its own dates, and a mark comes only from a
    later entry the view holds. (The whole log's order and marks would put an event where a
    state built from the view does not, and show corrections not yet made.)"""
    n = outline.count
    index_of = array("i", [-1]) * (n + 1)  # position -> index among the admitted
    positions = array("I")
    for p in range(1, min(n, len(admitted) - 1) + 1):
        if admitted[p]:
            index_of[p] = len(positions)
            positions.append(p)
    lo = array("i", (outline.lo[p - 1] for p in positions))
    hi = array("i", (outline.hi[p - 1] for p in positions))
    ref_start = array("I", [0])
    ref_to = array("I")
    for p in positions:
        ref_to.extend(k for t in outline.references(p) if (k := index_of[t]) >= 0)
        ref_start.append(len(ref_to))
    order = order_by_story(lo, hi, positions, ref_start, ref_to)
    story = array("i", (positions[i] for i in order))
    marks = bytearray(n)
    starts, targets, bits = outline.ref_start, outline.ref_to, outline.ref_bits
    for p in positions:
        for k in range(starts[p - 1], starts[p]):
            t = targets[k]
            if bits[k] and index_of[t] >= 0:
                marks[t - 1] |= bits[k]
    return story, marks


#: Bumped whenever the outline's contents or meaning change: older saved outlines are rebuilt.
OUTLINE_FORMAT = 2
_MAGIC = b"TRACKER-OUTLINE\n"
_ARRAYS = ("lo", "hi", "kinds", "marks", "ref_start", "ref_to", "ref_bits", "story", "uncertain")


def save_outline(outline: Outline, key: str, out: BinaryIO) -> None:
    """Write the outline, tagged with ``key``: the log state it was built from."""
    write_arrays(out, _MAGIC, {"format": OUTLINE_FORMAT, "key": key, "count": outline.count},
                 [_as_array(getattr(outline, name)) for name in _ARRAYS])


def load_outline(inp: BinaryIO, key: str) -> Outline | None:
    """The outline written by :func:`save_outline`, or None if it is not one, is damaged, or
    is of another state of the log (``key``) or another version of this code."""
    found = read_arrays(inp, _MAGIC, {"format": OUTLINE_FORMAT, "key": key})
    if found is None:
        return None
    header, arrays = found
    if len(arrays) != len(_ARRAYS):
        return None
    lo, hi, kinds, marks, ref_start, ref_to, ref_bits, story, uncertain = arrays
    n = header.get("count")
    if not (len(lo) == len(hi) == len(kinds) == len(marks) == len(story) == len(uncertain) == n
            and len(ref_start) == n + 1 and len(ref_bits) == len(ref_to)):
        return None
    return Outline(n, lo, hi, bytearray(kinds.tobytes()), bytearray(marks.tobytes()), ref_start,
                   ref_to, bytearray(ref_bits.tobytes()), story, bytearray(uncertain.tobytes()))


def _as_array(values: array | bytearray) -> array:
    return values if isinstance(values, array) else array("B", values)


def build_outline(columns: Iterable[OutlineColumns], references: Iterable[ReferenceColumns],
                  cancelled: Callable[[], bool] = lambda: False) -> Outline:
    """The outline from the store's narrow reads, both in log order (see
    :meth:`tracker.store.recorder.Recorder.read_outline_run` and
    ``read_reference_run``)."""
    return extend_outline(Outline(), columns, references, cancelled)


def extend_outline(base: Outline, columns: Iterable[OutlineColumns],
                   references: Iterable[ReferenceColumns],
                   cancelled: Callable[[], bool] = lambda: False) -> Outline:
    """The outline of a log that has grown since ``base``: ``columns`` and ``references`` are
    those of the positions after ``base.count``, in log order. ``base`` is left as it was (the
    screen may be showing it); a cancelled build gives an empty outline.

    The work per event is done by ``map`` over the columns (a log has a few thousand distinct
    dates: each is turned into a day number once)."""
    out = Outline(base.count, array("i", base.lo), array("i", base.hi), bytearray(base.kinds),
                  bytearray(base.marks), array("I", base.ref_start), array("i", base.ref_to),
                  bytearray(base.ref_bits), array("i", base.story))
    first = base.count + 1  # the first new position
    lo, hi, kinds = out.lo, out.hi, out.kinds
    # by the text of the story dates (a log has a few thousand distinct ones): the day numbers
    # and the story number without the position
    lo_of: dict[str, int] = {}
    hi_of: dict[str, int] = {}
    number_of: dict[str, int] = {}
    numbers: list[int] = []  # each event's story number (a whole log's order is worked out)
    for dates, types in columns:
        if cancelled():
            return Outline()
        for text in set(dates).difference(lo_of):
            earliest, _, latest = text.partition("/")
            lo_of[text] = a = day_number(earliest, OPEN_START_DAY)
            hi_of[text] = b = day_number(latest, OPEN_END_DAY)
            number_of[text] = story_number(a, b, 0)
        if not base.count:
            numbers.extend(map(or_, map(number_of.__getitem__, dates),
                               range(len(lo) + 1, len(lo) + 1 + len(dates))))
        lo.extend(map(lo_of.__getitem__, dates))
        hi.extend(map(hi_of.__getitem__, dates))
        kinds.extend(map(TYPE_CODE.get, types, repeat(0)))
    out.count = n = len(lo)
    marks = out.marks
    marks.extend(bytes(n - base.count))
    counts = array("I", bytes(4 * (n - base.count + 1)))  # references of each new position
    to, bits = out.ref_to, out.ref_bits
    for sources, relations, targets in references:
        if cancelled():
            return Outline()
        if sources and sources[-1] > n:  # references of rows past those read: left out
            kept = bisect_right(sources, n)
            sources, relations, targets = sources[:kept], relations[:kept], targets[:kept]
        for position, many in Counter(sources).items():
            counts[position - base.count] += many
        to.extend(targets)
        new_bits = bytes(map(_MARK_BIT.get, relations, repeat(0)))
        bits.extend(new_bits)
        for target, bit in compress(zip(targets, new_bits, strict=True), new_bits):
            marks[target - 1] |= bit
    counts[0] = out.ref_start[base.count]
    out.ref_start[base.count:] = array("I", accumulate(counts))
    if cancelled():
        return Outline()
    if base.count:
        _insert_in_story(out, range(first, n + 1))
        order = array("I", map(sub, out.story, repeat(1)))
    else:
        order = order_by_number(numbers, out.ref_start, array("I", map(sub, to, repeat(1))))
        del numbers
        out.story = array("i", map(add, order, repeat(1)))
    flags = uncertain_marks_of(array("i", map(lo.__getitem__, order)),
                               array("i", map(hi.__getitem__, order)))
    uncertain = out.uncertain = bytearray(n)
    deque(map(uncertain.__setitem__, compress(order, flags), repeat(1)), maxlen=0)  # by position
    return out


def _insert_in_story(out: Outline, positions: Iterable[int]) -> None:
    """Put new positions in their story place (for a few appended events: a bisection each)."""
    keys: dict[int, tuple[int, int, int]] = {}

    def key(p: int) -> tuple[int, int, int]:
        """(days, position it sorts with, own position): story order's key, as
        :func:`tracker.domain.ordering.order_by_story` settles it (references first, without recursion:
        a chain of answers can be long)."""
        found = keys.get(p)
        if found is not None:
            return found
        pending = [p]
        while pending:
            q = pending[-1]
            waiting = [t for t in out.references(q) if t not in keys]
            if waiting:
                pending.extend(waiting)
                continue
            pending.pop()
            if q in keys:
                continue
            best = (story_days(out.lo[q - 1], out.hi[q - 1]), q)
            for t in out.references(q):
                best = max(best, keys[t][:2])
            keys[q] = (*best, q)
        return keys[p]

    for p in positions:
        out.story.insert(bisect_right(out.story, key(p), key=key), p)
