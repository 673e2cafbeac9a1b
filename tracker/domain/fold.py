"""The fold: the state of affairs, folded from events. Pure: no I/O, no clock, no row layout.

The state is a persistent map from subject (the item an event is about: an invitation, a
meeting, a proposal...) to a frozen :class:`Item`. :func:`evolve` adds one event and returns a
new state that shares everything it did not change, so keeping the state after every step (or
every few hundred steps, as the checkpoints do) is cheap.

An item's status is derived from its events *in story order*, whatever order they reach the log
in: a report learned late that belongs earlier in the story lands in its place. So folding the
same set of events in any order gives the same state.

Every source's latest account is kept (the speaker, or the outlet where no one is named): when
the sources of the item's latest round give different statuses, or an account is disputed and
not confirmed, the item is ``disputed`` and lists each side's accounts with their sources.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import itemgetter
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
    JSON_SHAPE,
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
    place), so they hold no more than that: the source's quote (what its account shows), no URLs
    or other source detail.
    """

    key: StoryKey  # story order: earliest, latest, position
    id: str
    type: str
    speaker: str  # who gives this account: the speaker, else the outlet
    outlet: str
    targets: tuple[str, ...]  # entries it disputes / confirms / corrects / retracts / answers
    story: StoryTime
    summary: str | None  # kept for actions of an item (its title: the opening's, else the first)
    actors: tuple[Actor, ...]
    place: str | None
    details: FrozenDict
    published: str  # anchors a correction's relative dates
    quote: str | None = None  # the source's words: what an account shows


def step_of(event: Event) -> Step:
    """The step an event contributes to its item (an event held in memory; a stored row is
    decoded straight into its step by :func:`tracker.codec.rows.decode_step`)."""
    s = event.source
    keep_summary = type_info(event.type, event.position, event.id).titles
    return Step(
        story_key(event), event.id, event.type, s.speaker or s.outlet, s.outlet,
        tuple([r.id for r in event.refs]) if event.refs else (), event.story,
        event.summary if keep_summary else None, event.actors, event.place, event.details,
        s.published, s.quote,
    )


@dataclass(frozen=True, slots=True)
class Claim:
    """What one source says about another's account: a dispute (with what it says instead) or a
    confirmation: who (the disputant or confirmer named, else the speaker), where and when."""

    event_id: str
    who: str
    outlet: str
    story: str
    counter_claim: str | None = None
    quote: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """One source's latest account of where an item stands (the source: the speaker, or the
    outlet where no one is named), with the claims other sources make about it."""

    event_id: str
    status: str
    speaker: str
    outlet: str
    story: str
    quote: str | None = None
    disputes: tuple[Claim, ...] = ()
    confirmations: tuple[Claim, ...] = ()
    #: False when the story has moved on from it (another source's account of a different
    #: status, certainly later): kept, shown as earlier, not part of a dispute.
    current: bool = True


class OfficeHeld(NamedTuple):
    """An office an actor is said to hold in an item's events, from the first to the last of
    them in story order."""

    name: str
    office: str
    first: StoryTime
    last: StoryTime


class ItemView(NamedTuple):
    """What an item shows: derived from its steps on demand, not on every fold step."""

    title: str
    when: StoryTime | None
    #: each actor once per role, with the office its latest event in story order gives it
    actors: tuple[Actor, ...]
    place: str | None
    details: FrozenDict
    history: tuple[str, ...]
    sources: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...]  # (the correcting entry, the entry it corrects)
    retracted: tuple[str, ...]
    offices: tuple[OfficeHeld, ...] = ()  # every office its events give an actor


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
    def corrected(self) -> tuple[tuple[str, str], ...]:
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


#: A step's story key (its first field), for sorting.
_step_key: Callable[[Step], StoryKey] = itemgetter(0)


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
        if len(steps) > 1:
            steps.sort(key=_step_key)
        items[subject] = derive(subject, tuple(steps))
    return State(items.finish(), size)


