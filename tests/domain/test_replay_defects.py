"""Replay defects, each pinned by a test that failed before its fix: retracting a correction
undoes it, an entry is retracted once, `about` only links, a meeting held on a scheduled meeting
joins it, and references order the story (history and as-of). Events are built in memory."""

from __future__ import annotations

from typing import Any

import pytest

from tests.domain.memory_log import Log, admitted
from tracker.codec.state_document import state_to_dict
from tracker.domain.events import Event
from tracker.domain.fold import Query, project, replay
from tracker.domain.input import parse_event
from tracker.domain.ordering import story_order
from tracker.errors import InvalidEvent

SRC = {"outlet": "Wire", "published": "2014-03-20"}
INVITE = [{"name": "Sergey Lavrov", "role": "inviter"}, {"name": "John Kerry", "role": "invitee"}]


def ev(position: int, obj: dict[str, Any]) -> Event:
    obj = {"source": SRC, "summary": f"event {position}", **obj}
    return parse_event(obj, f"event {position}")._replace(position=position)


def invitation_with_a_correction() -> list[Event]:
    return [
        ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x",
               "story": "2014-03-01", "actors": INVITE, "place": "Moscow",
               "details": {"venue": "Moscow"}}),
        ev(2, {"id": "fix", "type": "entry.corrected", "subject": "inv:x", "story": "2014-03-11",
               "refs": [{"rel": "corrects", "id": "inv"}],
               "details": {"changes": {"place": "Sochi", "details": {"venue": "Sochi"}}}}),
    ]


def test_retracting_a_correction_restores_the_original_values_and_drops_the_mark() -> None:
    events = invitation_with_a_correction()
    assert replay(events).items["inv:x"].place == "Sochi"
    undo = ev(3, {"id": "undo", "type": "entry.retracted", "subject": "inv:x",
                  "story": "2014-03-12", "refs": [{"rel": "retracts", "id": "fix"}]})
    item = replay([*events, undo]).items["inv:x"]
    assert item.place == "Moscow"
    assert item.details["venue"] == "Moscow"
    assert item.corrected == ()
    assert item.retracted == ("fix",)


def test_retracting_a_retraction_brings_the_entry_back() -> None:
    events = [
        ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x",
               "story": "2014-03-01", "actors": INVITE}),
        ev(2, {"id": "dec", "type": "invitation.declined", "subject": "inv:x",
               "story": "2014-03-05"}),
        ev(3, {"id": "r1", "type": "entry.retracted", "subject": "inv:x", "story": "2014-03-06",
               "refs": [{"rel": "retracts", "id": "dec"}]}),
    ]
    assert replay(events).items["inv:x"].status == "open"
    r2 = ev(4, {"id": "r2", "type": "entry.retracted", "subject": "inv:x", "story": "2014-03-07",
                "refs": [{"rel": "retracts", "id": "r1"}]})
    item = replay([*events, r2]).items["inv:x"]
    assert item.status == "declined"
    assert item.retracted == ("r1",)


def test_the_corrected_line_names_the_correcting_entry() -> None:
    doc = state_to_dict(replay(invitation_with_a_correction()))
    assert doc["invitations"][0]["corrected"] == [{"by": "fix", "entry": "inv"}]


def test_retracting_an_already_retracted_entry_is_refused_with_a_clear_message() -> None:
    first = ev(3, {"id": "r1", "type": "entry.retracted", "story": "2014-03-12",
                   "refs": [{"rel": "retracts", "id": "fix"}]})
    log = Log(invitation_with_a_correction())
    (stored,) = admitted(log, first)
    log.events.append(stored._replace(position=3))
    again = ev(0, {"id": "r2", "type": "entry.retracted", "story": "2014-03-13",
                   "refs": [{"rel": "retracts", "id": "fix"}]})
    with pytest.raises(InvalidEvent) as caught:
        admitted(log, again)
    assert caught.value.message == (
        "line 1: refs: 'fix' is already retracted (by 'r1'); an entry is retracted once "
        "(retract that retraction to undo it)")
    assert (caught.value.field, caught.value.place) == ("refs[0].id", "line 1")
    # in the same input too
    with pytest.raises(InvalidEvent, match=r"^line 2: refs: 'fix' is already retracted \(by 'r1'\)"):
        admitted(Log(invitation_with_a_correction()), first, again)
    # and retracting the retraction is allowed: it undoes it
    undo = ev(0, {"id": "r3", "type": "entry.retracted", "story": "2014-03-13",
                  "refs": [{"rel": "retracts", "id": "r1"}]})
    assert [e.id for e in admitted(log, undo)] == ["r3"]


