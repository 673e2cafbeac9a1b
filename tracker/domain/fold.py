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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

import immutables
import orjson

from tracker.app.collector import paused_gc
from tracker.domain.dates import StoryTime
from tracker.domain.events import (
    EMPTY_DETAILS,
    EVENT_TYPES,
    SCHEMA_VERSION,
    Actor,
    Event,
    FrozenDict,
    freeze,
    thaw,
)
from tracker.domain.ordering import StoryKey, story_key, story_key_of

DISPUTED = "disputed"
T = TypeVar("T")
_loads = orjson.loads


class Step(NamedTuple):
    """What one event contributes to its item: just what deriving the item needs.

    Steps stay inside item states (so that an event learned late can be slotted into its story
    place), so they hold no more than that: no quotes, URLs or other source detail.
    """

    key: StoryKey  # story order: earliest, latest, position
    id: str
    type: str
    speaker: str  # who gives this account: the speaker, else the outlet
    outlet: str
    targets: tuple[str, ...]  # entries it disputes / confirms / corrects / retracts / answers
    story: StoryTime
    summary: str | None  # kept for events that open an item (the item's title) and corrections
    actors: tuple[Actor, ...]
    place: str | None
    details: FrozenDict
    published: str  # anchors a correction's relative dates


def step_of(event: Event) -> Step:
    """The step an event contributes to its item."""
    s = event.source
    keep_summary = _info(event.type).opens
    return Step(
        story_key(event), event.id, event.type, s.speaker or s.outlet, s.outlet,
        tuple([r.id for r in event.refs]) if event.refs else (), event.story,
        event.summary if keep_summary else None, event.actors, event.place, event.details,
        s.published,
    )


_new = tuple.__new__


def step_of_row(row: tuple[Any, ...]) -> tuple[str, Step]:
    """The item and step of a stored row (``tracker.codec.Row``; trusted input): exactly
    ``step_of(event_from_row(row))``, decoding only what a step keeps."""
    (position, id_, type_, version, subject, earliest, latest, published, _recorded_at, body_text,
     _hash) = row[:11]
    if version != SCHEMA_VERSION:  # an older body: upcast through the codec
        from tracker.codec.rows import event_from_row

        event = event_from_row(row)
        return event.subject or event.id, step_of(event)
    body = _loads(body_text)
    src = body["source"]
    st = body["story"]
    outlet = src["outlet"]
    actors = body.get("actors")
    refs = body.get("refs")
    details = body.get("details")
    return subject or id_, _new(Step, (
        story_key_of(earliest, latest, position),
        id_,
        type_,
        src.get("speaker") or outlet,
        outlet,
        tuple([r[1] for r in refs]) if refs else (),
        _new(StoryTime, (st["expr"], st["anchor"], st["edtf"], earliest, latest)),
        body["summary"] if _info(type_).opens else None,
        tuple([_new(Actor, a) for a in actors]) if actors else (),
        body.get("place"),
        freeze(details) if details else EMPTY_DETAILS,
        published,
    ))


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


class ItemView(NamedTuple):
    """What an item shows: derived from its steps on demand, not on every fold step."""

    title: str
    when: StoryTime | None
    actors: tuple[Actor, ...]
    place: str | None
    details: FrozenDict
    history: tuple[str, ...]
    sources: tuple[str, ...]
    corrected: tuple[str, ...]
    retracted: tuple[str, ...]


class Item(NamedTuple):
    """The derived state of one thing the log is about.

    Folding computes only what every step needs (kind, status, competing accounts); what an item
    shows (title, details, history, sources...) is derived from its steps when asked.
    """

    subject: str
    kind: str
    status: str
    accounts: tuple[Account, ...]  # competing accounts when disputed
    steps: tuple[Step, ...]

    @property
    def view(self) -> ItemView:
        return _view(self.steps)

    @property
    def title(self) -> str:
        return self.view.title

    @property
    def when(self) -> StoryTime | None:
        return self.view.when

    @property
    def actors(self) -> tuple[Actor, ...]:
        return self.view.actors

    @property
    def place(self) -> str | None:
        return self.view.place

    @property
    def details(self) -> FrozenDict:
        return self.view.details

    @property
    def history(self) -> tuple[str, ...]:
        return self.view.history

    @property
    def sources(self) -> tuple[str, ...]:
        return self.view.sources

    @property
    def corrected(self) -> tuple[str, ...]:
        return self.view.corrected

    @property
    def retracted(self) -> tuple[str, ...]:
        return self.view.retracted


