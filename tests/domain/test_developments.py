"""Every development is expressible (issue 12): sanctions through lift and reimposition, each
party of an agreement with its own status, talks with their rounds and outcome, invitations
through an envoy, a meeting's own date and place. Events are built in memory; each test is the
rule it is named after, read from the vocabulary by the one fold."""

from __future__ import annotations

from typing import Any

import pytest

from tests.readmodels.test_stateindex import check_against_replay
from tracker.domain.events import Event
from tracker.domain.fold import Query, links, project, replay, step_of
from tracker.domain.input import parse_event
from tracker.readmodels.stateindex import StateIndex

SRC = {"outlet": "Wire", "published": "2019-12-31"}
E3 = ["France", "Germany", "United Kingdom"]


def ev(position: int, obj: dict[str, Any]) -> Event:
    obj = {"source": SRC, "summary": f"event {position}", **obj}
    return parse_event(obj, f"event {position}")._replace(position=position)


def log(*objs: dict[str, Any]) -> list[Event]:
    return [ev(i + 1, o) for i, o in enumerate(objs)]


def parties(*names: str, role: str = "party") -> list[dict[str, str]]:
    return [{"name": n, "role": role} for n in names]


def status_at(events: list[Event], subject: str, as_of: str) -> str | None:
    item = project(events, Query(as_of=as_of)).get(subject)
    return item.status if item is not None else None


SANCTIONS = log(
    {"id": "s1", "type": "sanction.imposed", "subject": "sanction:s", "story": "2012-01-23",
     "summary": "The EU bans Iranian oil",
     "actors": [{"name": "EU", "role": "imposer"}, {"name": "Iran", "role": "target"}]},
    {"id": "s2", "type": "sanction.extended", "subject": "sanction:s", "story": "2013-01-10",
     "actors": [{"name": "EU", "role": "imposer"}], "details": {"until": "2014-01-31"}},
    {"id": "s3", "type": "sanction.eased", "subject": "sanction:s", "story": "2014-01-20",
     "actors": [{"name": "EU", "role": "imposer"}], "details": {"measure": "petrochemicals"}},
    {"id": "s4", "type": "sanction.lifted", "subject": "sanction:s", "story": "2016-01-16",
     "actors": [{"name": "EU", "role": "imposer"}, {"name": "Iran", "role": "target"}]},
    {"id": "s5", "type": "sanction.reimposed", "subject": "sanction:s", "story": "2018-08-07",
     "actors": [{"name": "EU", "role": "imposer"}, {"name": "Iran", "role": "target"}]},
    {"id": "s6", "type": "sanction.lifted", "subject": "sanction:s", "story": "2019-05-01",
     "actors": [{"name": "EU", "role": "imposer"}]},
    {"id": "s7", "type": "sanction.reimposed", "subject": "sanction:s", "story": "2019-11-05",
     "actors": [{"name": "EU", "role": "imposer"}]},
)


@pytest.mark.parametrize(("as_of", "status"), [
    ("2012-01-01", None), ("2012-06-01", "in_force"), ("2013-06-01", "in_force"),
    ("2014-06-01", "eased"), ("2016-02-01", "lifted"), ("2018-09-01", "reimposed"),
    ("2019-06-01", "lifted"), ("2019-12-01", "reimposed"),
])
def test_a_sanction_has_the_right_status_at_every_date_through_lift_and_reimpose_cycles(
        as_of: str, status: str | None) -> None:
    assert status_at(SANCTIONS, "sanction:s", as_of) == status


def test_a_lifting_names_its_target() -> None:
    item = replay(SANCTIONS).items["sanction:s"]
    assert ("Iran", "target") in [(a.name, a.role) for a in item.actors]


def test_a_sanction_first_known_from_its_lifting_has_a_title_and_a_date() -> None:
    lifted = log({"id": "l", "type": "sanction.lifted", "subject": "sanction:us", "story":
                  "2016-01-16", "summary": "The US lifts nuclear sanctions on Iran",
                  "actors": [{"name": "US", "role": "imposer"}, {"name": "Iran", "role": "target"}]})
    item = replay(lifted).items["sanction:us"]
    assert (item.status, item.title) == ("lifted", "The US lifts nuclear sanctions on Iran")
    assert item.when is not None and item.when.display() == "2016-01-16"


