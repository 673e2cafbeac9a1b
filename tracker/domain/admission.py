"""Admission: the checks an event must pass against the log before it is appended.

Pure: given the new events and what the log already holds (looked up by id, and by item), decide
which to append, which are harmless repeats, and fail on anything else. Conflicting *accounts*
are not errors; a duplicated id with different content, a reference to nothing, or an event that
could change nothing (an opening event on an item already under way at another status) is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.domain.dates import StoryTime, starts_after
from tracker.domain.events import Event
from tracker.domain.fold import Step, retractions, standing, step_of
from tracker.domain.input import check_correction
from tracker.domain.vocabulary import (
    EVENT_TYPES,
    FULFILS,
    ITEM_RELATIONS,
    RETRACT,
    EventType,
    event_types,
    openers_to,
)
from tracker.errors import ConflictingEvent, InvalidEvent, UnknownReference


@dataclass(frozen=True, slots=True)
class Admitted:
    """The outcome of admitting a batch: what to append, and ids already in the log as given."""

    new: tuple[Event, ...]
    repeated: tuple[str, ...]


#: The events the log holds under some ids (those it holds), decoded.
Lookup = Callable[[Iterable[str]], Mapping[str, Event]]
#: The events the log holds of some items (by subject), decoded, in log order.
ItemLookup = Callable[[Iterable[str]], Sequence[Event]]


def admit(batch: Sequence[Event], lookup: Lookup, labels: Sequence[str] | None = None,
          items: ItemLookup | None = None, later: Mapping[str, str] | None = None) -> Admitted:
    """Check a batch against itself and the log; resolve each event's subject.

    ``labels[i]`` names where event i came from in errors ("line 3"); by default its id.
    ``items``: the log's events of given items, to refuse an opening event that would change
    nothing (without it, only the batch itself is checked for that).
    ``later``: where each id of the input that comes after this batch is (an input admitted a
    chunk at a time), so that a reference to one is named as such.
    """
    where = list(labels) if labels is not None else [f"event {e.id!r}" for e in batch]
    first_at: dict[str, int] = {}
    for i, event in enumerate(batch):
        if event.id in first_at:
            raise InvalidEvent(
                f"{where[i]}: id {event.id!r} appears twice in this input "
                f"(first at {where[first_at[event.id]]})",
                field="id", place=where[i],
            )
        first_at[event.id] = i
    wanted = set(first_at)
    wanted.update([r.id for event in batch for r in event.refs])
    in_log = lookup(wanted)

    subjects: dict[str, str | None] = {id_: row.subject for id_, row in in_log.items()}
    kinds: dict[str, str] = {id_: EVENT_TYPES[row.type].kind for id_, row in in_log.items()
                             if row.type in EVENT_TYPES}
    new: list[Event] = []
    new_where: list[str] = []
    repeated: list[str] = []
    for i, event in enumerate(batch):
        for k, ref in enumerate(event.refs):
            if ref.id == event.id:
                raise InvalidEvent(f"{where[i]}: refs: an event cannot refer to itself ({ref.id!r})",
                                   field=f"refs[{k}].id", place=where[i])
            if ref.id in in_log or (ref.id in first_at and first_at[ref.id] < i):
                continue
            field = f"refs[{k}].id"
            if ref.id in first_at or (later is not None and ref.id in later):
                found = where[first_at[ref.id]] if ref.id in first_at else later[ref.id]  # type: ignore[index]
                raise InvalidEvent(
                    f"{where[i]}: refs: {ref.id!r} comes later in this input "
                    f"({found}); an event may only refer to earlier entries, "
                    "which also rules out reference cycles",
                    field=field, place=where[i],
                )
            raise UnknownReference(
                f"{where[i]}: refs: {ref.rel} {ref.id!r}, but the log holds no entry {ref.id!r}",
                field=field, place=where[i],
            )
        for ref in event.refs:
            if ref.rel == "corrects":
                target = in_log.get(ref.id) or batch[first_at[ref.id]]
                check_correction(event, target, where[i])
        event = _with_subject(event, subjects, kinds, where[i])
        subjects[event.id] = event.subject
        kinds[event.id] = EVENT_TYPES[event.type].kind
        stored = in_log.get(event.id)
        if stored is not None:
            if same_content(stored, event):
                repeated.append(event.id)
                continue
            raise ConflictingEvent(
                f"{where[i]}: id {event.id!r} is already in the log (position {stored.position}) "
                "with different content; events are never rewritten: record a correction instead",
                field="id", place=where[i],
            )
        _check_reported_after(event, where[i])
        new.append(event)
        new_where.append(where[i])
    _refuse_reopening(new, new_where, items)
    _refuse_retracting_twice(new, new_where, items)
    return Admitted(tuple(new), tuple(repeated))


def retracted_ids(batch: Iterable[Event]) -> list[str]:
    """The entries the batch's retractions retract: their items' events are what admission
    needs (``items``) to refuse retracting an entry already retracted."""
    return list(dict.fromkeys(
        r.id for e in batch if EVENT_TYPES[e.type].effect == RETRACT for r in e.refs))


def _raw_type(obj: Any) -> EventType | None:
    """The vocabulary's entry for a raw input object's type (None: not an object, or no such
    type; parsing names what is wrong)."""
    type_name = obj.get("type") if isinstance(obj, dict) else None
    return EVENT_TYPES.get(type_name) if isinstance(type_name, str) else None


def _refuse_retracting_twice(new: Sequence[Event], where: Sequence[str],
                             items: ItemLookup | None) -> None:
    """An entry already retracted (by a retraction that stands) cannot be retracted again: the
    second retraction would change nothing. (Retracting the retraction itself undoes it.)"""
    candidates = {k for k, e in enumerate(new) if EVENT_TYPES[e.type].effect == RETRACT}
    if not candidates:
        return
    subjects = {new[k].subject or new[k].id for k in candidates}
    stored = list(items(subjects)) if items is not None else []
    held: dict[str, list[Event | int]] = {}
    for event in stored:
        held.setdefault(event.subject or event.id, []).append(event)
    for k, event in enumerate(new):
        subject = event.subject or event.id
        if k in candidates:
            steps = tuple(step_of(_placed(new, e)) for e in held.get(subject, ()))
            standing_by = retractions(steps)
            for i, ref in enumerate(event.refs):
                by = standing_by.get(ref.id)
                if by is not None:
                    raise InvalidEvent(
                        f"{where[k]}: refs: {ref.id!r} is already retracted (by {by!r}); an "
                        "entry is retracted once (retract that retraction to undo it)",
                        field=f"refs[{i}].id", place=where[k],
                    )
        if subject in subjects:
            held.setdefault(subject, []).append(k)


def reopened_subjects(batch: Iterable[Event]) -> list[str]:
    """The items that events opening an item name explicitly: those whose events admission
    needs (``items``) to tell whether an opening would change nothing."""
    return list(dict.fromkeys(
        e.subject for e in batch
        if e.subject is not None and e.subject != e.id and EVENT_TYPES[e.type].opens_item))


class ImportNames:
    """What an import's raw entries name, read before they are parsed (as the entries of a large
    file are first read): the items that objects of an opening type name (the same items as
    :func:`reopened_subjects`), and the entries that retractions retract (as
    :func:`retracted_ids`)."""

    __slots__ = ("named", "retracted")

    def __init__(self, objs: Iterable[Any] = ()) -> None:
        self.named: set[str] = set()
        self.retracted: set[str] = set()
        for obj in objs:
            self.add(obj)

    def add(self, obj: Any) -> None:
        etype = _raw_type(obj)
        if etype is None:
            return
        if etype.opens_item:
            subject = obj.get("subject")
            if isinstance(subject, str) and subject != obj.get("id"):
                self.named.add(subject)
        if etype.effect == RETRACT and isinstance(obj.get("refs"), list):
            self.retracted.update(r["id"] for r in obj["refs"]
                                  if isinstance(r, dict) and isinstance(r.get("id"), str))


_LATER = 1 << 62  # positions the new events will have, after every stored one


def _placed(new: Sequence[Event], held: Event | int) -> Event:
    """An item's event as the checks below hold it: a stored one, or the index ``k`` of a new
    one (given its position after every stored one, ``_LATER + k``, only when it is looked at:
    most never are)."""
    if isinstance(held, int):
        return new[held]._replace(position=_LATER + held)
    return held


def _refuse_reopening(new: Sequence[Event], where: Sequence[str], items: ItemLookup | None
                      ) -> None:
    """No event without effect, silently: an event that opens an item, on an item that certainly
    stands at another status by its story date, would move nothing (the fold keeps it as an
    account of the opening). Refuse it, saying what to record instead."""
    candidates = {i for i, e in enumerate(new)
                  if EVENT_TYPES[e.type].opens_item and e.subject != e.id}
    if not candidates:
        return
    subjects = {new[i].subject for i in candidates}
    stored = list(items(s for s in subjects if s is not None)) if items is not None else []
    # the items' events so far (steps made only when asked): stored, or new by index
    held: dict[str, list[Event | int]] = {}
    for event in stored:
        held.setdefault(event.subject or event.id, []).append(event)
    for k, event in enumerate(new):
        subject = event.subject or event.id
        start = event.story.earliest
        if k in candidates and subject in held and start is not None:
            etype = EVENT_TYPES[event.type]
            # What certainly came before it: an event whose date window ends before its own
            # begins. (An account whose date could fall earlier stays an account of the opening.)
            before = sorted((step_of(_placed(new, e)) for e in held[subject]
                             if (latest := _latest(new, e)) is not None and latest < start),
                            key=_story_key)
            kind, status = standing(tuple(before))
            if kind == etype.kind and status and etype.move(status, event.details) is None:
                instead = openers_to(etype.kind, status)
                again = (f"record {' or '.join(instead)} to open it again, or " if instead
                         else "")
                raise InvalidEvent(
                    f"{where[k]}: {event.type} opens an item, but {subject!r} is already "
                    f"{status.replace('_', ' ')} by {event.story.display()} in story order, so "
                    f"it would change nothing; {again}give the date of the first report to "
                    "add an account of the opening",
                    field="type", place=where[k],
                )
        if subject in subjects:
            held.setdefault(subject, []).append(k)


def _latest(new: Sequence[Event], held: Event | int) -> str | None:
    """The end of the story window of an item's event held as :func:`_placed` takes it."""
    return (new[held] if isinstance(held, int) else held).story.latest