@dataclass(frozen=True, slots=True)
class State:
    """The state of affairs after some set of events."""

    items: immutables.Map[str, Item] = field(default_factory=immutables.Map)
    size: int = 0  # events folded in

    def of_kind(self, kind: str) -> list[Item]:
        return sorted((i for i in self.items.values() if i.kind == kind), key=_item_order)

    def views(self) -> dict[str, tuple[Item, ItemView]]:
        """Every item with its view, each view derived once (for showing a whole state: a
        large state has more items than the views' cache holds)."""
        derive_view = _view.__wrapped__
        return {subject: (item, derive_view(item.steps)) for subject, item in self.items.items()}

    def get(self, subject: str) -> Item | None:
        return self.items.get(subject)


EMPTY = State()


def _item_order(item: Item) -> tuple[str, str]:
    return item_order(item, item.view)


def item_order(item: Item, view: ItemView) -> tuple[str, str]:
    """Where an item sorts among those of its kind: by when it began, then by subject."""
    if view.when is None:
        return ("9999-12-31", item.subject)
    return (view.when.sort_key()[0], item.subject)


# --------------------------------------------------------------------------- the fold


def evolve(state: State, event: Event) -> State:
    """The state after one more event. Pure; the order events arrive in does not matter."""
    subject = event.subject or event.id
    before = state.items.get(subject)
    steps = before.steps if before is not None else ()
    step = step_of(event)
    if not steps or step.key >= steps[-1].key:
        new_steps = (*steps, step)
    else:
        as_list = list(steps)
        insort(as_list, step, key=_step_key)
        new_steps = tuple(as_list)
    return State(state.items.set(subject, derive(subject, new_steps)), state.size + 1)


def _step_key(step: Step) -> StoryKey:
    return step.key


def replay(events: Iterable[Event], state: State = EMPTY) -> State:
    """Fold events into a state: the bulk form of :func:`evolve`, with the same result."""
    with paused_gc():
        return _replay(events, state)


def _replay(events: Iterable[Event], state: State) -> State:
    return _fold(((event.subject or event.id, step_of(event)) for event in events), state)


def replay_rows(rows: Iterable[tuple[Any, ...]], state: State = EMPTY) -> State:
    """:func:`replay` for stored rows (``tracker.codec.Row``), decoded straight into steps: the
    same state, without building whole events first (the full replay of a large log)."""
    with paused_gc():
        return _fold(map(step_of_row, rows), state)


def _fold(steps_of_items: Iterable[tuple[str, Step]], state: State) -> State:
    items = state.items.mutate()
    size = state.size
    pending: dict[str, list[Step]] = {}
    for subject, step in steps_of_items:
        steps = pending.get(subject)
        if steps is None:
            before = items.get(subject)
            steps = pending[subject] = list(before.steps) if before is not None else []
        steps.append(step)
        size += 1
    for subject, steps in pending.items():
        steps.sort(key=_step_key)
        items[subject] = derive(subject, tuple(steps))
    return State(items.finish(), size)


class _Round(NamedTuple):
    step: Step
    status: str


class _TypeInfo(NamedTuple):
    kind: str
    status: str | None
    opens: bool
    resets: bool
    meta: bool  # about other entries (disputes, corrections), not an action of the item


_INFO: dict[str, _TypeInfo] = {}


