"""The outline of a log: the listing's arrays and story order, from two narrow reads of the store,
agree with what the full events say, on both backends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.domain.test_fold import logs
from tracker.app.service import Timeline, open_timeline, seed_file
from tracker.domain.events import Event
from tracker.domain.ordering import OPEN_END_DAY, OPEN_START_DAY, day_number, uncertain_marks
from tracker.domain.selection import entry_marks
from tracker.readmodels.outline import (
    Outline,
    OutlineColumns,
    ReferenceColumns,
    build_outline,
    extend_outline,
    mark_names,
    narrowed,
)


def reference_story_order(events: list[Event]) -> list[int]:
    """Story order as the rule states it, with tuples of text (the oracle for the packed keys):
    by (earliest else latest, latest else earliest, position), an answer never before what it
    answers."""
    effective: dict[str, tuple[str, str, int]] = {}
    keys = []
    for e in sorted(events, key=lambda e: e.position):
        lo, hi = e.story.earliest, e.story.latest
        key = (lo or hi or "9999-12-31", hi or lo or "9999-12-31", e.position)
        for r in e.refs:
            if r.id in effective and effective[r.id] > key:
                key = effective[r.id]
        effective[e.id] = key
        keys.append((*key, e.position))
    return [k[3] for k in sorted(keys)]


Row = tuple[int, str, str | None, str | None]  # position, type, earliest, latest
Reference = tuple[int, str, int]  # position, relation, referenced position


def reads_of(events: list[Event]) -> tuple[list[Row], list[Reference]]:
    """What the store's two narrow reads give for these events, row by row."""
    position_of = {e.id: e.position for e in events}
    rows = [(e.position, e.type, e.story.earliest, e.story.latest) for e in events]
    references = [(e.position, r.rel, position_of[r.id]) for e in events for r in e.refs]
    return rows, references


def columns(rows: list[Row], references: list[Reference], run: int = 3
            ) -> tuple[list[OutlineColumns], list[ReferenceColumns]]:
    """The reads as the store gives them: columns, a few positions at a time."""
    runs = [rows[k:k + run] for k in range(0, len(rows), run)]
    refs = [[r for r in references if rows[0][0] <= r[0] <= rows[-1][0]] for rows in runs]
    return ([([f"{r[2] or ''}/{r[3] or ''}" for r in rows], [r[1] for r in rows])
             for rows in runs],
            [([r[0] for r in refs], [r[1] for r in refs], [r[2] for r in refs])
             for refs in refs])


def build(rows: list[Row], references: list[Reference], base: Outline | None = None
          ) -> Outline:
    if base is None:
        return build_outline(*columns(rows, references))
    return extend_outline(base, *columns(rows, references))


def outline_of_events(events: list[Event]) -> Outline:
    return build(*reads_of(events))


def same(a: Outline, b: Outline) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in (
        "count", "lo", "hi", "kinds", "marks", "ref_start", "ref_to", "ref_bits", "story",
        "uncertain"))


def check_outline(events: list[Event], outline: Outline) -> None:
    by_position = {e.position: e for e in events}
    assert outline.count == len(events)
    assert len(outline.ref_start) == outline.count + 1
    assert len(outline.story) == len(outline.lo) == len(outline.marks) == outline.count
    assert list(outline.story) == reference_story_order(events)
    in_story = [by_position[p] for p in outline.story]
    assert [bool(outline.uncertain[p - 1]) for p in outline.story] == uncertain_marks(in_story)
    marks = entry_marks(events)
    for e in events:
        assert outline.type_name(e.position) == e.type
        assert outline.lo[e.position - 1] == day_number(e.story.earliest, OPEN_START_DAY)
        assert outline.hi[e.position - 1] == day_number(e.story.latest, OPEN_END_DAY)
        assert tuple(mark_names(outline.marks[e.position - 1])) == marks.get(e.id, ())
        assert sorted(by_position[p].id for p in outline.references(e.position)) == sorted(
            r.id for r in e.refs)


@settings(max_examples=80, deadline=None)
@given(logs())
def test_story_order_of_the_outline_is_the_rule_for_any_log(events: list[Event]) -> None:
    check_outline(events, outline_of_events(events))


@settings(max_examples=80, deadline=None)
@given(logs(), st.data())
def test_an_outline_extended_by_appended_events_is_the_outline_of_the_longer_log(
    events: list[Event], data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, len(events)))
    rows, references = reads_of(events)
    earlier = build(rows[:k], [r for r in references if r[0] <= k])
    extended = build(rows[k:], [r for r in references if r[0] > k], earlier)
    assert same(extended, outline_of_events(events))
    assert same(earlier, build(rows[:k], [r for r in references if r[0] <= k]))