def fold_items(groups: Iterable[tuple[str, list[Step]]]) -> Iterator[tuple[Item, ItemView]]:
    """Each item, with its view, from all of its steps (in any order): what :func:`fold_steps`
    gives for those items, one item at a time, for a whole state written as it is folded (no
    item's steps are held once its entry is made)."""
    for subject, steps in groups:
        if len(steps) > 1:
            steps.sort(key=_step_key)
        ordered = tuple(steps)
        meta = _meta(ordered)
        effective = _effective(ordered, meta)
        yield _derived(subject, ordered, meta, effective), _view_of(meta, effective)


class _Round(NamedTuple):
    step: Step
    status: str


class TypeInfo(NamedTuple):
    """What the fold reads of an event type, looked up once per type (a table built once from
    the vocabulary: :data:`_INFO`)."""

    kind: str
    opens: bool
    resets: bool  # starts a round: accounts of the outcome are compared from here on
    meta: bool  # about other entries (disputes, corrections), not an action of the item
    effect: str
    type: EventType
    places: bool = False  # its place is the item's (``EventType.places_item``)
    status: str | None = None  # the status it usually gives (``EventType.status``)
    parties: bool = False  # what _Parties reads of it (a party status or a roster)
    flat: bool = True  # its details are all text, choices or flags (no list, no changes)

    @property
    def titles(self) -> bool:
        """Whether its summary is kept in its step: any action of an item may be the first
        known of it (a sanction first known from its lifting takes that event's summary)."""
        return not self.meta


class _TypeInfos(dict[str, TypeInfo]):
    """Each type's :class:`TypeInfo`, by its name: a type the vocabulary does not hold is
    looked up (and refused) by :func:`type_info`."""

    def __missing__(self, type_name: str) -> TypeInfo:
        return type_info(type_name)


_INFO = _TypeInfos()


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
        info = _INFO[type_name] = TypeInfo(
            t.kind, t.opens_item, t.starts_round, t.meta, t.effect, t, t.places_item, t.status,
            bool(t.party_status or t.roster),
            all(JSON_SHAPE[d.type] in ("str", "bool") for d in t.detail_specs))
    return info


for _name in EVENT_TYPES:
    type_info(_name)

#: The fold's view of a type by its name (a dict lookup; an unknown type: see type_info).
_info = _INFO.__getitem__

#: The types that speak about other entries (disputes, confirmations, corrections, retractions).
_META_TYPES = frozenset(name for name, info in _INFO.items() if info.meta)


class _Meta(NamedTuple):
    retracted: set[str]
    corrections: dict[str, list[Step]]
    disputes: dict[str, list[Step]]
    confirms: dict[str, list[Step]]


def _meta(steps: tuple[Step, ...]) -> _Meta | None:
    """Retractions, corrections, disputes and confirmations among an item's steps (None: none).

    A retracted entry says nothing: a retracted correction no longer corrects, a retracted
    retraction no longer retracts (references point to earlier entries, so the chain is settled
    from the newest retraction back)."""
    meta_types = _META_TYPES
    found = [s for s in steps if s.type in meta_types]
    if not found:
        return None
    retractions = sorted((s for s in found if _info(s.type).effect == "retract"),
                         key=_position, reverse=True)
    retracted: set[str] = set()
    for r in retractions:  # newest first: whether r itself stands is known when it is reached
        if r.id not in retracted:
            retracted.update(r.targets)
    meta = _Meta(retracted, {}, {}, {})
    for s in found:
        if s.id in retracted:
            continue
        effect = _info(s.type).effect
        if effect == "correct":
            for t in s.targets:
                meta.corrections.setdefault(t, []).append(s)
        elif effect != "retract":
            claims = meta.disputes if effect == "dispute" else meta.confirms
            for t in s.targets:
                claims.setdefault(t, []).append(s)
    return meta


def _position(step: Step) -> int:
    return step.key[2]


def retractions(steps: tuple[Step, ...]) -> dict[str, str]:
    """Each entry retracted by a retraction that stands among these steps, with that
    retraction's id."""
    meta = _meta(steps)
    if meta is None or not meta.retracted:
        return {}
    out: dict[str, str] = {}
    for s in steps:
        if _info(s.type).effect == "retract" and s.id not in meta.retracted:
            for t in s.targets:
                out.setdefault(t, s.id)
    return out


