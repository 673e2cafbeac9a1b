"""The state's records, kept for each log in the user cache directory: a whole state written
from them is the state replayed from the log, whether they were made just now, kept from
before, brought up to date after appends, made by other code, kept for another log at the same
place, unreadable, or in use by another process (see :mod:`tracker.readmodels.entries`)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED
from tests.domain.test_fold_property import logs
from tracker.app import service
from tracker.app.service import Timeline, _cache_path, open_timeline
from tracker.codec.rows import row_fields
from tracker.codec.state_document import ItemRecord, state_to_dict
from tracker.domain.events import Event, thaw
from tracker.domain.fold import Query, replay
from tracker.readmodels import entries
from tracker.text import json_safe

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def written(tl: Timeline, *, indent: bool = True) -> bytes:
    out = io.BytesIO()
    tl.write_state(out, indent=indent)
    return out.getvalue()


def replayed(tl: Timeline) -> dict[str, Any]:
    """The state document from a replay of every event (no records)."""
    return thaw(state_to_dict(replay(tl.events()), Query()))  # type: ignore[no-any-return]


def replayed_bytes(tl: Timeline) -> bytes:
    """The state document from a replay, as ``tracker state --json`` writes it (byte for byte:
    what keys come in which order too)."""
    return json_safe(orjson.dumps(state_to_dict(replay(tl.events()), Query()),
                                  option=orjson.OPT_INDENT_2))


def in_kept_file(tl: Timeline, *statements: str) -> None:
    """Run these statements on the file kept for the log (made if missing)."""
    path = _cache_path(tl.url, "entries")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def assert_made_again(tl: Timeline) -> None:
    assert json.loads(written(tl)) == replayed(tl)
    assert made(tl) == (entries.code_version(), *tl.head())


def statement(summary: str) -> dict[str, Any]:
    return {"type": "statement.made", "story": "2014-03-13", "summary": summary,
            "source": {"outlet": "TASS", "published": "2014-03-13"},
            "actors": [{"name": "Sergey Lavrov", "role": "speaker"}]}


def not_made_again(_records: entries.Records, *_: object) -> None:
    raise AssertionError("the records were made again from the start")


def made(tl: Timeline) -> tuple[str, int, str] | None:
    """What the kept file says it was made from: (code, through, hash)."""
    conn = sqlite3.connect(_cache_path(tl.url, "entries"))
    try:
        row = conn.execute("SELECT code, through, hash FROM basis").fetchone()
    finally:
        conn.close()
    return (row[0], row[1], row[2]) if row else None


@pytest.fixture
def tl(tmp_path: Path) -> Iterator[Timeline]:
    timeline = open_timeline(str(tmp_path / "log.sqlite"))
    timeline.import_file(SEED)
    yield timeline
    timeline.close()


def test_the_state_is_the_replay_when_made_and_when_kept(tl: Timeline) -> None:
    first = written(tl)
    assert json.loads(first) == replayed(tl)
    assert made(tl) == (entries.code_version(), *tl.head())
    assert written(tl) == first  # from the records kept
    assert written(tl, indent=False) == json.dumps(json.loads(first), ensure_ascii=False,
                                                   separators=(",", ":")).encode()


def test_an_append_brings_the_records_up_to_date(
        tl: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    written(tl)
    monkeypatch.setattr(entries.Records, "make", not_made_again)
    some = next(e for e in tl.events() if e.type == "invitation.extended")
    tl.add({"type": "invitation.declined", "story": "2014-03-12", "summary": "No, thank you",
            "subject": some.subject or some.id,
            "source": {"outlet": "TASS", "published": "2014-03-12"},
            "actors": [{"name": "Sergey Lavrov", "role": "invitee"}],
            "refs": [{"rel": "responds_to", "id": some.id}]})
    tl.add(statement("A new item"))
    assert written(tl) == replayed_bytes(tl)
    assert made(tl) == (entries.code_version(), *tl.head())


def test_records_made_by_other_code_are_made_again(tl: Timeline) -> None:
    written(tl)
    in_kept_file(tl, "UPDATE basis SET code = 'older'",
                 "UPDATE items SET entry = CAST('{\"wrong\":1}' AS BLOB)")
    assert_made_again(tl)


def test_records_kept_for_another_log_at_the_same_place_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    first = open_timeline(str(path))
    first.import_file(SEED)
    written(first)
    first.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    second = open_timeline(str(path))  # a shorter log, then a longer one, at the same place
    try:
        second.add(statement("Only this"))
        assert json.loads(written(second)) == replayed(second)
        second.import_file(SEED)
        assert json.loads(written(second)) == replayed(second)
    finally:
        second.close()


def test_an_unreadable_file_is_made_again(tl: Timeline) -> None:
    path = _cache_path(tl.url, "entries")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    assert_made_again(tl)


def test_a_file_of_another_shape_is_made_again(tl: Timeline) -> None:
    in_kept_file(tl, "CREATE TABLE basis (one INTEGER PRIMARY KEY, version TEXT)",
                 "CREATE TABLE items (subject TEXT, state TEXT)")
    assert_made_again(tl)


def test_a_cache_that_cannot_be_written_costs_time_only(
        tl: Timeline, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert json.loads(written(tl)) == replayed(tl)
    assert not _cache_path(tl.url, "entries").exists()


def test_records_in_use_by_another_process_are_not_waited_for_long(
        tl: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    written(tl)
    tl.add(statement("Said meanwhile"))
    monkeypatch.setattr(entries, "WAIT_SECONDS", 0.01)
    other = sqlite3.connect(_cache_path(tl.url, "entries"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert json.loads(written(tl)) == replayed(tl)  # from a temporary file
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert made(tl) is not None and made(tl)[1] == tl.head()[0] - 1  # type: ignore[index]


@pytest.mark.parametrize("part_bytes", [entries.PART_BYTES, 100])
def test_an_export_is_the_same_from_what_was_made_kept_and_brought_up_to_date(
        tl: Timeline, monkeypatch: pytest.MonkeyPatch, part_bytes: int) -> None:
    """Its events are written from those kept (in parts), then from the rows since; its state
    from the records; all of it byte for byte what an export with nothing kept writes."""
    monkeypatch.setattr(entries, "PART_BYTES", part_bytes)

    def exported() -> bytes:
        out = io.BytesIO()
        tl.export(out)
        stamp = json.loads(out.getvalue())["exported_at"]
        return out.getvalue().replace(stamp.encode(), b"<exported at>")

    def exported_with_nothing_kept() -> bytes:
        path = _cache_path(tl.url, "entries")
        aside = path.with_name("aside")
        path.rename(aside)
        try:
            return exported()
        finally:
            path.unlink()
            aside.rename(path)

    first = exported()
    assert json.loads(first)["state"] == json.loads(written(tl, indent=False))
    assert exported() == first
    assert kept_parts(tl) >= (2 if part_bytes < 1000 else 1)
    for summary in ("Said later", "And later still"):
        tl.add(statement(summary))
        assert exported() == exported_with_nothing_kept()
    written(tl)  # the state's records brought up to date by another command, not the events
    tl.add(statement("The last word"))
    assert exported() == exported_with_nothing_kept()


def test_a_state_made_from_the_start_leaves_the_export_to_write_its_events(
        tl: Timeline) -> None:
    written(tl)
    assert kept_parts(tl) == 0
    out = io.BytesIO()
    tl.export(out)
    assert len(json.loads(out.getvalue())["events"]) == tl.head()[0]
    assert kept_parts(tl) >= 1


def test_a_log_failing_its_check_is_exported_from_its_rows_with_nothing_kept(
        tl: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log failing its check, exported anyway (forced), is exported as its rows are now,
    not as an earlier export wrote them, and what is kept is neither read nor changed; a whole
    log forced (an output file replaced) is exported from what is kept as ever."""
    out = io.BytesIO()
    tl.export(out)
    in_kept_file(tl, "UPDATE events SET data = CAST(replace(CAST(data AS TEXT), 'Lavrov', "
                     "'Someone else') AS BLOB)")
    again = io.BytesIO()
    tl.export(again)
    assert b"Someone else" in again.getvalue()  # the events kept are written
    forced = io.BytesIO()
    tl.export(forced, force=True)
    assert b"Someone else" in forced.getvalue()  # a whole log: forced or not, the same
    with monkeypatch.context() as patch:
        patch.setattr(Timeline, "altered", lambda self: "the log was altered")
        forced = io.BytesIO()
        tl.export(forced, force=True)
    assert b"Someone else" not in forced.getvalue()
    assert json.loads(forced.getvalue())["events"] == json.loads(out.getvalue())["events"]
    again = io.BytesIO()
    tl.export(again)
    assert b"Someone else" in again.getvalue()


