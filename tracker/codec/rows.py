"""The one mapping between events and their outside shapes: stored rows and export documents.

Reading a row is trusted and fast (rows were validated when they were appended); the strict
parsing of what a user gives is :mod:`tracker.domain.input`'s. Old row bodies are upcast on
read, never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import orjson

from tracker.domain.dates import StoryTime
from tracker.domain.events import (
    DEFAULT_CERTAINTY,
    EMPTY_DETAILS,
    SCHEMA_VERSION,
    Actor,
    Event,
    FrozenDict,
    Ref,
    Source,
    freeze,
    thaw,
)

# --------------------------------------------------------------------------- stored rows


class Row(NamedTuple):
    """An event as the store holds it. The store reads and writes these and nothing else."""

    position: int
    id: str
    type: str
    schema_version: int
    subject: str | None
    story_earliest: str | None
    story_latest: str | None
    published: str
    recorded_at: str
    body: str
    hash: str


def _upcast_v1_v2(body: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added ``certainty``: what an older event reported was stated as fact."""
    return {**body, "certainty": DEFAULT_CERTAINTY}


#: Upcasters: ``UPCASTERS[n]`` turns a row body written at schema version n into version n + 1.
UPCASTERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upcast_v1_v2}

_loads = orjson.loads


def _body(event: Event, version: int = SCHEMA_VERSION) -> dict[str, Any]:
    s = event.source
    source: dict[str, Any] = {"outlet": s.outlet}
    for key in ("author", "title", "url", "via", "speaker", "quote"):
        value = getattr(s, key)
        if value is not None:
            source[key] = value
    if not s.on_record:
        source["on_record"] = False
    body: dict[str, Any] = {
        "story": {"expr": event.story.expr, "anchor": event.story.anchor, "edtf": event.story.edtf},
        "summary": event.summary,
        "source": source,
    }
    if event.actors:
        body["actors"] = [[a.name, a.role] for a in event.actors]
    if event.place is not None:
        body["place"] = event.place
    if event.refs:
        body["refs"] = [[r.rel, r.id] for r in event.refs]
    if event.details:
        body["details"] = event.details
    if version >= 2:
        body["certainty"] = event.certainty
    return body


def encode_body(event: Event, version: int = SCHEMA_VERSION) -> str:
    """The JSON body stored for an event (everything that is not a column of its own).

    ``version``: the body as that schema version wrote it, to check the hash of an exported row
    recorded by an older version (an older shape simply lacks the later fields).
    """
    return orjson.dumps(_body(event, version)).decode()


def stored_body(event: Event, version: int) -> str | None:
    """The body as schema ``version`` stored this event, or None if that version could not hold
    it (an event said to be recorded at version 1 but carrying a certainty other than "certain").

    Checking an exported row's hash needs the exact text it was stored with.
    """
    text = encode_body(event, version)
    body = _loads(text)
    for older in range(version, SCHEMA_VERSION):
        body = UPCASTERS[older](body)
    return text if body == _loads(encode_body(event)) else None


def row_fields(event: Event) -> tuple[str, str, int, str | None, str | None, str | None, str, str]:
    """The columns of a new row, before the log gives it a position, a time and a hash."""
    return (
        event.id,
        event.type,
        SCHEMA_VERSION,
        event.subject,
        event.story.earliest,
        event.story.latest,
        event.source.published,
        encode_body(event),
    )


def event_from_row(row: Row | tuple[Any, ...]) -> Event:
    """Decode a stored row. Trusted input: no validation beyond upcasting."""
    (position, id_, type_, version, subject, earliest, latest, published, recorded_at, body_text,
     _hash) = row
    body = _loads(body_text)
    stored_version = version
    while version < SCHEMA_VERSION:
        body = UPCASTERS[version](body)
        version += 1
    st = body["story"]
    src = body["source"]
    source = Source(
        outlet=src["outlet"],
        published=published,
        author=src.get("author"),
        title=src.get("title"),
        url=src.get("url"),
        via=src.get("via"),
        speaker=src.get("speaker"),
        on_record=src.get("on_record", True),
        quote=src.get("quote"),
    )
    actors = body.get("actors")
    refs = body.get("refs")
    details = body.get("details")
    return Event(
        id=id_,
        type=type_,
        story=StoryTime(st["expr"], st["anchor"], st["edtf"], earliest, latest),
        summary=body["summary"],
        source=source,
        subject=subject,
        actors=tuple([Actor(n, r) for n, r in actors]) if actors else (),
        place=body.get("place"),
        refs=tuple([Ref(r, i) for r, i in refs]) if refs else (),
        details=freeze(details) if details else EMPTY_DETAILS,
        certainty=body["certainty"],
        schema_version=stored_version,
        position=position,
        recorded_at=recorded_at,
    )


