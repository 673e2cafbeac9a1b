"""A JSON Lines file is read as a stream (issue 14: import holds neither every entry nor every
event, and reads each line once), and going through its entries says exactly what reading it
whole says: the same entries under the same labels, or the same one-line error naming the same
line (the first invalid UTF-8 in the file, else the first line that is not JSON or holds a key
twice); what an import into a log that holds events looks up first is noted in a pass of its
own, which says the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.codec.document import EntryList, Input, LinesFile, read_file, read_input
from tracker.domain.admission import ImportNames
from tracker.errors import InvalidInput


def event(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"ev-{n}", "type": "statement.made", "story": "2014-03-10",
            "summary": f"statement {n}", "source": {"outlet": "TASS", "published": "2014-03-10"},
            **extra}


def line(n: int, **extra: Any) -> bytes:
    return orjson.dumps(event(n, **extra)) + b"\n"


def outcome(read: Callable[[], Input]) -> Any:
    """What a reading gives: its entries (label and object) and kind, or its error (told by
    reading the file, or by going through its entries)."""
    try:
        data = read()
        return ("entries", data.kind, [(entry.label, entry.obj) for entry in data.entries])
    except InvalidInput as exc:
        return ("error", str(exc))


def both(tmp_path: Path, data: bytes) -> tuple[Any, Any, Input | None]:
    """The outcome of reading ``data`` from a file (streamed when it is JSON Lines) and of
    reading the same bytes whole, and the streamed input."""
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    streamed: Input | None
    try:
        streamed = read_file(path)
    except InvalidInput:
        streamed = None
    return (outcome(lambda: read_file(path)), outcome(lambda: read_input(data, str(path))),
            streamed)


def noted(tmp_path: Path, data: bytes) -> Any:
    """What the pass that notes what an import looks up first says: the same as going through
    the entries (their error, if any)."""
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    try:
        streamed = read_file(path)
        names = streamed.entries.names
        return ("entries", streamed.kind, [(entry.label, entry.obj)
                                           for entry in streamed.entries], names.named)
    except InvalidInput as exc:
        return ("error", str(exc))


CASES: dict[str, bytes] = {
    "plain lines": line(1) + line(2) + line(3),
    "blank lines, comments, no newline at the end": (
        b"\n\n" + line(1) + b"   \n// a comment\n" + line(2) + b"\t\n" + line(3).rstrip()),
    "CRLF and a lone CR, which splits a line": line(1).replace(b"\n", b"\r\n") + b"\r" + line(2),
    "a line separator inside a string splits the line, as read whole":
        line(1) + orjson.dumps(event(2, summary="a\u2028b")) + b"\n" + line(3),
    "a byte order mark": b"\xef\xbb\xbf" + line(1) + line(2),
    "a broken line": line(1) + line(2)[:-8] + b"\n" + line(3),
    "a key twice": line(1) + b'{"id":"ev-2","id":"ev-3"}\n' + line(3),
    "a key twice, written with spaces": line(1) + b'{"id": "ev-2", "summary" : 1, "id" : 2}\n',
    "invalid UTF-8 after a broken line is told first":
        line(1) + b"{oops\n" + line(2) + b'{"summary":"\xff"}\n',
    "invalid UTF-8 in the first line": b'{"summary":"\xc3\x28"}\n' + line(2),
    "a second value on the first line": line(1).rstrip() + b" " + line(2),
    "an array on the second line": line(1) + b"[1, 2]\n",
    "one object alone": line(1),
    "one object over several lines": orjson.dumps(event(1), option=orjson.OPT_INDENT_2),
    "one object and blank lines": b"\n" + line(1) + b"\n \n",
    "a first line that is not JSON": b"{not json\n" + line(2),
    "an export on one line": orjson.dumps({"format": "tracker-timeline", "version": 1,
                                           "events": [event(1)]}) + b"\n",
    "an array": b"[\n" + line(1).rstrip() + b",\n" + line(2).rstrip() + b"\n]\n",
    "empty": b"\n \n",
    "a number too large": line(1) + b'{"n": 123456789012345678901234567890}\n',
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_file_read_as_a_stream_reads_as_the_whole_file(tmp_path: Path, name: str) -> None:
    streamed, whole, _ = both(tmp_path, CASES[name])
    assert streamed == whole
    first = noted(tmp_path, CASES[name])
    assert first[:3] == whole if first[0] == "entries" and whole[0] == "entries" else first == whole


def test_json_lines_are_not_held_but_read_again_from_the_file(tmp_path: Path) -> None:
    _, _, data = both(tmp_path, line(1) + b"\n" + line(2) + line(3))
    assert data is not None and isinstance(data.entries, LinesFile)
    assert [e.obj["id"] for e in data.entries] == ["ev-1", "ev-2", "ev-3"]
    assert [data.entries.label(i) for i in range(3)] == [
        f"{tmp_path / 'events.jsonl'} line {n}" for n in (1, 3, 4)]
    assert [e.obj["id"] for e in data.entries] == ["ev-1", "ev-2", "ev-3"]  # again, from the file


def test_a_file_changed_after_it_was_read_is_refused(tmp_path: Path) -> None:
    _, _, data = both(tmp_path, line(1) + line(2))
    assert data is not None
    (tmp_path / "events.jsonl").write_bytes(line(1) + line(2) + line(3))
    with pytest.raises(InvalidInput) as caught:
        list(data.entries)
    assert str(caught.value) == (
        f"{tmp_path / 'events.jsonl'}: the file changed while it was being imported")


def test_what_an_import_looks_up_first_is_noted_as_the_file_is_read(tmp_path: Path) -> None:
    objs = [event(1), {**event(2), "type": "invitation.extended", "subject": "inv-1",
                       "actors": [{"name": "A", "role": "inviter"}]},
            {**event(3), "type": "entry.retracted", "refs": [{"rel": "retracts", "id": "ev-1"}]}]
    _, _, data = both(tmp_path, b"".join(orjson.dumps(o) + b"\n" for o in objs))
    assert data is not None and isinstance(data.entries, LinesFile)
    noted, read = data.entries.names, ImportNames(objs)
    assert (noted.named, noted.retracted) == (read.named, read.retracted) == ({"inv-1"}, {"ev-1"})
    whole = EntryList(data.entries)
    assert (whole.names.named, whole.names.retracted) == (read.named, read.retracted)


_pieces = st.sampled_from([
    line(1), line(2), line(3), b"\n", b"  \n", b"\r\n", b"\r", b"// note\n", b"{broken\n",
    b'{"a":1,"a":2}\n', b'{"a" : 1, "b": 2}\n', b"\xff\n", b"\xe2\x80\xa8", b"\xef\xbb\xbf",
    b"[1]\n", b"7\n", orjson.dumps(event(4, summary="\u00e9\u2029x")) + b"\n",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_pieces, min_size=1, max_size=8))
def test_any_file_of_lines_reads_as_the_whole_file(tmp_path: Path, pieces: list[bytes]) -> None:
    streamed, whole, _ = both(tmp_path, b"".join(pieces))
    assert streamed == whole
    first = noted(tmp_path, b"".join(pieces))
    assert first[:3] == whole if first[0] == "entries" and whole[0] == "entries" else first == whole
