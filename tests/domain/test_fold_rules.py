"""The fold's rules that the vocabulary names: no event without effect, silently; replay never
skips what it cannot use; an item's details merge in linear time. Events are built in memory."""

from __future__ import annotations

from typing import Any

import pytest

from tests.domain.memory_log import Log, admitted
from tracker.domain.events import Event, freeze
from tracker.domain.fold import replay
from tracker.domain.input import parse_event
from tracker.errors import InvalidEvent, UnusableEvent

SRC = {"outlet": "Wire", "published": "2014-03-20"}
INVITE = [{"name": "Lavrov", "role": "inviter"}, {"name": "Kerry", "role": "invitee"}]


def ev(position: int, obj: dict[str, Any]) -> Event:
    obj = {"source": SRC, "summary": f"event {position}", **obj}
    return parse_event(obj, f"event {position}")._replace(position=position)


def declined_invitation() -> list[Event]:
    return [
        ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:moscow",
               "story": "2014-03-01", "actors": INVITE}),
        ev(2, {"id": "dec", "type": "invitation.declined", "subject": "inv:moscow",
               "story": "2014-03-05", "refs": [{"rel": "responds_to", "id": "inv"}]}),
    ]


def test_an_opening_event_on_an_item_standing_at_another_status_is_refused_saying_what_to_record(
) -> None:
    log = Log(declined_invitation())
    again = ev(0, {"id": "again", "type": "invitation.extended", "subject": "inv:moscow",
                   "story": "2014-03-12", "actors": INVITE})
    with pytest.raises(InvalidEvent) as caught:
        admitted(log, again)
    assert caught.value.message == (
        "line 1: invitation.extended opens an item, but 'inv:moscow' is already declined by "
        "2014-03-12 in story order, so it would change nothing; record invitation.reinstated "
        "or invitation.renewed to open it again, or give the date of the first report to add an "
        "account of the opening"
    )
    assert (caught.value.field, caught.value.place) == ("type", "line 1")


def test_the_same_opening_told_by_another_source_before_the_answer_is_an_account_of_it() -> None:
    log = Log(declined_invitation())
    echo = ev(0, {"id": "echo", "type": "invitation.extended", "subject": "inv:moscow",
                  "story": "2014-03-02", "actors": INVITE,
                  "source": {"outlet": "TASS", "published": "2014-03-02"}})
    assert [e.id for e in admitted(log, echo)] == ["echo"]
    state = replay([*log.events, echo._replace(position=3)])
    assert state.items["inv:moscow"].status == "declined"
    assert state.items["inv:moscow"].history == ("inv", "echo", "dec")


def test_the_refusal_sees_the_events_earlier_in_the_same_input() -> None:
    first, decline = declined_invitation()
    again = ev(0, {"id": "again", "type": "invitation.extended", "subject": "inv:moscow",
                   "story": "2014-03-12", "actors": INVITE})
    with pytest.raises(InvalidEvent, match=r"^line 3: invitation.extended opens an item, but "
                       r"'inv:moscow' is already declined by 2014-03-12"):
        admitted(Log([]), first, decline, again)


def test_an_opening_that_the_vocabulary_lets_in_from_any_status_is_admitted() -> None:
    meeting = [
        ev(1, {"id": "sched", "type": "meeting.scheduled", "subject": "meet:geneva",
               "story": "2014-03-01", "actors": [{"name": "Kerry", "role": "participant"}]}),
        ev(2, {"id": "off", "type": "meeting.cancelled", "subject": "meet:geneva",
               "story": "2014-03-03"}),
    ]
    held = ev(0, {"id": "held", "type": "meeting.held", "subject": "meet:geneva",
                  "story": "2014-03-06", "actors": [{"name": "Kerry", "role": "participant"}]})
    assert [e.id for e in admitted(Log(meeting), held)] == ["held"]
    assert replay([*meeting, held._replace(position=3)]).items["meet:geneva"].status == "held"


