"""Event input, checked strictly: an event given as a JSON object (import, ``tracker add``, the
app's form) becomes an :class:`~tracker.domain.events.Event` or a one-line error.

Every error is a :class:`~tracker.errors.InvalidEvent` whose ``field`` names the input field at
fault (``"story"``, ``"source.published"``, ``"actors[1].role"``, ``"details.terms"``) and whose
``place`` is where the input came from (``"line 3"``, ``"event 'e12'"``); the message names both
already. Cross-log checks (references, duplicates) are :mod:`tracker.domain.admission`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeGuard

from tracker.domain.dates import StoryTime, check_zone, parse_iso_date, resolve, with_receipt
from tracker.domain.events import (
    CERTAINTY,
    CORRECTABLE_FIELDS,
    DEFAULT_CERTAINTY,
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

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # undecodable bytes, smuggled in as lone surrogates
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_URL = re.compile(r"https?://\S+$")
#: A record made from its fields in order, all of them given (``Event(*fields)`` without the
#: keyword-aware constructor): what the readings below make once each field is checked.
_new = tuple.__new__

# Many events share a story date and a publication date: resolve each (expression, anchor)
# once. Both functions are pure; a failure is not cached (it raises again each time).
_resolve = lru_cache(maxsize=1 << 16)(resolve)
_published_date = lru_cache(maxsize=1 << 14)(parse_iso_date)

#: Longest text accepted per field, in characters.
LIMITS = {"summary": 300, "quote": 600, "name": 120, "text": 300, "url": 2000, "long": 2000}

_NAME, _LONG = LIMITS["name"], LIMITS["long"]
_URL_MOST, _TITLE_MOST, _QUOTE_MOST = LIMITS["url"], LIMITS["text"], LIMITS["quote"]
_SUMMARY_MOST = LIMITS["summary"]

_EVENT_KEYS = frozenset(
    {"id", "type", "subject", "story", "summary", "actors", "place", "source", "refs", "details",
     "certainty", "schema_version", "position", "recorded_at", "hash"}
)
_SOURCE_KEYS = frozenset(
    {"outlet", "published", "author", "title", "url", "via", "speaker", "on_record", "quote"}
)
_ACTOR_KEYS = frozenset({"name", "role", "office"})
_REF_KEYS = frozenset({"rel", "id"})
_STORY_KEYS = frozenset({"expr", "anchor", "edtf", "earliest", "latest", "tz", "received"})
_RECEIVED_KEYS = _STORY_KEYS - {"received"}


def _fail(where: str, message: str, field: str | None) -> InvalidEvent:
    return InvalidEvent(f"{where}: {message}", field=field, place=where)


def _plain(value: Any, most: int) -> TypeGuard[str]:
    """Whether :func:`_text` takes ``value`` as it is: printable ASCII (nothing either search
    looks for), neither empty nor padded (nothing to strip), at most ``most`` characters. Most
    text is: the readings below take such a value with this one call, and only give any other
    to :func:`_text`, which says what is wrong with it (or strips it). (Of printable ASCII,
    only a space is stripped: one strip is cheaper than looking at both ends.)"""
    return (value.__class__ is str and 0 < len(value) <= most and value.isascii()
            and value.isprintable() and value.strip() == value)


def _text(value: Any, where: str, field: str, limit: str = "text", required: bool = True) -> Any:
    if _plain(value, LIMITS[limit]):
        return value
    if value is None:
        if required:
            raise _fail(where, f"field '{field}' is required", field)
        return None
    if not isinstance(value, str):
        raise _fail(where, f"field '{field}' must be a string, not {_json_type(value)}", field)
    value = value.strip()
    if not value:
        if required:
            raise _fail(where, f"field '{field}' must not be empty", field)
        return None
    # Printable ASCII (most text) holds nothing either pattern looks for: skip both searches.
    printable_ascii = value.isascii() and value.isprintable()
    if not printable_ascii and _CONTROL.search(value):
        raise _fail(where, f"field '{field}' contains a control character or escape sequence",
                    field)
    if not printable_ascii and _SURROGATE.search(value):
        raise _fail(where, f"field '{field}' is not valid UTF-8 text", field)
    if len(value) > LIMITS[limit]:
        raise _fail(
            where, f"field '{field}' is {len(value):,} characters long; the limit is {LIMITS[limit]}",
            field,
        )
    return value


def _plain_identifier(value: Any) -> TypeGuard[str]:
    """Whether ``value`` is an identifier as it is: what :data:`ID_PATTERN` matches is plain
    text (:func:`_plain`) already, at most 100 characters."""
    return value.__class__ is str and ID_PATTERN.fullmatch(value) is not None


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
    if _plain_identifier(value):
        return value
    text = _text(value, where, field, "name")
    if not ID_PATTERN.fullmatch(text):
        raise _fail(
            where,
            f"field '{field}' {text!r} is not a valid identifier "
            "(letters, digits and . _ : / -, starting with a letter or digit)",
            field,
        )
    return str(text)


def parse_story(value: Any, where: str, anchor: str | None) -> StoryTime:
    """A story time from a bare expression or a {expr, anchor, tz, received, ...} object."""
    try:
        if isinstance(value, str):
            return _resolve(value, anchor)
        if isinstance(value, dict):
            story = _story_object(value, where, anchor, "story", _STORY_KEYS)
            received = value.get("received")
            if received is None:
                return story
            if isinstance(received, str):
                received = {"expr": received}
            if not isinstance(received, dict):
                raise _fail(where, "field 'story.received' must be a date expression or an "
                            f"object, not {_json_type(received)}", "story.received")
            try:
                got = _story_object(received, where, anchor, "story.received", _RECEIVED_KEYS)
                return with_receipt(story, got)
            except InvalidDate as exc:
                raise _fail(where, f"field 'story.received': {exc}", "story.received") from None
    except InvalidDate as exc:
        raise _fail(where, f"field 'story': {exc}", "story") from None
    raise _fail(where, f"field 'story' must be a date expression or an object, not {_json_type(value)}",
                "story")


def _story_object(value: Mapping[str, Any], where: str, anchor: str | None, name: str,
                  keys: frozenset[str]) -> StoryTime:
    """One story-time object: ``expr`` read against its own anchor (else the source's), its
    zone checked, and any bounds it states checked against the expression."""
    unknown = set(value) - keys
    if unknown:
        key = _clip(repr(sorted(unknown)[0]))
        raise _fail(where, f"field '{name}' has unknown key {key}", name)
    expr = value.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        raise _fail(where, f"field '{name}.expr' is required (the date as the source gave it)",
                    f"{name}.expr")
    own_anchor = value.get("anchor")
    if own_anchor is not None and not isinstance(own_anchor, str):
        raise _fail(where, f"field '{name}.anchor' must be an ISO date string", f"{name}.anchor")
    resolved = _resolve(expr, own_anchor if own_anchor is not None else anchor)
    zone = value.get("tz")
    if zone is not None:
        try:
            resolved = resolved._replace(tz=check_zone(zone))
        except InvalidDate as exc:
            raise _fail(where, f"field '{name}.tz': {exc}", f"{name}.tz") from None
    return _check_stated_bounds(resolved, value, where, name)


def _check_stated_bounds(resolved: StoryTime, value: Mapping[str, Any], where: str,
                         name: str = "story") -> StoryTime:
    """An export states the bounds it resolved; they must agree with the expression."""
    for key in ("edtf", "earliest", "latest"):
        if key in value and value[key] != getattr(resolved, key):
            raise _fail(
                where,
                f"field '{name}.{key}' is {_clip(repr(value[key]))} "
                f"but {_clip(repr(resolved.expr))} "
                f"resolves to {getattr(resolved, key)!r}",
                f"{name}.{key}",
            )
    return resolved


def parse_source(value: Any, where: str) -> Source:
    if not isinstance(value, dict):
        raise _fail(where, "field 'source' is required: an object with at least outlet and published",
                    "source")
    if not value.keys() <= _SOURCE_KEYS:
        unknown = set(value) - _SOURCE_KEYS
        raise _fail(where, f"field 'source' has unknown key {_clip(repr(sorted(unknown)[0]))}",
                    "source")
    get = value.get
    published = get("published")
    if not _plain(published, _NAME):
        published = _text(published, where, "source.published", "name")
    try:
        _published_date(published, "source.published")
    except InvalidDate as exc:
        raise _fail(where, str(exc), "source.published") from None
    on_record = get("on_record", True)
    if on_record is None:
        on_record = True
    if not isinstance(on_record, bool):
        raise _fail(where, f"field 'source.on_record' must be true or false, not {_json_type(on_record)}",
                    "source.on_record")
    url = get("url")
    if url is not None and not _plain(url, _URL_MOST):
        url = _text(url, where, "source.url", "url", required=False)
    if url is not None and not _URL.match(url):
        raise _fail(where, f"field 'source.url' {_clip(repr(url))} is not an http(s) URL",
                    "source.url")
    outlet, author, title = get("outlet"), get("author"), get("title")
    via, speaker, quote = get("via"), get("speaker"), get("quote")
    if not _plain(outlet, _NAME):
        outlet = _text(outlet, where, "source.outlet", "name")
    if author is not None and not _plain(author, _NAME):
        author = _text(author, where, "source.author", "name", required=False)
    if title is not None and not _plain(title, _TITLE_MOST):
        title = _text(title, where, "source.title", "text", required=False)
    if via is not None and not _plain(via, _NAME):
        via = _text(via, where, "source.via", "name", required=False)
    if speaker is not None and not _plain(speaker, _NAME):
        speaker = _text(speaker, where, "source.speaker", "name", required=False)
    if quote is not None and not _plain(quote, _QUOTE_MOST):
        quote = _text(quote, where, "source.quote", "quote", required=False)
    return _new(Source, (outlet, published, author, title, url, via, speaker, on_record, quote))


def parse_actors(value: Any, where: str, etype: EventType | None) -> tuple[Actor, ...]:
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        raise _fail(where, f"field 'actors' must be a list, not {_json_type(value)}", "actors")
    actors = []
    allowed, required_roles = _role_rules(etype)
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _fail(where, f"field 'actors[{i}]' must be an object with name and role",
                        f"actors[{i}]")
        if not item.keys() <= _ACTOR_KEYS:
            unknown = set(item) - _ACTOR_KEYS
            raise _fail(where, f"field 'actors[{i}]' has unknown key "
                        f"{_clip(repr(sorted(unknown)[0]))}", f"actors[{i}]")
        name, role, office = item.get("name"), item.get("role"), item.get("office")
        if not _plain(name, _NAME):
            name = _text(name, where, f"actors[{i}].name", "name")
        if not ((role.__class__ is str and allowed is not None and role in allowed)
                or _plain(role, _NAME)):  # one of the type's roles is plain text
            role = _text(role, where, f"actors[{i}].role", "name")
        if office is not None and not _plain(office, _NAME):
            # absent or null: no office given; given, it must say one
            office = _text(office, where, f"actors[{i}].office", "name")
        if allowed is not None and role not in allowed:
            raise _fail(
                where, f"field 'actors[{i}].role' {role!r} is not a role of "
                f"{etype.name if etype else ''} (one of: {', '.join(allowed)})",
                f"actors[{i}].role",
            )
        actors.append(_new(Actor, (name, role, office)))
    if required_roles:
        present = {a.role for a in actors}
        for role in required_roles:
            if role not in present:
                raise _fail(where, f"{etype.name if etype else ''} needs an actor with role "
                            f"'{role}'", f"actors.{role}")
    return tuple(actors)


_ROLES: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...]]] = {}


def _role_rules(etype: EventType | None) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The roles an actor of a type may play (None: any) and those it needs: made once per type."""
    if etype is None:
        return None, ()
    rules = _ROLES.get(etype.name)
    if rules is None:
        rules = _ROLES[etype.name] = ((*etype.roles, "mentioned") if etype.roles else None,
                                      etype.required_roles)
    return rules


def parse_refs(value: Any, where: str) -> tuple[Ref, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise _fail(where, f"field 'refs' must be a list, not {_json_type(value)}", "refs")
    refs = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _fail(where, f"field 'refs[{i}]' must be an object with rel and id", f"refs[{i}]")
        if not item.keys() <= _REF_KEYS:
            unknown = set(item) - _REF_KEYS
            raise _fail(where, f"field 'refs[{i}]' has unknown key "
                        f"{_clip(repr(sorted(unknown)[0]))}", f"refs[{i}]")
        rel, id_ = item.get("rel"), item.get("id")
        if not _plain(rel, _NAME):
            rel = _text(rel, where, f"refs[{i}].rel", "name")
        if rel not in REF_RELATIONS:
            raise _fail(where, f"field 'refs[{i}].rel' {rel!r} is not one of: "
                        f"{', '.join(REF_RELATIONS)}", f"refs[{i}].rel")
        if not _plain_identifier(id_):
            id_ = _identifier(id_, where, f"refs[{i}].id")
        refs.append(_new(Ref, (rel, id_)))
    return tuple(refs)


_DETAIL_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "list[str]": lambda v: isinstance(v, list | tuple) and all(isinstance(x, str) for x in v),
    "object": lambda v: isinstance(v, dict),
}
_DETAIL_NAMES = {"str": "a string", "bool": "true or false", "list[str]": "a list of strings",
                 "object": "an object"}


def parse_details(value: Any, where: str, etype: EventType,
                  anchor: str | None = None) -> FrozenDict:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise _fail(where, f"field 'details' must be an object, not {_json_type(value)}", "details")
    kinds, choices, required = _detail_rules(etype)
    out: dict[str, Any] = {}
    for key, item in value.items():
        kind = kinds.get(key)
        if kind is None:
            known = ", ".join(kinds) or "none"
            raise _fail(
                where, f"{etype.name} has no detail {_clip(repr(key))} (its details: {known})",
                f"details.{key}",
            )
        if item is None:
            continue
        if kind == "str":
            if not _plain(item, _LONG):
                if not isinstance(item, str):
                    raise _fail(where, f"field 'details.{key}' must be {_DETAIL_NAMES[kind]}",
                                f"details.{key}")
                item = _text(item, where, f"details.{key}", "long")
            allowed = choices.get(key)
            if allowed and item not in allowed:
                raise _fail(where, f"field 'details.{key}' {_clip(repr(item))} is not one of: "
                            f"{', '.join(allowed)}", f"details.{key}")
        elif kind == "list[str]":
            if item.__class__ is not list or not all(_plain(x, _LONG) for x in item):
                if not _DETAIL_CHECKS[kind](item):
                    raise _fail(where, f"field 'details.{key}' must be {_DETAIL_NAMES[kind]}",
                                f"details.{key}")
                item = [_text(x, where, f"details.{key}[{i}]", "long") for i, x in enumerate(item)]
            item = tuple(item)  # frozen (its items are text)
        elif not _DETAIL_CHECKS[kind](item):
            raise _fail(where, f"field 'details.{key}' must be {_DETAIL_NAMES[kind]}",
                        f"details.{key}")
        elif kind == "object":
            item = freeze(_parse_changes(item, where, anchor))
        out[key] = item
    for key in required:
        if key not in out:
            raise _fail(where, f"{etype.name} needs details.{key}", f"details.{key}")
    return FrozenDict(out)  # each value frozen already: what freeze(out) gives


#: What separates the items of a list detail typed as one line (``--detail terms=A; B``, the
#: app's form): a semicolon, since an item is often a phrase with commas in it.
LIST_SEPARATOR = ";"
#: The words a yes/no detail typed as text takes (any case), the same in the CLI and the app.
YES_WORDS = ("yes", "true")
NO_WORDS = ("no", "false")


def detail_from_text(etype: EventType, name: str, text: str) -> Any:
    """A detail typed as text (``tracker add --detail KEY=VALUE``, the app's form) as the value
    the event's JSON holds: a list detail split on :data:`LIST_SEPARATOR`, a yes/no detail from
    one of :data:`YES_WORDS` or :data:`NO_WORDS`; anything else as typed (an unknown detail or
    a value not among an enum's choices is named by :func:`parse_details`)."""
    kind = etype.details.get(name)
    if kind == "list[str]":
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if kind == "bool":
        word = text.strip().lower()
        if word not in YES_WORDS + NO_WORDS:
            raise InvalidEvent(
                f"field 'details.{name}' must be {' or '.join(YES_WORDS[:1] + NO_WORDS[:1])} "
                f"({', '.join(YES_WORDS + NO_WORDS)}), not {_clip(repr(text.strip()))}",
                field=f"details.{name}")
        return word in YES_WORDS
    return text.strip()


#: What separates the parts of an actor typed as text: ``NAME:ROLE:OFFICE`` (``tracker add
#: --actor``; the office is optional), ``NAME:OFFICE`` in the app's form, whose field says the
#: role.
ACTOR_SEPARATOR = ":"


def actor_from_text(text: str, role: str | None = None) -> dict[str, str]:
    """An actor typed as text (``tracker add --actor``, the app's form) as the event's JSON
    holds it: ``NAME:ROLE`` or ``NAME:ROLE:OFFICE``; with ``role`` given (the form's field for
    a role), ``NAME`` or ``NAME:OFFICE``. An office may hold the separator itself; what is
    missing or empty is named by :func:`parse_actors`."""
    name, found, rest = text.partition(ACTOR_SEPARATOR)
    if role is None:
        role, found, rest = rest.partition(ACTOR_SEPARATOR)
    actor = {"name": name.strip(), "role": role.strip()}
    if found:
        actor["office"] = rest.strip()
    return actor


def actor_as_text(actor: Actor) -> str:
    """An actor as the app's form shows it in its role's field: ``NAME`` or ``NAME: OFFICE``
    (read back by :func:`actor_from_text`)."""
    return f"{actor.name}{ACTOR_SEPARATOR} {actor.office}" if actor.office else actor.name


def actors_from_field(text: str, role: str) -> list[dict[str, str]]:
    """The actors typed in the form's field of a role: ``NAME`` or ``NAME: OFFICE`` each,
    separated by commas; one in double quotes may hold a comma (``"Chrystia Freeland: Minister
    of Foreign Affairs, Trade and Development", Sergey Lavrov``), and a double quote inside
    them is written twice, as in CSV."""
    return [actor_from_text(typed, role) for typed in _field_items(text) if typed.strip()]


def actors_as_field(actors: Iterable[Actor]) -> str:
    """Actors as the form's field of their role shows them (read back by
    :func:`actors_from_field`): quoted where one holds a comma or starts with a quote."""
    out = []
    for actor in actors:
        typed = actor_as_text(actor)
        out.append(f'"{typed.replace(chr(34), chr(34) * 2)}"'
                   if "," in typed or typed.startswith('"') else typed)
    return ", ".join(out)


def _field_items(text: str) -> Iterator[str]:
    """The comma-separated items of a field, each either as typed or, starting with a double
    quote (spaces before it aside), up to the quote closing it (one left open runs to the end)."""
    at, end = 0, len(text)
    while at <= end:
        start = at
        while start < end and text[start] == " ":
            start += 1
        if start < end and text[start] == '"':
            item, at = [], start + 1
            while at < end:
                quote = text.find('"', at)
                if quote < 0:
                    item.append(text[at:])
                    at = end
                elif text.startswith('""', quote):
                    item.append(text[at:quote + 1])
                    at = quote + 2
                else:
                    item.append(text[at:quote])
                    at = quote + 1
                    break
            comma = text.find(",", at)
            rest = text[at:] if comma < 0 else text[at:comma]  # typed after the closing quote
            yield "".join(item) + rest
        else:
            comma = text.find(",", start)
            yield text[start:] if comma < 0 else text[start:comma]
        if comma < 0:
            return
        at = comma + 1


def detail_hint(etype: EventType, name: str) -> str:
    """How a detail is typed as text, in a few words (the form's placeholder, the CLI's help)."""
    kind = etype.details.get(name)
    if name in etype.choices:
        return "one of: " + ", ".join(etype.choices[name])
    if kind == "list[str]":
        return f"several, separated by {LIST_SEPARATOR}"
    if kind == "bool":
        return "yes or no"
    return ""


def _parse_changes(value: dict[str, Any], where: str, anchor: str | None) -> dict[str, Any]:
    """The replacement fields of a correction, each checked as the field it replaces is (the
    checks that depend on the corrected event's type are :func:`check_correction`'s)."""
    if not value:
        raise _fail(where, "field 'details.changes' must name at least one field to correct",
                    "details.changes")
    for key in value:
        if key not in CORRECTABLE_FIELDS:
            raise _fail(
                where, f"field 'details.changes' cannot change {_clip(repr(key), 40)} "
                f"(correctable: {', '.join(CORRECTABLE_FIELDS)})",
                "details.changes",
            )
    with _within_changes(where):
        if "story" in value:
            if value["story"] is None:
                raise _fail(where, "field 'story' cannot be removed", "story")
            parse_story(value["story"], where, anchor)
        if "summary" in value:
            _text(value["summary"], where, "summary", "summary")
        if "place" in value:
            _text(value["place"], where, "place", "name", required=False)
        if "source" in value:
            parse_source(value["source"], where)
        if "subject" in value:
            _identifier(value["subject"], where, "subject")
        if "actors" in value:
            parse_actors(value["actors"], where, None)
        if "details" in value:
            details = value["details"]
            if not isinstance(details, dict):
                raise _fail(where, f"field 'details' must be an object, not {_json_type(details)}",
                            "details")
            for key, item in details.items():
                if isinstance(item, list):
                    for i, x in enumerate(item):
                        _text(x, where, f"details.{key}[{i}]", "long")
                elif item is not None and not isinstance(item, bool):
                    _text(item, where, f"details.{key}", "long")
    return dict(value)


@contextmanager
def _within_changes(where: str) -> Iterator[None]:
    """Errors about a correction's changes say so: ``details.changes: field 'summary' ...``."""
    try:
        yield
    except InvalidEvent as exc:
        told = exc.message.removeprefix(f"{where}: ")
        field = f"details.changes.{exc.field}" if exc.field else "details.changes"
        raise _fail(where, f"details.changes: {told}", field) from None


def check_correction(correction: Event, target: Event, where: str) -> None:
    """Refuse, at admission, a correction whose changes cannot apply to the event it corrects:
    actors and details are checked against the corrected event's type (its roles, details and
    choices), and an event keeps its item (a change of subject is refused, not ignored)."""
    changes = thaw(correction.details.get("changes") or {})
    etype = EVENT_TYPES[target.type]
    with _within_changes(where):
        if "actors" in changes:
            parse_actors(changes["actors"], where, etype)
        if "details" in changes:
            if any(kind == "object" for kind in etype.details.values()):
                raise _fail(where, f"the details of a {target.type} cannot be corrected "
                            "(retract it and record it again)", "details")
            parse_details(changes["details"], where, etype)
        if "subject" in changes and changes["subject"] != target.subject:
            raise _fail(
                where, f"field 'subject' {_clip(repr(changes['subject']), 60)} would move "
                f"{target.id!r} to another item ({target.subject!r}); a correction cannot: "
                "retract it and record it again under the other item", "subject")


def parse_event(
    obj: Any, where: str, new_id: Callable[[], str] | None = None
) -> Event:
    """Validate one event given as a JSON object (import, ``tracker add``, the TUI form).

    ``where`` prefixes every error ("line 3", "event 'e12'"). Cross-log checks (references,
    duplicates) are :mod:`tracker.domain.admission`'s.
    """
    if not isinstance(obj, dict):
        raise InvalidEvent(f"{where}: an event must be a JSON object, not {_json_type(obj)}",
                           place=where)
    if not obj.keys() <= _EVENT_KEYS:
        key = sorted(set(obj) - _EVENT_KEYS)[0]
        raise _fail(where, f"unknown field {_clip(repr(key))}", _clip(str(key)))
    type_name = obj.get("type")
    if not isinstance(type_name, str) or not type_name:
        raise _fail(where, "field 'type' is required (see `tracker types` for the vocabulary)",
                    "type")
    etype = EVENT_TYPES.get(type_name)
    if etype is None:
        raise _fail(where, f"unknown event type {_clip(repr(type_name))} (see `tracker types`)",
                    "type")
    if "id" in obj and obj["id"] is not None:
        id_ = _identifier(obj["id"], where, "id")
    elif new_id is not None:
        id_ = new_id()
    else:
        raise _fail(where, "field 'id' is required", "id")
    version = obj.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise _fail(where, f"field 'schema_version' must be 1..{SCHEMA_VERSION}, not {_clip(repr(version))}",
                    "schema_version")
    source = parse_source(obj.get("source"), where)
    if "story" not in obj or obj["story"] is None:
        raise _fail(where, "field 'story' is required (when it happened, e.g. '2014-03-10' or 'last Friday')",
                    "story")
    story = parse_story(obj["story"], where, source.published)
    subject = obj.get("subject")
    if subject is not None:
        subject = _identifier(subject, where, "subject")
    summary = obj.get("summary")
    if not _plain(summary, _SUMMARY_MOST):
        summary = _text(summary, where, "summary", "summary")
    actors = parse_actors(obj.get("actors"), where, etype)
    place = obj.get("place")
    if place is not None and not _plain(place, _NAME):
        place = _text(place, where, "place", "name", required=False)
    refs = parse_refs(obj.get("refs"), where)
    details = parse_details(obj.get("details"), where, etype, source.published)
    certainty = parse_certainty(obj.get("certainty"), where)
    # Event(id=..., ...): the fields in order, those the log gives at their defaults
    return _new(Event, (id_, type_name, story, summary, source, subject, actors, place, refs,
                        details, certainty, SCHEMA_VERSION, 0, ""))


def parse_certainty(value: Any, where: str) -> str:
    """How sure the source is: one of :data:`CERTAINTY`; absent means stated as fact."""
    if value is None:
        return DEFAULT_CERTAINTY
    if not isinstance(value, str) or value not in CERTAINTY:
        shown = repr(value) if isinstance(value, str) else _json_type(value)
        raise _fail(
            where, f"field 'certainty' must be one of: {', '.join(CERTAINTY)}, not {_clip(shown)}",
            "certainty",
        )
    return value


_RULES: dict[str, tuple[Mapping[str, str], Mapping[str, tuple[str, ...]], tuple[str, ...]]] = {}


def _detail_rules(etype: EventType) -> tuple[Mapping[str, str], Mapping[str, tuple[str, ...]],
                                              tuple[str, ...]]:
    """A type's details (their JSON shapes), the choices of those that have some, the required
    ones: made once per type (the vocabulary makes them anew each time it is asked)."""
    rules = _RULES.get(etype.name)
    if rules is None:
        rules = _RULES[etype.name] = (dict(etype.details), dict(etype.choices),
                                      etype.required_details)
    return rules
