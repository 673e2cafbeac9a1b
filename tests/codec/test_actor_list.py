"""The state document's actors are the same whatever order the items come in: a replay gives
them in the order items end in the log, the kept records in the order they were kept."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tracker.codec.state_document import ActorList

#: Offices held from and to dates that fall at the same place in story order but show apart
#: ("≤ 2014-03-10" and "2014-03-10" both end on the 10th).
SPANS = [
    ("2014-03-10", "2014-03-10", "2014-03-10"),
    ("≤ 2014-03-10", "2014-03-10", "2014-03-10"),
    ("2014-03", "2014-03-01", "2014-03-31"),
    ("2014-03-01..2014-03-31", "2014-03-01", "2014-03-31"),
    ("≥ 2014-02-01", "2014-02-01", "2014-02-01"),
]

items = st.lists(
    st.tuples(st.sampled_from(["Lavrov", "Kerry"]), st.sampled_from(["speaker", "participant"]),
              st.sampled_from(SPANS), st.sampled_from(SPANS)),
    min_size=1, max_size=8)


def entries(facts: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]) -> Any:
    actors = ActorList()
    for name, role, first, last in facts:
        actors.take_facts([[name, role]], [[name, "Foreign Minister", *first, *last]])
    return actors.entries()


@given(items, st.randoms())
def test_the_actors_do_not_depend_on_the_order_items_come_in(
        facts: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]], random: Any) -> None:
    shuffled = list(facts)
    random.shuffle(shuffled)
    assert entries(shuffled) == entries(facts)


def test_an_office_runs_from_its_earliest_to_its_latest_date() -> None:
    assert entries([("Lavrov", "speaker", SPANS[2], SPANS[0]),
                    ("Lavrov", "speaker", SPANS[4], SPANS[2])]) == [
        {"name": "Lavrov", "roles": ["speaker"], "items": 2,
         "offices": [{"office": "Foreign Minister", "first": "≥ 2014-02-01",
                      "last": "2014-03-10"}]}]


@given(items, items, st.randoms())
def test_items_given_back_leave_the_actors_of_the_rest(
        kept: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]],
        gone: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]], random: Any) -> None:
    actors = ActorList()
    both = [*((f, True) for f in kept), *((f, False) for f in gone)]
    random.shuffle(both)
    for (name, role, first, last), _ in both:
        actors.take_facts([[name, role]], [[name, "Foreign Minister", *first, *last]])
    for (name, role, first, last), stays in both:
        if not stays:
            actors.drop_facts([[name, role]], [[name, "Foreign Minister", *first, *last]])
    assert actors.entries() == entries(kept)
    assert ActorList.from_json(actors.to_json()).entries() == entries(kept)