def _info(type_name: str) -> _TypeInfo:
    info = _INFO.get(type_name)
    if info is None:
        t = EVENT_TYPES[type_name]
        info = _INFO[type_name] = _TypeInfo(t.kind, t.status, t.opens_item,
                                            _resets_round(type_name), t.kind in {"entry", "account"})
    return info


class _Meta(NamedTuple):
    retracted: set[str]
    corrections: dict[str, list[Step]]
    disputes: dict[str, list[str]]
    confirms: dict[str, list[str]]


def _meta(steps: tuple[Step, ...]) -> _Meta | None:
    """Retractions, corrections, disputes and confirmations among an item's steps (None: none)."""
    meta: _Meta | None = None
    for s in steps:
        if not _info(s.type).meta:
            continue
        if meta is None:
            meta = _Meta(set(), {}, {}, {})
        if s.type == "entry.retracted":
            meta.retracted.update(s.targets)
        elif s.type == "entry.corrected":
            for t in s.targets:
                meta.corrections.setdefault(t, []).append(s)
        elif s.type == "account.disputed":
            for t in s.targets:
                meta.disputes.setdefault(t, []).append(s.id)
        elif s.type == "account.confirmed":
            for t in s.targets:
                meta.confirms.setdefault(t, []).append(s.id)
    return meta


def _effective(steps: tuple[Step, ...], meta: _Meta | None) -> list[Step]:
    """The steps replay uses: retracted ones left out, corrected ones as corrected."""
    if meta is None:
        return list(steps)
    out = []
    for s in steps:
        if s.id in meta.retracted:
            continue
        corrections = meta.corrections.get(s.id)
        out.append(_corrected(s, corrections) if corrections else s)
    return out


class Actions(Generic[T]):
    """The running result of an item's own actions, one event at a time in story order.

    ``round_`` holds the status-setting events since the item's round began (an invitation
    extended or reinstated, a proposal submitted...), each as whatever token its caller uses
    (a step, or an index), with the status it asserts: the accounts that may compete.
    """

    __slots__ = ("base", "kind", "parties", "round_", "withdrawn")

    def __init__(self) -> None:
        self.kind = ""
        self.base = ""  # the status the item's actions give it, before accounts are compared
        self.round_: list[tuple[T, str]] = []
        self.parties: set[str] | None = None  # agreements only: created when first needed
        self.withdrawn: set[str] | None = None

    def act(self, type_: str, actors: tuple[Actor, ...], details: Mapping[str, Any],
            token: T) -> None:
        """Take one non-meta event into account (the heart of derive)."""
        info = _info(type_)
        if not self.kind:
            self.kind = info.kind
        base = self.base
        if info.opens and base and base != info.status and type_ != "meeting.held":
            return  # a later account of an item already under way corroborates; it does not reset
        if type_ == "agreement.signed":
            if self.parties is None:
                self.parties = set()
            self.parties.update(a.name for a in actors if a.role == "party")
        elif type_ == "agreement.withdrawn_from":
            if self.withdrawn is None:
                self.withdrawn = set()
            self.withdrawn.update(a.name for a in actors if a.role == "party")
            if self.parties and self.parties <= self.withdrawn:
                self.base = "terminated"
            return
        new_status = info.status
        if new_status is None:
            return
        if type_ == "proposal.rejected" and details.get("degree") == "partial":
            new_status = "rejected_in_part"
        if info.resets:
            self.round_ = [(token, new_status)]
        else:
            self.round_.append((token, new_status))
        self.base = new_status

    def trivial(self, round_types: Callable[[T], str]) -> bool:
        """Whether no accounts can compete (at most one answer in the round)."""
        r = self.round_
        return len(r) < 2 or (len(r) == 2 and _info(round_types(r[0][0])).resets)


