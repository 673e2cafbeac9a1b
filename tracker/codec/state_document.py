"""The state as a JSON-shaped document (``tracker state --json`` and the export's ``state``)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

import immutables
import orjson

from tracker.codec.rows import actor_to_dict
from tracker.domain.dates import StoryTime
from tracker.domain.events import thaw
from tracker.domain.fold import (
    Account,
    Claim,
    Item,
    ItemView,
    Query,
    State,
    item_order,
    links,
)
from tracker.domain.ordering import story_key_of
from tracker.domain.vocabulary import KINDS, sections
from tracker.text import json_safe

#: Section names of the state document, one per item kind, in reading order (the vocabulary's).
SECTIONS = sections()
#: Kinds whose items gate others, and the detail naming the items they gate.
_GATES = {k.name: k.gates_detail for k in KINDS.values() if k.gates_detail}


def item_to_dict(
    item: Item, state: State | None = None,
    gates: Mapping[str, list[dict[str, str]]] | None = None,
    view: ItemView | None = None,
    linked: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One item as a JSON object; with ``state``, the demands that gate it (``gates``: those
    already indexed by :func:`gating_index`, ``view``: the item's view, when converting a whole
    state)."""
    if view is None:
        view = item.view  # derived from the item's steps: derive it once
    out: dict[str, Any] = {
        "subject": item.subject,
        "kind": item.kind,
        "status": item.status,
        "title": view.title,
        "when": view.when.display() if view.when else None,
        "actors": [actor_to_dict(a) for a in view.actors],
        "place": view.place,
        "details": thaw(view.details),
        "history": list(view.history),
        "sources": list(view.sources),
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
        self.places: dict[str, list[tuple[tuple[str, str], int, int]]] = {k: [] for k in SECTIONS}
        self.gates: dict[str, list[dict[str, str]]] = {}
        self.disputes: list[dict[str, Any]] = []
        self.actors = ActorList()
        #: The items that wholes and parts tie together (talks, their rounds, what they produced):
        #: their links are made once every item has come (see :func:`links`).
        self.linkable: dict[str, tuple[Item, ItemView]] = {}
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self.offset = 0

    def __enter__(self) -> StateSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.spool.close()

    def take(self, items: Iterable[tuple[Item, ItemView]]) -> None:
        """Make the entries of these items (with their views)."""
        dumps, option, places = orjson.dumps, self.option, self.places
        gates, found_disputes, seen_actors = self.gates, self.disputes, self.actors
        spool = self.spool
        for item, view in items:
            gated_by = _GATES.get(item.kind)
            if gated_by is not None:
                headline = KINDS[item.kind].headline_detail or ""
                for gated in dict.fromkeys(view.details.get(gated_by, ())):
                    gates.setdefault(gated, []).append(
                        {"subject": item.subject, "status": item.status,
                         "demand": str(view.details.get(headline, view.title))})
            found_disputes.extend(item_disputes(item))
            kind = KINDS[item.kind]
            if kind.whole or kind.part_key:  # tied to others (talks and their rounds): see links
                self.linkable[item.subject] = (item, view)
            seen_actors.take(view)
            kept = places.get(item.kind)
            if kept is None:
                continue
            data = json_safe(dumps(item_to_dict(item, view=view), option=option))
            spool.write(data)
            kept.append((item_order(item, view), self.offset, len(data)))
            self.offset += len(data)

    def write(self, out: IO[bytes], size: int, query: Query | None = None) -> None:
        """Write the document of the items taken, which ``size`` events made."""
        dumps, option, gates, spool = orjson.dumps, self.option, self.gates, self.spool
        doc: dict[str, Any] = {"query": _query_dict(query or Query()), "events": size}
        for gated in gates.values():
            gated.sort(key=lambda d: d["subject"])
        tied = self.linkable
        linked = links(State(immutables.Map({s: item for s, (item, _v) in tied.items()})),
                       lambda subject: tied[subject][1]) if tied else {}
        self.disputes.sort(key=lambda d: (d["subject"], d["event"]))
        tail = {"disputes": self.disputes,
                "actors": self.actors.entries()}
        head_bytes = json_safe(dumps(doc, option=option))
        tail_bytes = json_safe(dumps(tail, option=option))
        if self.indent:
            out.write(head_bytes[:-2])  # without "\n}"
            between, inner, item_gap = b",\n  ", b"\n    ", b",\n    "
        else:
            out.write(head_bytes[:-1])  # without "}"
            between, inner, item_gap = b",", b"", b","
        spool.flush()
        read = spool.read
        for kind, section in SECTIONS.items():
            placed = self.places[kind]
            out.write(between + dumps(section) + (b": [" if self.indent else b":["))
            if not placed:
                out.write(b"]")
                continue
            placed.sort(key=lambda p: p[0])
            for n, ((_when, subject), at, length) in enumerate(placed):
                spool.seek(at)
                data = read(length)
                if subject in gates or subject in linked:
                    entry = orjson.loads(data)
                    entry.update(linked.get(subject, {}))  # before conditions, as item_to_dict
                    if subject in gates:
                        entry["conditions"] = gates[subject]
                    data = json_safe(dumps(entry, option=option))
                if self.indent:
                    data = data.replace(b"\n", inner)
                out.write((inner if n == 0 else item_gap) + data)
            out.write(b"\n  ]" if self.indent else b"]")
        # the tail's two keys, without its braces
        out.write(between + (tail_bytes[4:-2] if self.indent else tail_bytes[1:-1]))
        out.write(b"\n}" if self.indent else b"}")