def test_an_opening_learned_late_after_the_answer_is_kept_as_an_account_not_dropped() -> None:
    """What admission could not see (the answer recorded after the second opening) the fold
    keeps as an account of the opening: in the item's history and sources, moving nothing."""
    first, decline = declined_invitation()
    echo = ev(2, {"id": "echo", "type": "invitation.extended", "subject": "inv:moscow",
                  "story": "2014-03-12", "actors": INVITE,
                  "source": {"outlet": "TASS", "published": "2014-03-12"}})
    state = replay([first, echo, decline._replace(position=3)])
    item = state.items["inv:moscow"]
    assert item.status == "declined"
    assert item.history == ("inv", "dec", "echo")
    assert item.sources == ("Wire", "TASS")


def test_a_stored_event_of_a_type_the_vocabulary_lacks_is_an_error_naming_its_position() -> None:
    events = declined_invitation()
    alien = events[1]._replace(id="odd", type="invitation.mislaid", position=7)
    with pytest.raises(UnusableEvent) as caught:
        replay([events[0], alien])
    assert caught.value.message == (
        "log position 7 (odd): unknown event type 'invitation.mislaid'; this version of "
        "tracker cannot replay it"
    )
    assert caught.value.place == "log position 7"


def test_a_correction_replay_cannot_read_is_an_error_naming_its_position_not_skipped() -> None:
    events = declined_invitation()
    correction = ev(3, {"id": "fix", "type": "entry.corrected", "subject": "inv:moscow",
                        "story": "2014-03-20", "refs": [{"rel": "corrects", "id": "dec"}],
                        "details": {"changes": {"summary": "declined, it seems"}}})
    # As stored by a version that checked only the names of the changed fields.
    unreadable = correction._replace(details=freeze({"changes": {"story": "the 45th of Smarch"}}))
    with pytest.raises(UnusableEvent) as caught:
        replay([*events, unreadable])
    assert caught.value.message.startswith(
        "log position 3 (fix): its changes to 'dec' cannot be read (")
    assert caught.value.message.endswith("); retract it and record the correction again")


class Counted(str):
    """A term that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        Counted.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_merging_a_long_list_of_terms_takes_one_lookup_per_term() -> None:
    """Regression (issue 16, 8b): one proposal with 100k terms made `state` take 46 s, the
    terms merged with a linear `not in` per term. Counted by comparisons, not by the clock."""
    n = 20_000
    terms = [Counted(f"term {i}") for i in range(n)]
    proposal = ev(1, {"id": "paper", "type": "proposal.submitted", "story": "2014-03-01",
                      "actors": [{"name": "US", "role": "proposer"}],
                      "details": {"terms": ["seed"]}})
    proposal = proposal._replace(details=freeze({"terms": terms}))
    counter = ev(2, {"id": "counter", "type": "proposal.countered", "subject": "paper",
                     "story": "2014-03-05", "details": {"terms": ["seed"]}})
    counter = counter._replace(details=freeze({"terms": [*terms[:100], Counted("new term")]}))
    Counted.compared = 0
    view = replay([proposal, counter]).items["paper"].view
    assert len(view.details["terms"]) == n + 1
    assert view.details["terms"][-1] == "new term"
    assert Counted.compared <= 2 * n


def test_an_opening_whose_date_could_fall_before_the_answer_is_admitted_as_an_account() -> None:
    """"On or before March 10" may be the first report's day: not certainly after the refusal."""
    log = Log(declined_invitation())
    vague = ev(0, {"id": "vague", "type": "invitation.extended", "subject": "inv:moscow",
                   "story": "on or before 2014-03-10", "actors": INVITE})
    assert vague.story.earliest is None
    assert [e.id for e in admitted(log, vague)] == ["vague"]
    assert replay([*log.events, vague._replace(position=3)]).items["inv:moscow"].status == (
        "declined")


def test_a_proposed_meeting_that_is_then_scheduled_is_scheduled() -> None:
    """meeting.scheduled opens an item or moves a possible one: the vocabulary names the
    transition (earlier versions left the meeting "possible", the scheduling without effect)."""
    participant = [{"name": "Kerry", "role": "participant"}]
    events = [
        ev(1, {"id": "idea", "type": "meeting.proposed", "subject": "meet:sochi",
               "story": "2014-03-01", "actors": participant}),
        ev(2, {"id": "set", "type": "meeting.scheduled", "subject": "meet:sochi",
               "story": "2014-03-04", "actors": participant}),
    ]
    assert [e.id for e in admitted(Log(events[:1]), events[1])] == ["set"]
    assert replay(events).items["meet:sochi"].status == "scheduled"
