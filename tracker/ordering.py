"""Story order: events sorted by when they happened, with uncertain dates kept honest.

Uncertain dates sort by their bounds (earliest, else latest; then latest), then by log position.
A reference forces order: an answer never sorts before the entry it answers, whatever dates the
sources gave. Events whose windows overlap are *marked* as of uncertain order rather than given an
invented one.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.events import Event

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
    """Indices of ``events`` in story order.

    An event sorts no earlier than any entry it refers to (refs point to earlier log entries, so
    one pass in log order settles every chain of references).
    """
    index_of = {e.id: i for i, e in enumerate(events)}
    keys = [story_key(e) for e in events]
    refs = [tuple(j for r in e.refs if (j := index_of.get(r.id)) is not None) for e in events]
    return order_by_story(keys, refs)


def order_by_story(keys: Sequence[StoryKey], refs: Sequence[Sequence[int]]) -> list[int]:
    """Indices in story order, from each event's story key and the indices it refers to."""
    effective: list[tuple[str, str, int, int]] = [("", "", 0, 0)] * len(keys)
    for i in sorted(range(len(keys)), key=lambda i: keys[i][2]):
        lo, hi, position = keys[i]
        key = (lo, hi, position, position)
        for j in refs[i]:
            target = effective[j]
            if target[:3] > key[:3]:
                key = (target[0], target[1], target[2], position)
        effective[i] = key
    return sorted(range(len(keys)), key=effective.__getitem__)


def uncertain_marks(events_in_order: Sequence[Event]) -> list[bool]:
    """For each event of a story-ordered sequence, whether its order is uncertain (see
    :func:`uncertain_marks_of`)."""
    return uncertain_marks_of([(e.story.earliest, e.story.latest) for e in events_in_order])


def uncertain_marks_of(bounds_in_order: Sequence[tuple[str | None, str | None]]) -> list[bool]:
    """For each story-ordered (earliest, latest), whether its order is uncertain.

    An event is of uncertain order when its date is a window (not a single known day) that
    overlaps another event's date, or when it falls on a day inside another event's bounded
    window ("last week" against "last Friday"). Events on the same exact day are not marked:
    their dates are as precise as the sources give them.
    """
    n = len(bounds_in_order)
    bounds = [(lo or UNBOUNDED_START, hi or UNBOUNDED_END) for lo, hi in bounds_in_order]
    wide = [lo != hi for lo, hi in bounds]
    marks = [False] * n
    # Earlier neighbours: the furthest any earlier window reaches, over all and over bounded windows.
    reach_all = ""
    reach_bounded = ""
    for i, (lo, hi) in enumerate(bounds):
        if i and ((wide[i] and reach_all >= lo) or (not wide[i] and reach_bounded >= lo)):
            marks[i] = True
        reach_all = max(reach_all, hi)
        if wide[i] and lo != UNBOUNDED_START and hi != UNBOUNDED_END:
            reach_bounded = max(reach_bounded, hi)
    # Later neighbours: the earliest start of any later window, over all and over bounded windows.
    start_all = UNBOUNDED_END + "~"
    start_bounded = UNBOUNDED_END + "~"
    for i in range(n - 1, -1, -1):
        lo, hi = bounds[i]
        if (wide[i] and start_all <= hi) or (not wide[i] and start_bounded <= hi):
            marks[i] = True
        start_all = min(start_all, lo)
        if wide[i] and lo != UNBOUNDED_START and hi != UNBOUNDED_END:
            start_bounded = min(start_bounded, lo)
    return marks
