"""The state as a JSON-shaped document (``tracker state --json`` and the export's ``state``)."""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

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
    links_of,
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
        gates = _GATES.get(other.kind)
        if gates is None:
            continue
        view = views[other.subject] if views is not None else other.view
        headline = KINDS[other.kind].headline_detail or ""
        for gated in dict.fromkeys(view.details.get(gates, ())):
            if only is None or gated == only:
                index.setdefault(gated, []).append(
                    {"subject": other.subject, "status": other.status,
                     "demand": str(view.details.get(headline, view.title))})
    for found in index.values():
        found.sort(key=lambda d: d["subject"])
    return index


def disputes(state: State) -> list[dict[str, Any]]:
    """Every disputed account: whose account, of what, and who disputes it, saying what
    instead, where."""
    out = []
    for item in state.items.values():
        out.extend(item_disputes(item))
    return sorted(out, key=lambda d: (d["subject"], d["event"]))


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
    story dates), the earliest first."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        #: name -> (roles, [items], office -> [first, last])
        self.seen: dict[str, tuple[set[str], list[int], dict[str, list[StoryTime]]]] = {}

    def take(self, view: ItemView) -> None:
        """The actors of one item (its view)."""
        seen = self.seen
        counted: set[str] = set()
        for a in view.actors:
            entry = seen.get(a.name)
            if entry is None:
                entry = seen[a.name] = (set(), [0], {})
            entry[0].add(a.role)
            if a.name not in counted:
                counted.add(a.name)
                entry[1][0] += 1
        for held in view.offices:
            offices = seen[held.name][2]
            span = offices.get(held.office)
            if span is None:
                offices[held.office] = [held.first, held.last]
                continue
            if _bounds(held.first) < _bounds(span[0]):
                span[0] = held.first
            if _bounds(held.last) > _bounds(span[1]):
                span[1] = held.last

    def entries(self) -> list[dict[str, Any]]:
        """The state document's ``actors``: by name."""
        return [{"name": name, "roles": sorted(roles), "items": count[0],
                 "offices": [{"office": office, "first": first.display(), "last": last.display()}
                             for office, (first, last) in sorted(
                                 offices.items(), key=lambda o: (_bounds(o[1][0]), o[0]))]}
                for name, (roles, count, offices) in sorted(self.seen.items())]


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


# --------------------------------------------------------------------------- written as folded


def write_state(out: IO[bytes], items: Iterable[tuple[Item, ItemView]], size: Callable[[], int],
                query: Query | None = None, *, indent: bool = False) -> None:
    """Write ``json_safe(orjson.dumps(state_to_dict(state, query)))`` (``indent``: with
    OPT_INDENT_2) for the state whose items (with their views) ``items`` gives one at a time,
    in any order, holding none of them (see :class:`StateSpool`). Nothing reaches ``out``
    until every item has come (a failure while folding writes nothing). ``size`` tells the
    state's number of events once ``items`` is used up."""
    with StateSpool(indent=indent) as spool:
        spool.take(items)
        spool.write(out, size(), query)


