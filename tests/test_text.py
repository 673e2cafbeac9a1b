"""Text made safe to show: ``json_safe`` escapes every character a terminal could act on (DEL,
the C1 controls, the line and paragraph separators, the bidirectional overrides and isolates)
and nothing else, however many other characters share their first bytes."""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st

from tracker.text import json_safe

#: What a terminal could act on, and neighbours sharing their first UTF-8 bytes.
ACTED_ON = "\x7f\x85\x9b\u2028\u2029\u202a\u202e\u2066\u2069"
NEIGHBOURS = "a é°«\u00a0\u2013\u2019\u2027\u202f\u2060\u2065\u206a\u2070≤€"


def escaped(text: str) -> str:
    """The text as JSON would carry it with each acted-on character as a \\uXXXX escape."""
    return "".join(f"\\u{ord(c):04x}" if c in ACTED_ON else c for c in text)


@given(st.text(alphabet=ACTED_ON + NEIGHBOURS, max_size=60))
def test_json_safe_escapes_exactly_what_a_terminal_could_act_on(text: str) -> None:
    data = orjson.dumps(text)
    assert json_safe(data) == b'"' + escaped(text).encode() + b'"'
    assert orjson.loads(json_safe(data)) == text


def test_many_characters_sharing_first_bytes_are_left_as_they_are() -> None:
    for neighbour in ("≤", "°", "\u2019"):
        plain = orjson.dumps(neighbour * 5000)
        assert json_safe(plain) == plain
        for acted_on in ("\u2028", "\x85", "\u2066"):
            data = orjson.dumps(neighbour * 5000 + acted_on)
            assert json_safe(data) == plain[:-1] + f"\\u{ord(acted_on):04x}\"".encode()
