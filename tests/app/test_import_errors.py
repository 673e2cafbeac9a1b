"""An import error is data all the way to the shell: the entry's line, the field at fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.app.service import open_timeline
from tracker.errors import InvalidEvent, TrackerError


def event(n: int, **extra: object) -> dict[str, object]:
    return {"id": f"ev-{n}", "type": "statement.made", "story": "2014-03-10",
            "summary": f"statement {n}", "source": {"outlet": "TASS", "published": "2014-03-10"},
            **extra}


def import_error(tmp_path: Path, path: Path) -> InvalidEvent:
    """What importing ``path`` into a new log raises."""
    timeline = open_timeline(str(tmp_path / "log.sqlite"))
    try:
        with pytest.raises(InvalidEvent) as caught:
            timeline.import_file(path)
    finally:
        timeline.close()
    return caught.value


def test_an_error_in_an_array_names_the_entry_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event(1), event(2, place=7)], indent=2))
    caught = import_error(tmp_path, path)
    line = path.read_text().splitlines().index("  {", 3) + 1  # the second entry's first line
    assert caught.place == f"{path} line {line} (event 2)"
    assert caught.field == "place"
    assert caught.message == (
        f"{path} line {line} (event 2): field 'place' must be a string, not a number")


def test_an_admission_error_names_the_entry_and_the_reference(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [event(1), event(2, refs=[{"rel": "about", "id": "ev-9"}])]
    path.write_text("".join(json.dumps(o) + "\n" for o in lines))
    caught = import_error(tmp_path, path)
    assert (caught.place, caught.field) == (f"{path} line 2", "refs[0].id")
    assert caught.message == (
        f"{path} line 2: refs: about 'ev-9', but the log holds no entry 'ev-9'")


@pytest.mark.parametrize("log_holds_events", [False, True])
@pytest.mark.parametrize(("tail", "told"), [
    (b"", "line 2: field 'place' must be a string, not a number"),
    (b"{oops\n", "line 5: not valid JSON"),
    (b"{oops\n" + b'{"summary":"\xff"}\n', "line 6: not valid UTF-8"),
    (b'{"id":"ev-9","id":"ev-10"}\n', "line 5: the key 'id' appears twice"),
])
def test_a_json_lines_file_read_once_tells_the_error_reading_it_whole_tells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_holds_events: bool, tail: bytes,
        told: str) -> None:
    """A JSON Lines file is gone through once as it is imported into an empty log (twice into
    one that holds events): a line further on that is not JSON (or not UTF-8) is still told
    before an entry that is not a valid event, as when the whole file was read first; and
    nothing is written (checked two entries at a time: the bad entry's chunk comes first)."""
    from tracker.app import service

    monkeypatch.setattr(service, "IMPORT_CHUNK", 2)
    path = tmp_path / "events.jsonl"
    lines = [event(1), event(2, place=7), event(3), event(4)]
    path.write_bytes(b"".join(json.dumps(o).encode() + b"\n" for o in lines) + tail)
    timeline = open_timeline(str(tmp_path / "log.sqlite"))
    try:
        if log_holds_events:
            timeline.append([timeline.parse(event(0))])
        before = timeline.head()
        with pytest.raises(TrackerError) as caught:
            timeline.import_file(path)
        assert timeline.head() == before
    finally:
        timeline.close()
    assert str(caught.value).startswith(f"{path} {told}")
