"""Admission: the checks an event must pass against the log before it is appended.

Pure: given the new events and what the log already holds (looked up by id), decide which to
append, which are harmless repeats, and fail on anything else. Conflicting *accounts* are not
errors; a duplicated id with different content, or a reference to nothing, is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.codec.rows import Row, event_from_row, same_content
from tracker.domain.events import EVENT_TYPES, ITEM_RELATIONS, Event
from tracker.errors import ConflictingEvent, InvalidEvent, UnknownReference


@dataclass(frozen=True, slots=True)
class Admitted:
    """The outcome of admitting a batch: what to append, and ids already in the log as given."""

    new: tuple[Event, ...]
    repeated: tuple[str, ...]


Lookup = Callable[[Iterable[str]], Mapping[str, Row]]


def admit(batch: Sequence[Event], lookup: Lookup, labels: Sequence[str] | None = None) -> Admitted:
    """Check a batch against itself and the log; resolve each event's subject.

    ``labels[i]`` names where event i came from in errors ("line 3"); by default its id.
    """
    where = list(labels) if labels is not None else [f"event {e.id!r}" for e in batch]
    first_at: dict[str, int] = {}
    for i, event in enumerate(batch):
        if event.id in first_at:
            raise InvalidEvent(
                f"{where[i]}: id {event.id!r} appears twice in this input "
                f"(first at {where[first_at[event.id]]})", field="id", place=where[i],
            )
        first_at[event.id] = i
    wanted = set(first_at)
    for event in batch:
        wanted.update(r.id for r in event.refs)
    in_log = lookup(wanted)

    subjects: dict[str, str | None] = {id_: row.subject for id_, row in in_log.items()}
    new: list[Event] = []
    repeated: list[str] = []
    for i, event in enumerate(batch):
        for ref in event.refs:
            if ref.id == event.id:
                raise InvalidEvent(f"{where[i]}: refs: an event cannot refer to itself ({ref.id!r})",
                                   field="refs", place=where[i])
            if ref.id in in_log or (ref.id in first_at and first_at[ref.id] < i):
                continue
            if ref.id in first_at:
                raise InvalidEvent(
                    f"{where[i]}: refs: {ref.id!r} comes later in this input "
                    f"({where[first_at[ref.id]]}); an event may only refer to earlier entries, "
                    "which also rules out reference cycles", field="refs", place=where[i]
                )
            raise UnknownReference(
                f"{where[i]}: refs: {ref.rel} {ref.id!r}, but the log holds no entry {ref.id!r}",
                field="refs", place=where[i],
            )
        event = _with_subject(event, subjects, where[i])
        subjects[event.id] = event.subject
        stored = in_log.get(event.id)
        if stored is not None:
            if same_content(event_from_row(stored), event):
                repeated.append(event.id)
                continue
            raise ConflictingEvent(
                f"{where[i]}: id {event.id!r} is already in the log (position {stored.position}) "
                "with different content; events are never rewritten: record a correction instead"
            )
        new.append(event)
    return Admitted(tuple(new), tuple(repeated))


def _with_subject(event: Event, subjects: Mapping[str, str | None], where: str) -> Event:
    """Fill in the item an event is about: given, or that of the entry it acts on."""
    etype = EVENT_TYPES[event.type]
    if event.subject is not None:
        return event
    for ref in event.refs:
        if ref.rel in ITEM_RELATIONS and subjects.get(ref.id):
            return event._replace(subject=subjects[ref.id])
    if etype.opens_item or etype.kind in {"entry", "account"}:
        return event._replace(subject=event.id)
    raise InvalidEvent(
        f"{where}: {event.type} needs a subject (the item it acts on) or a reference "
        "(responds_to) to the entry it answers", field="refs", place=where,
    )