# --------------------------------------------------------------------------- export shape


def event_to_dict(event: Event, hash_: str | None = None) -> dict[str, Any]:
    """The documented export shape of one event (see ``tracker schema``)."""
    s = event.source
    out: dict[str, Any] = {
        "id": event.id,
        "position": event.position,
        "type": event.type,
        "schema_version": event.schema_version,
        "subject": event.subject,
        "story": {
            "expr": event.story.expr,
            "anchor": event.story.anchor,
            "edtf": event.story.edtf,
            "earliest": event.story.earliest,
            "latest": event.story.latest,
        },
        "recorded_at": event.recorded_at,
        "summary": event.summary,
        "certainty": event.certainty,
        "actors": [{"name": a.name, "role": a.role} for a in event.actors],
        "place": event.place,
        "source": {
            "outlet": s.outlet,
            "author": s.author,
            "title": s.title,
            "url": s.url,
            "published": s.published,
            "via": s.via,
            "speaker": s.speaker,
            "on_record": s.on_record,
            "quote": s.quote,
        },
        "refs": [{"rel": r.rel, "id": r.id} for r in event.refs],
        "details": thaw(event.details),
    }
    if hash_ is not None:
        out["hash"] = hash_
    return out


def same_content(a: Event, b: Event) -> bool:
    """Whether two events say the same thing (log metadata aside): re-imports are harmless."""
    return _body(a) == _body(b) and (a.type, a.subject, a.story, a.source) == (
        b.type, b.subject, b.story, b.source
    )


# --------------------------------------------------------------------------- facts


class Fact(NamedTuple):
    """The part of an event that deriving statuses needs: what the state index folds.

    Decoding a fact skips everything an item only shows (summaries, quotes, places...), which
    those who show an item read from the event itself.
    """

    position: int
    id: str
    subject: str
    type: str
    earliest: str | None
    latest: str | None
    speaker: str
    outlet: str
    targets: tuple[str, ...]
    actors: tuple[Actor, ...]  # kept where they decide a status (the parties to an agreement)
    details: FrozenDict  # kept where they decide a status (a partial rejection, a correction)
    published: str


_STATUS_DETAILS = {"proposal.rejected": "degree", "entry.corrected": "changes"}
_interned: dict[str, str] = {}


def _intern(text: str) -> str:
    return _interned.setdefault(text, text)


def fact_from_row(row: Row | tuple[Any, ...]) -> Fact:
    """Decode the status-deciding part of a stored row (trusted input)."""
    (position, id_, type_, _version, subject, earliest, latest, published, _recorded_at,
     body_text, _hash) = row[:11]
    body = _loads(body_text)
    src = body["source"]
    outlet = _intern(src["outlet"])
    speaker = src.get("speaker")
    refs = body.get("refs")
    actors: tuple[Actor, ...] = ()
    details = EMPTY_DETAILS
    if type_.startswith("agreement."):
        actors = tuple([Actor(_intern(n), r) for n, r in body.get("actors", ()) if r == "party"])
    key = _STATUS_DETAILS.get(type_)
    if key is not None and key in body.get("details", {}):
        details = freeze({key: body["details"][key]})
    return Fact(
        position, id_, subject or id_, _intern(type_),
        _intern(earliest) if earliest else None, _intern(latest) if latest else None,
        _intern(speaker) if speaker else outlet, outlet,
        tuple([i for _r, i in refs]) if refs else (), actors, details, _intern(published),
    )


def fact_from_event(event: Event) -> Fact:
    """The fact of an event already decoded (for logs held in memory)."""
    s = event.source
    key = _STATUS_DETAILS.get(event.type)
    details = EMPTY_DETAILS
    if key is not None and key in event.details:
        details = freeze({key: event.details[key]})
    return Fact(
        event.position, event.id, event.subject or event.id, event.type, event.story.earliest,
        event.story.latest, s.speaker or s.outlet, s.outlet, tuple(r.id for r in event.refs),
        tuple(a for a in event.actors if a.role == "party")
        if event.type.startswith("agreement.") else (), details, s.published,
    )
