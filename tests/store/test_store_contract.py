"""The store's contract, the same on both backends: an SQLite file and a database on the real
PostgreSQL server (``any_url``). Rows go in once, in one gap-free order, with a hash chain; they
read back exactly as written; the database itself refuses to change them; an append that expects
a position fails cleanly when someone else got there first; re-importing is harmless; migrations
bring any new database to head, and the table models agree with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import SEED
from tracker.app.service import Timeline, open_timeline
from tracker.codec.rows import Row, event_from_row, row_fields
from tracker.domain.input import parse_event
from tracker.errors import AppendConflict
from tracker.store import migrate
from tracker.store.recorder import GENESIS_HASH, chain_hash

SRC = {"outlet": "Wire", "published": "2014-03-10"}


def obj(id_: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id_, "type": "statement.made", "story": "2014-03-10", "summary": f"said {id_}",
        "source": SRC, "actors": [{"name": "Lavrov", "role": "speaker"}],
    }
    return {**base, **extra}


@pytest.fixture
def tl(any_url: str) -> Iterator[Timeline]:
    timeline = open_timeline(any_url)
    yield timeline
    timeline.close()


def new_rows(*ids: str) -> list[Any]:
    return [row_fields(parse_event(obj(i), i)._replace(subject=i)) for i in ids]


def test_an_empty_log_has_the_genesis_head(tl: Timeline) -> None:
    assert tl.recorder.head() == (0, GENESIS_HASH)
    assert list(tl.recorder.read()) == []
    assert tl.recorder.lookup(["nothing"]) == {}
    assert tl.recorder.verify() == (0, GENESIS_HASH, None, None)


def test_rows_get_gap_free_positions_and_a_hash_chain(tl: Timeline) -> None:
    first = tl.recorder.append(new_rows("a", "b"))
    second = tl.recorder.append(new_rows("c"))
    stored = first + second
    assert [r.position for r in stored] == [1, 2, 3]
    prev = GENESIS_HASH
    for r in stored:
        content = (r.id, r.type, r.schema_version, r.subject, r.story_earliest, r.story_latest,
                   r.published, r.body)
        assert r.hash == chain_hash(prev, r.position, content, r.recorded_at)
        prev = r.hash
    assert tl.recorder.head() == (3, prev)
    assert tl.recorder.verify() == (3, prev, None, None)


def test_rows_read_back_exactly_as_written(tl: Timeline) -> None:
    stored = tl.recorder.append(new_rows("a", "b", "c"))
    assert list(tl.recorder.read()) == stored
    assert list(tl.recorder.read(after=1, until=2)) == stored[1:2]
    assert list(tl.recorder.read(after=3)) == []
    assert tl.recorder.lookup(["c", "a", "missing"]) == {"a": stored[0], "c": stored[2]}
    assert tl.recorder.read_positions([3, 1]) == {1: stored[0], 3: stored[2]}
    assert all(isinstance(r, Row) for r in stored)


def test_recorded_time_never_goes_backwards_along_the_log(tl: Timeline) -> None:
    for i in range(5):
        tl.recorder.append(new_rows(f"e{i}"))
    times = [r.recorded_at for r in tl.recorder.read()]
    assert times == sorted(times)


def test_many_rows_read_back_in_order_across_fetch_batches(tl: Timeline) -> None:
    ids = [f"n{i:04d}" for i in range(1234)]
    tl.recorder.append(new_rows(*ids))
    rows = list(tl.recorder.read(batch=100))
    assert [r.id for r in rows] == ids
    assert [r.position for r in rows] == list(range(1, 1235))
    assert len(tl.recorder.lookup(ids)) == 1234  # more ids than one IN (...) chunk


def test_an_append_expecting_a_stale_position_is_refused_and_writes_nothing(tl: Timeline) -> None:
    tl.recorder.append(new_rows("a"))
    with pytest.raises(AppendConflict, match="the log is at position 1, not 0: someone else"):
        tl.recorder.append(new_rows("b"), expected_position=0)
    assert tl.count() == 1
    assert [r.position for r in tl.recorder.append(new_rows("b"), expected_position=1)] == [2]


def test_a_failed_append_rolls_back_and_the_log_goes_on(tl: Timeline) -> None:
    tl.recorder.append(new_rows("a"))
    import sqlite3

    import psycopg

    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError), match=r"(?i)unique|cannot be replaced"):
        tl.recorder.append(new_rows("b", "a"))  # "a" again: the unique id refuses the batch
    assert [r.id for r in tl.recorder.read()] == ["a"]
    assert [r.position for r in tl.recorder.append(new_rows("b"))] == [2]
    assert tl.verify().ok


def test_the_service_appends_decoded_events_that_read_back_equal(tl: Timeline) -> None:
    report = tl.import_file(SEED)
    assert len(report.added) == 17
    assert tl.all_events() == list(report.added)
    assert [event_from_row(r) for r in tl.rows()] == list(report.added)


def test_re_importing_the_same_events_adds_nothing(tl: Timeline) -> None:
    tl.import_file(SEED)
    head = tl.head()
    again = tl.import_file(SEED)
    assert again.added == ()
    assert len(again.repeated) == 17
    assert tl.head() == head


@pytest.mark.parametrize("statement", [
    "UPDATE events SET body = '{}' WHERE position = 1",
    "UPDATE events SET position = position + 100",
    "DELETE FROM events WHERE position = 1",
    "DELETE FROM events",
])
def test_the_database_itself_refuses_to_change_events(tl: Timeline, statement: str) -> None:
    tl.import_file(SEED)
    before = list(tl.rows())
    with pytest.raises(sa.exc.DatabaseError, match="events are immutable"), \
            tl.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert list(tl.rows()) == before
    assert tl.verify().ok


def test_truncate_is_refused_too_where_the_database_has_it(tl: Timeline) -> None:
    tl.import_file(SEED)
    before = list(tl.rows())
    # SQLite has no TRUNCATE (its DELETE without WHERE is refused above); PostgreSQL has one,
    # and a statement trigger refuses it.
    statement = "TRUNCATE events" if tl.engine.dialect.name == "postgresql" else "DELETE FROM events"
    with pytest.raises(sa.exc.DatabaseError, match="events are immutable"), \
            tl.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert list(tl.rows()) == before


def test_a_new_database_is_migrated_to_head_and_the_models_match(any_url: str) -> None:
    timeline = open_timeline(any_url)
    try:
        assert migrate.current_revision(timeline.engine) == migrate.head_revision()
        migrate.check(timeline.engine)  # no drift between tables.py and the migrations
    finally:
        timeline.close()
    reopened = open_timeline(any_url)
    try:
        assert reopened.notices == []  # nothing to create or upgrade the second time
    finally:
        reopened.close()


def test_migrations_go_down_and_up_again_without_losing_an_event(any_url: str) -> None:
    timeline = open_timeline(any_url)
    try:
        timeline.import_file(SEED)
        head = timeline.head()
        migrate.downgrade(timeline.engine, "0001")
        assert migrate.current_revision(timeline.engine) == "0001"
        migrate.upgrade(timeline.engine)
        assert migrate.current_revision(timeline.engine) == migrate.head_revision()
        assert timeline.head() == head
        assert timeline.verify().ok
    finally:
        timeline.close()


def test_stored_rows_replay_to_the_state_their_events_give(tl: Timeline) -> None:
    from bench.generate import generate_events
    from tracker.codec.rows import decode_steps
    from tracker.domain.fold import Query, fold_steps, project

    tl.append([parse_event(o, o["id"]) for o in generate_events(800, seed=11)])
    rows, events = list(tl.rows()), tl.all_events()
    days = sorted({r.story_latest for r in rows if r.story_latest})
    for query in (Query(), Query(at=400), Query(as_of=days[len(days) // 2]),
                  Query(known_at=days[len(days) // 3]), Query(at=600, as_of=days[-10])):
        from_rows, from_events = fold_steps(decode_steps(rows, query)), project(events, query)
        assert from_rows.size == from_events.size
        assert from_rows.items == from_events.items, query
    assert tl.state() == project(events)


def test_each_items_last_position_is_where_its_last_row_is(tl: Timeline) -> None:
    tl.append([parse_event(o, o["id"]) for o in [
        obj("a"), obj("b"), obj("c", subject="a"), obj("d", subject="b"), obj("e", subject="a")]])
    assert sorted(tl.recorder.read_last_positions(5)) == [4, 5]  # b ends at d, a at e
    assert sorted(tl.recorder.read_last_positions(3)) == [2, 3]  # up to c: b, then a at c


def test_the_state_written_an_item_at_a_time_is_the_state_document(tl: Timeline) -> None:
    import io
    import json

    from bench.generate import generate_events
    from tracker.codec.state_document import state_to_dict
    from tracker.domain.fold import Query

    tl.append([parse_event(o, o["id"]) for o in generate_events(800, seed=11)])
    days = sorted({r.story_latest for r in tl.rows() if r.story_latest})
    for query in (Query(), Query(at=400), Query(as_of=days[len(days) // 2]),
                  Query(known_at=days[len(days) // 3]), Query(at=600, as_of=days[-10]),
                  Query(as_of=days[0]), Query(known_at=days[-5], as_of=days[len(days) // 3])):
        folded = state_to_dict(tl.state(query), query)  # every event's state held at once
        assert tl.state_document(query) == folded, query
        for indent in (True, False):
            out = io.BytesIO()
            tl.write_state(out, query, indent=indent)
            assert json.loads(out.getvalue()) == folded, (query, indent)


def test_the_columnar_reads_give_what_the_row_reads_give_in_runs_of_any_size(
        tl: Timeline) -> None:
    """The outline's reads (a run of positions as columns) give the stored columns and the
    narrow read of references, whatever the runs: dates joined as ``earliest/latest`` ('' for
    an open one), references in log order."""
    tl.import_file(SEED)
    n = tl.recorder.head()[0]
    rows = [(r.position, r.type, r.story_earliest, r.story_latest) for r in tl.recorder.read()]
    references = list(tl.recorder.read_references(0, n))
    assert references  # the seed answers and confirms
    for size in (1, 4, n):
        dates: list[str] = []
        types: list[str] = []
        found: list[tuple[int, str, int]] = []
        for start in range(0, n, size):
            run_dates, run_types = tl.recorder.read_outline_run(start, min(n, start + size))
            dates += run_dates
            types += run_types
            sources, relations, targets = tl.recorder.read_reference_run(
                start, min(n, start + size))
            found += zip(sources, relations, targets, strict=True)
        assert dates == [f"{r[2] or ''}/{r[3] or ''}" for r in rows]
        assert types == [r[1] for r in rows]
        assert sorted(found) == sorted(references)
        assert [r[0] for r in found] == [r[0] for r in references]


def test_a_value_holding_the_columnar_reads_separator_reads_back_whole(tmp_path: Any) -> None:
    """A run is read as one string per column, its values joined by a control character; a
    value holding that character (no tracker writes one: a row written by other means) makes
    the run be read row by row."""
    from tests.integrity_data import sqlite_exec

    db = tmp_path / "odd.sqlite"
    timeline = open_timeline(str(db))
    try:
        timeline.recorder.append(new_rows("a"))
        sqlite_exec(db, "INSERT INTO events (position, id, type, schema_version, subject, "
                        "story_earliest, story_latest, published, recorded_at, body, hash) "
                        "VALUES (2, 'b', 'odd' || char(31) || 'type', 1, NULL, NULL, "
                        "'2014-03-11', '2014-03-11', '2014-03-11T00:00:00Z', '{}', 'x')")
        assert timeline.recorder.read_outline_run(0, 2) == (
            ["2014-03-10/2014-03-10", "/2014-03-11"], ["statement.made", "odd\x1ftype"])
    finally:
        timeline.close()
