"""Accounts and disputes are never flattened: the state keeps the latest account of every source
(the speaker, or the outlet where no one is named) with its status, date and quote; accounts that
agree are grouped, accounts that disagree make the item disputed; one source telling a sequence
is a narrative; confirmations and disputes say who, what instead and where. Events are built in
memory."""

from __future__ import annotations

from typing import Any

from tracker.codec.state_document import accounts_to_list, state_to_dict
from tracker.domain.events import Event
from tracker.domain.fold import Account, Claim, Query, project, replay
from tracker.domain.input import parse_event

SRC = {"outlet": "McClatchy", "published": "2014-03-10"}
INVITE = [{"name": "Sergey Lavrov", "role": "inviter"}, {"name": "John Kerry", "role": "invitee"}]


def ev(position: int, obj: dict[str, Any]) -> Event:
    obj = {"source": SRC, "summary": f"event {position}", "subject": "inv:moscow", **obj}
    return parse_event(obj, f"event {position}")._replace(position=position)


def said(speaker: str | None, quote: str | None = None, outlet: str = "McClatchy",
         published: str = "2014-03-10") -> dict[str, Any]:
    out: dict[str, Any] = {"outlet": outlet, "published": published}
    if speaker is not None:
        out["speaker"] = speaker
    if quote is not None:
        out["quote"] = quote
    return out


def the_seed_invitation() -> list[Event]:
    """Lavrov: invited, and Kerry declined; the State Department disputes it; Psaki: no trip
    until Russia meets the US conditions."""
    return [
        ev(1, {"id": "inv", "type": "invitation.extended", "story": "no later than 2014-03-10",
               "actors": INVITE, "source": said("Sergey Lavrov", "an invitation to visit")}),
        ev(2, {"id": "dec", "type": "invitation.declined", "story": "no later than 2014-03-10",
               "refs": [{"rel": "responds_to", "id": "inv"}],
               "source": said("Sergey Lavrov", "Kerry has declined an invitation")}),
        ev(3, {"id": "dis", "type": "account.disputed", "story": "2014-03-10",
               "refs": [{"rel": "disputes", "id": "dec"}],
               "actors": [{"name": "U.S. State Department", "role": "disputant"}],
               "details": {"counter_claim": "No trip until Russia shows seriousness, not a refusal"},
               "source": said(None, "fired back Monday at Russian claims")}),
        ev(4, {"id": "def", "type": "invitation.deferred", "story": "2014-03-10",
               "refs": [{"rel": "responds_to", "id": "inv"}],
               "source": said("Jen Psaki", "there's no trip to Moscow in the cards")}),
    ]


def test_a_second_outlet_reporting_the_same_status_keeps_the_earlier_sources_account() -> None:
    """The issue's case: a newspaper's "postponed" of the same day joins the State Department's
    account of the deferral; Lavrov's account of a refusal stays, and the item stays disputed."""
    paper = ev(5, {"id": "paper", "type": "invitation.deferred", "story": "2014-03-10",
                   "refs": [{"rel": "responds_to", "id": "inv"}],
                   "source": said(None, "the trip is postponed", "Kommersant", "2014-03-11")})
    item = replay([*the_seed_invitation(), paper]).items["inv:moscow"]
    assert item.status == "disputed"
    assert [(a.status, a.speaker, a.event_id, a.current) for a in item.accounts] == [
        ("declined", "Sergey Lavrov", "dec", True),
        ("deferred", "Jen Psaki", "def", True),
        ("deferred", "Kommersant", "paper", True),
    ]


def test_an_account_the_story_has_moved_on_from_is_kept_as_earlier_not_disputed() -> None:
    """A deferral reported for the next day: the story has moved on from Lavrov's refusal
    (certainly earlier, a different status). It is kept, marked earlier, and no longer makes a
    dispute; the State Department's agreeing account of the day before stays current."""
    later = ev(5, {"id": "paper", "type": "invitation.deferred", "story": "2014-03-11",
                   "refs": [{"rel": "responds_to", "id": "inv"}],
                   "source": said(None, "the trip is postponed", "Kommersant", "2014-03-11")})
    item = replay([*the_seed_invitation(), later]).items["inv:moscow"]
    assert item.status == "deferred"
    assert [(a.status, a.speaker, a.current) for a in item.accounts] == [
        ("declined", "Sergey Lavrov", False),
        ("deferred", "Jen Psaki", True),
        ("deferred", "Kommersant", True),
    ]


