"""The fold: the state of affairs, folded from events. Pure: no I/O, no clock, no row layout.

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

from bisect import bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import immutables

from tracker.domain.dates import StoryTime, overlap, resolve
from tracker.domain.events import (
    EMPTY_DETAILS,
    Actor,
    Event,
    FrozenDict,
    freeze,
    thaw,
)
from tracker.domain.ordering import StoryKey, story_key
from tracker.domain.vocabulary import (
    DISPUTED,
    EVENT_TYPES,
    FALLBACK_KIND,
    KINDS,
    RECORDED,
    EventType,
)
from tracker.errors import InvalidDate, UnusableEvent

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


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
    """The step an event contributes to its item (an event held in memory; a stored row is
    decoded straight into its step by :func:`tracker.codec.rows.decode_step`)."""
    s = event.source
    keep_summary = type_info(event.type, event.position, event.id).opens
    return Step(
        story_key(event), event.id, event.type, s.speaker or s.outlet, s.outlet,
        tuple([r.id for r in event.refs]) if event.refs else (), event.story,
        event.summary if keep_summary else None, event.actors, event.place, event.details,
        s.published,
    )


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
    """Fold events into a state: the bulk form of :func:`evolve`, with the same result.

    Bulk callers in the app layer wrap it in ``tracker.app.collector.paused_gc``."""
    return fold_steps(((event.subject or event.id, step_of(event)) for event in events), state)


def fold_steps(steps_of_items: Iterable[tuple[str, Step]], state: State = EMPTY) -> State:
    """Fold (subject, step) pairs into a state: what :func:`replay` does once events are steps
    (a stored log's rows are decoded into them by ``tracker.codec.rows.decode_step``)."""
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


def fold_items(groups: Iterable[tuple[str, list[Step]]]) -> Iterator[tuple[Item, ItemView]]:
    """Each item, with its view, from all of its steps (in any order): what :func:`fold_steps`
    gives for those items, one item at a time, for a whole state written as it is folded (no
    item's steps are held once its entry is made)."""
    view = _view.__wrapped__
    for subject, steps in groups:
        steps.sort(key=_step_key)
        ordered = tuple(steps)
        yield derive(subject, ordered), view(ordered)


class _Round(NamedTuple):
    step: Step
    status: str


class TypeInfo(NamedTuple):
    """What the fold reads of an event type, looked up once per type."""

    kind: str
    opens: bool
    resets: bool  # starts a round: accounts of the outcome are compared from here on
    meta: bool  # about other entries (disputes, corrections), not an action of the item
    effect: str
    type: EventType


_INFO: dict[str, TypeInfo] = {}


def type_info(type_name: str, position: int = 0, event_id: str = "") -> TypeInfo:
    """The fold's view of a type; a type the vocabulary does not hold cannot be replayed: the
    error names the event's log position."""
    info = _INFO.get(type_name)
    if info is None:
        t = EVENT_TYPES.get(type_name)
        if t is None:
            raise UnusableEvent(
                f"log position {position} ({event_id}): unknown event type {type_name!r}; this "
                "version of tracker cannot replay it",
                field="type", place=f"log position {position}",
            )
        info = _INFO[type_name] = TypeInfo(t.kind, t.opens_item, t.starts_round, t.meta, t.effect,
                                           t)
    return info


_info = type_info


class _Meta(NamedTuple):
    retracted: set[str]
    corrections: dict[str, list[Step]]
    disputes: dict[str, list[str]]
    confirms: dict[str, list[str]]


def _meta(steps: tuple[Step, ...]) -> _Meta | None:
    """Retractions, corrections, disputes and confirmations among an item's steps (None: none)."""
    meta: _Meta | None = None
    for s in steps:
        info = _info(s.type)
        if not info.meta:
            continue
        if meta is None:
            meta = _Meta(set(), {}, {}, {})
        effect = info.effect
        if effect == "retract":
            meta.retracted.update(s.targets)
        elif effect == "correct":
            for t in s.targets:
                meta.corrections.setdefault(t, []).append(s)
        else:
            claims = meta.disputes if effect == "dispute" else meta.confirms
            for t in s.targets:
                claims.setdefault(t, []).append(s.id)
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
    """The running result of an item's own actions, one event at a time in story order: the
    transition function, read from the vocabulary (every fold uses this one).

    ``round_`` holds the status-setting events since the item's round began (an invitation
    extended or reinstated, a proposal submitted...), each as whatever token its caller uses
    (a step, or an index), with the status it asserts: the accounts that may compete.
    """

    __slots__ = ("base", "kind", "left", "parties", "round_")

    def __init__(self) -> None:
        self.kind = ""
        self.base = ""  # the status the item's actions give it, before accounts are compared
        self.round_: list[tuple[T, str]] = []
        self.parties: set[str] | None = None  # join/leave kinds only: created when first needed
        self.left: set[str] | None = None

    def act(self, type_: str, actors: tuple[Actor, ...], details: Mapping[str, Any],
            token: T) -> None:
        """Take one non-meta event into account.

        The event's transitions (see :class:`tracker.domain.vocabulary.Transition`) decide where
        the item moves; one that names no move from the item's status moves nothing: an opening
        event on an item already under way is kept as an account of its opening (admission
        refuses the case it can see).
        """
        info = _info(type_)
        etype = info.type
        if not self.kind:
            self.kind = info.kind
        if info.effect == "leave":
            if self.left is None:
                self.left = set()
            self.left.update(a.name for a in actors if a.role == etype.party_role)
            if self.parties and self.parties <= self.left:
                ended = KINDS[info.kind].all_parties_left
                if ended is not None:
                    self.base = ended
            return
        new_status = etype.move(self.base, details)
        if new_status is None:
            return
        if info.effect == "join":
            if self.parties is None:
                self.parties = set()
            self.parties.update(a.name for a in actors if a.role == etype.party_role)
        if info.resets:
            self.round_ = [(token, new_status)]
        else:
            self.round_.append((token, new_status))
        self.base = new_status

    def trivial(self, round_types: Callable[[T], str]) -> bool:
        """Whether no accounts can compete (at most one answer in the round)."""
        r = self.round_
        return len(r) < 2 or (len(r) == 2 and _info(round_types(r[0][0])).resets)

    def outcome(self, disputes: Mapping[str, list[str]], confirms: Mapping[str, list[str]],
                step_of: Callable[[T], Step], type_of: Callable[[T], str], claims: bool
                ) -> tuple[str, tuple[Account, ...]]:
        """The item's status and, when disputed, its competing accounts: the base status, unless
        the accounts of the latest round conflict. ``claims``: whether any dispute, confirmation,
        correction or retraction touches the item (else a trivial round settles it at once)."""
        base = self.base or RECORDED
        if not self.round_ or (not claims and self.trivial(type_of)):
            return base, ()
        accounts, disputed = _accounts([_Round(step_of(t), st) for t, st in self.round_],
                                       disputes, confirms)
        return (DISPUTED, accounts) if disputed else (base, ())


def _acted(steps: tuple[Step, ...], meta: _Meta | None) -> Actions[Step]:
    actions: Actions[Step] = Actions()
    for s in _effective(steps, meta):
        if not _info(s.type).meta:
            actions.act(s.type, s.actors, s.details, s)
    return actions


def standing(steps: tuple[Step, ...]) -> tuple[str, str]:
    """An item's kind and the status its own actions give it ("" : none yet), before accounts
    are compared, from its steps in story order (what admission checks a new event against)."""
    actions = _acted(steps, _meta(steps))
    return actions.kind, actions.base


def derive(subject: str, steps: tuple[Step, ...]) -> Item:
    """An item's kind, status and competing accounts from its steps, in story order."""
    meta = _meta(steps)
    actions = _acted(steps, meta)
    status, accounts = actions.outcome(meta.disputes if meta else {},
                                       meta.confirms if meta else {},
                                       _same_step, _step_type, meta is not None)
    return Item(subject, actions.kind or FALLBACK_KIND, status, accounts, steps)


def _same_step(step: Step) -> Step:
    return step


def _step_type(step: Step) -> str:
    return step.type


class Tokens(Protocol[T_contra]):
    """How an :class:`ItemFold` reads the events it is given as tokens (a columnar table's row
    numbers, say): each one's type, story key, status-deciding actors and details, the entries it
    refers to, the name claims use for it (as its targets do), and its whole step."""

    def type_name(self, token: T_contra, /) -> str: ...
    def key(self, token: T_contra, /) -> Any: ...
    def actors_details(self, token: T_contra, /) -> tuple[tuple[Actor, ...], Mapping[str, Any]]: ...
    def targets(self, token: T_contra, /) -> tuple[str, ...]: ...
    def name(self, token: T_contra, /) -> str: ...
    def step(self, token: T_contra, /) -> Step: ...


class ItemFold(Generic[T]):
    """One item's fold, one event at a time, for folds that keep no states (the columnar state
    index): after each :meth:`add`, ``kind`` and ``status`` are exactly what :func:`derive` gives
    for the events added so far (it is the same transition function, :class:`Actions`).

    The common case (the item's next event in story order, disputes and confirmations included)
    advances the running :class:`Actions` by one event without building steps; a correction, a
    retraction or an event that lands before the item's last one in story order re-derives the
    item in full from then on.
    """

    __slots__ = (
        "actions",
        "built",
        "claims",
        "kind",
        "last_key",
        "read",
        "slow",
        "status",
        "subject",
        "tokens",
    )

    def __init__(self, subject: str, read: Tokens[T]) -> None:
        self.subject = subject
        self.read = read
        self.tokens: list[T] = []  # in story order
        self.last_key: Any = None
        self.actions: Actions[T] = Actions()
        self.kind = ""
        self.status = ""
        self.built: list[Step] | None = None  # on the slow path: the steps themselves
        self.claims: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
        self.slow = False

    def add(self, token: T) -> None:
        read = self.read
        type_ = read.type_name(token)
        info = _info(type_)
        key = read.key(token)
        last = self.last_key
        in_order = last is None or key >= last
        claim = info.effect if info.effect in ("dispute", "confirm") else None
        if self.slow or (claim is None and (info.meta or not in_order)):
            self._add_slowly(token, key, in_order)
            return
        if in_order:
            self.tokens.append(token)
            self.last_key = key
        if claim is not None:
            # A dispute or confirmation changes no action of the item, only how its accounts
            # compare; it may arrive in any order.
            if not in_order:
                at = bisect_right([read.key(t) for t in self.tokens], key)
                self.tokens.insert(at, token)
            if self.claims is None:
                self.claims = ({}, {})
            side = self.claims[0 if claim == "dispute" else 1]
            name = read.name(token)
            for target in read.targets(token):
                side.setdefault(target, []).append(name)
        else:
            actors, details = read.actors_details(token)
            self.actions.act(type_, actors, details, token)
            self.kind = self.actions.kind
        disputes, confirms = self.claims if self.claims is not None else ({}, {})
        self.status, _ = self.actions.outcome(disputes, confirms, read.step, read.type_name,
                                              self.claims is not None)

    def _add_slowly(self, token: T, key: Any, in_order: bool) -> None:
        if self.built is None:
            self.slow = True
            self.built = [self.read.step(t) for t in self.tokens]
        step = self.read.step(token)
        if in_order:
            self.tokens.append(token)
            self.built.append(step)
            self.last_key = key
        else:
            k = bisect_right([s.key for s in self.built], step.key)
            self.tokens.insert(k, token)
            self.built.insert(k, step)
        item = derive(self.subject, tuple(self.built))
        self.kind, self.status = item.kind, item.status


def deciding(type_name: str, actors: tuple[Actor, ...], details: Mapping[str, Any]
             ) -> tuple[tuple[Actor, ...], FrozenDict]:
    """The part of an event's actors and details its item's status depends on (what a fold
    that keeps no steps holds of it): the parties that join or leave, the details the type's
    transitions test, a correction's changes."""
    etype = _info(type_name).type
    kept_actors: tuple[Actor, ...] = ()
    if etype.party_role is not None:
        kept_actors = tuple([a for a in actors if a.role == etype.party_role])
    keys = etype.deciding_details
    kept = EMPTY_DETAILS
    if keys and details:
        found = {k: details[k] for k in keys if k in details}
        if found:
            kept = freeze(found)
    return kept_actors, kept


@lru_cache(maxsize=8192)
def _view(steps: tuple[Step, ...]) -> ItemView:
    meta = _meta(steps)
    title = ""
    when: StoryTime | None = None
    place: str | None = None
    actors: dict[Actor, None] = {}
    details: dict[str, Any] = {}
    lists: dict[str, dict[Any, None]] = {}
    history: list[str] = []
    sources: dict[str, None] = {}
    left: dict[str, set[str]] = {}
    for s in _effective(steps, meta):
        history.append(s.id)
        info = _info(s.type)
        if info.meta:
            continue
        sources.setdefault(s.speaker if s.speaker == s.outlet else f"{s.speaker}, {s.outlet}", None)
        for a in s.actors:
            actors.setdefault(a, None)
        if not title and s.summary:
            title = s.summary
            when = s.story
        if s.place and not place:
            place = s.place
        _merge_details(details, lists, s.details)
        if info.effect == "leave":
            key = KINDS[info.kind].parties_left_detail
            if key is not None:
                left.setdefault(key, set()).update(
                    a.name for a in s.actors if a.role == info.type.party_role)
    for key, values in left.items():
        details[key] = sorted(values)
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
    first = 1 if _info(round_[0].step.type).resets else 0
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


_overlap = overlap  # zones and receipts taken into account (tracker.domain.dates)


def _merge_details(details: dict[str, Any], lists: dict[str, dict[Any, None]],
                   new: Mapping[str, Any]) -> None:
    """Merge one event's details into the item's: a list detail gains the values it did not
    hold yet (``lists`` keeps each list's values as dict keys, so a long list costs one
    lookup per value, not a scan), any other replaces; a correction's changes are not shown."""
    for key, value in new.items():
        shape = _DETAIL_SHAPES.get(key)
        if shape == "list":
            seen = lists.get(key)
            if seen is None:
                seen = lists[key] = {}
                details[key] = []
            merged = details[key]
            for v in value:
                if v not in seen:
                    seen[v] = None
                    merged.append(v)
        elif shape != "changes":
            details[key] = thaw(value)


#: Each detail name's type across the vocabulary (a name means the same in every type).
_DETAIL_SHAPES: dict[str, str] = {
    d.name: d.type for t in EVENT_TYPES.values() for d in t.detail_specs
}


def _corrected(step: Step, corrections: list[Step]) -> Step:
    """The step as its corrections (in story order) say it should read.

    The changes were checked when each correction was appended; replay reads them as stored
    (no validation, nothing skipped). Changes it cannot read are an error naming the
    correction's log position.
    """
    for c in corrections:
        step = step._replace(**_changed_fields(step, c))
    return step


def _changed_fields(step: Step, c: Step) -> dict[str, Any]:
    changes = c.details.get("changes", {})
    fields: dict[str, Any] = {}
    try:
        if "story" in changes:
            story = _story_of(thaw(changes["story"]), c.published)
            fields["story"] = story
            fields["key"] = (story.earliest or story.latest or "9999-12-31",
                             story.latest or story.earliest or "9999-12-31", step.key[2])
        if "summary" in changes and isinstance(changes["summary"], str):
            fields["summary"] = changes["summary"]
        if "actors" in changes:
            fields["actors"] = tuple(
                Actor(_stripped(a["name"]), _stripped(a["role"])) for a in changes["actors"] or ()
            )
        if "place" in changes:
            fields["place"] = changes["place"]
        if "details" in changes:
            fields["details"] = freeze({
                k: _stripped(v) for k, v in thaw(changes["details"] or {}).items() if v is not None
            })
        if "source" in changes:
            src = changes["source"]
            outlet = _stripped(src["outlet"])
            fields["speaker"] = _stripped(src.get("speaker")) or outlet
            fields["outlet"] = outlet
    except (InvalidDate, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise UnusableEvent(
            f"log position {c.key[2]} ({c.id}): its changes to {step.id!r} cannot be read "
            f"({exc.message if isinstance(exc, InvalidDate) else type(exc).__name__}); "
            "retract it and record the correction again",
            field="details.changes", place=f"log position {c.key[2]}",
        ) from None
    return fields


def _story_of(value: Any, anchor: str) -> StoryTime:
    if isinstance(value, dict):
        return resolve(value["expr"], value.get("anchor") or anchor)
    return resolve(value, anchor)


def _stripped(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list | tuple):
        return [_stripped(v) for v in value]
    return value


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
