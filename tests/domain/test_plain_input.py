"""Plain, well-formed input is read with fewer calls (issue 14): whatever it is given, the
reading gives exactly the event, or exactly the error, that the full reading gives."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_events
from tracker.domain import input as reading
from tracker.domain.events import Event
from tracker.errors import InvalidEvent

GENERATED = list(generate_events(600, seed=5))


def full_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the short way off: every value is read by the full checks of ``_text``."""
    monkeypatch.setattr(reading, "_plain", lambda value, most: False)


def outcome(obj: Any) -> Event | tuple[str, str | None, str | None]:
    try:
        return reading.parse_event(obj, "line 7")
    except InvalidEvent as exc:
        return (exc.message, exc.field, exc.place)


#: Changes that take a value off the short way (or make it wrong), each at a path of the event.
CHANGES: list[tuple[tuple[Any, ...], Any]] = [
    (("summary",), "  padded  "), (("summary",), "Zürich talks"), (("summary",), ""),
    (("summary",), "x" * 301), (("summary",), "tab\there"), (("summary",), 7),
    (("place",), " "), (("place",), None), (("id",), "bad id"), (("id",), None),
    (("subject",), "item:1"), (("subject",), "no way"),
    (("source", "outlet"), " TASS"), (("source", "url"), "ftp://x"), (("source", "url"), None),
    (("source", "on_record"), None), (("source", "on_record"), "yes"),
    (("source", "published"), "2014-02-30"), (("source", "quote"), "q" * 601),
    (("source", "speaker"), "\u202eevil"), (("source", "extra"), "x"),
    (("actors", 0, "name"), "Łukasz"), (("actors", 0, "role"), "nobody"),
    (("actors", 0, "office"), "Foreign Minister"), (("actors", 0, "office"), " "),
    (("actors", 0, "extra"), 1), (("actors",), []), (("actors",), "Lavrov"),
    (("refs",), [{"rel": "responds_to", "id": "e-1"}]), (("refs",), [{"rel": "likes", "id": "x"}]),
    (("details", "nope"), "x"), (("certainty",), "maybe"), (("schema_version",), True),
    (("story",), {"expr": "2014-03-10", "tz": "Europe/Paris"}), (("story",), 20140310),
]


def changed(obj: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    where: Any = out
    for key in path[:-1]:
        if isinstance(key, int) and (not isinstance(where, list) or len(where) <= key):
            return out
        where = where[key] if not isinstance(key, str) else where.setdefault(key, {})
    where[path[-1]] = value
    return out


def test_generated_events_read_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    short = [outcome(o) for o in GENERATED]
    assert all(isinstance(r, Event) for r in short)
    full_reading(monkeypatch)
    assert [outcome(o) for o in GENERATED] == short


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(GENERATED), st.lists(st.sampled_from(CHANGES), min_size=1, max_size=3))
def test_changed_events_read_the_same_both_ways(obj: dict[str, Any],
                                                changes: list[tuple[tuple[Any, ...], Any]]
                                                ) -> None:
    for path, value in changes:
        obj = changed(obj, path, value)
    short = outcome(obj)
    with pytest.MonkeyPatch.context() as monkeypatch:
        full_reading(monkeypatch)
        assert outcome(obj) == short
