"""Choosing and marking events for a listing: filters by type, actor, source and story dates, and
the marks an entry carries because later entries act on it (disputed, corrected...). Pure.

``tracker log`` uses these; a filter is built once from what the user typed (and refuses what
cannot match anything), then tested against each event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracker.domain.dates import parse_iso_date
from tracker.domain.events import Event
from tracker.domain.vocabulary import EVENT_TYPES, MARK_OF_RELATION, kinds
from tracker.errors import InvalidInput
from tracker.text import clip

__all__ = ["MARK_OF_RELATION"]  # the marks are the vocabulary's; importers find them here too


def check_type_prefix(text: str, flag: str = "--type") -> str:
    """A type filter must name an event type ("invitation.declined") or a kind ("invitation")."""
    value = text.strip()
    if value in EVENT_TYPES or value in kinds():
        return value
    raise InvalidInput(
        f"{flag} {clip(repr(value))} is neither an event type nor a kind of event "
        f"(kinds: {', '.join(kinds())}; see `tracker types`)"
    )


def check_day(text: str | None, flag: str) -> str | None:
    """An ISO date given to a flag, or None; the error names the flag."""
    if text is None:
        return None
    return parse_iso_date(text.strip(), flag).isoformat()


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events a listing shows. Every criterion given must hold; none given shows all.

    ``types``: event types or kinds (a kind matches all its types); ``actor``: a case-insensitive
    part of an actor's name; ``source``: a case-insensitive part of the outlet, speaker or author;
    ``date_from``/``date_to``: story dates (inclusive). An event whose story time is a window
    matches when the window overlaps the range; an open bound reaches forever.
    """

    types: tuple[str, ...] = ()
    actor: str | None = None
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def build(
        cls,
        types: Iterable[str] = (),
        actor: str | None = None,
        source: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> EventFilter:
        """A filter from what a user typed, each part checked; errors name the flag."""
        lo = check_day(date_from, "--from")
        hi = check_day(date_to, "--to")
        if lo is not None and hi is not None and hi < lo:
            raise InvalidInput(f"--to {hi} is before --from {lo}")
        return cls(
            types=tuple(check_type_prefix(t) for t in types),
            actor=actor.strip().casefold() if actor and actor.strip() else None,
            source=source.strip().casefold() if source and source.strip() else None,
            date_from=lo,
            date_to=hi,
        )

    @property
    def active(self) -> bool:
        return bool(self.types or self.actor or self.source or self.date_from or self.date_to)

    def matches(self, event: Event) -> bool:
        if self.types and not any(
            event.type == t or event.kind == t for t in self.types
        ):
            return False
        if self.actor is not None and not any(
            self.actor in a.name.casefold() for a in event.actors
        ):
            return False
        if self.source is not None:
            s = event.source
            said_by = (s.outlet, s.speaker or "", s.author or "", s.via or "")
            if not any(self.source in part.casefold() for part in said_by):
                return False
        if self.date_from is not None:
            latest = event.story.latest
            if latest is not None and latest < self.date_from:
                return False
        if self.date_to is not None:
            earliest = event.story.earliest
            if earliest is not None and earliest > self.date_to:
                return False
        return True

    def describe(self) -> str:
        parts = []
        if self.types:
            parts.append("type " + " or ".join(self.types))
        if self.actor:
            parts.append(f"actor ~ {self.actor!r}")
        if self.source:
            parts.append(f"source ~ {self.source!r}")
        if self.date_from or self.date_to:
            parts.append(f"story dates {self.date_from or '…'}..{self.date_to or '…'}")
        return ", ".join(parts) or "all events"


def entry_marks(events: Iterable[Event]) -> dict[str, tuple[str, ...]]:
    """For each entry that later entries dispute, confirm, correct or retract: those marks."""
    found: dict[str, set[str]] = {}
    for event in events:
        for ref in event.refs:
            mark = MARK_OF_RELATION.get(ref.rel)
            if mark is not None:
                found.setdefault(ref.id, set()).add(mark)
    order = list(MARK_OF_RELATION.values())
    return {id_: tuple(m for m in order if m in marks) for id_, marks in found.items()}
