"""The one mapping between events and their outside shapes: stored rows and export documents.

Reading a row is trusted and fast (rows were validated when they were appended); the strict
parsing of what a user gives is :mod:`tracker.domain.input`'s. Old row bodies are upcast on
read, never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import orjson

from tracker.domain.dates import StoryTime, story_from_body, story_to_body
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
from tracker.domain.fold import Query, Step, as_of, step_of, type_info
from tracker.domain.ordering import story_key_of
from tracker.store.row import Row

# --------------------------------------------------------------------------- stored rows


def _upcast_v1_v2(body: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added ``certainty``: what an older event reported was stated as fact."""
    return {**body, "certainty": DEFAULT_CERTAINTY}


def _upcast_v2_v3(body: dict[str, Any]) -> dict[str, Any]:
    """Version 3 let a story carry ``tz`` and ``received``: an older story has neither, which
    version 3 writes the same way (the keys absent). The body is unchanged."""
    return body


def _upcast_v3_v4(body: dict[str, Any]) -> dict[str, Any]:
    """Version 4 let an actor carry the office it held (``[name, role, office]``): an older
    actor has none, which version 4 writes the same way (``[name, role]``). The body is
    unchanged."""
    return body


#: Upcasters: ``UPCASTERS[n]`` turns a row body written at schema version n into version n + 1.
UPCASTERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _upcast_v1_v2,
    2: _upcast_v2_v3,
    3: _upcast_v3_v4,
}
#: Bodies stored at this version or later read as the current version's do (each later version
#: only added what an older body leaves out): they are decoded straight, with no upcasting.
READ_AS_CURRENT_FROM = 3

_loads = orjson.loads
_new = tuple.__new__


def _upcast(body: dict[str, Any], version: int) -> dict[str, Any]:
    """A body stored at schema ``version``, as the current version shapes it."""
    while version < SCHEMA_VERSION:
        body = UPCASTERS[version](body)
        version += 1
    return body


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
        "story": story_to_body(event.story) if version >= 3 else {
            "expr": event.story.expr, "anchor": event.story.anchor, "edtf": event.story.edtf},
        "summary": event.summary,
        "source": source,
    }
    if event.actors:
        body["actors"] = [[a.name, a.role] if a.office is None or version < 4
                          else [a.name, a.role, a.office] for a in event.actors]
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
    (position, id_, type_, stored_version, subject, earliest, latest, published, recorded_at,
     body_text, _hash) = row
    body = _upcast(_loads(body_text), stored_version)
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
        story=story_from_body(st, earliest, latest),
        summary=body["summary"],
        source=source,
        subject=subject,
        actors=_actors(actors) if actors else (),
        place=body.get("place"),
        refs=tuple([Ref(r, i) for r, i in refs]) if refs else (),
        details=freeze(details) if details else EMPTY_DETAILS,
        certainty=body["certainty"],
        schema_version=stored_version,
        position=position,
        recorded_at=recorded_at,
    )


def _actors(stored: list[list[str]]) -> tuple[Actor, ...]:
    """The stored actors (``[name, role]``, or ``[name, role, office]``) as actors."""
    return tuple([_new(Actor, a if len(a) == 3 else (a[0], a[1], None)) for a in stored])


def actor_to_dict(actor: Sequence[str | None]) -> dict[str, str | None]:
    """An actor (or its stored ``[name, role]`` / ``[name, role, office]``) as the export and
    the state document show it: ``{"name", "role"}``, and ``"office"`` where one is given."""
    if len(actor) > 2 and actor[2] is not None:
        return {"name": actor[0], "role": actor[1], "office": actor[2]}
    return {"name": actor[0], "role": actor[1]}


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
        "story": story_to_body(event.story, full=True),
        "recorded_at": event.recorded_at,
        "summary": event.summary,
        "certainty": event.certainty,
        "actors": [actor_to_dict(a) for a in event.actors],
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


def row_to_dict(row: Row | tuple[Any, ...]) -> dict[str, Any]:
    """``event_to_dict(event_from_row(row), row.hash)`` straight from the stored body, without
    building the event first (an export writes a million of them). Same keys, same order, same
    values: a test compares the two on every row of a log."""
    return _row_dict(row, _loads(row[9]))


