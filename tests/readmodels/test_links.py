"""What ties wholes and parts together (talks, their rounds, what they produced), kept and made
again only around the items that changed, is what is made of every item at once: whatever
changed, wholes gaining and losing entries, parts their references (see
:mod:`tracker.readmodels.links`)."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.codec.test_cross_item import logs_of_facts
from tracker.codec.state_document import link_of
from tracker.domain.fold import LinkFacts, links_of
from tracker.readmodels import links


def tied(facts: dict[str, list[Any]]) -> dict[str, LinkFacts]:
    return {s: f for s, f in ((s, link_of(x)) for s, x in facts.items()) if f is not None}


def in_order(gains: dict[str, Any]) -> bytes:
    """What each item gains, by subject, as bytes (the order of each whole's keys counts)."""
    return orjson.dumps(dict(sorted(gains.items())))


@settings(max_examples=300, deadline=None)
@given(logs_of_facts(), logs_of_facts(most=2), st.randoms())
def test_links_made_again_around_the_items_changed_are_those_of_every_item(
        before: dict[str, list[Any]], changed: dict[str, list[Any]], random: Any) -> None:
    after = {**before, **changed}
    for subject in random.sample(sorted(before), k=min(len(before) // 3, 1)):
        after.pop(subject)
    was, now = tied(before), tied(after)
    conn = sqlite3.connect(":memory:")
    for statement in links.SCHEMA:
        conn.execute(statement)
    links.keep(conn, was.values(), links_of(was.values()))
    differ = {s for s in set(was) | set(now) if was.get(s) != now.get(s)}
    gains = links.relink(conn, {s: was[s] for s in differ if s in was},
                         {s: now[s] for s in differ if s in now},
                         lambda subjects: [now[s] for s in subjects if s in now])
    kept = {s: orjson.loads(x) for s, x in conn.execute("SELECT subject, extras FROM linked")}
    every, earlier = links_of(now.values()), links_of(was.values())
    assert in_order(kept) == in_order(every)
    assert gains == {s: every.get(s) for s in set(every) | set(earlier)
                     if every.get(s) != earlier.get(s)}