def derive(subject: str, steps: tuple[Step, ...]) -> Item:
    """An item's kind, status and competing accounts from its steps, in story order."""
    meta = _meta(steps)
    actions: Actions[Step] = Actions()
    for s in _effective(steps, meta):
        if not _info(s.type).meta:
            actions.act(s.type, s.actors, s.details, s)
    if meta is None and actions.trivial(_step_type):
        accounts: tuple[Account, ...] = ()
        disputed = False
    else:
        accounts, disputed = _accounts([_Round(t, st) for t, st in actions.round_],
                                       meta.disputes if meta else {},
                                       meta.confirms if meta else {})
    status = DISPUTED if disputed else (actions.base or "recorded")
    return Item(subject, actions.kind or "entry", status, accounts if disputed else (), steps)


def _step_type(step: Step) -> str:
    return step.type


@lru_cache(maxsize=8192)
def _view(steps: tuple[Step, ...]) -> ItemView:
    meta = _meta(steps)
    title = ""
    when: StoryTime | None = None
    place: str | None = None
    actors: dict[Actor, None] = {}
    details: dict[str, Any] = {}
    history: list[str] = []
    sources: dict[str, None] = {}
    withdrawn: set[str] = set()
    for s in _effective(steps, meta):
        history.append(s.id)
        if _info(s.type).meta:
            continue
        sources.setdefault(s.speaker if s.speaker == s.outlet else f"{s.speaker}, {s.outlet}", None)
        for a in s.actors:
            actors.setdefault(a, None)
        if not title and s.summary:
            title = s.summary
            when = s.story
        if s.place and not place:
            place = s.place
        _merge_details(details, s.details)
        if s.type == "agreement.withdrawn_from":
            withdrawn.update(a.name for a in s.actors if a.role == "party")
    if withdrawn:
        details["withdrawn"] = sorted(withdrawn)
    return ItemView(
        title=title,
        when=when,
        actors=tuple(actors),
        place=place,
        details=freeze(details) if details else EMPTY_DETAILS,
        history=tuple(history),
        sources=tuple(sources),
        corrected=tuple(sorted(meta.corrections)) if meta else (),
        retracted=tuple(sorted(meta.retracted)) if meta else (),
    )


def _resets_round(type_name: str) -> bool:
    return type_name.endswith((".extended", ".reinstated", ".submitted", ".made", ".signed",
                               ".imposed", ".proposed", ".scheduled"))


def _accounts(
    round_: list[_Round], disputes: Mapping[str, list[str]], confirms: Mapping[str, list[str]]
) -> tuple[tuple[Account, ...], bool]:
    """The competing accounts of the item's latest round, and whether they conflict.

    Accounts conflict when sources give different statuses for overlapping story times, or
    when an account of the latest moment is disputed and not confirmed.
    """
    if not round_:
        return (), False
    latest = round_[-1]
    competing: list[_Round] = []
    # The event that opened the round (the invitation itself) is not an account of its outcome.
    first = 1 if _resets_round(round_[0].step.type) else 0
    for r in round_[first:]:
        if r is latest or (
            r.status != latest.status and r.step.speaker != latest.step.speaker
            and _overlap(r.step.story, latest.step.story)
        ):
            competing.append(r)
    if len(competing) == 1 and not disputes.get(latest.step.id):
        competing = []
    # A disputed account competes while it speaks of the latest moment: once the story has
    # moved on (the invitation accepted a week later), the old dispute no longer decides it.
    for r in round_:
        if (disputes.get(r.step.id) and all(c is not r for c in competing)
                and (r is latest or _overlap(r.step.story, latest.step.story))):
            competing.append(r)
    competing.sort(key=lambda r: r.step.key)
    conflict = len({r.status for r in competing}) > 1 or any(
        disputes.get(r.step.id) and not confirms.get(r.step.id) for r in competing
    )
    accounts = tuple(
        Account(
            event_id=r.step.id,
            status=r.status,
            speaker=r.step.speaker,
            outlet=r.step.outlet,
            story=r.step.story.display(),
            disputed_by=tuple(disputes.get(r.step.id, ())),
            confirmed_by=tuple(confirms.get(r.step.id, ())),
        )
        for r in competing
    )
    return accounts, conflict


