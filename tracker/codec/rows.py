"""The one mapping between events and their outside shapes: stored rows and export documents.

Reading a row is trusted and fast (rows were validated when they were appended); reading a
document from a user is strict and names the field that is wrong. Old row bodies are upcast on
read, never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import orjson

from tracker.domain.dates import StoryTime, parse_iso_date, resolve
from tracker.domain.events import (
    CERTAINTY,
    CORRECTABLE_FIELDS,
    DEFAULT_CERTAINTY,
    EMPTY_DETAILS,
    EVENT_TYPES,
    REF_RELATIONS,
    SCHEMA_VERSION,
    Actor,
    Event,
    EventType,
    FrozenDict,
    Ref,
    Source,
    freeze,
    thaw,
)
from tracker.errors import InvalidDate, InvalidEvent
from tracker.text import clip as _clip

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


# --------------------------------------------------------------------------- strict parsing

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # undecodable bytes, smuggled in as lone surrogates
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_URL = re.compile(r"https?://\S+$")

# Many events share a story date and a publication date: resolve each (expression, anchor)
# once. Both functions are pure; a failure is not cached (it raises again each time).
_resolve = lru_cache(maxsize=1 << 16)(resolve)
_published_date = lru_cache(maxsize=1 << 14)(parse_iso_date)

#: Longest text accepted per field, in characters.
LIMITS = {"summary": 300, "quote": 600, "name": 120, "text": 300, "url": 2000, "long": 2000}

_EVENT_KEYS = frozenset(
    {"id", "type", "subject", "story", "summary", "actors", "place", "source", "refs", "details",
     "certainty", "schema_version", "position", "recorded_at", "hash"}
)
_SOURCE_KEYS = frozenset(
    {"outlet", "published", "author", "title", "url", "via", "speaker", "on_record", "quote"}
)
_STORY_KEYS = frozenset({"expr", "anchor", "edtf", "earliest", "latest"})


def _fail(where: str, message: str, field: str | None = None) -> InvalidEvent:
    """An invalid event: the message names ``where`` first; ``field`` is the input field at
    fault ("story", "source.published", "actors[1].role", "actors.inviter" for a missing role,
    "details.terms"), for a form to put the message beside."""
    return InvalidEvent(f"{where}: {message}", field=field, place=where)


def _text(value: Any, where: str, field: str, limit: str = "text", required: bool = True) -> Any:
    if value is None:
        if required:
            raise _fail(where, f"field '{field}' is required", field=field)
        return None
    if not isinstance(value, str):
        raise _fail(where, f"field '{field}' must be a string, not {_json_type(value)}", field=field)
    value = value.strip()
    if not value:
        if required:
            raise _fail(where, f"field '{field}' must not be empty", field=field)
        return None
    # Printable ASCII (most text) holds nothing either pattern looks for: skip both searches.
    printable_ascii = value.isascii() and value.isprintable()
    if not printable_ascii and _CONTROL.search(value):
        raise _fail(where, f"field '{field}' contains a control character or escape sequence", field=field)
    if not printable_ascii and _SURROGATE.search(value):
        raise _fail(where, f"field '{field}' is not valid UTF-8 text", field=field)
    if len(value) > LIMITS[limit]:
        raise _fail(
            where, f"field '{field}' is {len(value):,} characters long; the limit is {LIMITS[limit]}",
            field=field,
        )
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _identifier(value: Any, where: str, field: str) -> str:
    text = _text(value, where, field, "name")
    if not ID_PATTERN.fullmatch(text):
        raise _fail(
            where,
            f"field '{field}' {text!r} is not a valid identifier "
            "(letters, digits and . _ : / -, starting with a letter or digit)",
            field=field,
        )
    return str(text)


def parse_story(value: Any, where: str, anchor: str | None) -> StoryTime:
    """A story time from a bare expression or a {expr, anchor, ...} object."""
    try:
        if isinstance(value, str):
            return _resolve(value, anchor)
        if isinstance(value, dict):
            unknown = set(value) - _STORY_KEYS
            if unknown:
                key = _clip(repr(sorted(unknown)[0]))
                raise _fail(where, f"field 'story' has unknown key {key}", field="story")
            expr = value.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                raise _fail(where, "field 'story.expr' is required (the date as the source gave it)", field="story.expr")
            own_anchor = value.get("anchor")
            if own_anchor is not None and not isinstance(own_anchor, str):
                raise _fail(where, "field 'story.anchor' must be an ISO date string", field="story.anchor")
            resolved = _resolve(expr, own_anchor if own_anchor is not None else anchor)
            return _check_stated_bounds(resolved, value, where)
    except InvalidDate as exc:
        raise _fail(where, f"field 'story': {exc}", field="story") from None
    raise _fail(where, f"field 'story' must be a date expression or an object, not {_json_type(value)}", field="story")


def _check_stated_bounds(resolved: StoryTime, value: Mapping[str, Any], where: str) -> StoryTime:
    """An export states the bounds it resolved; they must agree with the expression."""
    for key in ("earliest", "latest"):
        if key in value and value[key] != getattr(resolved, key):
            raise _fail(
                where,
                f"field 'story.{key}' is {_clip(repr(value[key]))} "
                f"but {_clip(repr(resolved.expr))} "
                f"resolves to {getattr(resolved, key)!r}",
            field=f"story.{key}",
        )
    return resolved


def parse_source(value: Any, where: str) -> Source:
    if not isinstance(value, dict):
        raise _fail(where, "field 'source' is required: an object with at least outlet and published", field="source")
    unknown = set(value) - _SOURCE_KEYS
    if unknown:
        raise _fail(where, f"field 'source' has unknown key {_clip(repr(sorted(unknown)[0]))}", field="source")
    published = _text(value.get("published"), where, "source.published", "name")
    try:
        _published_date(published, "source.published")
    except InvalidDate as exc:
        raise _fail(where, str(exc), field="source.published") from None
    on_record = value.get("on_record", True)
    if on_record is None:
        on_record = True
    if not isinstance(on_record, bool):
        raise _fail(where, f"field 'source.on_record' must be true or false, not {_json_type(on_record)}", field="source.on_record")
    url = _text(value.get("url"), where, "source.url", "url", required=False)
    if url is not None and not _URL.match(url):
        raise _fail(where, f"field 'source.url' {_clip(repr(url))} is not an http(s) URL", field="source.url")
    return Source(
        outlet=_text(value.get("outlet"), where, "source.outlet", "name"),
        published=published,
        author=_text(value.get("author"), where, "source.author", "name", required=False),
        title=_text(value.get("title"), where, "source.title", "text", required=False),
        url=url,
        via=_text(value.get("via"), where, "source.via", "name", required=False),
        speaker=_text(value.get("speaker"), where, "source.speaker", "name", required=False),
        on_record=on_record,
        quote=_text(value.get("quote"), where, "source.quote", "quote", required=False),
    )


def parse_actors(value: Any, where: str, etype: EventType | None) -> tuple[Actor, ...]:
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        raise _fail(where, f"field 'actors' must be a list, not {_json_type(value)}", field="actors")
    actors = []
    allowed = (*etype.roles, "mentioned") if etype and etype.roles else None
    for i, item in enumerate(value):
        field = f"actors[{i}]"
        if not isinstance(item, dict):
            raise _fail(where, f"field '{field}' must be an object with name and role", field=field)
        unknown = set(item) - {"name", "role"}
        if unknown:
            raise _fail(where, f"field '{field}' has unknown key {_clip(repr(sorted(unknown)[0]))}", field=field)
        name = _text(item.get("name"), where, f"{field}.name", "name")
        role = _text(item.get("role"), where, f"{field}.role", "name")
        if allowed is not None and role not in allowed:
            raise _fail(
                where, f"field '{field}.role' {role!r} is not a role of {etype.name if etype else ''} "
                f"(one of: {', '.join(allowed)})",
            field=f"{field}.role",
        )
        actors.append(Actor(name, role))
    if etype is not None:
        present = {a.role for a in actors}
        for role in etype.required_roles:
            if role not in present:
                raise _fail(where, f"{etype.name} needs an actor with role '{role}'", field=f"actors.{role}")
    return tuple(actors)


def parse_refs(value: Any, where: str) -> tuple[Ref, ...]:
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        raise _fail(where, f"field 'refs' must be a list, not {_json_type(value)}", field="refs")
    refs = []
    for i, item in enumerate(value):
        field = f"refs[{i}]"
        if not isinstance(item, dict):
            raise _fail(where, f"field '{field}' must be an object with rel and id", field=field)
        unknown = set(item) - {"rel", "id"}
        if unknown:
            raise _fail(where, f"field '{field}' has unknown key {_clip(repr(sorted(unknown)[0]))}", field=field)
        rel = _text(item.get("rel"), where, f"{field}.rel", "name")
        if rel not in REF_RELATIONS:
            raise _fail(where, f"field '{field}.rel' {rel!r} is not one of: {', '.join(REF_RELATIONS)}", field=f"{field}.rel")
        refs.append(Ref(rel, _identifier(item.get("id"), where, f"{field}.id")))
    return tuple(refs)


_DETAIL_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "list[str]": lambda v: isinstance(v, list | tuple) and all(isinstance(x, str) for x in v),
    "object": lambda v: isinstance(v, dict),
}
_DETAIL_NAMES = {"str": "a string", "bool": "true or false", "list[str]": "a list of strings",
                 "object": "an object"}


def parse_details(value: Any, where: str, etype: EventType) -> FrozenDict:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise _fail(where, f"field 'details' must be an object, not {_json_type(value)}", field="details")
    out: dict[str, Any] = {}
    for key, item in value.items():
        kind = etype.details.get(key)
        if kind is None:
            known = ", ".join(etype.details) or "none"
            raise _fail(
                where, f"{etype.name} has no detail {_clip(repr(key))} (its details: {known})",
                field=f"details.{key}",
            )
        if item is None:
            continue
        if not _DETAIL_CHECKS[kind](item):
            raise _fail(where, f"field 'details.{key}' must be {_DETAIL_NAMES[kind]}", field=f"details.{key}")
        if kind == "str":
            item = _text(item, where, f"details.{key}", "long")
            if item is None:
                continue
            choices = etype.choices.get(key)
            if choices and item not in choices:
                raise _fail(where, f"field 'details.{key}' {_clip(repr(item))} is not one of: {', '.join(choices)}", field=f"details.{key}")
        elif kind == "list[str]":
            item = [_text(x, where, f"details.{key}[{i}]", "long") for i, x in enumerate(item)]
        elif kind == "object":
            item = _parse_changes(item, where)
        out[key] = item
    for key in etype.required_details:
        if key not in out:
            raise _fail(where, f"{etype.name} needs details.{key}", field=f"details.{key}")
    return freeze(out)  # type: ignore[no-any-return,unused-ignore]


def _parse_changes(value: dict[str, Any], where: str) -> dict[str, Any]:
    """The replacement fields of a correction, checked field by field."""
    if not value:
        raise _fail(where, "field 'details.changes' must name at least one field to correct", field="details.changes")
    for key in value:
        if key not in CORRECTABLE_FIELDS:
            raise _fail(
                where, f"field 'details.changes' cannot change '{key}' "
                f"(correctable: {', '.join(CORRECTABLE_FIELDS)})",
            field="details.changes",
        )
    return dict(value)


def parse_event(
    obj: Any, where: str, new_id: Callable[[], str] | None = None
) -> Event:
    """Validate one event given as a JSON object (import, ``tracker add``, the TUI form).

    ``where`` prefixes every error ("line 3", "event 'e12'"). Cross-log checks (references,
    duplicates) are :mod:`tracker.domain.admission`'s.
    """
    if not isinstance(obj, dict):
        raise InvalidEvent(f"{where}: an event must be a JSON object, not {_json_type(obj)}")
    unknown = set(obj) - _EVENT_KEYS
    if unknown:
        raise _fail(where, f"unknown field {_clip(repr(sorted(unknown)[0]))}")
    type_name = obj.get("type")
    if not isinstance(type_name, str) or not type_name:
        raise _fail(where, "field 'type' is required (see `tracker types` for the vocabulary)", field="type")
    etype = EVENT_TYPES.get(type_name)
    if etype is None:
        raise _fail(where, f"unknown event type {_clip(repr(type_name))} (see `tracker types`)", field="type")
    if "id" in obj and obj["id"] is not None:
        id_ = _identifier(obj["id"], where, "id")
    elif new_id is not None:
        id_ = new_id()
    else:
        raise _fail(where, "field 'id' is required", field="id")
    version = obj.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise _fail(where, f"field 'schema_version' must be 1..{SCHEMA_VERSION}, not {_clip(repr(version))}", field="schema_version")
    source = parse_source(obj.get("source"), where)
    if "story" not in obj or obj["story"] is None:
        raise _fail(where, "field 'story' is required (when it happened, e.g. '2014-03-10' or 'last Friday')", field="story")
    story = parse_story(obj["story"], where, source.published)
    subject = obj.get("subject")
    if subject is not None:
        subject = _identifier(subject, where, "subject")
    return Event(
        id=id_,
        type=type_name,
        story=story,
        summary=_text(obj.get("summary"), where, "summary", "summary"),
        source=source,
        subject=subject,
        actors=parse_actors(obj.get("actors"), where, etype),
        place=_text(obj.get("place"), where, "place", "name", required=False),
        refs=parse_refs(obj.get("refs"), where),
        details=parse_details(obj.get("details"), where, etype),
        certainty=parse_certainty(obj.get("certainty"), where),
    )


def parse_certainty(value: Any, where: str) -> str:
    """How sure the source is: one of :data:`CERTAINTY`; absent means stated as fact."""
    if value is None:
        return DEFAULT_CERTAINTY
    if not isinstance(value, str) or value not in CERTAINTY:
        shown = repr(value) if isinstance(value, str) else _json_type(value)
        raise _fail(
            where, f"field 'certainty' must be one of: {', '.join(CERTAINTY)}, not {_clip(shown)}",
            field="certainty",
        )
    return value


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