def _story_key(step: Step) -> tuple[str, str, int]:
    return step.key


def same_content(a: Event, b: Event) -> bool:
    """Whether two events say the same thing (log metadata aside): re-imports are harmless."""
    return _content(a) == _content(b)


def _content(event: Event) -> Event:
    return event._replace(schema_version=0, position=0, recorded_at="")


def _check_reported_after(event: Event, where: str) -> None:
    """What happened cannot be reported before it happened: an event of a type that reports
    something done (not a plan) whose story time begins after its source's publication date is
    refused. The log's own rows are never checked again (an old log reads as it always did)."""
    if not EVENT_TYPES[event.type].happened:
        return
    published = event.source.published
    parts: list[tuple[str, StoryTime]] = [("story", event.story)]
    if event.story.received is not None:
        parts.append(("story.received", event.story.received))
    for field, story in parts:
        if starts_after(story, published):
            begins = story.earliest if story.tz is None else f"{story.earliest} {story.tz}"
            planned = " or ".join(t.name for t in event_types() if not t.happened)
            raise InvalidEvent(
                f"{where}: field '{field}': {story.expr!r} begins on {begins}, after the "
                f"source's publication date ({published}); {event.type} reports what happened, "
                f"which no source can tell before it does (a plan is {planned})",
                field=field, place=where,
            )


def _with_subject(event: Event, subjects: Mapping[str, str | None], kinds: Mapping[str, str],
                  where: str) -> Event:
    """Fill in the item an event is about: given, or that of the entry it acts on (a meeting
    held that fulfils a meeting scheduled is that meeting's)."""
    if event.subject is not None:
        return event
    etype = EVENT_TYPES[event.type]
    for ref in event.refs:
        if subjects.get(ref.id) and (ref.rel in ITEM_RELATIONS or (
                ref.rel == FULFILS and kinds.get(ref.id) == etype.kind)):
            return event._replace(subject=subjects[ref.id])
    if etype.opens_item or etype.meta:
        return event._replace(subject=event.id)
    raise InvalidEvent(
        f"{where}: {event.type} needs a subject (the item it acts on) or a reference "
        "(responds_to) to the entry it answers",
        field="subject", place=where,
    )
