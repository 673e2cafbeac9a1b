"""The state as a JSON-shaped document (``tracker state --json`` and the export's ``state``)."""

from __future__ import annotations

from typing import Any

from tracker.events import kinds, thaw
from tracker.projections import Item, Query, State

#: Section names of the state document, one per item kind, in reading order.
SECTIONS = {
    "invitation": "invitations",
    "meeting": "meetings",
    "proposal": "proposals",
    "demand": "demands",
    "agreement": "agreements",
    "sanction": "sanctions",
    "statement": "statements",
}


def item_to_dict(item: Item, state: State | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "subject": item.subject,
        "kind": item.kind,
        "status": item.status,
        "title": item.title,
        "when": item.when.display() if item.when else None,
        "actors": [{"name": a.name, "role": a.role} for a in item.actors],
        "place": item.place,
        "details": thaw(item.details),
        "history": list(item.history),
        "sources": list(item.sources),
    }
    if item.accounts:
        out["accounts"] = [
            {
                "event": a.event_id,
                "status": a.status,
                "speaker": a.speaker,
                "outlet": a.outlet,
                "story": a.story,
                "disputed_by": list(a.disputed_by),
                "confirmed_by": list(a.confirmed_by),
            }
            for a in item.accounts
        ]
    if item.corrected:
        out["corrected"] = list(item.corrected)
    if item.retracted:
        out["retracted"] = list(item.retracted)
    if state is not None:
        gated = gating_demands(state, item.subject)
        if gated:
            out["conditions"] = gated
    return out


def gating_demands(state: State, subject: str) -> list[dict[str, str]]:
    """Demands that gate an item (preconditions on an invitation), with their status."""
    found = []
    for other in state.items.values():
        if other.kind == "demand" and subject in other.details.get("gates", ()):
            found.append({"subject": other.subject, "status": other.status,
                          "demand": str(other.details.get("demand", other.title))})
    return sorted(found, key=lambda d: d["subject"])


def disputes(state: State) -> list[dict[str, Any]]:
    out = []
    for item in state.items.values():
        for account in item.accounts:
            if account.disputed_by:
                out.append({"subject": item.subject, "event": account.event_id,
                            "status": account.status, "speaker": account.speaker,
                            "disputed_by": list(account.disputed_by)})
    return sorted(out, key=lambda d: (d["subject"], d["event"]))


def actors(state: State) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for item in state.items.values():
        for a in item.actors:
            entry = seen.setdefault(a.name, {"name": a.name, "roles": set(), "items": set()})
            entry["roles"].add(a.role)
            entry["items"].add(item.subject)
    return [
        {"name": e["name"], "roles": sorted(e["roles"]), "items": len(e["items"])}
        for e in sorted(seen.values(), key=lambda e: e["name"])
    ]


def state_to_dict(state: State, query: Query | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "query": _query_dict(query or Query()),
        "events": state.size,
    }
    by_kind: dict[str, list[Item]] = {k: [] for k in SECTIONS}
    for kind in kinds():
        if kind in SECTIONS:
            by_kind[kind] = state.of_kind(kind)
    for kind, section in SECTIONS.items():
        doc[section] = [item_to_dict(i, state) for i in by_kind[kind]]
    doc["disputes"] = disputes(state)
    doc["actors"] = actors(state)
    return doc


def _query_dict(query: Query) -> dict[str, Any]:
    return {"at": query.at, "as_of": query.as_of, "known_at": query.known_at,
            "recorded_by": query.recorded_by}