def _overlap(a: StoryTime, b: StoryTime) -> bool:
    a_lo, a_hi = a.earliest or "0000-01-01", a.latest or "9999-12-31"
    b_lo, b_hi = b.earliest or "0000-01-01", b.latest or "9999-12-31"
    return a_lo <= b_hi and b_lo <= a_hi


_LIST_DETAILS = ("terms", "gates", "conditions")


def _merge_details(details: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if key in _LIST_DETAILS:
            merged = details.setdefault(key, [])
            for v in value:
                if v not in merged:
                    merged.append(v)
        elif key != "changes":
            details[key] = thaw(value)


def _corrected(step: Step, corrections: list[Step]) -> Step:
    """The step as its corrections (in story order) say it should read.

    Each correction's changes are validated when it is appended; a field that no longer fits
    (say, a role the type does not have) leaves that field as it was.
    """
    from tracker.domain.input import parse_actors, parse_details, parse_source, parse_story
    from tracker.errors import InvalidEvent

    etype = EVENT_TYPES[step.type]
    for c in corrections:
        changes = c.details.get("changes", {})
        where = f"correction {c.id!r}"
        fields: dict[str, Any] = {}
        try:
            if "story" in changes:
                fields["story"] = parse_story(thaw(changes["story"]), where, c.published)
                fields["key"] = (fields["story"].earliest or fields["story"].latest or "9999-12-31",
                                 fields["story"].latest or fields["story"].earliest or "9999-12-31",
                                 step.key[2])
            if "summary" in changes and isinstance(changes["summary"], str):
                fields["summary"] = changes["summary"]
            if "actors" in changes:
                fields["actors"] = parse_actors(thaw(changes["actors"]), where, etype)
            if "place" in changes:
                fields["place"] = changes["place"]
            if "details" in changes:
                fields["details"] = parse_details(thaw(changes["details"]), where, etype)
            if "source" in changes:
                src = parse_source(thaw(changes["source"]), where)
                fields["speaker"] = src.speaker or src.outlet
                fields["outlet"] = src.outlet
        except InvalidEvent:
            continue
        step = step._replace(**fields)
    return step


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
        return self.admits_times(event.position, event.story.latest, event.source.published,
                                 event.recorded_at)

    def admits_row(self, row: tuple[Any, ...]) -> bool:
        """:meth:`admits` for a stored row (``tracker.codec.Row``): the same answer."""
        return self.admits_times(row[0], row[6], row[7], row[8])

    def admits_times(self, position: int, latest: str | None, published: str,
                     recorded_at: str) -> bool:
        """:meth:`admits` from the columns it depends on (what ``Recorder.read_times`` reads)."""
        if self.at is not None and position > self.at:
            return False
        if self.recorded_by is not None and recorded_at > self.recorded_by:
            return False
        if self.known_at is not None and published > self.known_at:
            return False
        return self.as_of is None or (latest is not None and latest <= self.as_of)

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


def project_rows(rows: Iterable[tuple[Any, ...]], query: Query = Query()) -> State:
    """:func:`project` for stored rows: the same state, decoded straight into steps."""
    if query == Query():
        return replay_rows(rows)
    return replay_rows(r for r in rows if query.admits_row(r))


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
    """What differs between two states (optionally only for some subjects), ordered by subject.

    Items untouched between the two states are the same objects (the map is persistent), so
    comparing every subject of a large state costs little.
    """
    if subjects is None:
        keys = {k for k, v in after.items.items() if before.items.get(k) is not v}
        keys.update(k for k in before.items if k not in after.items)
    else:
        keys = set(subjects)
    changes = []
    for key in sorted(keys):
        a, b = before.items.get(key), after.items.get(key)
        if a is None and b is None:
            continue
        if a is not None and b is not None and _visible(a) == _visible(b):
            continue
        kind = b.kind if b is not None else a.kind if a is not None else ""
        changes.append(Change(key, kind, a, b))
    return changes


def _visible(item: Item) -> tuple[Any, ...]:
    return (item.kind, item.status, item.accounts, item.view)
