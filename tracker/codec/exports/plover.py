"""PLOVER event data: JSON Lines, one record per event, in the PLOVER data model.

Each record has ``id``, ``date`` (the earliest possible story day, else the latest, else the
report's day; PLOVER's ``enddate`` would claim a duration, so a window is told in ``comment``),
``actor`` and ``recipient`` (entity objects with ``entity_text``, tracker's ``role`` and, where
the source gives it, the ``office`` the actor held then: the type's first role acts, its other roles receive, as PLOVER codes a visitor as actor and the host
as recipient; anyone else named is told in ``comment``), ``event``
(the PLOVER category, from the vocabulary), ``mode``, ``context``, ``cite_info`` (the source),
``event_text`` (the quote), and ``link`` = the item, so the records of one invitation or proposal
share a link. ``cameo`` is the CAMEO code of the type. A type that PLOVER has no category for
(PLOVER dropped CAMEO's statements and appeals: ``statement.made``, ``proposal.submitted``,
``proposal.countered``, ``account.disputed``, ``account.confirmed``) has an empty ``event`` and
keeps its CAMEO code; the log's own corrections and retractions have neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import orjson

from tracker.codec.exports import date_words, item_of, placed_on
from tracker.domain.events import EVENT_TYPES, Actor, Event
from tracker.text import json_safe

CODER = "tracker"
#: The PLOVER manual the categories and modes follow (openeventdata/PLOVER at this commit).
CODEBOOK = "PLOVER-5e0c24f"
CONTEXT = ("diplomatic",)


def _entity(actor: Actor) -> dict[str, str]:
    """An actor as a PLOVER entity, with tracker's role and the office held then (if given)."""
    entity = {"entity_text": actor.name, "role": actor.role}
    if actor.office is not None:
        entity["office"] = actor.office
    return entity


def record(event: Event) -> dict[str, Any]:
    etype = EVENT_TYPES[event.type]
    acting = etype.roles[0] if etype.roles else None
    actor = [_entity(a) for a in event.actors if a.role == acting]
    recipient = [_entity(a) for a in event.actors if a.role != acting and a.role in etype.roles]
    named = [a for a in event.actors if a.role not in etype.roles]
    s = event.source
    cite: dict[str, Any] = {"publication": s.outlet, "date": s.published}
    for key, value in (("author", s.author), ("title", s.title), ("url", s.url),
                       ("via", s.via)):
        if value:
            cite[key] = value
    comment = date_words(event.story, s.published)
    if s.speaker:
        comment += f"; said by {s.speaker}" + ("" if s.on_record else ", not for attribution")
    if named:
        comment += "; also named: " + ", ".join(a.text() for a in named)
    if event.certainty != "certain":
        comment += f"; {event.certainty}"
    return {
        "id": event.id,
        "date": placed_on(event),
        "actor": actor,
        "recipient": recipient,
        "event": [etype.plover] if etype.plover else [],
        "mode": etype.plover_mode,
        "context": list(CONTEXT) if etype.plover or etype.cameo else [],
        "cameo": etype.cameo,
        "event_text": s.quote,
        "text": event.summary,
        "link": item_of(event),
        "cite_info": cite,
        "comment": comment,
        "story": {"expr": event.story.expr, "edtf": event.story.edtf,
                  "earliest": event.story.earliest, "latest": event.story.latest},
        "tracker_type": event.type,
        "coder": CODER,
        "codebook": CODEBOOK,
        "coded_date": event.recorded_at[:10],
    }


def write(out: IO[bytes], events: Iterable[Event]) -> int:
    """Write one JSON line per event; returns the records written."""
    n = 0
    dumps = orjson.dumps
    for event in events:
        out.write(json_safe(dumps(record(event))) + b"\n")
        n += 1
    return n
