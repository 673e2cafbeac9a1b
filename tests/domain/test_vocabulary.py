"""The vocabulary is data in one module: no other module names an event type or a status in a
string literal, and the tables agree with themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracker.domain.vocabulary import (
    COMMON_STATUSES,
    EVENT_TYPES,
    KINDS,
    RELATIONS,
    event_types,
    openers_to,
    status_colour,
    status_names,
    status_rank,
)

PACKAGE = Path(__file__).resolve().parents[2] / "tracker"
VOCABULARY = PACKAGE / "domain" / "vocabulary.py"

#: Words that are a status name and also, by coincidence, something else, and the modules that
#: use them as that something else: "recorded" is also the log's recorded order (story order vs
#: the order the log recorded events in) and the label of an entry's recorded time; "possible" is
#: also a degree of certainty (a source says it may be so).
HOMONYMS: dict[str, set[str]] = {
    "possible": {"domain/events.py"},
    "recorded": {"app/service.py", "cli/commands_log.py", "readmodels/stateindex.py",
                 "render/terminal.py", "tui/app.py", "tui/model.py", "tui/session.py"},
}


def vocabulary_words() -> dict[str, str]:
    """Every string that names a type, a part of a type name, or a status."""
    words: dict[str, str] = {}
    for name in EVENT_TYPES:
        kind, _, action = name.partition(".")
        words[name] = "an event type"
        words[f"{kind}."] = "a type prefix"
        words[f".{action}"] = "a type suffix"
    for status in status_names():
        words[status] = "a status"
    return words


def literals_naming_the_vocabulary(path: Path, relative: str) -> list[str]:
    """Each string literal of the module at ``path`` (``relative`` to the package) that names
    the vocabulary, in source order."""
    words = vocabulary_words()
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        what = words.get(node.value)
        if what is None or relative in HOMONYMS.get(node.value, set()):
            continue
        found.append((node.lineno, node.col_offset, f"{relative}:{node.lineno}: {node.value!r} is {what}"))
    return [hit for _line, _col, hit in sorted(found)]


def test_no_module_but_the_vocabulary_names_a_type_or_a_status() -> None:
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) if path != VOCABULARY
             for hit in literals_naming_the_vocabulary(path, path.relative_to(PACKAGE).as_posix())]
    assert found == []


def test_the_scan_finds_a_type_or_status_named_in_a_literal(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text('STATUS = "declined"\nif kind == "meeting.held":\n    pass\n'
                       'ANSWER = "invitation."\nRECORDED_ORDER = "recorded"\n')
    assert literals_naming_the_vocabulary(planted, "domain/planted.py") == [
        "domain/planted.py:1: 'declined' is a status",
        "domain/planted.py:2: 'meeting.held' is an event type",
        "domain/planted.py:4: 'invitation.' is a type prefix",
        "domain/planted.py:5: 'recorded' is a status",
    ]


@pytest.mark.parametrize("etype", list(event_types()), ids=lambda t: t.name)
def test_every_type_is_consistent_with_its_kind(etype) -> None:  # type: ignore[no-untyped-def]
    kind = KINDS[etype.kind]
    statuses = {s.name for s in kind.statuses}
    for transition in etype.transitions:
        assert transition.target in statuses, f"{etype.name} moves to a status its kind lacks"
        assert set(transition.source) <= statuses | {""}
        if transition.when is not None:
            detail = next(d for d in etype.detail_specs if d.name == transition.when[0])
            assert transition.when[1] in detail.choices
    assert set(etype.required_roles) <= set(etype.roles)
    assert set(etype.required_refs) <= set(etype.references) <= set(RELATIONS)
    assert (not etype.transitions) == (etype.meta or etype.effect == "leave")
    assert kind.meta == etype.meta
    if etype.effect in ("join", "leave"):
        assert etype.party_role in etype.roles
    for detail in etype.detail_specs:
        assert bool(detail.choices) == (detail.type == "enum")


def test_a_detail_name_means_the_same_in_every_type() -> None:
    shapes: dict[str, set[str]] = {}
    for t in event_types():
        for d in t.detail_specs:
            shapes.setdefault(d.name, set()).add(d.type)
    assert {name: types for name, types in shapes.items() if len(types) > 1} == {}


def test_every_status_has_a_colour_and_a_place_in_its_kind() -> None:
    for kind in KINDS.values():
        for rank, status in enumerate(kind.statuses):
            assert status_rank(kind.name, status.name) == rank
            assert status_colour(status.name) == status.colour
    assert [s.name for s in COMMON_STATUSES] == ["disputed", "recorded"]
    assert status_colour("disputed") == "bold magenta"


def test_what_to_record_instead_of_opening_an_item_again() -> None:
    assert openers_to("invitation", "declined") == ("invitation.reinstated",)
    assert openers_to("meeting", "cancelled") == ("meeting.reinstated",)
    assert openers_to("agreement", "suspended") == ("agreement.reinstated",)
    assert openers_to("statement", "made") == ()
