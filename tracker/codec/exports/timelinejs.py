"""Knight Lab TimelineJS 3: the JSON its embed loads, one slide per event.

TimelineJS drops a slide with no ``start_date`` without a word, so every slide gets one: an
uncertain date is placed at a bound and ``display_date`` says the words ("no later than 10 March
2014", "sometime 3–9 March 2014"); no ``end_date`` is drawn, which would claim a duration. The
source's quote is the slide's media (a ``<blockquote>``, which TimelineJS shows as a quote with the
credit under it); the article is linked from the caption, never put in ``media.url`` (a broken
image). ``group`` is the item's kind, one lane each. A disputed account gets a dark background
(any ``background.color`` turns the text white). The title slide carries the story and the state
at the end; TimelineJS sorts slides by date itself, so they are written in log order.

What TimelineJS cannot carry: the uncertainty window as data, a dispute as a relation between
accounts, certainty, and the known-on axis (``WHAT_IS_LOST``); the tracker-timeline export keeps
them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import IO, Any

import orjson

from tracker.codec.exports import (
    LANE_TITLES,
    About,
    Marks,
    credit,
    date_words,
    lane_of,
    placed_on,
)
from tracker.domain.events import Event
from tracker.domain.vocabulary import DISPUTED
from tracker.errors import InvalidInput
from tracker.text import json_safe

WHAT_IS_LOST = (
    "TimelineJS cannot carry an uncertain date as data (each slide sits at one bound and says "
    "the window in words), a dispute as a relation between accounts (only a line and a link), "
    "how certain the source is, or what was known on which date; the tracker-timeline export "
    "keeps them all."
)
#: Dark enough for TimelineJS's white text: a disputed account.
DISPUTED_COLOUR = "#6b1f2a"


def start_date(event: Event) -> dict[str, int]:
    day = placed_on(event)
    return {"year": int(day[0:4]), "month": int(day[5:7]), "day": int(day[8:10])}


def source_link(event: Event) -> str:
    """The article, linked by its title (or outlet), as HTML; empty without a URL."""
    s = event.source
    if not s.url:
        return ""
    return f'<a href="{escape(s.url)}" target="_blank" rel="noopener">{escape(s.title or s.outlet)}</a>'


def body(event: Event, marks: Marks) -> str:
    """The slide's text: type, actors, place, details, references, marks and, when no quote
    carries it, the source."""
    lines = [f"<p><b>{escape(event.type)}</b> · {escape(event.subject or event.id)}</p>"]
    if event.actors:
        lines.append("<p>" + "; ".join(escape(a.text()) for a in event.actors) + "</p>")
    if event.place:
        lines.append(f"<p>Place: {escape(event.place)}</p>")
    for key, value in event.details.items():
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        lines.append(f"<p>{escape(key.replace('_', ' '))}: {escape(shown)}</p>")
    if event.certainty != "certain":
        lines.append(f"<p>Certainty: {escape(event.certainty)}</p>")
    for ref in event.refs:
        lines.append(f'<p>{escape(ref.rel.replace("_", " "))} '
                     f'<a href="#event-{escape(ref.id)}">{escape(ref.id)}</a></p>')
    disputers = marks.disputed_by.get(event.id)
    if disputers:
        lines.append("<p><b>Disputed</b> by " + ", ".join(
            f'<a href="#event-{escape(d)}">{escape(d)}</a>' for d in disputers) + "</p>")
    for mark in marks.of(event.id):
        if mark != DISPUTED:
            lines.append(f"<p><b>{mark.capitalize()}</b> by a later entry</p>")
    if not event.source.quote:
        link = source_link(event)
        lines.append(f"<p>Source: {escape(credit(event.source))}{' · ' + link if link else ''}</p>")
    return "".join(lines)


def slide(event: Event, marks: Marks) -> dict[str, Any]:
    out: dict[str, Any] = {
        "unique_id": event.id,
        "start_date": start_date(event),
        "display_date": date_words(event.story, event.source.published),
        "text": {"headline": escape(event.summary), "text": body(event, marks)},
        "group": LANE_TITLES.get(lane := lane_of(event), lane),
        "autolink": False,
    }
    if event.source.quote:
        out["media"] = {"url": f"<blockquote>“{escape(event.source.quote)}”</blockquote>",
                        "credit": escape(credit(event.source)),
                        "caption": source_link(event)}
    if event.id in marks.disputed_by:
        out["background"] = {"color": DISPUTED_COLOUR}
    return out


def title_slide(marks: Marks, about: About, count: int) -> dict[str, Any]:
    lines = "".join(f"<p>{escape(line)}</p>" for line in marks.title_lines())
    text = (f"<p>{count} event{'s' if count != 1 else ''} from {escape(about.source)} "
            f"({escape(about.view)}); head {about.head[0]} {about.head[1][:12]}, "
            f"exported {escape(about.exported_at[:10])}.</p>"
            f"<p><b>The state at the end</b></p>{lines}<p><i>{escape(WHAT_IS_LOST)}</i></p>")
    return {"text": {"headline": "A diplomatic timeline", "text": text}}


def write(out: IO[bytes], events: Iterable[Event], marks: Marks, about: About) -> int:
    """Write the TimelineJS JSON document; returns the slides written (one per event).
    ``marks``: what the state at the end says of the events.

    A timeline with no event is a configuration error that TimelineJS shows instead of the
    timeline, so none is written: the error is raised before the first byte."""
    n = 0
    for event in events:
        out.write(b'{"events": [\n' if n == 0 else b",\n")
        out.write(json_safe(orjson.dumps(slide(event, marks))))
        n += 1
    if n == 0:
        raise InvalidInput("no events to export: TimelineJS cannot show an empty timeline")
    out.write(b'\n], "title": ')
    out.write(json_safe(orjson.dumps(title_slide(marks, about, n))))
    out.write(b', "scale": "human"}\n')
    return n
