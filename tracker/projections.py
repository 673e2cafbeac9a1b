"""Projections: the state of affairs, folded from events. Pure: no I/O, no clock.

The state is a persistent map from subject (the item an event is about: an invitation, a
meeting, a proposal...) to a frozen :class:`Item`. :func:`evolve` adds one event and returns a
new state that shares everything it did not change, so keeping the state after every step (or
every few hundred steps, as the checkpoints do) is cheap.

An item's status is derived from its events *in story order*, whatever order they reach the log
in: a report learned late that belongs earlier in the story lands in its place. So folding the
same set of events in any order gives the same state.

Accounts that disagree are kept side by side: when two sources give different statuses for the
same moment, or an account is explicitly disputed, the item is ``disputed`` and lists each side's
account with its source.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import immutables

from tracker.dates import StoryTime
from tracker.events import EVENT_TYPES, Actor, Event, FrozenDict, freeze, thaw

DISPUTED = "disputed"


class Step(NamedTuple):
    """What one event contributes to its item, kept compact so states stay small."""

    key: tuple[str, str, int]  # story order: earliest, latest, position
    id: str
    type: str
    speaker: str  # who gives this account: the speaker, else the outlet
    targets: tuple[str, ...]  # entries it disputes / confirms / corrects / retracts / answers
    event: Event | None  # kept for item-opening and detail-bearing events only


def story_key(event: Event) -> tuple[str, str, int]:
    earliest, latest = event.story.earliest, event.story.latest
    lo = earliest or latest or "9999-12-31"
    hi = latest or earliest or "9999-12-31"
    return (lo, hi, event.position)


def account_holder(event: Event) -> str:
    s = event.source
    return s.speaker or s.outlet


@dataclass(frozen=True, slots=True)
class Account:
    """One source's account of where an item stands."""

    event_id: str
    status: str
    speaker: str
    outlet: str
    story: str
    disputed_by: tuple[str, ...] = ()
    confirmed_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    """The derived state of one thing the log is about."""

    subject: str
    kind: str
    status: str
    title: str
    when: StoryTime | None
    actors: tuple[Actor, ...]
    place: str | None
    details: FrozenDict
    history: tuple[str, ...]  # event ids in story order
    sources: tuple[str, ...]  # distinct "speaker, outlet" attributions
    accounts: tuple[Account, ...] = ()  # competing accounts when disputed
    corrected: tuple[str, ...] = ()  # ids of entries whose corrections apply
    retracted: tuple[str, ...] = ()
    steps: tuple[Step, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class State:
    """The state of affairs after some set of events."""

    items: immutables.Map[str, Item] = field(default_factory=immutables.Map)
    size: int = 0  # events folded in

    def of_kind(self, kind: str) -> list[Item]:
        return sorted((i for i in self.items.values() if i.kind == kind), key=_item_order)

    def get(self, subject: str) -> Item | None:
        return self.items.get(subject)


EMPTY = State()


def _item_order(item: Item) -> tuple[str, str]:
    if item.when is None:
        return ("9999-12-31", item.subject)
    return (item.when.sort_key()[0], item.subject)


# --------------------------------------------------------------------------- the fold


def evolve(state: State, event: Event) -> State:
    """The state after one more event. Pure; the order events arrive in does not matter."""
    subject = event.subject or event.id
    before = state.items.get(subject)
    steps = before.steps if before is not None else ()
    step = Step(
        story_key(event), event.id, event.type, account_holder(event),
        tuple(r.id for r in event.refs), event,
    )
    if steps and step.key >= steps[-1].key and event.kind not in {"entry", "account"}:
        new_steps = (*steps, step)
    else:
        as_list = list(steps)
        insort(as_list, step, key=lambda s: s.key)
        new_steps = tuple(as_list)
    item = derive(subject, new_steps)
    return State(state.items.set(subject, item), state.size + 1)


def replay(events: Iterable[Event], state: State = EMPTY) -> State:
    """Fold events into a state (the bulk form of :func:`evolve`)."""
    items = state.items.mutate()
    size = state.size
    pending: dict[str, list[Step]] = {}
    for event in events:
        subject = event.subject or event.id
        steps = pending.get(subject)
        if steps is None:
            before = items.get(subject)
            steps = pending[subject] = list(before.steps) if before is not None else []
        steps.append(
            Step(story_key(event), event.id, event.type, account_holder(event),
                 tuple(r.id for r in event.refs), event)
        )
        size += 1
    for subject, steps in pending.items():
        steps.sort(key=lambda s: s.key)
        items[subject] = derive(subject, tuple(steps))
    return State(items.finish(), size)


def derive(subject: str, steps: tuple[Step, ...]) -> Item:
    """An item's state from its steps, in story order."""
    retracted = {t for s in steps if s.type == "entry.retracted" for t in s.targets}
    corrections: dict[str, dict[str, Any]] = {}
    for s in steps:
        if s.type == "entry.corrected" and s.event is not None:
            for t in s.targets:
                corrections.setdefault(t, {}).update(thaw(s.event.details["changes"]))
    disputes: dict[str, list[str]] = {}
    confirms: dict[str, list[str]] = {}
    for s in steps:
        if s.type == "account.disputed":
            for t in s.targets:
                disputes.setdefault(t, []).append(s.id)
        elif s.type == "account.confirmed":
            for t in s.targets:
                confirms.setdefault(t, []).append(s.id)

    kind = ""
    status = ""
    title = ""
    when: StoryTime | None = None
    place: str | None = None
    actors: dict[Actor, None] = {}
    details: dict[str, Any] = {}
    history: list[str] = []
    sources: dict[str, None] = {}
    round_accounts: list[tuple[Step, Event, str]] = []
    withdrawn: list[str] = []
    parties: list[str] = []

    for s in steps:
        if s.id in retracted or s.event is None:
            continue
        event = _corrected(s.event, corrections.get(s.id))
        history.append(s.id)
        etype = EVENT_TYPES[event.type]
        if etype.kind in {"entry", "account"}:
            continue
        src = event.source
        sources.setdefault(", ".join(x for x in (src.speaker, src.outlet) if x), None)
        for a in event.actors:
            actors.setdefault(a, None)
        if not kind:
            kind = etype.kind
        if not title:
            title = event.summary
            when = event.story
        if event.place and not place:
            place = event.place
        _merge_details(details, event)
        if etype.opens_item and status and status != etype.status and etype.name != "meeting.held":
            continue  # a later account of an item already under way corroborates; it does not reset
        if etype.name == "agreement.signed":
            parties.extend(a.name for a in event.actors if a.role == "party")
        if etype.name == "agreement.withdrawn_from":
            withdrawn.extend(a.name for a in event.actors if a.role == "party")
            if parties and set(parties) <= set(withdrawn):
                status = "terminated"
            continue
        new_status = etype.status
        if new_status is None:
            continue
        if etype.name == "proposal.rejected" and event.details.get("degree") == "partial":
            new_status = "rejected_in_part"
        if _resets_round(etype.name):
            round_accounts = []
        round_accounts.append((s, event, new_status))
        status = new_status

    accounts, disputed = _accounts(round_accounts, disputes, confirms)
    if withdrawn:
        details["withdrawn"] = sorted(set(withdrawn))
    if disputed:
        status = DISPUTED
    return Item(
        subject=subject,
        kind=kind or "entry",
        status=status or "recorded",
        title=title,
        when=when,
        actors=tuple(actors),
        place=place,
        details=freeze(details),
        history=tuple(history),
        sources=tuple(sources),
        accounts=accounts if disputed else (),
        corrected=tuple(sorted(corrections)),
        retracted=tuple(sorted(retracted)),
        steps=steps,
    )


def _resets_round(type_name: str) -> bool:
    return type_name.endswith((".extended", ".reinstated", ".submitted", ".made", ".signed",
                               ".imposed", ".proposed", ".scheduled"))


def _accounts(
    round_accounts: list[tuple[Step, Event, str]],
    disputes: Mapping[str, list[str]],
    confirms: Mapping[str, list[str]],
) -> tuple[tuple[Account, ...], bool]:
    """The competing accounts of the item's latest round, and whether they conflict.

    Accounts conflict when sources give different statuses for overlapping story times, or
    when an account is disputed and not confirmed.
    """
    if not round_accounts:
        return (), False
    latest_step, latest_event, latest_status = round_accounts[-1]
    competing: list[tuple[Step, Event, str]] = []
    # The event that opened the round (the invitation itself) is not an account of its outcome.
    first = 1 if _resets_round(round_accounts[0][1].type) else 0
    for s, e, st in round_accounts[first:]:
        if s is latest_step or (
            st != latest_status and s.speaker != latest_step.speaker
            and _overlap(e.story, latest_event.story)
        ):
            competing.append((s, e, st))
    if len(competing) == 1 and not disputes.get(latest_step.id):
        competing = []
    for s, e, st in round_accounts:
        if disputes.get(s.id) and all(c[0] is not s for c in competing):
            competing.append((s, e, st))
    competing.sort(key=lambda c: c[0].key)
    conflict = len({st for _, _, st in competing}) > 1 or any(
        disputes.get(s.id) and not confirms.get(s.id) for s, _, _ in competing
    )
    accounts = tuple(
        Account(
            event_id=s.id,
            status=st,
            speaker=s.speaker,
            outlet=e.source.outlet,
            story=e.story.display(),
            disputed_by=tuple(disputes.get(s.id, ())),
            confirmed_by=tuple(confirms.get(s.id, ())),
        )
        for s, e, st in competing
    )
    return accounts, conflict


def _overlap(a: StoryTime, b: StoryTime) -> bool:
    a_lo, a_hi = a.earliest or "0000-01-01", a.latest or "9999-12-31"
    b_lo, b_hi = b.earliest or "0000-01-01", b.latest or "9999-12-31"
    return a_lo <= b_hi and b_lo <= a_hi


_LIST_DETAILS = ("terms", "gates", "conditions")


def _merge_details(details: dict[str, Any], event: Event) -> None:
    for key, value in event.details.items():
        if key in _LIST_DETAILS:
            merged = details.setdefault(key, [])
            for v in value:
                if v not in merged:
                    merged.append(v)
        elif key not in {"changes"}:
            details[key] = thaw(value)


def _corrected(event: Event, changes: Mapping[str, Any] | None) -> Event:
    """The event as its corrections say it should read."""
    if not changes:
        return event
    from tracker.codec import event_to_dict, parse_event  # local: codec imports this module's peers

    merged = event_to_dict(event)
    for key in ("position", "recorded_at", "schema_version"):
        merged.pop(key, None)
    merged.update(changes)
    try:
        fixed = parse_event(merged, f"correction of {event.id!r}")
    except Exception:  # a correction that no longer parses leaves the entry as it was
        return event
    return replace(fixed, subject=event.subject, position=event.position,
                   recorded_at=event.recorded_at)


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class Query:
    """Which events a state is built from; the four ways to ask combine.

    ``at``: the first N events of the log; ``as_of``: what had happened by this story date
    (certainly: the event's latest possible date is on or before it); ``known_at``: only what had
    been published by this date; ``recorded_by``: only what the log held at this time.
    """

    at: int | None = None
    as_of: str | None = None
    known_at: str | None = None
    recorded_by: str | None = None

    def admits(self, event: Event) -> bool:
        if self.at is not None and event.position > self.at:
            return False
        if self.recorded_by is not None and event.recorded_at > self.recorded_by:
            return False
        if self.known_at is not None and event.source.published > self.known_at:
            return False
        if self.as_of is not None:
            latest = event.story.latest
            if latest is None or latest > self.as_of:
                return False
        return True

    def describe(self) -> str:
        parts = []
        if self.at is not None:
            parts.append(f"at log position {self.at}")
        if self.as_of is not None:
            parts.append(f"as of {self.as_of}")
        if self.known_at is not None:
            parts.append(f"as known on {self.known_at}")
        if self.recorded_by is not None:
            parts.append(f"as recorded by {self.recorded_by}")
        return ", ".join(parts) or "everything in the log"


def project(events: Iterable[Event], query: Query = Query()) -> State:
    """The state built from the events the query admits.

    A correction or retraction applies only if the query admits it too: as known on a date
    before the correction, the original entry stands.
    """
    return replay(e for e in events if query.admits(e))


# --------------------------------------------------------------------------- diffs


@dataclass(frozen=True, slots=True)
class Change:
    subject: str
    kind: str
    before: Item | None
    after: Item | None

    @property
    def verb(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def diff(before: State, after: State, subjects: Iterable[str] | None = None) -> list[Change]:
    """What differs between two states (optionally only for some subjects), ordered by subject."""
    if subjects is None:
        keys = set(before.items.keys()) | set(after.items.keys())
    else:
        keys = set(subjects)
    changes = []
    for key in sorted(keys):
        a, b = before.items.get(key), after.items.get(key)
        if a is None and b is None:
            continue
        if a is not None and b is not None and _visible(a) == _visible(b):
            continue
        changes.append(Change(key, (b or a).kind if (b or a) else "", a, b))  # type: ignore[union-attr]
    return changes


def _visible(item: Item) -> tuple[Any, ...]:
    return (item.status, item.details, item.accounts, item.history, item.corrected, item.retracted)
