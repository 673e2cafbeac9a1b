"""The state as a JSON-shaped document (``tracker state --json`` and the export's ``state``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any, NamedTuple

import orjson

from tracker.codec.rows import actor_to_dict
from tracker.domain.dates import StoryTime
from tracker.domain.events import thaw
from tracker.domain.fold import (
    Account,
    Claim,
    Item,
    ItemView,
    LinkFacts,
    Query,
    State,
    item_order,
    link_facts,
    links,
)
from tracker.domain.ordering import story_key_of
from tracker.domain.vocabulary import KINDS, sections
from tracker.text import SafeWriter

#: Section names of the state document, one per item kind, in reading order (the vocabulary's).
SECTIONS = sections()
#: Kinds whose items gate others, and the detail naming the items they gate.
_GATES = {k.name: k.gates_detail for k in KINDS.values() if k.gates_detail}


def item_to_dict(
    item: Item, state: State | None = None,
    gates: Mapping[str, list[dict[str, str]]] | None = None,
    view: ItemView | None = None,
    linked: Mapping[str, Mapping[str, Any]] | None = None,
    *, plain: bool = True,
) -> dict[str, Any]:
    """One item as a JSON object; with ``state``, the demands that gate it (``gates``: those
    already indexed by :func:`gating_index`, ``view``: the item's view, when converting a whole
    state). ``plain=False``: the view's tuples and frozen details are left as they are, for a
    writer that only encodes the object (orjson writes them as it writes lists and dicts)."""
    if view is None:
        view = item.view  # derived from the item's steps: derive it once
    when = view.when
    out: dict[str, Any] = {
        "subject": item.subject,
        "kind": item.kind,
        "status": item.status,
        "title": view.title,
        "when": when.display() if when else None,
        "actors": [actor_to_dict(a) for a in view.actors],
        "place": view.place,
        "details": thaw(view.details) if plain else view.details,
        "history": list(view.history) if plain else view.history,
        "sources": list(view.sources) if plain else view.sources,
    }
    if item.accounts:
        out["accounts"] = accounts_to_list(item.accounts)
    if view.corrected:
        out["corrected"] = [{"by": by, "entry": entry} for by, entry in view.corrected]
    if view.retracted:
        out["retracted"] = list(view.retracted)
    if linked is None and state is not None:
        linked = links(state)
    if linked is not None and item.subject in linked:
        out.update(linked[item.subject])  # talks: rounds, outcome; an agreement: produced_by
    if gates is None and state is not None:
        gates = gating_index(state, item.subject)
    if gates is not None and gates.get(item.subject):
        out["conditions"] = gates[item.subject]
    return out


def accounts_to_list(accounts: Iterable[Account]) -> list[dict[str, Any]]:
    """Accounts grouped by what they say: one entry per status (in the order the story first
    gives it), with the sources that say it, each with its date, quote and the disputes and
    confirmations made about it."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for a in accounts:
        groups.setdefault(a.status, []).append({
            "event": a.event_id,
            "speaker": a.speaker,
            "outlet": a.outlet,
            "story": a.story,
            "quote": a.quote,
            "disputed_by": [_claim(c, dispute=True) for c in a.disputes],
            "confirmed_by": [_claim(c, dispute=False) for c in a.confirmations],
            "current": a.current,
        })
    return [{"status": status, "sources": sources} for status, sources in groups.items()]


def _claim(claim: Claim, dispute: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"event": claim.event_id, "who": claim.who, "outlet": claim.outlet,
                           "story": claim.story}
    if dispute:
        out["counter_claim"] = claim.counter_claim
    out["quote"] = claim.quote
    return out


def gating_index(
    state: State, only: str | None = None, views: Mapping[str, ItemView] | None = None
) -> dict[str, list[dict[str, str]]]:
    """The demands gating each item (or only the item ``only``), sorted by the demand's subject:
    one pass over the demands, however many items ask."""
    index: dict[str, list[dict[str, str]]] = {}
    for other in state.items.values():
        if other.kind not in _GATES:
            continue
        gates = demand_gates(other, views[other.subject] if views is not None else other.view)
        if gates is None:
            continue
        gated_items, demand = gates
        for gated in gated_items:
            if only is None or gated == only:
                index.setdefault(gated, []).append(dict(demand))
    for found in index.values():
        found.sort(key=lambda d: d["subject"])
    return index


