"""What a long command tells as it goes: the first run over a large log (a replay of every row,
an export converting every row) and an import take tens of seconds at a million events, and a
user left without a word for that long cannot tell working from stuck.

The service reports (what it is doing, how far, out of how many or None) to whoever listens
(:attr:`tracker.app.service.Timeline.progress`); the CLI draws it on a terminal's stderr. Nothing
is reported where no one listens, and nothing at all for work under :data:`EVERY` rows, so the
quick runs (what is kept, a small log) never report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Told (what it is doing, how many done, out of how many: None when not known beforehand).
Progress = Callable[[str, int, "int | None"], None]

#: Rows or entries between two reports.
EVERY = 10_000


class Tally:
    """Counts work done and reports it every :data:`EVERY` units to ``report`` (if any)."""

    __slots__ = ("_next", "done", "report", "total", "what")

    def __init__(self, report: Progress | None, what: str, total: int | None) -> None:
        self.report = report
        self.what = what
        self.total = total
        self.done = 0
        self._next = EVERY

    def add(self, count: int) -> None:
        self.done += count
        if self.done >= self._next and self.report is not None:
            self._next = self.done - self.done % EVERY + EVERY
            self.report(self.what, self.done, self.total)


def counted(items: Iterable[T], report: Progress | None, what: str, total: int | None
            ) -> Iterable[T]:
    """``items`` as they are, reported every :data:`EVERY` of them; untouched (no cost per
    item) where no one listens."""
    if report is None:
        return items
    return _counting(items, Tally(report, what, total))


def _counting(items: Iterable[T], tally: Tally) -> Iterator[T]:
    step = 0
    for item in items:
        yield item
        step += 1
        if step == EVERY:
            tally.add(step)
            step = 0