def kept_parts(tl: Timeline) -> int:
    """How many parts of the export's events are kept for the log."""
    conn = sqlite3.connect(_cache_path(tl.url, "entries"))
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def test_what_is_saved_for_logs_unused_for_a_month_is_removed(
        tl: Timeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache directory holds what the logs in use need, not what every log ever opened
    did: what was not used for CACHE_DAYS goes, the next time a command uses the cache."""
    written(tl)
    own = _cache_path(tl.url, "entries")
    gone, recent = own.with_name("other-log.entries"), own.with_name("other-log.outline")
    gone.write_bytes(b"records of a log not used for a month")
    recent.write_bytes(b"an outline used yesterday")
    month, day = 31 * 86_400, 86_400
    for path, age in ((own, month), (gone, month), (recent, day)):
        os.utime(path, (time.time() - age, time.time() - age))
    monkeypatch.setattr(service, "_swept", set())  # a new process
    assert written(tl) == replayed_bytes(tl)
    assert own.exists() and recent.exists() and not gone.exists()  # in use: kept, and marked
    assert time.time() - own.stat().st_mtime < day


# --------------------------------------------------------------------------- when to make them again


class Calls:
    """What bring_up_to_date asked of the log."""

    def __init__(self, rows: int, hashes: dict[int, str]) -> None:
        self.rows, self.hashes = rows, hashes
        self.asked: list[tuple[str, Any]] = []

    def up_to_date(self, records: entries.Records, head: tuple[int, str],
                   code: str = "c1") -> bool:
        return entries.bring_up_to_date(
            records, head, code=code,
            hash_at=self.hashes.get,
            changed_subjects=lambda after, until: (self.asked.append(("changed", (after, until)))
                                                   or {f"s{after + 1}"}),
            items_of=lambda subjects, until: (self.asked.append(("items", sorted(subjects)))
                                              or [record(s) for s in subjects]),
            every_item=lambda until: (self.asked.append(("every", until))
                                      or [record(f"s{p}") for p in range(1, until + 1)]))


def record(subject: str) -> ItemRecord:
    return ItemRecord(subject, "statement", "2014", b"{}", None, "made")


@pytest.fixture
def records() -> Iterator[entries.Records]:
    with tempfile.TemporaryDirectory() as folder, entries.opened(Path(folder) / "r") as kept:
        yield kept


def test_records_never_made_are_made_from_every_row(records: entries.Records) -> None:
    calls = Calls(3, {3: "h3"})
    assert calls.up_to_date(records, (3, "h3")) is True
    assert calls.asked == [("every", 3)]
    assert records.made() == ("c1", 3, "h3")


def test_records_current_are_used_as_they_are(records: entries.Records) -> None:
    calls = Calls(3, {3: "h3"})
    calls.up_to_date(records, (3, "h3"))
    calls.asked.clear()
    assert calls.up_to_date(records, (3, "h3")) is False
    assert calls.asked == []


def test_records_behind_make_again_only_the_items_changed(records: entries.Records) -> None:
    calls = Calls(3, {3: "h3", 5: "h5"})
    calls.up_to_date(records, (3, "h3"))
    calls.asked.clear()
    assert calls.up_to_date(records, (5, "h5")) is False
    assert calls.asked == [("changed", (3, 5)), ("items", ["s4"])]
    assert records.made() == ("c1", 5, "h5")


@pytest.mark.parametrize(("why", "head", "hashes", "code"), [
    ("other code", (5, "h5"), {3: "h3"}, "c2"),
    ("the log no longer holds the row they were made through", (5, "h5"), {3: "other"}, "c1"),
    ("a shorter log", (2, "h2"), {3: "h3"}, "c1"),
    ("too far behind", (3 + entries.CATCH_UP_ROWS + 1, "hn"), {3: "h3"}, "c1"),
])
def test_records_that_cannot_be_brought_up_to_date_are_made_again(
        records: entries.Records, why: str, head: tuple[int, str], hashes: dict[int, str],
        code: str) -> None:
    Calls(3, {3: "h3"}).up_to_date(records, (3, "h3"))
    calls = Calls(head[0], hashes)
    assert calls.up_to_date(records, head, code) is True, why
    assert calls.asked == [("every", head[0])], why


@pytest.mark.parametrize("story", ["jcpoa-2011-2018", "singapore-summit-2018"])
def test_a_real_story_told_an_event_at_a_time_is_its_replay_at_every_step(
        story: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Talks gaining rounds and outcomes, agreements their parties, demands what they gate,
    accounts disputed: after each event, the records brought up to date write the replay's
    state, and the export its events, byte for byte."""
    lines = [line for line in (SEEDS / f"{story}.jsonl").read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("//")]
    timeline = open_timeline(str(tmp_path / "log.sqlite"))
    try:
        for n, line in enumerate(lines):
            one = tmp_path / "event.jsonl"
            one.write_text(line + "\n", "utf-8")
            timeline.import_file(one)
            if n == 0:
                assert written(timeline) == replayed_bytes(timeline)
                monkeypatch.setattr(entries.Records, "make", not_made_again)
                continue
            assert written(timeline) == replayed_bytes(timeline), f"after {json.loads(line)['id']}"
        out = io.BytesIO()
        timeline.export(out)
        events = [e.id for e in timeline.events()]
        assert len(events) == len(lines)
        assert [e["id"] for e in json.loads(out.getvalue())["events"]] == events
    finally:
        timeline.close()


# --------------------------------------------------------------------------- any log


def append_events(tl: Timeline, events: list[Event]) -> None:
    tl.recorder.append([row_fields(e) for e in events], whole=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), st.floats(min_value=0, max_value=1))
def test_any_log_appended_in_two_parts_gives_the_replays_state(
        events: list[Event], split: float) -> None:
    """The second part's events often belong to items of the first: those items' records are
    made again from all of their events."""
    cut = round(len(events) * split)
    folder = Path(tempfile.mkdtemp(prefix="kept-"))
    try:
        tl = open_timeline(str(folder / "log.sqlite"))
        try:
            append_events(tl, events[:cut])
            assert written(tl) == replayed_bytes(tl)
            append_events(tl, events[cut:])
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(entries.Records, "make", not_made_again)
                assert written(tl) == replayed_bytes(tl)
            assert made(tl) == (entries.code_version(), *tl.head())
        finally:
            tl.close()
    finally:
        shutil.rmtree(folder)