class StateSpool:
    """A state document made an item at a time: each item's entry is made as the item comes,
    and kept, as the bytes it is written as, in a temporary file until every item has come and
    they can be sorted; what the document says across items (the demands gating each item, the
    disputes, the actors) is gathered as they pass."""

    def __init__(self, *, indent: bool = False) -> None:
        self.option = orjson.OPT_INDENT_2 if indent else 0
        self.indent = indent
        #: Where each section's entries are, compactly (a million items): each entry's place in
        #: its section (its ``item_order``, as one text: see :func:`_order_text`), and where its
        #: bytes are in the spool (offset, length).
        self.places: dict[str, tuple[list[str], array[int]]] = {
            k: ([], array("q")) for k in SECTIONS}
        self.gates: dict[str, list[dict[str, str]]] = {}
        self.disputes: list[dict[str, Any]] = []
        self.actors = ActorList()
        #: What ties wholes and parts together (talks, their rounds, what they produced), kept
        #: of each such item in its stead: their links are made once every item has come (see
        #: :func:`tracker.domain.fold.links`).
        self.linkable: list[LinkFacts] = []
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self.offset = 0

    def __enter__(self) -> StateSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.spool.close()

    def take(self, items: Iterable[tuple[Item, ItemView]]) -> None:
        """Make the entries of these items (with their views). The entries are kept as orjson
        writes them; :meth:`write` makes the document safe for a terminal (``json_safe``) as
        it writes it."""
        dumps, option, places = orjson.dumps, self.option, self.places
        gates, found_disputes, seen_actors = self.gates, self.disputes, self.actors
        write = self.spool.write
        linkable, offset = self.linkable, self.offset
        kinds, gated_kinds, tied_kinds = KINDS, _GATES, _TIED
        for item, view in items:
            kind = item.kind
            gated_by = gated_kinds.get(kind)
            if gated_by is not None:
                headline = kinds[kind].headline_detail or ""
                for gated in dict.fromkeys(view.details.get(gated_by, ())):
                    gates.setdefault(gated, []).append(
                        {"subject": item.subject, "status": item.status,
                         "demand": str(view.details.get(headline, view.title))})
            if item.accounts:
                found_disputes.extend(item_disputes(item))
            if kind in tied_kinds:  # tied to others (talks and their rounds): see links
                facts = link_facts(item, view)
                if facts is not None:
                    linkable.append(facts)
            seen_actors.take(view)
            kept = places.get(kind)
            if kept is None:
                continue
            data = dumps(item_to_dict(item, view=view, plain=False), option=option)
            write(data)
            kept[0].append(_order_text(item_order(item, view)))
            kept[1].extend((offset, len(data)))
            offset += len(data)
        self.offset = offset

    def write(self, out: IO[bytes], size: int, query: Query | None = None) -> None:
        """Write the document of the items taken, which ``size`` events made."""
        dumps, option, gates, spool = orjson.dumps, self.option, self.gates, self.spool
        doc: dict[str, Any] = {"query": _query_dict(query or Query()), "events": size}
        for gated in gates.values():
            gated.sort(key=lambda d: d["subject"])
        linked = links_of(self.linkable)
        self.disputes.sort(key=lambda d: (d["subject"], d["event"]))
        tail = {"disputes": self.disputes,
                "actors": self.actors.entries()}
        head_bytes = dumps(doc, option=option)
        tail_bytes = dumps(tail, option=option)
        put = (writer := SafeWriter(out)).write
        if self.indent:
            put(head_bytes[:-2])  # without "\n}"
            between, inner = b",\n  ", b"\n    "
        else:
            put(head_bytes[:-1])  # without "}"
            between, inner = b",", b""
        spool.flush()
        fd = spool.fileno()
        pread = os.pread
        for kind, section in SECTIONS.items():
            orders, spans = self.places[kind]
            put(between + dumps(section) + (b": [" if self.indent else b":["))
            if not orders:
                put(b"]")
                continue
            batch: list[bytes] = []
            for n in sorted(range(len(orders)), key=orders.__getitem__):
                subject = orders[n].partition("\x00")[2]
                data = pread(fd, spans[2 * n + 1], spans[2 * n])
                if subject in gates or subject in linked:
                    entry = orjson.loads(data)
                    entry.update(linked.get(subject, {}))  # before conditions, as item_to_dict
                    if subject in gates:
                        entry["conditions"] = gates[subject]
                    data = dumps(entry, option=option)
                batch.append(data)
                if len(batch) >= 1000:
                    put(self._entries(batch, inner))
                    inner = b",\n    " if self.indent else b","
                    batch = []
            if batch:
                put(self._entries(batch, inner))
            inner = b"\n    " if self.indent else b""
            put(b"\n  ]" if self.indent else b"]")
        # the tail's two keys, without its braces
        put(between + (tail_bytes[4:-2] if self.indent else tail_bytes[1:-1]))
        put(b"\n}" if self.indent else b"}")
        writer.flush()

    def _entries(self, batch: list[bytes], lead: bytes) -> bytes:
        """Entries of a section, one after another, the first preceded by ``lead`` (indented,
        each line of each entry is indented by four more spaces)."""
        if self.indent:
            return lead + b",\n".join(batch).replace(b"\n", b"\n    ")
        return lead + b",".join(batch)


#: Kinds whose items are tied to others (talks, their rounds, what they produced).
_TIED = frozenset(k.name for k in KINDS.values() if k.whole or k.part_key)


def _order_text(order: tuple[str, str]) -> str:
    """An item's place among its kind's (``item_order``: its date, its subject) as one text
    that sorts the same: the two joined by a NUL, which sorts before any character of a date."""
    return f"{order[0]}\x00{order[1]}"
