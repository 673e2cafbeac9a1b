"""The fold's promises: replay is deterministic and independent of arrival order, checkpoints
give exactly the state a full replay gives, and story order keeps uncertain dates honest."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.app.service import Timeline
from tracker.codec.state_document import state_to_dict
from tracker.domain.events import Event
from tracker.domain.fold import EMPTY, Query, diff, evolve, project, replay
from tracker.domain.input import parse_event
from tracker.domain.ordering import story_order, uncertain_marks
from tracker.readmodels.checkpoints import Checkpoints

SRC = {"outlet": "Wire", "published": "2014-03-10"}


def ev(position: int, obj: dict) -> Event:
    obj = {"source": SRC, "summary": f"event {position}", **obj}
    return parse_event(obj, f"event {position}")._replace(position=position)


def invitation_story() -> list[Event]:
    return [
        ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x", "story": "2014-03-01",
               "actors": [{"name": "A", "role": "inviter"}, {"name": "B", "role": "invitee"}]}),
        ev(2, {"id": "dec", "type": "invitation.declined", "subject": "inv:x", "story": "2014-03-05",
               "refs": [{"rel": "responds_to", "id": "inv"}]}),
        ev(3, {"id": "re", "type": "invitation.reinstated", "subject": "inv:x", "story": "2014-03-08"}),
        ev(4, {"id": "acc", "type": "invitation.accepted", "subject": "inv:x", "story": "2014-03-09"}),
    ]


def test_an_event_learned_late_lands_in_its_story_place() -> None:
    events = invitation_story()
    # The refusal (story 03-05) reaches the log last: the invitation still ends accepted.
    late = [events[0], events[2], events[3], events[1]._replace(position=5)]
    assert replay(late).items["inv:x"].status == "accepted"
    assert replay(late).items["inv:x"].history == ("inv", "dec", "re", "acc")


def test_state_as_of_a_story_date() -> None:
    events = invitation_story()
    assert project(events, Query(as_of="2014-03-06")).items["inv:x"].status == "declined"
    assert project(events, Query(as_of="2014-02-28")).items.get("inv:x") is None


def test_a_retraction_removes_the_entry_from_replay_but_not_from_the_log() -> None:
    events = invitation_story()[:2]
    retraction = ev(3, {"id": "r", "type": "entry.retracted", "story": "2014-03-11",
                        "subject": "inv:x", "refs": [{"rel": "retracts", "id": "dec"}]})
    state = replay([*events, retraction])
    assert state.items["inv:x"].status == "open"
    assert state.items["inv:x"].retracted == ("dec",)
    # As known at position 2 the refusal still stands.
    assert project([*events, retraction], Query(at=2)).items["inv:x"].status == "declined"


def test_a_correction_applies_its_changes_on_replay() -> None:
    events = invitation_story()[:1]
    fix = ev(2, {"id": "c", "type": "entry.corrected", "story": "2014-03-11", "subject": "inv:x",
                 "refs": [{"rel": "corrects", "id": "inv"}],
                 "details": {"changes": {"place": "Geneva", "details": {"venue": "Geneva"}}}})
    item = replay([*events, fix]).items["inv:x"]
    assert item.place == "Geneva"
    assert item.details["venue"] == "Geneva"
    assert item.corrected == (("c", "inv"),)  # the correcting entry, and what it corrects


def test_two_sources_disagreeing_make_the_item_disputed() -> None:
    base = invitation_story()[:1]
    ru = ev(2, {"id": "ru", "type": "invitation.declined", "subject": "inv:x", "story": "2014-03-05",
                "source": {**SRC, "speaker": "Lavrov"}})
    us = ev(3, {"id": "us", "type": "invitation.deferred", "subject": "inv:x",
                "story": "no later than 2014-03-10", "source": {**SRC, "speaker": "Psaki"}})
    item = replay([*base, ru, us]).items["inv:x"]
    assert item.status == "disputed"
    assert [(a.status, a.speaker) for a in item.accounts] == [("declined", "Lavrov"),
                                                               ("deferred", "Psaki")]


def test_diff_names_what_one_step_changed(seeded: Timeline) -> None:
    events = seeded.all_events()
    before = replay(events[:2])
    after = replay(events[:3])
    changes = diff(before, after)
    assert [(c.subject, c.verb, c.after.status if c.after else None) for c in changes] == [
        ("invitation:kerry-to-moscow", "changed", "declined")
    ]


def test_story_order_puts_an_answer_after_what_it_answers() -> None:
    inv = ev(1, {"id": "inv", "type": "invitation.extended", "subject": "inv:x",
                 "story": "2014-03-09",
                 "actors": [{"name": "A", "role": "inviter"}, {"name": "B", "role": "invitee"}]})
    # The source dates the refusal before the invitation: the reference still orders them.
    dec = ev(2, {"id": "dec", "type": "invitation.declined", "subject": "inv:x",
                 "story": "2014-03-02", "refs": [{"rel": "responds_to", "id": "inv"}]})
    assert [[inv, dec][i].id for i in story_order([inv, dec])] == ["inv", "dec"]


def test_the_seed_in_story_order_marks_uncertain_dates(seeded: Timeline) -> None:
    events = seeded.all_events()
    ordered = [events[i] for i in story_order(events)]
    marks = dict(zip([e.id for e in ordered], uncertain_marks(ordered), strict=True))
    assert [e.id for e in ordered][:2] == ["kl-11-kerry-lavrov-met", "kl-04-us-paper"]
    assert marks["kl-11-kerry-lavrov-met"] and marks["kl-04-us-paper"]  # last week vs last Friday
    assert marks["kl-02-moscow-invitation"]  # "no later than March 10"
    assert not marks["kl-01-sochi-meeting"]  # March 10 exactly


# --------------------------------------------------------------------------- properties

DATES = [f"2014-03-{d:02d}" for d in range(1, 29)]


@st.composite
def logs(draw: st.DrawFn) -> list[Event]:
    """Random logs over a few items, with responses, disputes, corrections and uncertain dates."""
    n = draw(st.integers(min_value=1, max_value=40))
    events: list[Event] = []
    for position in range(1, n + 1):
        item = draw(st.sampled_from(["inv:a", "inv:b", "prop:c"]))
        kind = "invitation" if item.startswith("inv") else "proposal"
        story = draw(st.one_of(st.sampled_from(DATES),
                               st.sampled_from(DATES).map(lambda d: f"no later than {d}"),
                               st.sampled_from(DATES[:20]).map(lambda d: f"{d}..2014-03-25")))
        speaker = draw(st.sampled_from(["Lavrov", "Psaki", None]))
        src = {**SRC, "speaker": speaker} if speaker else SRC
        earlier = [e.id for e in events if e.subject == item]
        choice = draw(st.integers(0, 9))
        obj: dict = {"id": f"e{position}", "subject": item, "story": story, "source": src}
        if kind == "invitation":
            actions = ["extended", "declined", "deferred", "accepted", "withdrawn", "reinstated"]
            obj["type"] = f"invitation.{actions[choice % len(actions)]}"
            if obj["type"] == "invitation.extended":
                obj["actors"] = [{"name": "A", "role": "inviter"}, {"name": "B", "role": "invitee"}]
        else:
            actions = ["submitted", "rejected", "accepted", "withdrawn"]
            obj["type"] = f"proposal.{actions[choice % len(actions)]}"
            if obj["type"] == "proposal.submitted":
                obj["actors"] = [{"name": "A", "role": "proposer"}]
                obj["details"] = {"terms": [f"term {choice}"]}
            if obj["type"] == "proposal.rejected":
                obj["details"] = {"degree": draw(st.sampled_from(["full", "partial"]))}
        if earlier and choice == 9:
            target = draw(st.sampled_from(earlier))
            obj = {"id": f"e{position}", "subject": item, "story": story, "source": src,
                   "type": draw(st.sampled_from(["account.disputed", "entry.retracted",
                                                 "account.confirmed"]))}
            rel = {"account.disputed": "disputes", "entry.retracted": "retracts",
                   "account.confirmed": "confirms"}[obj["type"]]
            obj["refs"] = [{"rel": rel, "id": target}]
        events.append(ev(position, obj))
    return events


@settings(max_examples=150, deadline=None)
@given(logs(), st.randoms(use_true_random=False))
def test_replay_is_deterministic_whatever_order_events_arrive_in(events: list[Event],
                                                                 rnd: random.Random) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    reference = state_to_dict(replay(events))
    assert state_to_dict(replay(shuffled)) == reference
    one_by_one = EMPTY
    for event in shuffled:
        one_by_one = evolve(one_by_one, event)
    assert state_to_dict(one_by_one) == reference


@settings(max_examples=100, deadline=None)
@given(logs(), st.integers(min_value=1, max_value=7), st.data())
def test_checkpoints_give_the_state_a_full_replay_gives(events: list[Event], every: int,
                                                        data: st.DataObject) -> None:
    ordered = [events[i] for i in story_order(events)]
    for order in (events, ordered):  # recorded order and story order
        checkpoints = Checkpoints.of(order, every=every)
        n = data.draw(st.integers(min_value=0, max_value=len(order)))
        assert state_to_dict(checkpoints.state_at(n)) == state_to_dict(replay(order[:n]))
    assert len(checkpoints) == len(events)


def test_a_later_development_settles_an_earlier_dispute(seeded: Timeline) -> None:
    """Lavrov renewing the invitation and Kerry accepting ten days later: a new round, the
    invitation is accepted, not disputed with one side; the earlier accounts stay in its
    history."""
    seeded.add({
        "type": "invitation.reinstated", "subject": "invitation:kerry-to-moscow",
        "story": "2014-03-19", "summary": "Lavrov renews the invitation",
        "actors": [{"name": "Sergey Lavrov", "role": "inviter"}],
        "source": {"outlet": "Wire", "published": "2014-03-19", "speaker": "Sergey Lavrov"},
    })
    seeded.add({
        "type": "invitation.accepted", "subject": "invitation:kerry-to-moscow",
        "story": "2014-03-20", "summary": "Kerry accepts the invitation to Moscow",
        "actors": [{"name": "John Kerry", "role": "invitee"}],
        "source": {"outlet": "Wire", "published": "2014-03-20", "speaker": "John Kerry"},
    })
    item = seeded.state().items["invitation:kerry-to-moscow"]
    assert item.status == "accepted"
    assert item.accounts == ()
    assert "kl-03-kerry-declines" in item.history
    # As of March 15 the two accounts of March 10 still compete.
    earlier = seeded.state(Query(as_of="2014-03-15")).items["invitation:kerry-to-moscow"]
    assert earlier.status == "disputed"
    assert [a.status for a in earlier.accounts] == ["declined", "deferred"]
