"""A long command tells how it is going: a replay of the whole log, the export's events written
from their rows and an import report how far they are, every so many events, to whoever listens;
with no one listening nothing changes, and the output is the same either way."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import orjson
import pytest

from tests.app.test_same_output import thawed_log
from tracker.app import progress
from tracker.app.progress import Tally, counted
from tracker.app.service import Timeline, open_timeline
from tracker.codec import document

Told = list[tuple[str, int, "int | None"]]


@pytest.fixture
def every_100(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(progress, "EVERY", 100)
    return 100


def listening(tl: Timeline) -> Told:
    told: Told = []
    tl.progress = lambda what, done, total: told.append((what, done, total))
    return told


def two_copies(tmp_path: Path) -> tuple[Path, Path]:
    """The frozen log (the seed story and 800 generated events) twice, at two paths: what is
    kept for one is not the other's."""
    first = thawed_log(tmp_path)
    second = tmp_path / "copy.sqlite"
    shutil.copyfile(first, second)
    return first, second


def test_a_tally_reports_every_so_many_and_only_to_a_listener(every_100: int) -> None:
    told: Told = []
    tally = Tally(lambda *args: told.append(args), "importing", None)
    for _ in range(7):
        tally.add(45)  # 45, 90, 135, ... 315
    assert told == [("importing", 135, None), ("importing", 225, None), ("importing", 315, None)]
    Tally(None, "importing", None).add(1_000)  # no one listens: nothing to tell, no error


def test_counted_items_are_the_items_reported_every_so_many(every_100: int) -> None:
    told: Told = []
    items = list(range(250))
    assert list(counted(items, lambda *args: told.append(args), "replaying the log", 250)) == items
    assert told == [("replaying the log", 100, 250), ("replaying the log", 200, 250)]
    assert counted(items, None, "replaying the log", 250) is items  # no one listens: untouched


def test_the_first_state_of_a_log_tells_its_replay_and_writes_the_same(
        tmp_path: Path, every_100: int) -> None:
    first, second = two_copies(tmp_path)
    quiet, told_to = open_timeline(str(first)), open_timeline(str(second))
    try:
        told = listening(told_to)
        head = told_to.count()
        plain, reported = io.BytesIO(), io.BytesIO()
        quiet.write_state(plain)
        told_to.write_state(reported)
        assert reported.getvalue() == plain.getvalue()
        assert [what for what, _, _ in told] == ["replaying the log"] * (head // 100)
        assert [done for _, done, _ in told] == list(range(100, head + 1, 100))
        assert {total for _, _, total in told} == {head}

        told.clear()  # the records are kept now: nothing is replayed, nothing told
        told_to.write_state(io.BytesIO())
        assert told == []
    finally:
        quiet.close()
        told_to.close()


def test_an_export_after_the_state_tells_the_events_it_writes_from_their_rows(
        tmp_path: Path, every_100: int) -> None:
    first, second = two_copies(tmp_path)
    quiet, told_to = open_timeline(str(first)), open_timeline(str(second))
    try:
        for tl in (quiet, told_to):
            tl.write_state(io.BytesIO())  # the state is kept; the export's events are not yet
        told = listening(told_to)
        plain, reported = io.BytesIO(), io.BytesIO()
        quiet.export(plain)
        told_to.export(reported)
        head = told_to.count()
        assert [(what, total) for what, _, total in told] == [("writing the events", head)] * (
            head // 100)
        stamps = ("exported_at", "source")
        assert ({k: v for k, v in orjson.loads(reported.getvalue()).items() if k not in stamps}
                == {k: v for k, v in orjson.loads(plain.getvalue()).items() if k not in stamps})
    finally:
        quiet.close()
        told_to.close()


@pytest.mark.parametrize("shape", ["export", "lines", "lines into a log holding events"])
def test_an_import_tells_the_events_it_has_checked(tmp_path: Path, every_100: int,
                                                    shape: str) -> None:
    source = open_timeline(str(thawed_log(tmp_path)))
    exported = io.BytesIO()
    source.export(exported, force=True)  # the frozen log holds an event no import takes
    source.close()
    events = [e for e in orjson.loads(exported.getvalue())["events"] if e["id"] != "smuggled"]
    path = tmp_path / "input.json"
    if shape == "export":
        path.write_bytes(orjson.dumps(events))
    else:
        path = path.with_suffix(".jsonl")
        path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    tl = open_timeline(str(tmp_path / "new.sqlite"))
    try:
        if shape == "lines into a log holding events":
            tl.import_input(document.Input(document.EntryList(
                [document.Entry("first", events[0])]), None, "events"))
        told = listening(tl)
        tl.import_file(path)
        # JSON Lines are read as they go: how many there are is known only once a first pass
        # has gone through them (into a log holding events, for the items they name, which it
        # tells as it goes)
        total = None if shape == "lines" else len(events)
        noting = [done for what, done, _ in told if what == "noting the items the file names"]
        if shape == "lines into a log holding events":
            assert noting == list(range(100, len(events) + 1, 100))
            assert told[: len(noting)] == [("noting the items the file names", done, None)
                                           for done in noting]
        else:
            assert noting == []
        importing = told[len(noting):]
        assert importing and {(what, t) for what, _, t in importing} == {("importing", total)}
        dones = [done for _, done, _ in importing]
        assert dones == sorted(dones) and dones[-1] <= len(events)
    finally:
        tl.close()


def test_the_other_formats_tell_their_replay_and_the_events_they_write(
        tmp_path: Path, every_100: int) -> None:
    from tracker.app.exports import ExportView

    tl = open_timeline(str(thawed_log(tmp_path)))
    try:
        head = tl.count()
        told = listening(tl)
        tl.export_view("csv", ExportView(), io.BytesIO(), force=True)
        assert told == [("writing the events", n, head) for n in range(100, head + 1, 100)]
        told.clear()
        tl.export_view("timelinejs", ExportView(), io.BytesIO(), force=True)
        assert [what for what, _, _ in told] == (
            ["replaying the log"] * (head // 100) + ["writing the events"] * (head // 100))
    finally:
        tl.close()
