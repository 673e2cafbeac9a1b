"""Story order: events sorted by when they happened, with uncertain dates kept honest.

Uncertain dates sort by their bounds (earliest, else latest; then latest), then by log position.
A reference forces order: an answer never sorts before the entry it answers, whatever dates the
sources gave. Events whose windows overlap are *marked* as of uncertain order rather than given an
invented one.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain, repeat
from operator import or_, sub

from tracker.domain.events import Event

UNBOUNDED_END = "9999-12-31"
UNBOUNDED_START = "0000-01-01"

StoryKey = tuple[str, str, int]


def story_key(event: Event) -> StoryKey:
    """(earliest, else latest; latest, else earliest; position): the sort key of story order."""
    return story_key_of(event.story.earliest, event.story.latest, event.position)


def story_key_of(earliest: str | None, latest: str | None, position: int) -> StoryKey:
    """The story-order key from an event's bounds and position (see :func:`story_key`)."""
    return (earliest or latest or UNBOUNDED_END, latest or earliest or UNBOUNDED_END, position)


#: Day numbers: 2014-03-10 is 20140310, sortable and compact in an array; these stand for
#: an open start and an open end.
OPEN_START_DAY = 0
OPEN_END_DAY = 99_991_231


def day_number(iso: str | None, default: int) -> int:
    """2014-03-10 -> 20140310; None -> default."""
    if not iso:
        return default
    return int(iso[0:4]) * 10_000 + int(iso[5:7]) * 100 + int(iso[8:10])


def day_text(day: int) -> str:
    """20140310 -> 2014-03-10."""
    return f"{day // 10_000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"


def story_order(events: Sequence[Event]) -> list[int]:
    """Indices of ``events`` (in log order) in story order.

    An event sorts no earlier than any entry it refers to (refs point to earlier log entries, so
    one pass in log order settles every chain of references).
    """
    index_of = {e.id: i for i, e in enumerate(events)}
    ref_start = array("I", [0])
    ref_to = array("I")
    for e in events:
        ref_to.extend(j for r in e.refs if (j := index_of.get(r.id)) is not None)
        ref_start.append(len(ref_to))
    return list(order_by_story(
        array("i", [day_number(e.story.earliest, OPEN_START_DAY) for e in events]),
        array("i", [day_number(e.story.latest, OPEN_END_DAY) for e in events]),
        [e.position for e in events],
        ref_start,
        ref_to,
    ))


_DAY_BITS = 27  # 99_991_231 < 2**27
_POSITION_BITS = 32
_POSITION_MASK = (1 << _POSITION_BITS) - 1


def story_days(lo: int, hi: int) -> int:
    """The two days of a story key (see :func:`story_key_of`) from day numbers, as one number."""
    first = lo if lo != OPEN_START_DAY else hi
    return (first << _DAY_BITS) | (hi if hi != OPEN_END_DAY else first)


def story_number(lo: int, hi: int, position: int) -> int:
    """A story key as one number: ordered as :func:`story_key_of` orders its tuples."""
    return (story_days(lo, hi) << _POSITION_BITS) | position


def order_by_story(lo: Sequence[int], hi: Sequence[int], positions: Sequence[int],
                   ref_start: Sequence[int], ref_to: Sequence[int]) -> array:
    """Indices in story order, from each event's day numbers (``OPEN_START_DAY`` /
    ``OPEN_END_DAY`` where a bound is open), its log position and the indices it refers to
    (``ref_to[ref_start[i]:ref_start[i + 1]]``). Indices must be in log order (references point
    to smaller ones). See :func:`order_by_number`."""
    # a log has a few thousand distinct (lo, hi) pairs: each pair's days worked out once
    days_of = {pair: story_number(*pair, 0) for pair in set(zip(lo, hi, strict=True))}
    days = map(days_of.__getitem__, zip(lo, hi, strict=True))
    return order_by_number(list(map(or_, days, positions)), ref_start, ref_to)


def order_by_number(numbers: list[int], ref_start: Sequence[int], ref_to: Sequence[int]
                    ) -> array:
    """Indices in story order, from each event's :func:`story_number` and the indices it
    refers to (as :func:`order_by_story`). ``numbers`` is worked in: each event's number is
    raised to that of any entry it refers to (one pass in log order settles every chain of
    references), then the indices are sorted by number, a tie in log order.

    Per event the work is done by ``map`` and one sort of plain integers: a Python statement
    runs per reference, not per event."""
    n = len(numbers)
    if len(ref_to):
        counts = map(sub, ref_start[1:], ref_start[:n])  # references of each event
        sources = chain.from_iterable(map(repeat, range(n), counts))
        for i, j in zip(sources, ref_to, strict=True):
            if numbers[j] > numbers[i]:
                numbers[i] = numbers[j]
    return array("I", sorted(range(n), key=numbers.__getitem__))


def uncertain_marks(events_in_order: Sequence[Event]) -> list[bool]:
    """For each event of a story-ordered sequence, whether its order is uncertain (see
    :func:`uncertain_marks_of`)."""
    return [bool(m) for m in uncertain_marks_of(
        [day_number(e.story.earliest, OPEN_START_DAY) for e in events_in_order],
        [day_number(e.story.latest, OPEN_END_DAY) for e in events_in_order],
    )]


def uncertain_marks_of(lo: Sequence[int], hi: Sequence[int]) -> bytearray:
    """For each story-ordered event (its day numbers), 1 where its order is uncertain.

    An event is of uncertain order when its date is a window (not a single known day) that
    overlaps another event's date, or when it falls on a day inside another event's bounded
    window ("last week" against "last Friday"). Events on the same exact day are not marked:
    their dates are as precise as the sources give them.
    """
    n = len(lo)
    marks = bytearray(n)
    # Earlier neighbours: the furthest any earlier window reaches, over all and over bounded ones
    # (-1 before the first event: no day is before it).
    reach_all = reach_bounded = -1
    for i, a, b in zip(range(n), lo, hi, strict=True):
        if a != b:  # a window
            if reach_all >= a:
                marks[i] = 1
            if a != OPEN_START_DAY and b != OPEN_END_DAY and b > reach_bounded:
                reach_bounded = b
        elif reach_bounded >= a:
            marks[i] = 1
        if b > reach_all:
            reach_all = b
    # Later neighbours: the earliest start of any later window, over all and over bounded ones.
    start_all = start_bounded = OPEN_END_DAY + 1
    for i, a, b in zip(range(n - 1, -1, -1), reversed(lo), reversed(hi), strict=True):
        if a != b:
            if start_all <= b:
                marks[i] = 1
            if a != OPEN_START_DAY and b != OPEN_END_DAY and a < start_bounded:
                start_bounded = a
        elif start_bounded <= b:
            marks[i] = 1
        if a < start_all:
            start_all = a
    return marks