def _effective(steps: tuple[Step, ...], meta: _Meta | None) -> Sequence[Step]:
    """The steps replay uses, in story order: retracted ones left out, corrected ones as
    corrected, and none before an entry of the item it refers to."""
    ordered = _answers_after(steps) if len(steps) > 1 else steps
    if meta is None:
        return ordered
    out = []
    for s in ordered:
        if s.id in meta.retracted:
            continue
        corrections = meta.corrections.get(s.id)
        out.append(_corrected(s, corrections) if corrections else s)
    return out


def _answers_after(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """An item's steps (sorted by story key) in story order as ``tracker log --order story``
    gives it (:func:`tracker.domain.ordering.order_by_story`): an event never sorts before an
    entry of the item it refers to, whatever dates the sources gave (an answer implies that what
    it answers came no later); it sorts right after that entry instead."""
    if not _refers_ahead(steps):
        return steps
    lifted: dict[str, tuple[str, str, int, int]] = {}
    for s in sorted(steps, key=_position):  # what a step refers to comes before it in the log
        key = (s.key[0], s.key[1], s.key[2], s.key[2])
        for t in s.targets:
            other = lifted.get(t)
            if other is not None and other[:3] > key[:3]:
                key = (other[0], other[1], other[2], s.key[2])
        lifted[s.id] = key
    return tuple(sorted(steps, key=lambda s: lifted[s.id]))


def _refers_ahead(steps: tuple[Step, ...]) -> bool:
    """Whether a step refers to an entry of the item that comes after it in story order (ids
    are unique in a log: an entry not seen yet that the item holds is a later one)."""
    seen: set[str] = set()
    ids: set[str] | None = None
    for s in steps:
        for t in s.targets:
            if t not in seen and t != s.id:
                if ids is None:
                    ids = {x.id for x in steps}
                if t in ids:
                    return True
        seen.add(s.id)
    return False


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
        if info.effect == "note":
            return  # kept for what the item shows (a ratification, an endorsement); no move
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

    def outcome(self, disputes: Mapping[str, Any], confirms: Mapping[str, Any],
                step_of: Callable[[T], Step], type_of: Callable[[T], str], claims: bool
                ) -> tuple[str, list[_Round]]:
        """The item's status and the accounts of its latest round (see :func:`_latest_accounts`):
        the base status, unless those accounts disagree or one of them is disputed and not
        confirmed. ``disputes`` / ``confirms``: the claims on each entry, by the name the
        claims use for it. ``claims``: whether any dispute, confirmation, correction or
        retraction touches the item (else a trivial round settles it at once)."""
        base = self.base or RECORDED
        if not self.round_ or (not claims and self.trivial(type_of)):
            return base, []
        round_ = [_Round(step_of(t), st) for t, st in self.round_]
        latest = _latest_accounts(round_)
        current = _current(latest)
        if len({r.status for r in current}) > 1:
            return DISPUTED, latest
        # A dispute decides while it speaks of the latest moment: the account it disputes (or
        # the opening) overlaps the latest account that stands.
        last = current[-1].step
        opener = round_[0] if _info(round_[0].step.type).resets else None
        contested = [*current, opener] if opener is not None and opener not in current else current
        conflict = any(disputes.get(r.step.id) and not confirms.get(r.step.id)
                       and (r.step is last or overlap(r.step.story, last.story))
                       for r in contested)
        return (DISPUTED if conflict else base), latest


def _current(latest: list[_Round]) -> list[_Round]:
    """The accounts that still speak of where the item stands: all but those the story has
    moved on from (an account certainly earlier than another source's account of a different
    status: the sanctions lifted in 2016, reimposed in 2018). Accounts that agree are never
    dropped for being earlier."""
    if len(latest) < 2:
        return latest
    return [a for a in latest if not any(
        b.status != a.status and b.step.key > a.step.key and not overlap(a.step.story, b.step.story)
        for b in latest)]


def _latest_accounts(round_: list[_Round]) -> list[_Round]:
    """The latest account of every distinct source in the round (the speaker, or the outlet
    where no one is named), in story order. One source telling a sequence is a narrative: its
    later stage supersedes its earlier one. The event that opened the round (the invitation
    itself) is an account of the outcome only while nothing answers it."""
    first = 1 if len(round_) > 1 and _info(round_[0].step.type).resets else 0
    by_source: dict[str, _Round] = {}
    for r in round_[first:]:
        by_source.pop(r.step.speaker, None)
        by_source[r.step.speaker] = r
    return sorted(by_source.values(), key=lambda r: r.step.key)


def _acted(effective: Iterable[Step]) -> Actions[Step]:
    """The item's actions, from the steps replay uses (see :func:`_effective`)."""
    actions: Actions[Step] = Actions()
    meta_types = _META_TYPES
    act = actions.act
    for s in effective:
        if s.type not in meta_types:
            act(s.type, s.actors, s.details, s)
    return actions


def standing(steps: tuple[Step, ...]) -> tuple[str, str]:
    """An item's kind and the status its own actions give it ("" : none yet), before accounts
    are compared, from its steps in story order (what admission checks a new event against)."""
    meta = _meta(steps)
    actions = _acted(_effective(steps, meta))
    return actions.kind, actions.base


def derive(subject: str, steps: tuple[Step, ...]) -> Item:
    """An item's kind, status and accounts from its steps, in story order.

    The accounts (the latest of every source in the item's latest round, each with the claims
    made about it, those the story has moved on from marked so) are kept when more than one
    still stands, or when any is disputed or confirmed.
    """
    meta = _meta(steps)
    return _derived(subject, steps, meta, _effective(steps, meta))


def _derived(subject: str, steps: tuple[Step, ...], meta: _Meta | None,
             effective: Sequence[Step]) -> Item:
    """:func:`derive`, from the item's claims (``meta``) and effective steps already found."""
    actions = _acted(effective)
    if meta is None and actions.trivial(_step_type):  # no accounts can compete: the base
        return Item(subject, actions.kind or FALLBACK_KIND, actions.base or RECORDED, (), steps)
    disputes = meta.disputes if meta else {}
    confirms = meta.confirms if meta else {}
    status, latest = actions.outcome(disputes, confirms, _same_step, _step_type,
                                     meta is not None)
    current = _current(latest)
    accounts: tuple[Account, ...] = ()
    if len(current) > 1 or any(r.step.id in disputes or r.step.id in confirms for r in latest):
        accounts = tuple(_account(r, disputes, confirms, any(c is r for c in current))
                         for r in latest)
    return Item(subject, actions.kind or FALLBACK_KIND, status, accounts, steps)


def _account(r: _Round, disputes: Mapping[str, list[Step]],
             confirms: Mapping[str, list[Step]], current: bool) -> Account:
    s = r.step
    return Account(s.id, r.status, s.speaker, s.outlet, s.story.display(), s.quote,
                   tuple(_claim(c) for c in disputes.get(s.id, ())),
                   tuple(_claim(c) for c in confirms.get(s.id, ())), current)


def _claim(step: Step) -> Claim:
    """A dispute or confirmation as the state shows it: who (the disputant or confirmer it
    names, else its speaker), what they say instead, where and when."""
    role = _info(step.type).type.roles
    named = [a.name for a in step.actors if role and a.role == role[0]]
    counter = step.details.get("counter_claim")
    return Claim(step.id, ", ".join(named) or step.speaker, step.outlet, step.story.display(),
                 counter if isinstance(counter, str) else None, step.quote)


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
    return _view_of(meta, _effective(steps, meta))


def _view_of(meta: _Meta | None, effective: Sequence[Step]) -> ItemView:
    """What an item shows, from its claims (``meta``) and its effective steps (see
    :func:`_view`)."""
    title = ""
    when: StoryTime | None = None
    first: Step | None = None  # the first action: the title when no opening event is known
    own_when: StoryTime | None = None  # the item's own date (a meeting's), where its types give one
    place: str | None = None
    actors: dict[tuple[str, str], str | None] = {}  # (name, role) -> the office held
    offices: dict[tuple[str, str], list[StoryTime]] = {}  # (name, office) -> [first, last]
    details: dict[str, Any] = {}
    lists: dict[str, dict[Any, None]] = {}
    sources: dict[str, None] = {}
    left: dict[str, set[str]] | None = None
    answered: dict[str, str | None] = {}  # details an answer gave -> the status it gave
    parties: _Parties | None = None
    meta_types, info_of = _META_TYPES, _info
    for s in effective:
        if s.type in meta_types:
            continue
        info = info_of(s.type)
        etype = info.type
        speaker, outlet = s.speaker, s.outlet
        sources[speaker if speaker == outlet else f"{speaker}, {outlet}"] = None
        for a in s.actors:
            name, role, office = a
            if office is None:
                if (name, role) not in actors:
                    actors[name, role] = None
                continue
            actors[name, role] = office  # the office at the latest event naming it
            held = offices.get((name, office))
            if held is None:
                offices[name, office] = [s.story, s.story]
            else:
                held[1] = s.story
        summary = s.summary
        if summary:
            if first is None:
                first = s
            if info.opens and not title:
                title = summary
                when = s.story
        if info.places and s.place:
            place = s.place  # the latest in story order: a meeting held where it was held
        if etype.dates_item:
            own_when = _own_date(s, etype.dates_item) or own_when
        if info.effect == "move" and not info.opens and (answered or s.details):
            _drop_stale(details, lists, answered, s, info.status)
        if s.details:
            _merge_details(details, lists, s.details)
        if info.parties or parties is not None:
            if parties is None:
                parties = _Parties()
            parties.take(s, etype)
        if info.effect == "leave":
            key = KINDS[info.kind].parties_left_detail
            if key is not None:
                if left is None:
                    left = {}
                left.setdefault(key, set()).update(
                    a.name for a in s.actors if a.role == etype.party_role)
    if left is not None:
        for key, values in left.items():
            details[key] = sorted(values)
    if parties is not None:
        parties.into(details)
    if not title and first is not None and first.summary:
        title, when = first.summary, first.story
    return _new(ItemView, (
        title,
        own_when or when,
        tuple([_new(Actor, (name, role, office)) for (name, role), office in actors.items()]),
        place,
        freeze(details) if details else EMPTY_DETAILS,
        tuple([s.id for s in effective]),
        tuple(sources),
        tuple(sorted((c.id, entry) for entry, cs in meta.corrections.items() for c in cs))
        if meta else (),
        tuple(sorted(meta.retracted)) if meta else (),
        tuple([OfficeHeld(name, office, first_, last) for (name, office), (first_, last)
               in offices.items()]),
    ))


_new = tuple.__new__


def _own_date(step: Step, source: str) -> StoryTime | None:
    """The date an event gives its item (``EventType.dates_item``): its story date, or a
    detail naming a date (read against the source's publication date); None when the detail
    is missing or is no date ("not set")."""
    if source == "story":
        return step.story
    value = step.details.get(source)
    if not isinstance(value, str):
        return None
    try:
        return resolve(value, step.published)
    except InvalidDate:
        return None


# --------------------------------------------------------------------------- talks


def links(state: State, view_of: Callable[[str], ItemView] | None = None
          ) -> dict[str, dict[str, Any]]:
    """What ties items to the wholes they are part of (talks): per subject, the keys its
    document gains. A whole lists its parts under each part kind's ``part_key`` (the talks'
    rounds: its own rounds and the meetings that refer to it; its outcome: the agreements that
    do), and each part names its whole under its kind's ``whole_key`` (an agreement says which
    talks produced it). A part refers to any entry of the whole (``part_of`` the talks' opening)."""
    facts = [f for item in state.items.values()
             if KINDS[item.kind].whole and (f := link_facts(item)) is not None]
    if not facts:
        return {}
    owned = {id_ for f in facts for id_ in f.ids}
    for subject, item in state.items.items():
        kind = KINDS[item.kind]
        if kind.part_key and not kind.whole and not owned.isdisjoint(_part_targets(item)):
            part = link_facts(item, view_of(subject) if view_of is not None else None)
            if part is not None:
                facts.append(part)
    return links_of(facts)


class LinkFacts(NamedTuple):
    """What :func:`links` reads of an item that is a whole or a part (kept in its stead by a
    writer that holds no items): a whole's entries and the events it lists, a part's
    references, status, date and place."""

    subject: str
    kind: str
    status: str
    ids: tuple[str, ...]  # a whole's entries: a part may refer to any of them
    listed: tuple[tuple[str, dict[str, Any]], ...]  # a whole's listed events, by their key
    targets: tuple[str, ...]  # a part's references (its actions'), in story order
    when: str | None  # a part's date, as shown
    place: str | None  # a part's place


def _listed_order(entry: dict[str, Any]) -> tuple[str, str]:
    """A whole's parts and listed events by date, then by subject or id: the same order in
    every process (the items may arrive in any order)."""
    return entry["when"] or "", entry.get("subject") or entry.get("event") or ""


def link_facts(item: Item, view: ItemView | None = None) -> LinkFacts | None:
    """What :func:`links` reads of this item (``view``: its view, if already derived); None
    for an item that is neither a whole nor a part."""
    kind = KINDS[item.kind]
    if kind.whole:
        listed = tuple(
            (key, {"event": step.id, "when": step.story.display(), "place": step.place})
            for step in _effective(item.steps, None)
            if (key := _info(step.type).type.lists_as))
        return LinkFacts(item.subject, item.kind, item.status,
                         tuple([step.id for step in item.steps]), listed, (), None, None)
    if not kind.part_key:
        return None
    if view is None:
        view = item.view
    return LinkFacts(item.subject, item.kind, item.status, (), (), _part_targets(item),
                     view.when.display() if view.when else None, view.place)


def _part_targets(item: Item) -> tuple[str, ...]:
    """The entries a part's actions refer to, in story order (any of its whole's)."""
    return tuple([t for step in item.steps if not _info(step.type).meta for t in step.targets])


#: The lists a whole's entry gains (its listed events' and its parts' keys), in the order it
#: shows them: the vocabulary's.
_LINK_KEYS = list(dict.fromkeys(
    [t.lists_as for t in EVENT_TYPES.values() if t.lists_as]
    + [k.part_key for k in KINDS.values() if k.part_key]))


def links_of(facts: Iterable[LinkFacts]) -> dict[str, dict[str, Any]]:
    """:func:`links` from what it reads of each whole and part (see :func:`link_facts`)."""
    facts = list(facts)
    wholes = {f.subject: f for f in facts if KINDS[f.kind].whole}
    if not wholes:
        return {}
    owner = {id_: subject for subject, f in wholes.items() for id_ in f.ids}
    out: dict[str, dict[str, Any]] = {}
    for subject, f in wholes.items():
        for key, entry in f.listed:
            out.setdefault(subject, {}).setdefault(key, []).append(dict(entry))
    for f in facts:
        kind = KINDS[f.kind]
        if not kind.part_key or f.subject in wholes:
            continue
        found = next((owner[t] for t in f.targets if t in owner), None)
        if found is None:
            continue
        out.setdefault(f.subject, {})[kind.whole_key] = found
        out.setdefault(found, {}).setdefault(kind.part_key, []).append(
            {"subject": f.subject, "status": f.status, "when": f.when, "place": f.place})
    for subject, keys in out.items():
        for value in keys.values():
            if isinstance(value, list):
                value.sort(key=_listed_order)
        if len(keys) > 1:  # a whole's lists in the vocabulary's order, not as its parts came
            out[subject] = {key: keys[key] for key in sorted(keys, key=_LINK_KEYS.index)}
    return out


# --------------------------------------------------------------------------- parties


def _day(story: StoryTime) -> str:
    return story.display()


class _Parties:
    """Each party of an item with its own status and date (an agreement: "signed on
    2018-06-12", "withdrew on 2018-05-08"), and the rosters its events keep (signatories,
    endorsers), from the vocabulary's ``party_status``, ``party_note`` and ``roster``."""

    __slots__ = ("gone", "key", "rosters", "status")

    def __init__(self) -> None:
        self.key: str | None = None
        self.status: dict[str, str] = {}
        self.gone: set[str] = set()
        self.rosters: dict[str, dict[str, str]] = {}

    def take(self, step: Step, etype: EventType) -> None:
        if etype.party_status:
            self.key = KINDS[etype.kind].parties_detail
        if self.key is None and not etype.roster:
            return
        named = [a.name for a in step.actors if a.role == etype.party_role]
        if etype.party_status and self.key is not None:
            label = etype.party_status.format(date=_day(step.story))
            whom = named or [p for p in self.status if p not in self.gone]
            for name in whom:
                before = self.status.get(name)
                self.status[name] = f"{before}; {label}" if etype.party_note and before else label
                if etype.effect == "leave":
                    self.gone.add(name)
                else:
                    self.gone.discard(name)
        for role, key in etype.roster:
            listed = [a.name for a in step.actors if a.role == role]
            roster = self.rosters.setdefault(key, {})
            for i, name in enumerate(listed):
                roster[name] = named[i] if len(named) == len(listed) else _day(step.story)

    def into(self, details: dict[str, Any]) -> None:
        if self.key is not None and self.status:
            details[self.key] = dict(self.status)
        for key, roster in self.rosters.items():
            details[key] = dict(roster)




def _drop_stale(details: dict[str, Any], lists: dict[str, dict[Any, None]],
                answered: dict[str, str | None], step: Step, status: str | None) -> None:
    """Details that stop being true leave the item's current view (they stay in its history):
    when the item moves to another status (a cancelled meeting reinstated, then held), what an
    earlier answer said (the cancellation's reason) goes, unless this event says it anew."""
    for key, given in list(answered.items()):
        if given != status and key not in step.details:
            details.pop(key, None)
            lists.pop(key, None)
            del answered[key]
    if not _info(step.type).resets:
        for key in step.details:
            answered[key] = status


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
                Actor(_stripped(a["name"]), _stripped(a["role"]), _stripped(a.get("office")))
                for a in changes["actors"] or ()
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
    before the correction, the original entry stands. As of a date, an entry that an admitted
    event refers to is admitted too (see :func:`as_of`).
    """
    if query.as_of is None:
        return replay(e for e in events if query.admits(e))
    rest = replace(query, as_of=None)
    kept = [e for e in events if rest.admits(e)]
    pairs = as_of([(e.subject or e.id, step_of(e)) for e in kept], query.as_of)
    return fold_steps(pairs)


def as_of(steps_of_items: Sequence[tuple[str, Step]], date: str) -> list[tuple[str, Step]]:
    """The (subject, step) pairs that had happened by a story date (see :func:`happened_by`).
    The pairs are those of the other criteria of a query (known at, recorded by), in any
    order."""
    steps = sorted(steps_of_items, key=lambda pair: pair[1].key[2])  # in log order
    number = {step.id: k for k, (_subject, step) in enumerate(steps, 1)}
    references = [(k, target) for k, (_subject, step) in enumerate(steps, 1)
                  for t in step.targets if (target := number.get(t, k)) < k]
    kept = happened_by(((k, step.story.latest) for k, (_s, step) in enumerate(steps, 1)),
                       references, date, len(steps))
    return [pair for k, pair in enumerate(steps, 1) if kept[k]]


def happened_by(dated: Iterable[tuple[int, str | None]], references: Sequence[tuple[int, int]],
                date: str, size: int) -> bytearray:
    """Which entries had happened by a story date, one byte per log position up to ``size`` (1:
    it had): those whose latest possible date (:func:`latest_possible`, of the same arguments)
    is on or before it. The one rule of "as of": ``tracker state --as-of``, the exports, the
    app's as-of view and its state index all ask it here."""
    happened = bytearray(size + 1)
    for position, day in enumerate(latest_possible(dated, references, size)):
        if day is not None and day <= date:
            happened[position] = 1
    return happened


def latest_possible(dated: Iterable[tuple[int, str | None]], references: Sequence[tuple[int, int]],
                    size: int) -> list[str | None]:
    """Each entry's latest possible story date, by log position up to ``size`` (None: no
    latest date, or no entry there). ``dated``: the (position, own latest story date) of each
    entry the question's other criteria admit (known on, recorded by); ``references``:
    (position, position it refers to) pairs, in log order.

    It is the entry's own latest date, or that of an entry referring to it if earlier: an
    answer implies that what it answers came no later (as of a day a refusal counts, the
    invitation it refuses exists too, with its opening event)."""
    latest: list[str | None] = [None] * (size + 1)
    admitted = bytearray(size + 1)
    for position, day in dated:
        admitted[position] = 1
        latest[position] = day
    # a reference names an earlier entry: from the last entry back, each referrer's date is
    # final before the entries it refers to are reached
    for position, target in reversed(references):
        day = latest[position]
        if day is not None and admitted[target]:
            before = latest[target]
            if before is None or day < before:
                latest[target] = day
    return latest


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
