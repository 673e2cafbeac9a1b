"""What the state document says across items (the demands gating each item, the disputes, the
actors) is the same when gathered from every
item at once as when kept and brought up to date an item at a time: items changed give back
what they said and say what they say now, in any order (see
:class:`tracker.codec.state_document.CrossItem`)."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.domain.test_fold_property import logs
from tracker.codec.state_document import CrossItem, item_facts
from tracker.domain.events import Event
from tracker.domain.fold import replay


def facts_of(events: list[Event]) -> dict[str, list[Any]]:
    """Each item's facts, JSON-shaped as they are kept (read back from their bytes)."""
    state = replay(events)
    found = {}
    for item, view in state.views().values():
        facts = item_facts(item, view)
        if facts is not None:
            found[item.subject] = orjson.loads(orjson.dumps(facts))
    return found


def said(cross: CrossItem, subjects: set[str]) -> Any:
    """Everything the document takes from ``cross``."""
    return ( cross.disputes_in_order(), cross.actors.entries(),
            {s: cross.conditions(s) for s in subjects})


def gathered(facts: dict[str, list[Any]]) -> CrossItem:
    cross = CrossItem()
    for f in facts.values():
        cross.take(f)
    return cross


def brought_up_to_date(before: dict[str, list[Any]], after: dict[str, list[Any]],
                       random: Any) -> CrossItem:
    """What is said across the items ``before``, kept (as JSON and read back), then brought up
    to date with the items that changed (in a random order): each gives back what it said,
    then says what it says ``after``."""
    kept = CrossItem.from_json(orjson.loads(orjson.dumps(gathered(before).to_json())))
    changed = sorted(s for s in set(before) | set(after) if before.get(s) != after.get(s))
    random.shuffle(changed)
    for subject in changed:
        if subject in before:
            kept.drop(before[subject])
    for subject in changed:
        if subject in after:
            kept.take(after[subject])
    return kept


@settings(max_examples=60, deadline=None)
@given(logs(), st.floats(min_value=0, max_value=1), st.randoms())
def test_kept_and_brought_up_to_date_it_says_what_it_says_of_every_item_at_once(
        events: list[Event], split: float, random: Any) -> None:
    cut = round(len(events) * split)
    before, after = facts_of(events[:cut]), facts_of(events)
    subjects = set(before) | set(after)
    kept = brought_up_to_date(before, after, random)
    assert said(kept, subjects) == said(gathered(after), subjects)


@settings(max_examples=30, deadline=None)
@given(logs())
def test_items_given_back_leave_nothing_behind(events: list[Event]) -> None:
    facts = facts_of(events)
    cross = gathered(facts)
    for f in facts.values():
        cross.drop(f)
    assert cross.to_json() == CrossItem().to_json()


# --------------------------------------------------------------------------- any facts

#: Two talks (wholes, each with its entries' ids) and the items that may be their parts.
TALKS = {"talks:a": ("a1", "a2"), "talks:b": ("b1", "b2")}
WHEN = ["2014-03-01", "2014-03-02", None]
SPANS = [("2014-03-10", "2014-03-10", "2014-03-10"), ("≤ 2014-03-10", "2014-03-10", "2014-03-10"),
         ("2014-03", "2014-03-01", "2014-03-31")]
SUBJECTS = [*TALKS, "meeting:1", "meeting:2", "agreement:1", "demand:1", "demand:2", "meeting:3",
            "agreement:2", "meeting:4"]


@st.composite
def item_facts_of(draw: st.DrawFn, subject: str) -> list[Any] | None:
    """Facts as :func:`item_facts` gives them, drawn for one item (JSON-shaped)."""
    kind = subject.split(":")[0]
    gates = link = None
    if kind == "demand":
        gated = draw(st.lists(st.sampled_from(SUBJECTS), max_size=3, unique=True))
        if gated:
            gates = [gated, {"subject": subject, "status": draw(st.sampled_from(["made", "met"])),
                             "demand": "a ceasefire"}]
    elif kind == "talks":  # its entries change as events are added, corrected, retracted
        ids = draw(st.lists(st.sampled_from(TALKS[subject]), min_size=1, unique=True))
        listed = [["rounds", {"event": id_, "when": draw(st.sampled_from(WHEN)), "place": None}]
                  for id_ in ids if draw(st.booleans())]
        link = [subject, kind, "opened", ids, listed, [], None, None]
    elif kind in ("meeting", "agreement"):
        targets = draw(st.lists(st.sampled_from(["a1", "a2", "b1", "b2", "x"]), max_size=3))
        link = [subject, kind, "held", [], [], targets, draw(st.sampled_from(WHEN)), "Geneva"]
    found = [{"subject": subject, "event": f"{subject}/{n}", "status": "held",
              "disputed_by": [{"who": "TASS"}]} for n in range(draw(st.integers(0, 2)))]
    actors = draw(st.lists(st.tuples(st.sampled_from(["Lavrov", "Kerry"]),
                                     st.sampled_from(["speaker", "participant"])), max_size=3))
    offices = [[name, draw(st.sampled_from(["Foreign Minister", "Envoy"])),
                *draw(st.sampled_from(SPANS)), *draw(st.sampled_from(SPANS))]
               for name in sorted({name for name, _role in actors}) if draw(st.booleans())]
    if gates is None and not found and link is None and not actors and not offices:
        return None
    return [gates, found or None, link, [list(a) for a in actors], offices]


@st.composite
def logs_of_facts(draw: st.DrawFn, most: int | None = None) -> dict[str, list[Any]]:
    """The facts of some items (at ``most`` that many)."""
    found = {}
    for subject in draw(st.lists(st.sampled_from(SUBJECTS), unique=True, max_size=most)):
        facts = draw(item_facts_of(subject))
        if facts is not None:
            found[subject] = facts
    return found


@settings(max_examples=200, deadline=None)
@given(logs_of_facts(), logs_of_facts(most=3), st.randoms())
def test_any_items_changed_in_any_order_say_what_every_item_at_once_says(
        before: dict[str, list[Any]], changed: dict[str, list[Any]], random: Any) -> None:
    """Byte for byte: what a whole's entry gains comes in the same order, however its parts
    came."""
    after = {**before, **changed}
    for subject in random.sample(sorted(before), k=len(before) // 3):
        after.pop(subject)  # items that no longer say anything across items
    kept = brought_up_to_date(before, after, random)
    shuffled = list(after.items())
    random.shuffle(shuffled)
    assert orjson.dumps(said(kept, set(SUBJECTS))) == orjson.dumps(
        said(gathered(dict(shuffled)), set(SUBJECTS)))
