"""A log held in memory for admission's tests: the two lookups admission asks of a log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tracker.domain.admission import admit
from tracker.domain.events import Event


class Log:
    """The two lookups admission asks of a log, over events held in memory."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = list(events)

    def by_id(self, ids: Iterable[str]) -> Mapping[str, Event]:
        wanted = set(ids)
        return {e.id: e for e in self.events if e.id in wanted}

    def of_items(self, subjects: Iterable[str]) -> list[Event]:
        wanted = set(subjects)
        return [e for e in self.events if (e.subject or e.id) in wanted]


def admitted(log: Log, *new: Event) -> tuple[Event, ...]:
    """What admission keeps of ``new`` events appended to ``log`` (each named "line N")."""
    return admit(list(new), log.by_id, [f"line {i + 1}" for i in range(len(new))],
                 log.of_items).new