def demand_gates(item: Item, view: ItemView) -> tuple[list[str], dict[str, str]] | None:
    """The items a demand gates (each once, as its details name them) and the demand as each
    of them lists it under ``conditions``; None for an item that gates none."""
    gated_by = _GATES.get(item.kind)
    if gated_by is None:
        return None
    gated = list(dict.fromkeys(view.details.get(gated_by, ())))
    if not gated:
        return None
    headline = KINDS[item.kind].headline_detail or ""
    return gated, {"subject": item.subject, "status": item.status,
                   "demand": str(view.details.get(headline, view.title))}


def disputes(state: State) -> list[dict[str, Any]]:
    """Every disputed account: whose account, of what, and who disputes it, saying what
    instead, where."""
    return _in_dispute_order(d for item in state.items.values() for d in item_disputes(item))


def _in_dispute_order(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Disputes by subject, then by the disputed account's event."""
    return sorted(found, key=lambda d: (d["subject"], d["event"]))


def item_disputes(item: Item) -> list[dict[str, Any]]:
    """The disputed accounts of one item, as :func:`disputes` lists them."""
    return [{"subject": item.subject, "event": account.event_id, "status": account.status,
             "speaker": account.speaker, "outlet": account.outlet,
             "disputed_by": [_claim(c, dispute=True) for c in account.disputes]}
            for account in item.accounts if account.disputes]


def actors(state: State, views: Mapping[str, ItemView] | None = None) -> list[dict[str, Any]]:
    """Every actor of the state once, by name (see :class:`ActorList`)."""
    found = ActorList()
    for item in state.items.values():
        found.take(views[item.subject] if views is not None else item.view)
    return found.entries()


def _bounds(story: StoryTime) -> tuple[str, str]:
    """Where a story date falls in story order (:func:`tracker.domain.ordering.story_key_of`)."""
    key = story_key_of(story.earliest, story.latest, 0)
    return key[0], key[1]


class ActorList:
    """The state's actors, gathered an item at a time: each name once (the name is the actor,
    whatever office it held), with the roles it plays, how many items name it, and each office
    its events give it, from the first to the last of them in story order (``first``, ``last``:
    story dates), the earliest first. It takes what :func:`actor_facts` says of each item (the
    saved entries keep just that), and gives back what an item had said (:meth:`drop_facts`) when
    the item changes: it counts everything it is told, so what is left is what the items it
    holds say, whatever order they came and went in."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        #: name -> (role -> times, [items], office -> ({first: times}, {last: times})), each
        #: date as (its bounds, as shown): see :func:`_bounds`
        self.seen: dict[str, tuple[dict[str, int], list[int],
                                   dict[str, tuple[dict[Any, int], dict[Any, int]]]]] = {}

    def take(self, view: ItemView) -> None:
        """The actors of one item (its view)."""
        self.take_facts(*actor_facts(view))

    def take_facts(self, actors: Iterable[Sequence[str]], offices: Iterable[Sequence[Any]]
                   ) -> None:
        """The actors of one item as :func:`actor_facts` gives them."""
        self._count(actors, offices, 1)

    def drop_facts(self, actors: Iterable[Sequence[str]], offices: Iterable[Sequence[Any]]
                   ) -> None:
        """What :meth:`take_facts` was told of an item, given back."""
        self._count(actors, offices, -1)

    def _count(self, actors: Iterable[Sequence[str]], offices: Iterable[Sequence[Any]],
               by: int) -> None:
        seen = self.seen
        counted: set[str] = set()
        for name, role in actors:
            entry = seen.get(name)
            if entry is None:
                entry = seen[name] = ({}, [0], {})
            roles = entry[0]
            roles[role] = roles.get(role, 0) + by
            if name not in counted:
                counted.add(name)
                entry[1][0] += by
        for name, office, first, first_lo, first_hi, last, last_lo, last_hi in offices:
            held = seen[name][2]
            span = held.get(office)
            if span is None:
                span = held[office] = ({}, {})
            for dates, key in ((span[0], (first_lo, first_hi, first)),
                               (span[1], (last_lo, last_hi, last))):
                dates[key] = dates.get(key, 0) + by
        if by < 0:
            self._forget(counted)

    def _forget(self, names: Iterable[str]) -> None:
        """What is counted no more times than it was given back: gone."""
        for name in names:
            roles, count, offices = self.seen[name]
            for counts in (roles, *(dates for span in offices.values() for dates in span)):
                for key in [k for k, n in counts.items() if n <= 0]:
                    del counts[key]
            for office in [o for o, span in offices.items() if not span[0]]:
                del offices[office]
            if count[0] <= 0:
                del self.seen[name]

    def entries(self) -> list[dict[str, Any]]:
        """The state document's ``actors``: by name. An office runs from the earliest of its
        first dates to the latest of its last ones, by where each falls in story order, then by
        what it shows (two dates can fall at the same place, "≤ 2014-03-10" and "2014-03-10"); the
        offices by where their first dates fall, then by name."""
        out = []
        for name, (roles, count, offices) in sorted(self.seen.items()):
            spans = sorted(((min(firsts), max(lasts), office)
                            for office, (firsts, lasts) in offices.items()),
                           key=lambda span: (span[0][0], span[0][1], span[2]))
            out.append({"name": name, "roles": sorted(roles), "items": count[0],
                        "offices": [{"office": office, "first": first[2], "last": last[2]}
                                    for first, last, office in spans]})
        return out

    def to_json(self) -> list[Any]:
        """What it holds, JSON-shaped (:meth:`from_json` reads it back)."""
        return [[name, roles, count[0],
                 [[office, [[*key, n] for key, n in firsts.items()],
                   [[*key, n] for key, n in lasts.items()]]
                  for office, (firsts, lasts) in offices.items()]]
                for name, (roles, count, offices) in self.seen.items()]

    @classmethod
    def from_json(cls, data: Iterable[Any]) -> ActorList:
        found = cls()
        for name, roles, count, offices in data:
            found.seen[name] = (roles, [count], {
                office: ({(lo, hi, shown): n for lo, hi, shown, n in firsts},
                         {(lo, hi, shown): n for lo, hi, shown, n in lasts})
                for office, firsts, lasts in offices})
        return found


def actor_facts(view: ItemView) -> tuple[list[list[str]], list[list[str]]]:
    """What :class:`ActorList` reads of an item: its actors as [name, role], and each office
    its events give an actor as [name, office, first, its bounds, last, its bounds] (a date as
    shown, then where it falls in story order: see :func:`_bounds`)."""
    return ([[a.name, a.role] for a in view.actors],
            [[held.name, held.office, held.first.display(), *_bounds(held.first),
              held.last.display(), *_bounds(held.last)] for held in view.offices])


def state_to_dict(state: State, query: Query | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "query": _query_dict(query or Query()),
        "events": state.size,
    }
    # An item's view is derived from its steps: derive each once for the whole document.
    with_views = state.views()
    views = {subject: view for subject, (_item, view) in with_views.items()}
    by_kind: dict[str, list[Item]] = {k: [] for k in SECTIONS}
    for item, _view in with_views.values():
        if item.kind in by_kind:
            by_kind[item.kind].append(item)
    for items in by_kind.values():
        items.sort(key=lambda i: item_order(i, views[i.subject]))
    gates = gating_index(state, views=views)
    linked = links(state, views.__getitem__)
    for kind, section in SECTIONS.items():
        doc[section] = [item_to_dict(i, state, gates, views[i.subject], linked)
                        for i in by_kind[kind]]
    doc["disputes"] = disputes(state)
    doc["actors"] = actors(state, views)
    return doc


def _query_dict(query: Query) -> dict[str, Any]:
    return {"at": query.at, "as_of": query.as_of, "known_at": query.known_at,
            "recorded_by": query.recorded_by}


# --------------------------------------------------------------------------- read in parts


class StateParts(NamedTuple):
    """A state document as a view reads it, a section at a time: how many events, the widest
    of its items' statuses, each section's name, number of items and its items (a call that
    reads them, in order, each as the document has it), and its actors. Made from a whole
    document (:func:`parts_of`) or from records kept, read as they are shown (a state of a
    million events is never held whole)."""

    events: int
    widest_status: int
    sections: Sequence[tuple[str, int, Callable[[], Iterable[Mapping[str, Any]]]]]
    actors: Sequence[Mapping[str, Any]]


def parts_of(doc: Mapping[str, Any]) -> StateParts:
    """A whole state document, in parts."""
    def items_of(section: str) -> Callable[[], Iterable[Mapping[str, Any]]]:
        return lambda: doc.get(section) or ()

    return StateParts(
        int(doc.get("events", 0)),
        max((len(str(i["status"])) for sec in SECTIONS.values() for i in doc.get(sec) or ()),
            default=0),
        [(section, len(doc.get(section) or ()), items_of(section))
         for section in SECTIONS.values()],
        doc.get("actors") or [])


# --------------------------------------------------------------------------- made an item at a time


class ItemRecord(NamedTuple):
    """What the state document takes of one item, made from the item alone (an item's state
    depends on its own events only): its entry, as the bytes it is written as (compact JSON;
    None for a kind the document has no section for), where it sorts among its kind's (its
    ``item_order`` as one text: see :func:`_order_text`), and ``facts``: what it adds to what
    the document says across items (see :func:`item_facts`), as JSON, or None if nothing.

    A whole state is written from these (:func:`write_document`) in any order they were made,
    and they can be saved and read back: they are bytes and texts only."""

    subject: str
    kind: str
    place: str
    entry: bytes | None
    facts: bytes | None
    #: the item's status, as its entry gives it (a view of the whole state lines up its items'
    #: statuses in a column as wide as the widest, known before the first entry is read)
    status: str


def item_record(item: Item, view: ItemView) -> ItemRecord:
    """The record of one item (with its view)."""
    facts = item_facts(item, view)
    return ItemRecord(
        item.subject, item.kind, _order_text(item_order(item, view)),
        orjson.dumps(item_to_dict(item, view=view, plain=False))
        if item.kind in SECTIONS else None,
        orjson.dumps(facts) if facts is not None else None, item.status)


def item_facts(item: Item, view: ItemView) -> list[Any] | None:
    """What an item adds to what the state document says across items, JSON-shaped (it reads
    back the same): [the items it gates and its demand, its disputed accounts, what ties it
    to a whole or its parts (:func:`tracker.domain.fold.link_facts`, read back by
    :func:`link_of`), its actors and offices (:func:`actor_facts`)], each None or empty if it
    adds none; None if it adds nothing."""
    gates = demand_gates(item, view)
    found = item_disputes(item) if item.accounts else None
    tie = link_facts(item, view) if item.kind in _TIED else None
    link = list(tie) if tie is not None else None
    actors, offices = actor_facts(view)
    if gates is None and not found and link is None and not actors and not offices:
        return None
    return [gates, found, link, actors, offices]


def link_of(facts: Sequence[Any]) -> LinkFacts | None:
    """What ties an item to a whole or its parts, from its facts (see :func:`item_facts`)."""
    link = facts[2]
    return LinkFacts(*link) if link is not None else None


class CrossItem:
    """What the state document says across items, gathered from each item's facts (see
    :func:`item_facts`) in any order: the demands gating each item, the disputes and the
    actors. What an item said is given back (:meth:`drop`) when the item changes, so that it
    can be kept (:meth:`to_json`) and brought up to date an item at a time. (What ties wholes
    and parts together is made across all of them: :func:`tracker.domain.fold.links_of`.)"""

    def __init__(self) -> None:
        #: gated item -> demand's subject -> the demand, as the gated item lists it
        self.gates: dict[str, dict[str, dict[str, str]]] = {}
        #: subject -> its disputed accounts
        self.disputes: dict[str, list[dict[str, Any]]] = {}
        self.actors = ActorList()

    def take(self, facts: Sequence[Any]) -> None:
        gates, found, _link, actors, offices = facts
        if gates is not None:
            put = self.gates.setdefault
            for gated in gates[0]:
                put(gated, {})[gates[1]["subject"]] = gates[1]
        if found:
            self.disputes[found[0]["subject"]] = found
        self.actors.take_facts(actors, offices)

    def drop(self, facts: Sequence[Any]) -> None:
        """What :meth:`take` was told of an item, given back."""
        gates, found, _link, actors, offices = facts
        if gates is not None:
            for gated in gates[0]:
                demands = self.gates[gated]
                del demands[gates[1]["subject"]]
                if not demands:
                    del self.gates[gated]
        if found:
            del self.disputes[found[0]["subject"]]
        self.actors.drop_facts(actors, offices)

    def conditions(self, subject: str) -> list[dict[str, str]] | None:
        """The demands gating this item, by the demand's subject (None if none)."""
        demands = self.gates.get(subject)
        return [demands[s] for s in sorted(demands)] if demands else None

    def disputes_in_order(self) -> list[dict[str, Any]]:
        """The state document's ``disputes``: by subject, then by the disputed account's event."""
        return _in_dispute_order(d for found in self.disputes.values() for d in found)

    def to_json(self) -> list[Any]:
        """What it holds, JSON-shaped (:meth:`from_json` reads it back)."""
        return [self.gates, self.disputes, self.actors.to_json()]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> CrossItem:
        cross = cls()
        cross.gates, cross.disputes = data[0], data[1]
        cross.actors = ActorList.from_json(data[2])
        return cross


