"""Exports other tools read: TimelineJS (JSON and its Google Sheets CSV), a spreadsheet CSV that
``tracker import`` reads back, and PLOVER JSON Lines. Each format is a module that writes to a
binary stream from an iterator of events (and, where the format needs it, what the state at the
end says of them, read from its parts a section at a time), one event at a time: memory does not
grow with the log.

What the formats share lives here: the words for an uncertain story date, the credit line of a
source, and what later entries did to each event (read from the state at the end).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from tracker.codec.state_document import SECTIONS, StateParts, parts_of
from tracker.domain.dates import StoryTime
from tracker.domain.events import Event, Source
from tracker.domain.vocabulary import DISPUTED, lane_titles

#: The title of each lane (a section of the state, or a kind without one), the vocabulary's.
LANE_TITLES = lane_titles()


class About(NamedTuple):
    """What an export says about itself: the log it came from, its head, when, and the view
    (filters and questions) it shows, in words."""

    source: str
    head: tuple[int, str]
    exported_at: str
    view: str = "everything in the log"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@lru_cache(maxsize=1 << 14)
def day_words(iso: str) -> str:
    """``2014-03-07`` as ``7 March 2014``."""
    d = date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _window_words(lo: date, hi: date) -> str:
    if lo.day == 1 and (hi.replace(day=28) + _DAYS_4).replace(day=1) == _next_day(hi):
        if lo.year == hi.year and lo.month == 1 and hi.month == 12:
            return f"in {lo.year}"
        if (lo.year, lo.month) == (hi.year, hi.month):
            return f"in {MONTHS[lo.month - 1]} {lo.year}"
    if lo.year != hi.year:
        return f"{day_words(lo.isoformat())} – {day_words(hi.isoformat())}"
    if lo.month != hi.month:
        return f"{lo.day} {MONTHS[lo.month - 1]} – {hi.day} {MONTHS[hi.month - 1]} {hi.year}"
    return f"{lo.day}–{hi.day} {MONTHS[lo.month - 1]} {lo.year}"


_DAYS_4 = date(2000, 1, 5) - date(2000, 1, 1)


def _next_day(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)


_WORDS_ONLY = re.compile(r"\D*")  # no digit: relative words, not a date written out
_LETTER = re.compile(r"[^\W\d_]")


def date_words(story: StoryTime, published: str | None = None) -> str:
    """The story date in words, saying its uncertainty rather than drawing a false span:
    ``7 March 2014 ('last Friday')``, ``no later than 10 March 2014``, ``sometime 3–9 March 2014
    ('last week')``, ``sometime in March 2014``; with no bound at all, the report's date."""
    lo, hi = story.earliest, story.latest
    if lo is not None and hi is not None:
        text = day_words(lo) if lo == hi else "sometime " + _window_words(
            date.fromisoformat(lo), date.fromisoformat(hi))
    elif hi is not None:
        text = f"no later than {day_words(hi)}"
    elif lo is not None:
        text = f"no earlier than {day_words(lo)}"
    else:
        text = "date unknown" + (f" (reported {day_words(published)})" if published else "")
    expr = story.expr.strip()
    if _WORDS_ONLY.fullmatch(expr) and _LETTER.search(expr):
        text += f" ('{expr}')"  # the source's own words: "last Friday", "last week"
    return text


def placed_on(event: Event) -> str:
    """The one day a timeline that has no notion of uncertainty places the event on: its
    earliest possible day, else its latest, else the day it was reported."""
    return event.story.earliest or event.story.latest or event.source.published


def item_of(event: Event) -> str:
    """The item an event belongs to (its subject, or the event itself when it opens none)."""
    return event.subject or event.id


def lane_of(event: Event) -> str:
    """The kind of item an event belongs to, as a lane name: ``invitations`` for an invitation's
    events and for an account that disputes one of them."""
    subject = event.subject or ""
    kind = subject.partition(":")[0] if ":" in subject else event.kind
    return SECTIONS.get(kind, kind)


def credit(source: Source) -> str:
    """Who says so: ``Sergey Lavrov (on the record), in McClatchy (Hannah Allam, via Radio Free
    Europe/Reuters), published 2014-03-10``."""
    parts = []
    if source.speaker:
        parts.append(f"{source.speaker} ({'on the record' if source.on_record else 'not for attribution'}), in ")
    by = ", ".join(p for p in (source.author, f"via {source.via}" if source.via else None) if p)
    parts.append(source.outlet + (f" ({by})" if by else ""))
    parts.append(f", published {source.published}")
    return "".join(parts)


class Marks:
    """What later entries did to each event and item, read from the state (its parts, read a
    section at a time: a large state is never held whole): the accounts disputed (and by which
    events), the entries corrected and retracted, the items whose status is disputed, and how
    many items of each section stand in each status (:meth:`title_lines`)."""

    def __init__(self, state: StateParts | Mapping[str, Any]) -> None:
        parts = state if isinstance(state, StateParts) else parts_of(state)
        self.disputed_by: dict[str, list[str]] = {}
        self.corrected: set[str] = set()
        self.retracted: set[str] = set()
        self.disputed_items: set[str] = set()
        #: section -> status ("-": none) -> items, each in the order the section first gives it
        self.statuses: dict[str, dict[str, int]] = {}
        for section, _size, items in parts.sections:
            counts = self.statuses.setdefault(section, {})
            for item in items():
                status = item.get("status") or "-"
                counts[status] = counts.get(status, 0) + 1
                if status == DISPUTED:
                    self.disputed_items.add(item["subject"])
                for group in item.get("accounts", ()):
                    for account in group["sources"]:
                        if account.get("disputed_by"):
                            self.disputed_by[account["event"]] = [
                                c["event"] for c in account["disputed_by"]]
                            self.disputed_items.add(item["subject"])
                self.corrected.update(c["entry"] for c in item.get("corrected", ()))
                self.retracted.update(item.get("retracted", ()))

    def of(self, event_id: str) -> list[str]:
        """The marks of one event, in reading order: disputed, corrected, retracted."""
        out = []
        if event_id in self.disputed_by:
            out.append(DISPUTED)
        if event_id in self.corrected:
            out.append("corrected")
        if event_id in self.retracted:
            out.append("retracted")
        return out

    def title_lines(self) -> list[str]:
        """The state at the end in a few lines, for a title slide or the head of a page:
        ``Invitations: 1 disputed`` ..."""
        lines = []
        for section in SECTIONS.values():
            counts = self.statuses.get(section)
            if not counts:
                continue
            told = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items())
            lines.append(f"{LANE_TITLES[section]}: {told}")
        return lines