def test_the_seed_outline_from_the_store_on_each_backend(any_url: str) -> None:
    timeline = open_timeline(any_url)
    try:
        timeline.import_file(seed_file())
        events = timeline.all_events()
        outline = timeline.outline()
        check_outline(events, outline)
        # Kerry's refusal answers the invitation.
        refusal = next(e for e in events if e.type == "invitation.declined")
        invitation = next(e for e in events if e.type == "invitation.extended")
        assert invitation.position in outline.references(refusal.position)
        # An answer appended later, dated before what it answers, still sorts after it.
        timeline.add({"type": "invitation.accepted", "story": "2014-03-01",
                      "summary": "Kerry accepts after all",
                      "refs": [{"rel": "responds_to", "id": invitation.id}],
                      "source": {"outlet": "Wire", "published": "2014-03-20"}})
        longer = timeline.outline(base=outline)
        assert same(longer, timeline.outline())
        assert list(longer.story).index(longer.count) > list(longer.story).index(
            invitation.position)
    finally:
        timeline.close()


def test_the_outline_read_a_few_positions_at_a_time_is_the_same(
        any_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store is read a run of positions at a time: the runs' seams change nothing."""
    from tracker.app import service
    from tracker.app.service import _cache_path

    timeline = open_timeline(any_url)
    try:
        timeline.import_file(seed_file())
        whole = timeline.outline()
        _cache_path(timeline.url, "outline").unlink()
        monkeypatch.setattr(service, "OUTLINE_RUN", 3)
        in_runs = timeline.outline()
        assert in_runs is not whole and same(in_runs, whole)
        check_outline(timeline.all_events(), in_runs)
    finally:
        timeline.close()


def test_a_cancelled_scan_gives_an_empty_outline() -> None:
    rows = [(1, "statement.made", "2014-03-01", "2014-03-01")]
    assert build_outline(*columns(rows, []), cancelled=lambda: True).count == 0


def test_the_outline_is_saved_and_loaded_while_the_log_is_unchanged(seeded: Timeline) -> None:
    import io

    from tracker.app.service import _cache_path
    from tracker.readmodels.outline import load_outline, save_outline

    first = seeded.outline()
    cache = _cache_path(seeded.url, "outline")
    assert cache.exists()
    again = seeded.outline()
    assert again is not first and same(again, first)
    # a damaged or foreign file is not an outline: it is built again (and saved again)
    cache.write_bytes(cache.read_bytes()[:-5])
    assert same(seeded.outline(), first)
    out = io.BytesIO()
    save_outline(first, "17:abc", out)
    assert load_outline(io.BytesIO(out.getvalue()), "18:def") is None
    assert load_outline(io.BytesIO(b"TRACKER-STATEINDEX\n2\n{}"), "17:abc") is None
    loaded = load_outline(io.BytesIO(out.getvalue()), "17:abc")
    assert loaded is not None and same(loaded, first)
    # the log grows: a new key, a new outline
    seeded.add({"type": "statement.made", "story": "2014-03-11", "summary": "Later",
                "source": {"outlet": "Wire", "published": "2014-03-11"}})
    assert seeded.outline().count == first.count + 1


def test_a_cancelled_outline_is_not_saved(seeded: Timeline) -> None:
    from tracker.app.service import _cache_path

    assert seeded.outline(cancelled=lambda: True).count == 0
    assert not _cache_path(seeded.url, "outline").exists()
    assert seeded.outline().count == 17


@settings(max_examples=80, deadline=None)
@given(logs(), st.data())
def test_a_narrowed_view_orders_and_marks_as_if_the_log_held_only_its_events(
    events: list[Event], data: st.DataObject
) -> None:
    """A "known on" or audit view: its story order is the order a state built from its events
    steps through (the state index's), and marks come only from entries the view holds."""
    from tracker.domain.fold import step_of
    from tracker.readmodels.stateindex import StateIndex

    held = data.draw(st.sets(st.sampled_from([e.position for e in events])) if events
                     else st.just(set()), label="positions the view holds")
    admitted = bytearray(len(events) + 1)
    for p in held:
        admitted[p] = 1
    story, marks = narrowed(outline_of_events(events), admitted)
    kept = [e for e in events if e.position in held]
    index = StateIndex([(e.subject or e.id, step_of(e)) for e in kept])
    assert list(story) == list(index.positions("story"))
    assert list(story) == reference_story_order(kept)
    expected = entry_marks(kept)
    for e in events:
        assert tuple(mark_names(marks[e.position - 1])) == (
            expected.get(e.id, ()) if e.position in held else ()), e.id
