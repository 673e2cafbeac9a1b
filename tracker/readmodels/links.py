"""What ties wholes and parts together (talks, their rounds, what they produced), kept beside
the state's records (see :mod:`tracker.readmodels.entries`) so that it is made again only
around the items that changed, without holding every whole and part.

A part belongs to the whole that owns the first of its references any whole owns (see
:func:`tracker.domain.fold.links_of`, which says what each gains; this module only chooses the
wholes and parts to ask it about). So an item that changed changes what is said of:

- itself, and the wholes owning its references before and after (a part), or the parts
  referring to its entries before and after (a whole);
- through a whole whose entries changed, the wholes those parts belonged to before, which lose
  them.

Each of those wholes is asked about with every part referring to its entries, and each such
part with every whole owning any of its references: what :func:`links_of` says of them is then
what it says of the whole log. (A whole that did not change owns the same entries before and
after: the wholes that may lose parts are found after the change is kept.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from tracker.domain.fold import LinkFacts, links_of
from tracker.domain.vocabulary import KINDS

SCHEMA = (
    # each entry of a whole: which whole owns it
    "CREATE TABLE IF NOT EXISTS link_owners (id TEXT PRIMARY KEY, whole TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS link_owners_by_whole ON link_owners (whole)",
    # each reference of a part
    "CREATE TABLE IF NOT EXISTS link_targets (target TEXT NOT NULL, part TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS link_targets_by_target ON link_targets (target)",
    "CREATE INDEX IF NOT EXISTS link_targets_by_part ON link_targets (part)",
    # what each item tied to others gains (compact JSON)
    "CREATE TABLE IF NOT EXISTS linked (subject TEXT PRIMARY KEY, extras BLOB NOT NULL)",
)

SHAPE = {"link_owners": "id, whole", "link_targets": "target, part",
         "linked": "subject, extras"}


def is_whole(facts: LinkFacts) -> bool:
    return KINDS[facts.kind].whole


def keep(conn: sqlite3.Connection, facts: Iterable[LinkFacts],
         linked: Mapping[str, Mapping[str, Any]]) -> None:
    """Keep these wholes' and parts' facts and what each gains (``links_of`` of them all), in
    place of nothing (the tables just emptied)."""
    owners: list[tuple[str, str]] = []
    targets: list[tuple[str, str]] = []
    for f in facts:
        if is_whole(f):
            owners.extend((id_, f.subject) for id_ in f.ids)
        else:
            targets.extend((t, f.subject) for t in f.targets)
    conn.executemany("INSERT OR REPLACE INTO link_owners VALUES (?, ?)", owners)
    conn.executemany("INSERT INTO link_targets VALUES (?, ?)", targets)
    conn.executemany("INSERT INTO linked VALUES (?, ?)",
                     [(s, orjson.dumps(extras)) for s, extras in linked.items()])


def relink(conn: sqlite3.Connection, before: Mapping[str, LinkFacts],
           after: Mapping[str, LinkFacts],
           facts_of: Callable[[Iterable[str]], Iterable[LinkFacts]]
           ) -> dict[str, dict[str, Any] | None]:
    """Items changed: their facts ``before`` and ``after`` (the wholes and parts among them);
    ``facts_of(subjects)``: the facts kept now of any items. Keeps the change and returns what
    each item whose gains changed gains now (None: nothing)."""
    part_targets = {t for f in (*before.values(), *after.values()) if not is_whole(f)
                    for t in f.targets}
    whole_ids = {id_ for f in (*before.values(), *after.values()) if is_whole(f)
                 for id_ in f.ids}
    for subject, f in before.items():
        if is_whole(f):
            conn.execute("DELETE FROM link_owners WHERE whole = ?", (subject,))
        else:
            conn.execute("DELETE FROM link_targets WHERE part = ?", (subject,))
    keep(conn, after.values(), {})
    # the wholes changed, those the changed parts may belong to, and those that may lose parts
    # to a changed whole's entries (a whole that is not changed owns the same entries before
    # and after: asking who owns them after the change finds it)
    wholes = {s for s, f in (*before.items(), *after.items()) if is_whole(f)}
    wholes |= _owners(conn, part_targets | _targets_of(conn, _referring(conn, whole_ids)))
    # every part of those wholes, and those referring to a changed whole's entries (they may
    # belong to none now)
    parts = (_referring(conn, _ids_of(conn, wholes) | whole_ids)
             | {s for s, f in after.items() if not is_whole(f)})
    context = wholes | _owners(conn, _targets_of(conn, parts))
    gains = links_of(facts_of(context | parts))
    asked = wholes | parts | set(before)
    kept = dict(rows(conn, "SELECT subject, extras FROM linked WHERE subject IN ({})", asked))
    changed: dict[str, dict[str, Any] | None] = {}
    for subject in asked:
        now = gains.get(subject)
        was = kept.get(subject)
        if (orjson.loads(was) if was is not None else None) != now:
            changed[subject] = now
            if now is None:
                conn.execute("DELETE FROM linked WHERE subject = ?", (subject,))
            else:
                conn.execute("INSERT OR REPLACE INTO linked VALUES (?, ?)",
                             (subject, orjson.dumps(now)))
    return changed


def _owners(conn: sqlite3.Connection, ids: set[str]) -> set[str]:
    return {w for (w,) in rows(conn, "SELECT DISTINCT whole FROM link_owners WHERE id IN ({})",
                                ids)}


def _ids_of(conn: sqlite3.Connection, wholes: set[str]) -> set[str]:
    return {i for (i,) in rows(conn, "SELECT id FROM link_owners WHERE whole IN ({})", wholes)}


def _referring(conn: sqlite3.Connection, ids: set[str]) -> set[str]:
    return {p for (p,) in rows(conn, "SELECT DISTINCT part FROM link_targets WHERE target IN "
                                      "({})", ids)}


def _targets_of(conn: sqlite3.Connection, parts: set[str]) -> set[str]:
    return {t for (t,) in rows(conn, "SELECT target FROM link_targets WHERE part IN ({})",
                                parts)}


def rows(conn: sqlite3.Connection, query: str, keys: Iterable[str]) -> list[tuple[Any, ...]]:
    """``query`` (with ``{}`` for its list of keys) of these keys, 500 at a time."""
    keys = list(keys)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), 500):
        some = keys[start:start + 500]
        found.extend(conn.execute(query.format(", ".join("?" * len(some))), some).fetchall())
    return found