def final_entry(entry: bytes, linked: Mapping[str, Any] | None,
                conditions: list[dict[str, str]] | None) -> bytes | None:
    """An item's entry (compact JSON) with what ties it to others and the demands gating it,
    as :func:`item_to_dict` adds them; None if it gains neither."""
    if not linked and not conditions:
        return None
    out = orjson.loads(entry)
    out.update(linked or {})
    if conditions:
        out["conditions"] = conditions
    return orjson.dumps(out)


def write_document(out: IO[bytes], size: int, query: Query | None, cross: CrossItem,
                   entries_of: Callable[[str], Iterable[bytes]], *,
                   indent: bool = False) -> None:
    """Write ``json_safe(orjson.dumps(state_to_dict(state, query)))`` (``indent``: with
    OPT_INDENT_2) of a state of ``size`` events whose items' facts ``cross`` has gathered and
    whose entries ``entries_of(kind)`` gives, each whole (see :func:`final_entry`), in the
    kind's order (their records' ``place``)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    dumps, loads = orjson.dumps, orjson.loads
    doc: dict[str, Any] = {"query": _query_dict(query or Query()), "events": size}
    tail = {"disputes": cross.disputes_in_order(), "actors": cross.actors.entries()}
    head_bytes = dumps(doc, option=option)
    tail_bytes = dumps(tail, option=option)
    put = (writer := SafeWriter(out)).write
    if indent:
        put(head_bytes[:-2])  # without "\n}"
        between, inner = b",\n  ", b"\n    "
    else:
        put(head_bytes[:-1])  # without "}"
        between, inner = b",", b""
    for kind, section in SECTIONS.items():
        put(between + dumps(section) + (b": [" if indent else b":["))
        batch: list[bytes] = []
        lead, written = inner, False
        for data in entries_of(kind):
            batch.append(dumps(loads(data), option=option) if indent else data)
            if len(batch) >= 1000:
                put(_entries(batch, lead, indent))
                lead, written, batch = b",\n    " if indent else b",", True, []
        if batch:
            put(_entries(batch, lead, indent))
            written = True
        put(b"\n  ]" if indent and written else b"]")
    # the tail's two keys, without its braces
    put(between + (tail_bytes[4:-2] if indent else tail_bytes[1:-1]))
    put(b"\n}" if indent else b"}")
    writer.flush()


def _entries(batch: list[bytes], lead: bytes, indent: bool) -> bytes:
    """Entries of a section, one after another, the first preceded by ``lead`` (indented,
    each line of each entry is indented by four more spaces)."""
    if indent:
        return lead + b",\n".join(batch).replace(b"\n", b"\n    ")
    return lead + b",".join(batch)


#: Kinds whose items are tied to others (talks, their rounds, what they produced).
_TIED = frozenset(k.name for k in KINDS.values() if k.whole or k.part_key)


def _order_text(order: tuple[str, str]) -> str:
    """An item's place among its kind's (``item_order``: its date, its subject) as one text
    that sorts the same: the two joined by a NUL, which sorts before any character of a date."""
    return f"{order[0]}\x00{order[1]}"