def _row_dict(row: Row | tuple[Any, ...], stored: dict[str, Any]) -> dict[str, Any]:
    """:func:`row_to_dict` from the row's body already parsed (``stored``)."""
    (position, id_, type_, stored_version, subject, earliest, latest, published, recorded_at,
     _body_text, hash_) = row
    body = stored if stored_version == SCHEMA_VERSION else _upcast(stored, stored_version)
    st = body["story"]
    src = body["source"]
    get = src.get
    actors = body.get("actors")
    refs = body.get("refs")
    return {
        "id": id_,
        "position": position,
        "type": type_,
        "schema_version": stored_version,
        "subject": subject,
        "story": {"expr": st["expr"], "anchor": st["anchor"], "edtf": st["edtf"],
                  "earliest": earliest, "latest": latest}
        if "tz" not in st and "received" not in st
        else story_to_body(story_from_body(st, earliest, latest), full=True),
        "recorded_at": recorded_at,
        "summary": body["summary"],
        "certainty": body["certainty"],
        "actors": [actor_to_dict(a) for a in actors] if actors else [],
        "place": body.get("place"),
        "source": {"outlet": src["outlet"], "author": get("author"), "title": get("title"),
                   "url": get("url"), "published": published, "via": get("via"),
                   "speaker": get("speaker"), "on_record": get("on_record", True),
                   "quote": get("quote")},
        "refs": [{"rel": r, "id": i} for r, i in refs] if refs else [],
        "details": body.get("details") or {},
        "hash": hash_,
    }


def rows_json(rows: Iterable[Row | tuple[Any, ...]]) -> list[bytes]:
    """Each row's :func:`row_to_dict` as compact JSON (an export writes a million)."""
    dumps, loads, row_dict = orjson.dumps, _loads, _row_dict
    return [dumps(row_dict(row, loads(row[9]))) for row in rows]


def row_dict_and_step(row: Row | tuple[Any, ...]) -> tuple[dict[str, Any], tuple[str, Step]]:
    """``(row_to_dict(row), decode_step(row))`` with the body parsed once (the export writes
    each row and folds it)."""
    body = _loads(row[9])
    return _row_dict(row, body), _step(row, body if row[3] >= READ_AS_CURRENT_FROM else None)


# --------------------------------------------------------------------------- steps


def decode_step(row: Row | tuple[Any, ...]) -> tuple[str, Step]:
    """The item and fold step of a stored row (trusted input): exactly
    ``step_of(event_from_row(row))``, decoding only what a step keeps. The one way a stored row
    reaches the fold (the replay, the checkpoints and the state index alike)."""
    return _step(row, None)


def _step(row: Row | tuple[Any, ...], body: dict[str, Any] | None) -> tuple[str, Step]:
    """:func:`decode_step`, from the row's body already parsed if ``body`` is given (a body
    that reads as the current schema version's)."""
    (position, id_, type_, version, subject, earliest, latest, published, _recorded_at, body_text,
     _hash) = row
    if version < READ_AS_CURRENT_FROM:  # an older body: upcast first
        event = event_from_row(row)
        return event.subject or event.id, step_of(event)
    if body is None:
        body = _loads(body_text)
    src = body["source"]
    st = body["story"]
    outlet = src["outlet"]
    actors = body.get("actors")
    refs = body.get("refs")
    details = body.get("details")
    received = st.get("received")
    info = type_info(type_, position, id_)
    return subject or id_, _new(Step, (
        story_key_of(earliest, latest, position),
        id_,
        type_,
        src.get("speaker") or outlet,
        outlet,
        tuple([r[1] for r in refs]) if refs else (),
        _new(StoryTime, (st["expr"], st["anchor"], st["edtf"], earliest, latest, st.get("tz"),
                         None)) if received is None else story_from_body(st, earliest, latest),
        body["summary"] if info.titles else None,
        _actors(actors) if actors else (),
        body.get("place"),
        # a stored row's details are as admission checked them: a type's text, choices and
        # flags need no deep freeze
        (FrozenDict(details) if info.flat else freeze(details)) if details else EMPTY_DETAILS,
        published,
        src.get("quote"),
    ))


def decode_steps(rows: Iterable[Row | tuple[Any, ...]], query: Query = Query()
                 ) -> Iterator[tuple[str, Step]]:
    """The steps of the rows the query admits, for :func:`tracker.domain.fold.fold_steps`."""
    if query == Query():
        return map(decode_step, rows)
    if query.as_of is not None:  # what the admitted events refer to is admitted too
        rest = replace(query, as_of=None)
        return iter(as_of([decode_step(r) for r in rows
                           if rest == Query() or admits_row(rest, r)], query.as_of))
    return map(decode_step, (r for r in rows if admits_row(query, r)))


def admits_row(query: Query, row: Row | tuple[Any, ...]) -> bool:
    """``query.admits(event_from_row(row))``, read from the row's columns."""
    return query.admits_times(row[0], row[6], row[7], row[8])