DEAL = log(
    {"id": "t1", "type": "talks.opened", "subject": "talks:nuclear", "story": "2013-10-15",
     "summary": "Talks open in Geneva", "place": "Geneva",
     "actors": parties("Iran", "United States", *E3)},
    {"id": "t2", "type": "talks.round_held", "subject": "talks:nuclear", "story": "2015-03-26",
     "place": "Lausanne", "refs": [{"rel": "part_of", "id": "t1"}],
     "actors": parties("Zarif", "Kerry", role="participant")},
    {"id": "t3", "type": "talks.paused", "subject": "talks:nuclear", "story": "2015-04-05",
     "actors": parties("Iran", role="decided_by"), "details": {"reason": "consultations"}},
    {"id": "m1", "type": "meeting.held", "subject": "meeting:vienna", "story": "2015-06-27",
     "place": "Vienna", "refs": [{"rel": "part_of", "id": "t1"}],
     "actors": parties("Zarif", "Kerry", role="participant")},
    {"id": "a1", "type": "agreement.framework_announced", "subject": "agreement:deal",
     "story": "2015-04-02", "summary": "A framework is agreed in Lausanne",
     "refs": [{"rel": "part_of", "id": "t1"}], "actors": parties("Iran", "United States", *E3)},
    {"id": "a2", "type": "agreement.concluded", "subject": "agreement:deal",
     "story": "2015-07-14", "actors": parties("Iran", "United States", *E3),
     "details": {"terms": ["limits", "verification"]}},
    {"id": "t4", "type": "talks.concluded", "subject": "talks:nuclear", "story": "2015-07-14"},
    {"id": "a3", "type": "agreement.endorsed", "subject": "agreement:deal", "story": "2015-07-20",
     "actors": parties("UN Security Council", role="endorser")},
    {"id": "a4", "type": "agreement.entered_into_force", "subject": "agreement:deal",
     "story": "2015-10-18"},
    {"id": "a5", "type": "agreement.withdrawn_from", "subject": "agreement:deal",
     "story": "2018-05-08", "actors": parties("United States")},
    {"id": "a6", "type": "agreement.reaffirmed", "subject": "agreement:deal",
     "story": "2018-05-08", "actors": parties(*E3)},
)


def test_a_framework_is_never_in_force() -> None:
    assert status_at(DEAL, "agreement:deal", "2015-04-10") == "framework"
    assert status_at(DEAL, "agreement:deal", "2015-08-01") == "concluded"
    assert status_at(DEAL, "agreement:deal", "2015-10-18") == "in_force"


def test_a_party_that_withdraws_leaves_the_others_parties_each_with_its_own_status_and_date(
) -> None:
    item = replay(DEAL).items["agreement:deal"]
    assert item.status == "in_force"
    assert item.details["parties"] == {
        "Iran": "in force since 2015-10-18",
        "United States": "withdrew on 2018-05-08",
        "France": "in force since 2015-10-18; reaffirmed on 2018-05-08",
        "Germany": "in force since 2015-10-18; reaffirmed on 2018-05-08",
        "United Kingdom": "in force since 2015-10-18; reaffirmed on 2018-05-08",
    }
    assert item.details["withdrawn"] == ("United States",)


def test_an_endorsement_by_a_third_body_keeps_the_status_and_names_the_body_and_date() -> None:
    before = replay(e for e in DEAL if e.id != "a3").items["agreement:deal"]
    item = replay(DEAL).items["agreement:deal"]
    assert item.status == before.status
    assert item.details["endorsed_by"] == {"UN Security Council": "2015-07-20"}


def test_an_agreement_keeps_its_terms_as_a_list() -> None:
    assert replay(DEAL).items["agreement:deal"].details["terms"] == ("limits", "verification")


def test_talks_show_their_rounds_and_the_agreement_they_produced() -> None:
    state = replay(DEAL)
    linked = links(state)
    assert state.items["talks:nuclear"].status == "concluded"
    talks = linked["talks:nuclear"]
    assert [(r.get("event") or r.get("subject"), r["place"]) for r in talks["rounds"]] == [
        ("t2", "Lausanne"), ("meeting:vienna", "Vienna")]
    assert [p["subject"] for p in talks["produced"]] == ["agreement:deal"]
    assert linked["agreement:deal"] == {"produced_by": "talks:nuclear"}
    assert linked["meeting:vienna"] == {"round_of": "talks:nuclear"}