def test_sanctions_lifted_then_reimposed_by_other_sources_are_a_sequence_not_a_dispute() -> None:
    events = [
        ev(1, {"id": "imp", "type": "sanction.imposed", "subject": "s:iran", "story": "2011-12-31",
               "actors": [{"name": "United States", "role": "imposer"},
                          {"name": "Iran", "role": "target"}],
               "source": said(None, outlet="Associated Press", published="2011-12-31")}),
        ev(2, {"id": "lift", "type": "sanction.lifted", "subject": "s:iran", "story": "2016-01-16",
               "actors": [{"name": "United States", "role": "imposer"}],
               "source": said(None, outlet="BBC", published="2016-01-16")}),
        ev(3, {"id": "back", "type": "sanction.reimposed", "subject": "s:iran",
               "story": "2018-08-07", "actors": [{"name": "United States", "role": "imposer"}],
               "source": said(None, outlet="Reuters", published="2018-08-07")}),
    ]
    item = replay(events).items["s:iran"]
    assert item.status == "reimposed"
    assert item.accounts == ()  # one account still stands: nothing to compare
    assert item.history == ("imp", "lift", "back")


def test_accounts_that_agree_are_grouped_by_status_with_their_sources() -> None:
    later = ev(5, {"id": "paper", "type": "invitation.deferred", "story": "2014-03-11",
                   "refs": [{"rel": "responds_to", "id": "inv"}],
                   "source": said(None, "the trip is postponed", "Kommersant", "2014-03-11")})
    item = replay([*the_seed_invitation(), later]).items["inv:moscow"]
    groups = accounts_to_list(item.accounts)
    assert [(g["status"], [s["speaker"] for s in g["sources"]]) for g in groups] == [
        ("declined", ["Sergey Lavrov"]),
        ("deferred", ["Jen Psaki", "Kommersant"]),
    ]
    assert groups[1]["sources"][1] == {
        "event": "paper", "speaker": "Kommersant", "outlet": "Kommersant", "story": "2014-03-11",
        "quote": "the trip is postponed", "disputed_by": [], "confirmed_by": [], "current": True,
    }


def test_which_accounts_show_does_not_depend_on_dates_or_tie_order() -> None:
    events = the_seed_invitation()
    reordered = [events[0], events[3]._replace(position=2), events[1]._replace(position=3),
                 events[2]._replace(position=4)]
    for log in (events, reordered):
        item = replay(log).items["inv:moscow"]
        assert item.status == "disputed"
        assert {(a.status, a.speaker) for a in item.accounts} == {
            ("declined", "Sergey Lavrov"), ("deferred", "Jen Psaki")}


def test_two_outlets_that_agree_do_not_make_a_dispute_and_both_are_kept() -> None:
    events = [
        ev(1, {"id": "sched", "type": "meeting.scheduled", "subject": "meet:sg", "story": "2018-05-10",
               "actors": [{"name": "Donald Trump", "role": "participant"}],
               "source": said("Donald Trump", outlet="Reuters", published="2018-05-10")}),
        ev(2, {"id": "reuters", "type": "meeting.held", "subject": "meet:sg", "story": "2018-06-12",
               "actors": [{"name": "Donald Trump", "role": "participant"}],
               "source": said(None, "shook hands", "Reuters", "2018-06-12")}),
        ev(3, {"id": "ap", "type": "meeting.held", "subject": "meet:sg", "story": "2018-06-12",
               "actors": [{"name": "Donald Trump", "role": "participant"}],
               "source": said(None, "met on Sentosa", "Associated Press", "2018-06-12")}),
    ]
    item = replay(events).items["meet:sg"]
    assert item.status == "held"
    assert [(g["status"], [s["outlet"] for s in g["sources"]])
            for g in accounts_to_list(item.accounts)] == [("held", ["Reuters", "Associated Press"])]


def test_one_source_telling_a_sequence_is_a_narrative_not_a_dispute_with_itself() -> None:
    """Accepted at first, then called back to postpone: the later stage supersedes the earlier
    one, which stays in the history."""
    events = [
        ev(1, {"id": "inv", "type": "invitation.extended", "story": "2014-03-01", "actors": INVITE,
               "source": said("Sergey Lavrov")}),
        ev(2, {"id": "yes", "type": "invitation.accepted", "story": "2014-03-03",
               "source": said("Jen Psaki", "Kerry will go")}),
        ev(3, {"id": "later", "type": "invitation.deferred", "story": "2014-03-05",
               "source": said("Jen Psaki", "not for now")}),
    ]
    item = replay(events).items["inv:moscow"]
    assert item.status == "deferred"
    assert item.accounts == ()
    assert item.history == ("inv", "yes", "later")


