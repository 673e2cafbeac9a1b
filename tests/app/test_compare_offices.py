"""Two points of the story compared (the app's compare view): an actor whose office changed on an
item reads as that change, in the words every view uses for an actor."""

from __future__ import annotations

from tracker.app.compare import compare_states
from tracker.domain.fold import Query, project
from tracker.domain.input import parse_event


def test_an_office_that_changed_between_two_dates_shows_in_the_comparison() -> None:
    pompeo = {"name": "Mike Pompeo", "role": "participant"}
    source = {"outlet": "AP", "published": "2018-05-09"}
    events = [parse_event(obj, "x")._replace(position=i + 1) for i, obj in enumerate([
        {"id": "set", "type": "meeting.scheduled", "subject": "meeting:x", "story": "2018-04-01",
         "summary": "Pompeo to meet Kim", "actors": [{**pompeo, "office": "CIA Director"}],
         "details": {"when": "2018-05-09"}, "source": source},
        {"id": "held", "type": "meeting.held", "subject": "meeting:x", "story": "2018-05-09",
         "summary": "Pompeo meets Kim", "source": source,
         "actors": [{**pompeo, "office": "Secretary of State"}]},
    ])]
    (change,) = compare_states(project(events, Query(as_of="2018-04-30")), project(events))
    assert ("actors", "Mike Pompeo (participant, CIA Director)",
            "Mike Pompeo (participant, Secretary of State)") in change.fields