def test_a_statement_about_an_invitation_stays_a_statement_of_its_own() -> None:
    inv = ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x",
                 "story": "2014-03-01", "actors": INVITE})
    said = ev(0, {"id": "st", "type": "statement.made", "story": "2014-03-02",
                  "actors": [{"name": "Jen Psaki", "role": "speaker"}],
                  "details": {"topic": "the invitation"}, "refs": [{"rel": "about", "id": "inv"}]})
    (stored,) = admitted(Log([inv]), said)
    assert stored.subject == "st"
    state = replay([inv, stored._replace(position=2)])
    assert state.items["st"].kind == "statement"
    assert state.items["st"].status == "made"
    invitation = state.items["inv:x"]
    assert invitation.history == ("inv",)
    assert "Jen Psaki" not in {a.name for a in invitation.actors}
    assert "topic" not in invitation.details


def test_a_meeting_held_that_fulfils_a_scheduled_meeting_joins_its_item() -> None:
    sched = ev(1, {"id": "sched", "type": "meeting.scheduled", "subject": "meeting:sg",
                   "story": "2018-05-10", "actors": [{"name": "Donald Trump", "role": "participant"}]})
    held = ev(0, {"id": "held", "type": "meeting.held", "story": "2018-06-12",
                  "actors": [{"name": "Donald Trump", "role": "participant"}],
                  "source": {"outlet": "Reuters", "published": "2018-06-12"},
                  "refs": [{"rel": "fulfils", "id": "sched"}]})
    (stored,) = admitted(Log([sched]), held)
    assert stored.subject == "meeting:sg"
    assert replay([sched, stored._replace(position=2)]).items["meeting:sg"].status == "held"


def test_a_meeting_held_that_fulfils_an_invitation_stays_a_meeting_of_its_own() -> None:
    inv = ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x",
                 "story": "2014-03-01", "actors": INVITE})
    held = ev(0, {"id": "held", "type": "meeting.held", "story": "2014-03-09",
                  "actors": [{"name": "John Kerry", "role": "participant"}],
                  "refs": [{"rel": "fulfils", "id": "inv"}]})
    (stored,) = admitted(Log([inv]), held)
    assert stored.subject == "held"


def answered_before_its_date() -> list[Event]:
    """The invitation dated only "no later than March 10", the refusal "March 5"."""
    return [
        ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x",
               "story": "no later than 2014-03-10", "actors": INVITE}),
        ev(2, {"id": "dec", "type": "invitation.declined", "subject": "inv:x",
               "story": "2014-03-05", "refs": [{"rel": "responds_to", "id": "inv"}]}),
    ]


def test_an_items_history_follows_the_story_order_of_the_log() -> None:
    events = answered_before_its_date()
    item = replay(events).items["inv:x"]
    assert item.history == tuple(events[i].id for i in story_order(events)) == ("inv", "dec")


def test_as_of_a_date_on_which_an_answer_counts_the_item_it_answers_exists_with_its_opening(
) -> None:
    item = project(answered_before_its_date(), Query(as_of="2014-03-06")).items["inv:x"]
    assert item.status == "declined"
    assert item.history == ("inv", "dec")
    assert {"name": "Sergey Lavrov", "role": "inviter"} in [
        {"name": a.name, "role": a.role} for a in item.actors]
    assert project(answered_before_its_date(), Query(as_of="2014-03-04")).items.get("inv:x") is None


def test_a_cancellations_reason_leaves_a_meeting_reinstated_and_held_but_stays_in_history(
) -> None:
    who = [{"name": "Donald Trump", "role": "participant"}]
    events = [
        ev(1, {"id": "sched", "type": "meeting.scheduled", "subject": "meeting:sg",
               "story": "2018-05-10", "actors": who}),
        ev(2, {"id": "off", "type": "meeting.cancelled", "subject": "meeting:sg",
               "story": "2018-05-24", "details": {"reason": "open hostility"}}),
        ev(3, {"id": "on", "type": "meeting.reinstated", "subject": "meeting:sg",
               "story": "2018-06-01"}),
        ev(4, {"id": "held", "type": "meeting.held", "subject": "meeting:sg",
               "story": "2018-06-12", "actors": who}),
    ]
    assert project(events, Query(as_of="2018-05-28")).items["meeting:sg"].details["reason"] == (
        "open hostility")
    for upto in (3, 4):
        item = replay(events[:upto]).items["meeting:sg"]
        assert "reason" not in item.details
        assert "off" in item.history