@pytest.mark.parametrize(("as_of", "status"), [
    ("2015-03-30", "active"), ("2015-04-06", "paused"), ("2015-07-15", "concluded")])
def test_talks_open_hold_rounds_pause_and_conclude(as_of: str, status: str) -> None:
    assert status_at(DEAL, "talks:nuclear", as_of) == status


def test_talks_paused_by_whom_and_why_resume_then_break_down() -> None:
    talks = log(
        {"id": "o", "type": "talks.opened", "subject": "talks:t", "story": "2019-01-01",
         "actors": parties("A", "B")},
        {"id": "c", "type": "talks.called_off", "subject": "talks:t", "story": "2019-02-01",
         "actors": parties("A", role="decided_by"), "details": {"reason": "a missile test"}},
        {"id": "r", "type": "talks.resumed", "subject": "talks:t", "story": "2019-03-01",
         "actors": parties("A", role="decided_by")},
        {"id": "b", "type": "talks.broke_down", "subject": "talks:t", "story": "2019-04-01"},
    )
    assert status_at(talks, "talks:t", "2019-02-02") == "called_off"
    item = project(talks, Query(as_of="2019-02-02")).items["talks:t"]
    assert item.details["reason"] == "a missile test"
    assert ("A", "decided_by") in [(a.name, a.role) for a in item.actors]
    assert status_at(talks, "talks:t", "2019-03-02") == "active"
    assert status_at(talks, "talks:t", "2019-04-02") == "broken_down"


def test_a_political_declaration_signed_is_signed_not_in_force_with_its_signatories() -> None:
    signed = log({"id": "d", "type": "agreement.signed", "subject": "agreement:d",
                  "story": "2018-06-12", "details": {"kind": "declaration"},
                  "actors": [*parties("United States", "North Korea"),
                             *parties("Trump", "Kim", role="signatory")]})
    item = replay(signed).items["agreement:d"]
    assert item.status == "signed"
    assert item.details["signatories"] == {"Trump": "United States", "Kim": "North Korea"}
    assert item.details["parties"] == {"United States": "signed on 2018-06-12",
                                       "North Korea": "signed on 2018-06-12"}


def test_an_agreement_signed_with_no_kind_is_in_force_as_before() -> None:
    signed = log({"id": "d", "type": "agreement.signed", "subject": "agreement:d",
                  "story": "2018-06-12", "actors": parties("A", "B")})
    assert replay(signed).items["agreement:d"].status == "in_force"


@pytest.mark.parametrize(("type_", "status"), [
    ("agreement.suspended", "suspended"), ("agreement.superseded", "superseded"),
    ("agreement.expired", "expired")])
def test_an_agreement_in_force_can_be_suspended_superseded_or_expire(type_: str, status: str
                                                                      ) -> None:
    events = log({"id": "d", "type": "agreement.signed", "subject": "agreement:d",
                  "story": "2018-06-12", "actors": parties("A", "B")},
                 {"id": "e", "type": type_, "subject": "agreement:d", "story": "2019-01-01"})
    assert replay(events).items["agreement:d"].status == status


def test_a_ratification_is_the_ratifying_partys_own_status() -> None:
    events = log({"id": "d", "type": "agreement.signed", "subject": "agreement:d",
                  "story": "2018-06-12", "details": {"kind": "treaty"}, "actors": parties("A", "B")},
                 {"id": "r", "type": "agreement.ratified", "subject": "agreement:d",
                  "story": "2018-09-01", "actors": parties("A")})
    item = replay(events).items["agreement:d"]
    assert item.status == "signed"
    assert item.details["parties"] == {"A": "ratified on 2018-09-01", "B": "signed on 2018-06-12"}


