"""The state index answers exactly what a full replay answers, at every step of both orders."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.domain.test_fold import logs
from tests.domain.test_fold_property import logs as every_kind_of_log
from tests.readmodels.test_outline import outline_of_events
from tracker.app.service import Timeline
from tracker.codec.rows import decode_step
from tracker.domain.events import Event
from tracker.domain.fold import replay, step_of
from tracker.domain.ordering import story_order
from tracker.readmodels.stateindex import FactTable, StateIndex


def check_against_replay(events: list[Event], index: StateIndex) -> None:
    orders = {
        "story": [events[i] for i in story_order(events)],
        "recorded": sorted(events, key=lambda e: e.position),
    }
    for name, ordered in orders.items():
        assert list(index.positions(name)) == [e.position for e in ordered]
        assert [index.step_of_position(name, e.position) for e in ordered] == list(
            range(len(ordered)))
        for step in range(len(ordered)):
            state = replay(ordered[: step + 1])
            counts: dict[tuple[str, str], int] = {}
            for item in state.items.values():
                counts[(item.kind, item.status)] = counts.get((item.kind, item.status), 0) + 1
                assert index.status_of(item.subject, name, step) == item.status, (name, step)
                assert index.item_positions(item.subject, name, step) == [
                    e.position for e in ordered[: step + 1] if e.subject == item.subject
                ]
            assert index.counts_at(name, step) == dict(sorted(counts.items()))
            change = index.change_at(name, step)
            assert change.after == state.items[ordered[step].subject].status
            before = replay(ordered[:step]).items.get(ordered[step].subject)
            assert change.before == (before.status if before else None)


@settings(max_examples=50, deadline=None)
@given(logs())
def test_the_index_agrees_with_replay_at_every_step(events: list[Event]) -> None:
    index = StateIndex([(e.subject or e.id, step_of(e)) for e in events], every=3)
    check_against_replay(events, index)


def test_the_seed_index_from_stored_rows(seeded: Timeline) -> None:
    events = seeded.all_events()
    index = StateIndex([decode_step(r) for r in seeded.rows()], every=4)
    check_against_replay(events, index)
    last = len(events) - 1
    assert index.status_of("invitation:kerry-to-moscow", "story", last) == "disputed"
    assert index.counts_at("story", last)[("meeting", "held")] == 2
    assert index.counts_at("story", -1) == {}
    assert index.story_bounds(0) == ("2014-03-03", "2014-03-09")  # "last week", first in story
    invitation = index.step_of_position("story", 2)
    assert invitation is not None and index.story_bounds(invitation) == (None, "2014-03-10")
    assert index.uncertain(invitation)


def test_an_item_made_only_of_a_dispute_is_an_entry_as_replay_says() -> None:
    from tests.domain.test_fold import ev

    events = [
        ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x", "story": "2014-03-01",
               "actors": [{"name": "A", "role": "inviter"}, {"name": "B", "role": "invitee"}]}),
        ev(2, {"id": "d", "type": "account.disputed", "subject": "claims:x", "story": "2014-03-02",
               "refs": [{"rel": "disputes", "id": "inv"}]}),
        ev(3, {"id": "dec", "type": "invitation.declined", "subject": "claims:x",
               "story": "2014-03-03"}),
    ]
    check_against_replay(events, StateIndex([(e.subject or e.id, step_of(e)) for e in events], every=2))


def test_a_saved_index_loads_as_it_was_and_only_for_the_same_log(seeded: Timeline) -> None:
    from tracker.readmodels.stateindex import from_bytes, to_bytes

    events = seeded.all_events()
    index = StateIndex([decode_step(r) for r in seeded.rows()], every=4)
    data = to_bytes(index, "17:abc")
    loaded = from_bytes(data, "17:abc")
    assert loaded is not None
    check_against_replay(events, loaded)
    assert from_bytes(data, "18:def") is None  # built from another state of the log
    assert from_bytes(data[:-3], "17:abc") is None  # damaged
    assert from_bytes(b"not an index", "17:abc") is None


def test_the_timeline_saves_its_index_and_loads_it_while_the_log_is_unchanged(
    seeded: Timeline,
) -> None:
    from tracker.domain.fold import Query

    first = seeded.state_index()
    again = seeded.state_index()
    assert list(again.positions("story")) == list(first.positions("story"))
    assert again is not first
    last = len(first) - 1
    assert again.status_of("invitation:kerry-to-moscow", "story", last) == "disputed"
    # Known on 2014-03-09 nothing of the seed had been published: an empty index.
    assert len(seeded.state_index(Query(known_at="2014-03-09"))) == 0
    # The last narrowed view's index is saved beside the whole log's, not over it.
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "tracker"
    view = seeded.state_index(Query(recorded_by="2099-01-01"))
    saved = [p for p in cache.iterdir() if p.suffix == ".stateindex-view"]
    assert len(saved) == 1 and saved[0].with_suffix(".stateindex").exists()
    stamp = saved[0].stat().st_ino  # a file saved again is a new file (written, then moved)
    again = seeded.state_index(Query(recorded_by="2099-01-01"))
    assert again is not view and saved[0].stat().st_ino == stamp  # loaded, not rebuilt
    assert list(again.positions("recorded")) == list(view.positions("recorded"))
    assert again.status_of("invitation:kerry-to-moscow", "story", last) == "disputed"
    assert seeded.state_index().status_of("invitation:kerry-to-moscow", "story", last) \
        == "disputed"
    seeded.add({"type": "statement.made", "story": "2014-03-11", "summary": "Later",
                "source": {"outlet": "Wire", "published": "2014-03-11"}})
    assert len(seeded.state_index()) == len(first) + 1


def test_the_index_built_from_the_store_agrees_with_replay_on_each_backend(any_url: str) -> None:
    from tracker.app.service import open_timeline, seed_file

    timeline = open_timeline(any_url)
    try:
        timeline.import_file(seed_file())
        check_against_replay(timeline.all_events(), timeline.state_index())
    finally:
        timeline.close()


def test_compact_texts_give_back_each_string_whatever_its_script() -> None:
    from tracker.readmodels.stateindex import Texts

    texts = Texts()
    words = ["inv:moscow", "", "приглашение", "声明:北京", "a" * 300]
    for w in words:
        texts.append(w)
    assert len(texts) == len(words)
    assert [texts[i] for i in range(len(words))] == words
    assert list(texts) == words


def grown(index: StateIndex, events: list[Event]) -> StateIndex:
    """What the timeline does after an append: the index of ``events`` (a longer log) from
    ``index``, folding again only the items the new events belong to."""
    new = events[len(index):]
    wanted = set(index.positions_of({e.subject or e.id for e in new}))
    table = FactTable.of([(e.subject or e.id, step_of(e)) for e in events
                          if e.position in wanted or e.position > len(index)])
    return index.extended(outline_of_events(events), table)


@settings(max_examples=60, deadline=None)
@given(logs(), st.data())
def test_an_index_grown_by_appended_events_is_the_index_of_the_longer_log(
    events: list[Event], data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, len(events)), label="events before the append")
    j = data.draw(st.integers(k, len(events)), label="events after a first append")
    every = data.draw(st.integers(1, 5), label="count checkpoint every")
    earlier = StateIndex([(e.subject or e.id, step_of(e)) for e in events[:k]], every=every)
    middle = grown(earlier, events[:j])
    check_against_replay(events[:j], middle)
    check_against_replay(events, grown(middle, events))
    check_against_replay(events[:k], earlier)  # the index it grew from is left as it was


def test_texts_find_a_string_only_where_it_stands_whole() -> None:
    from tracker.readmodels.stateindex import Texts

    texts = Texts()
    for w in ["inv:x", "inv", "x", "nv:", "", "приглашение", "inv:x", ""]:
        texts.append(w)
    assert [texts.index_of(w) for w in ["inv:x", "inv", "x", "nv:", "приглашение", ""]] == [
        0, 1, 2, 3, 5, 4]
    assert texts.index_of("nv") is None
    assert texts.index_of("inv:xx") is None
    assert Texts().index_of("a") is None


def test_after_an_append_the_timeline_grows_the_index_it_was_given(any_url: str) -> None:
    """What the app does on a large log: the index held before an append, given back, is grown
    by the new events (a refusal of an open invitation, a new item) and agrees with replay; the
    grown index is saved for the next open like a built one."""
    from tracker.app.service import open_timeline, seed_file

    timeline = open_timeline(any_url)
    try:
        timeline.import_file(seed_file())
        before = timeline.state_index()
        timeline.add({"type": "invitation.declined", "subject": "invitation:kerry-to-moscow",
                      "story": "2014-03-12", "summary": "Declined again",
                      "actors": [{"name": "John Kerry", "role": "invitee"}],
                      "source": {"outlet": "Wire", "published": "2014-03-12"}})
        timeline.add({"type": "statement.made", "story": "2014-03-01", "summary": "Earlier word",
                      "source": {"outlet": "Wire", "published": "2014-03-13"}})
        after = timeline.state_index(base=before)
        check_against_replay(timeline.all_events(), after)
        assert len(before) == len(after) - 2  # the index it grew from is left as it was
        last = len(after) - 1
        assert after.status_of("invitation:kerry-to-moscow", "recorded", last) == "declined"
        assert list(timeline.state_index().positions("story")) == list(after.positions("story"))
    finally:
        timeline.close()


def test_every_status_and_kind_of_the_vocabulary_fits_the_index() -> None:
    """The index keeps a status and a kind as small codes in fixed-width count arrays: the
    vocabulary (statuses of all kinds together, the meta statuses included) must fit them, or
    a log that uses the last ones could not be stepped through in the app."""
    from tracker.domain.vocabulary import COMMON_STATUSES
    from tracker.domain.vocabulary import KINDS as VOCABULARY_KINDS
    from tracker.readmodels.stateindex import KINDS, WIDTH

    statuses = {s.name for k in VOCABULARY_KINDS.values() for s in k.statuses}
    statuses |= {s.name for s in COMMON_STATUSES}
    assert len(statuses) + 1 <= WIDTH  # code 0: the item does not exist yet
    assert len(VOCABULARY_KINDS) + 1 <= KINDS


@settings(max_examples=60, deadline=None)
@given(logs())
def test_an_index_given_the_logs_outline_is_the_index_that_works_its_order_out(
        events: list[Event]) -> None:
    """The app builds the whole log's index with the outline at hand: its story order and
    references are taken from it, and the index is the same, byte for byte once saved."""
    from tracker.readmodels.stateindex import to_bytes

    pairs = [(e.subject or e.id, step_of(e)) for e in events]
    worked_out = StateIndex(pairs, every=3)
    given_order = StateIndex(pairs, every=3, story=outline_of_events(events))
    assert to_bytes(given_order, "k") == to_bytes(worked_out, "k")
    check_against_replay(events, given_order)


def test_the_timeline_builds_the_same_index_with_its_outline_as_without(
        seeded: Timeline) -> None:
    from tracker.readmodels.stateindex import to_bytes

    without = to_bytes(seeded.state_index(), "k")
    for saved in (Path(os.environ["XDG_CACHE_HOME"]) / "tracker").glob("*.stateindex"):
        saved.unlink()  # built again, this time with the outline
    assert to_bytes(seeded.state_index(outline=seeded.outline()), "k") == without


@settings(max_examples=120, deadline=None)
@given(st.one_of(logs(), every_kind_of_log()), st.data())
def test_an_index_of_the_first_events_of_an_order_answers_their_steps_as_the_whole_index(
        events: list[Event], data: st.DataObject) -> None:
    """What the app's early stepper rests on: the first k events of story order are in story
    order among themselves (an answer never sorts before what it answers), and the state after
    a step depends on the events up to it alone; so do the first k of recorded order."""
    pairs = {e.position: (e.subject or e.id, step_of(e)) for e in events}
    whole = StateIndex(list(pairs.values()), every=2)
    k = data.draw(st.integers(0, len(events)), label="first events")
    for order in ("story", "recorded"):
        first = list(whole.positions(order))[:k]
        early = StateIndex([pairs[p] for p in first], every=2)
        assert list(early.positions(order)) == first
        for step in range(k):
            assert early.change_at(order, step) == whole.change_at(order, step), (order, step)
            assert early.counts_at(order, step) == whole.counts_at(order, step), (order, step)
            assert early.recent(order, step) == whole.recent(order, step), (order, step)
            subject = whole.change_at(order, step).subject
            assert early.item_positions(subject, order, step) == whole.item_positions(
                subject, order, step)


def test_a_build_called_off_gives_no_stepper_and_saves_nothing(seeded: Timeline) -> None:
    """What quitting the app, or asking for another view, does to an index being built: the
    build stops (quitting does not wait for it) and nothing is kept for the next open."""
    from tracker.domain.fold import Query

    assert seeded.stepper(Query(), full_limit=10, cancelled=lambda: True) is None
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "tracker"
    assert not list(cache.glob("*.stateindex"))
    stepper = seeded.stepper(Query(), full_limit=10)
    assert stepper is not None and len(stepper) == 17
    assert list(cache.glob("*.stateindex"))