def test_a_narrative_of_one_source_against_another_source_keeps_only_its_latest_stage() -> None:
    events = [
        *the_seed_invitation()[:2],
        ev(3, {"id": "yes", "type": "invitation.accepted", "story": "2014-03-03",
               "source": said("Jen Psaki")}),
        ev(4, {"id": "later", "type": "invitation.declined", "story": "2014-03-05",
               "source": said("Jen Psaki")}),
    ]
    item = replay(events).items["inv:moscow"]
    assert item.status == "declined"  # both sources now say declined: they agree
    assert [(a.status, a.speaker) for a in item.accounts] == [  # in story order
        ("declined", "Jen Psaki"), ("declined", "Sergey Lavrov")]


def test_a_dispute_says_who_disputes_what_they_say_instead_and_where() -> None:
    item = replay(the_seed_invitation()).items["inv:moscow"]
    declined = item.accounts[0]
    assert declined == Account(
        "dec", "declined", "Sergey Lavrov", "McClatchy", "≤ 2014-03-10",
        "Kerry has declined an invitation",
        disputes=(Claim("dis", "U.S. State Department", "McClatchy", "2014-03-10",
                        "No trip until Russia shows seriousness, not a refusal",
                        "fired back Monday at Russian claims"),),
    )


def test_a_disputed_account_of_a_single_source_makes_the_item_disputed() -> None:
    events = [
        ev(1, {"id": "st", "type": "statement.made", "subject": "st:kcna", "story": "2018-06-13",
               "source": said(None, "lift sanctions", "Reuters", "2018-06-13")}),
        ev(2, {"id": "no", "type": "account.disputed", "subject": "st:kcna", "story": "2018-06-14",
               "refs": [{"rel": "disputes", "id": "st"}],
               "actors": [{"name": "Mike Pompeo", "role": "disputant"}],
               "details": {"counter_claim": "Sanctions stay until complete denuclearization"},
               "source": said("Mike Pompeo", outlet="Associated Press", published="2018-06-14")}),
    ]
    item = replay(events).items["st:kcna"]
    assert item.status == "disputed"
    assert [(c.who, c.counter_claim, c.outlet) for c in item.accounts[0].disputes] == [
        ("Mike Pompeo", "Sanctions stay until complete denuclearization", "Associated Press")]


def test_confirmation_shows_who_confirmed_which_account_in_which_outlet() -> None:
    confirm = ev(5, {"id": "yes", "type": "account.confirmed", "story": "2014-03-11",
                     "refs": [{"rel": "confirms", "id": "def"}],
                     "actors": [{"name": "John Kerry", "role": "confirmer"}],
                     "source": said("John Kerry", "no trip for now", "Reuters", "2014-03-11")})
    item = replay([*the_seed_invitation(), confirm]).items["inv:moscow"]
    deferred = next(a for a in item.accounts if a.status == "deferred")
    assert deferred.confirmations == (
        Claim("yes", "John Kerry", "Reuters", "2014-03-11", None, "no trip for now"),)


def test_a_confirmed_single_account_is_shown_with_its_confirmation() -> None:
    events = [
        ev(1, {"id": "st", "type": "statement.made", "subject": "st:x", "story": "2014-03-10"}),
        ev(2, {"id": "c", "type": "account.confirmed", "subject": "st:x", "story": "2014-03-11",
               "refs": [{"rel": "confirms", "id": "st"}], "source": said("Jen Psaki")}),
    ]
    item = replay(events).items["st:x"]
    assert item.status == "made"
    assert [(a.event_id, [c.who for c in a.confirmations]) for a in item.accounts] == [
        ("st", ["Jen Psaki"])]


def test_the_state_document_lists_each_dispute_with_who_what_instead_and_where() -> None:
    doc = state_to_dict(replay(the_seed_invitation()), Query())
    assert doc["disputes"] == [{
        "subject": "inv:moscow", "event": "dec", "status": "declined",
        "speaker": "Sergey Lavrov", "outlet": "McClatchy",
        "disputed_by": [{"event": "dis", "who": "U.S. State Department", "outlet": "McClatchy",
                         "story": "2014-03-10",
                         "counter_claim": "No trip until Russia shows seriousness, not a refusal",
                         "quote": "fired back Monday at Russian claims"}],
    }]


def test_as_of_before_the_second_account_the_first_stands_alone() -> None:
    inv = the_seed_invitation()[0]
    dated = [inv, ev(2, {"id": "dec", "type": "invitation.declined", "story": "2014-03-05",
                         "refs": [{"rel": "responds_to", "id": "inv"}],
                         "source": said("Sergey Lavrov")}),
             *the_seed_invitation()[2:]]
    item = project(dated, Query(as_of="2014-03-06")).items["inv:moscow"]
    assert item.status == "declined"
    assert item.accounts == ()