def test_an_invitation_conveyed_through_an_envoy_names_the_intermediary_and_can_be_renewed(
) -> None:
    events = log(
        {"id": "i", "type": "invitation.extended", "subject": "invitation:i", "story": "2018-03-08",
         "actors": [{"name": "Kim", "role": "inviter"}, {"name": "Trump", "role": "invitee"},
                    {"name": "Chung", "role": "intermediary"}]},
        {"id": "w", "type": "invitation.withdrawn", "subject": "invitation:i",
         "story": "2018-05-24", "actors": parties("Kim", role="inviter")},
        {"id": "n", "type": "invitation.renewed", "subject": "invitation:i",
         "story": "2018-06-01", "actors": parties("Kim", role="inviter")},
        {"id": "d", "type": "invitation.deferred", "subject": "invitation:i",
         "story": "2018-06-02", "actors": parties("Trump", role="invitee")},
    )
    assert status_at(events, "invitation:i", "2018-05-30") == "withdrawn"
    assert status_at(events, "invitation:i", "2018-06-01") == "open"
    item = replay(events).items["invitation:i"]
    assert item.status == "deferred"
    assert ("Chung", "intermediary") in [(a.name, a.role) for a in item.actors]


MEETING = log(
    {"id": "m1", "type": "meeting.scheduled", "subject": "meeting:m", "story": "2018-05-10",
     "summary": "The summit is set for June 12 in Singapore", "place": "Singapore",
     "source": {"outlet": "Wire", "published": "2018-05-10"}, "details": {"when": "2018-06-12"}},
    {"id": "m2", "type": "meeting.postponed", "subject": "meeting:m", "story": "2018-05-20",
     "place": "Washington", "details": {"new_when": "2018-06-20"}},
    {"id": "m3", "type": "meeting.cancelled", "subject": "meeting:m", "story": "2018-05-24",
     "place": "Washington"},
    {"id": "m4", "type": "meeting.reinstated", "subject": "meeting:m", "story": "2018-06-01",
     "place": "Washington", "details": {"when": "2018-06-12"}},
    {"id": "m5", "type": "meeting.held", "subject": "meeting:m", "story": "2018-06-12",
     "place": "Sentosa, Singapore", "actors": parties("Trump", "Kim", role="participant")},
)


@pytest.mark.parametrize(("as_of", "status", "when", "place"), [
    ("2018-05-15", "scheduled", "2018-06-12", "Singapore"),
    ("2018-05-21", "postponed", "2018-06-20", "Singapore"),
    ("2018-05-25", "cancelled", "2018-06-20", "Singapore"),
    ("2018-06-05", "scheduled", "2018-06-12", "Washington"),
    ("2018-06-13", "held", "2018-06-12", "Sentosa, Singapore"),
])
def test_a_meetings_when_and_place_are_its_own_not_the_announcements(
        as_of: str, status: str, when: str, place: str) -> None:
    item = project(MEETING, Query(as_of=as_of)).items["meeting:m"]
    assert item.status == status
    assert item.when is not None and item.when.display() == when
    assert item.place == place


def test_a_proposals_place_is_where_it_was_put_not_where_it_was_answered() -> None:
    events = log(
        {"id": "p", "type": "proposal.submitted", "subject": "proposal:p", "story": "2014-03-07",
         "actors": parties("Kerry", role="proposer")},
        {"id": "r", "type": "proposal.rejected", "subject": "proposal:p", "story": "2014-03-10",
         "place": "Sochi", "details": {"degree": "partial"}},
    )
    assert replay(events).items["proposal:p"].place is None


@pytest.mark.parametrize("events", [SANCTIONS, DEAL, MEETING], ids=["sanctions", "deal", "meeting"])
def test_the_state_index_gives_the_same_statuses_as_the_replay_at_every_step(
        events: list[Event]) -> None:
    check_against_replay(events, StateIndex([(e.subject or e.id, step_of(e)) for e in events],
                                            every=2))


def test_stages_told_by_different_sources_are_a_sequence_not_a_dispute() -> None:
    told = [e._replace(source=e.source._replace(outlet=outlet, speaker=None))
            for e, outlet in zip(SANCTIONS, ["AP", "Reuters", "BBC", "AFP", "Kyodo", "TASS", "NHK"],
                                 strict=True)]
    assert [status_at(told, "sanction:s", d) for d in ("2016-02-01", "2018-09-01")] == [
        "lifted", "reimposed"]
    assert replay(told).items["sanction:s"].status == "reimposed"
