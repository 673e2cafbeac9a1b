"""Spreadsheets: tracker's own CSV (one row per event, read back by ``tracker import``) and the
column layout of TimelineJS's Google Sheets template.

Both are UTF-8 with a header row and RFC 4180 quoting (CRLF line ends, a field with a comma, a
quote or a line break in double quotes). Both are safe against formula injection, as OWASP
advises for CSV exports: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe, so a spreadsheet shows it as text; a cell starting with an
apostrophe gets one too, so reading back only ever drops the first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

import orjson

from tracker.codec.exports import About, Marks
from tracker.codec.exports import timelinejs as tljs
from tracker.domain.events import EVENT_TYPES, Event, thaw
from tracker.errors import InvalidInput
from tracker.text import clip

#: tracker's CSV, in column order. The first seventeen are what a spreadsheet user reads; the
#: rest carry what an import needs to rebuild the event exactly.
COLUMNS = ("position", "id", "type", "story", "earliest", "latest", "summary", "actors", "place",
           "outlet", "speaker", "on_record", "quote", "url", "published", "references",
           "certainty", "subject", "author", "title", "via", "anchor", "details")
HEADER = ",".join(COLUMNS)

#: The columns of TimelineJS's Google Sheets template, in its order.
TIMELINEJS_COLUMNS = ("Year", "Month", "Day", "Time", "End Year", "End Month", "End Day",
                      "End Time", "Display Date", "Headline", "Text", "Media", "Media Credit",
                      "Media Caption", "Media Thumbnail", "Type", "Group", "Background")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
#: One actor of the actors column, as :func:`tracker.domain.events.actor_text` writes it: the
#: name, then the role and any office in parentheses. A name or an office may hold parentheses
#: of its own ("Organisation (OSCE)", "Foreign Minister (acting, interim)"): the role is the
#: last one of the vocabulary's roles the part can be read with; a role that is none of them
#: (named by the event's validation) is read from the last parentheses.
_ROLES = sorted({r for t in EVENT_TYPES.values() for r in t.roles} | {"mentioned"},
                key=len, reverse=True)
_ACTORS = tuple(re.compile(rf"(?P<name>.*) \((?P<role>{role})(?:, (?P<office>.*))?\)", re.DOTALL)
                for role in ("|".join(map(re.escape, _ROLES)), "[^(),]+"))


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's advice for CSV exports)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def restore(cell: str) -> str:
    """The inverse of :func:`neutralise`."""
    return cell[1:] if cell.startswith("'") else cell


def _escape_part(text: str) -> str:
    """One name, role or id inside a "; "-separated list cell."""
    return text.replace("\\", "\\\\").replace(";", "\\;")


def _split_parts(cell: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell):
            current.append(cell[i + 1])
            i += 2
            continue
        if c == ";":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    last = "".join(current).strip()
    if last or parts:
        parts.append(last)
    return parts


def row(event: Event) -> list[str]:
    """One event as the cells of tracker's CSV (not yet neutralised)."""
    s, story = event.source, event.story
    anchor = story.anchor if story.anchor not in (None, s.published) else ""
    return [
        str(event.position), event.id, event.type, story.expr, story.earliest or "",
        story.latest or "", event.summary,
        "; ".join(_escape_part(a.text()) for a in event.actors),
        event.place or "", s.outlet, s.speaker or "", "yes" if s.on_record else "no",
        s.quote or "", s.url or "", s.published,
        "; ".join(f"{r.rel}:{_escape_part(r.id)}" for r in event.refs),
        event.certainty, event.subject or "", s.author or "", s.title or "", s.via or "",
        anchor or "", orjson.dumps(thaw(event.details)).decode() if event.details else "",
    ]


def _writer(out: IO[bytes]) -> tuple[io.TextIOWrapper, Any]:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    return text, csv.writer(text, lineterminator="\r\n")


def write(out: IO[bytes], events: Iterable[Event]) -> int:
    """Write tracker's CSV; returns the rows written (one per event)."""
    text, writer = _writer(out)
    writer.writerow(COLUMNS)
    n = 0
    for event in events:
        writer.writerow([neutralise(c) for c in row(event)])
        n += 1
    text.flush()
    text.detach()
    return n


def timelinejs_row(slide: Mapping[str, Any], kind: str = "") -> list[str]:
    """A TimelineJS slide as a row of its Google Sheets template."""
    start = slide.get("start_date") or {}
    media = slide.get("media") or {}
    text = slide.get("text") or {}
    return [str(start.get("year", "")), str(start.get("month", "")), str(start.get("day", "")),
            "", "", "", "", "", slide.get("display_date", ""), text.get("headline", ""),
            text.get("text", ""), media.get("url", ""), media.get("credit", ""),
            media.get("caption", ""), "", kind, slide.get("group", ""),
            (slide.get("background") or {}).get("color", "")]


def write_timelinejs(out: IO[bytes], events: Iterable[Event], marks: Marks, about: About,
                     count: int) -> int:
    """Write the Google Sheets layout: the title row (the state at the end, as ``marks`` tell
    it), then one row per event. ``count`` is the number of events, named on the title row."""
    text, writer = _writer(out)
    writer.writerow(TIMELINEJS_COLUMNS)
    writer.writerow([neutralise(c) for c in
                     timelinejs_row(tljs.title_slide(marks, about, count), "title")])
    n = 0
    for event in events:
        writer.writerow([neutralise(c) for c in timelinejs_row(tljs.slide(event, marks))])
        n += 1
    text.flush()
    text.detach()
    return n


# --------------------------------------------------------------------------- reading it back


def is_tracker_csv(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("position,id,type,")


def is_timelinejs_csv(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("Year,Month,Day,")


def read(text: str, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The events of tracker's CSV as event objects (what ``parse_event`` reads), each with the
    place it was found ("FILE line N"); a malformed row is named by its line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidInput(f"{name}: the file is empty") from None
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InvalidInput(f"{name} line 1: unknown column {clip(repr(unknown[0]))} "
                           f"(tracker's CSV has {', '.join(COLUMNS)})")
    if missing:
        raise InvalidInput(f"{name} line 1: column {missing[0]!r} is missing "
                           f"(tracker's CSV has {', '.join(COLUMNS)})")
    at = {c: header.index(c) for c in COLUMNS}
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(f"{name} line {reader.line_num}: not valid CSV ({exc})") from None
        where = f"{name} line {line}"
        line = reader.line_num + 1
        if not any(cells):
            continue
        if len(cells) != len(header):
            raise InvalidInput(f"{where}: {len(cells)} cells, but the header has {len(header)}")
        yield where, _event_object({c: restore(cells[i]) for c, i in at.items()}, where)


def _event_object(cells: Mapping[str, str], where: str) -> dict[str, Any]:
    def opt(key: str) -> str | None:
        return cells[key] or None

    story: dict[str, Any] = {"expr": cells["story"], "earliest": opt("earliest"),
                             "latest": opt("latest")}
    if cells["anchor"]:
        story["anchor"] = cells["anchor"]
    if cells["on_record"] not in {"yes", "no"}:
        raise InvalidInput(f"{where}: column 'on_record' must be yes or no, "
                           f"not {clip(repr(cells['on_record']))}")
    source = {"outlet": cells["outlet"], "published": cells["published"],
              "on_record": cells["on_record"] == "yes"}
    for key in ("author", "title", "url", "via", "speaker", "quote"):
        if cells[key]:
            source[key] = cells[key]
    actors = []
    for part in _split_parts(cells["actors"]):
        found = _ACTORS[0].fullmatch(part) or _ACTORS[1].fullmatch(part)
        if found is None:
            raise InvalidInput(f"{where}: column 'actors': {clip(repr(part))} must look like "
                               "'Name (role)' or 'Name (role, office)'")
        actor = {"name": found["name"].strip(), "role": found["role"].strip()}
        if found["office"] is not None:
            actor["office"] = found["office"].strip()
        actors.append(actor)
    refs = []
    for part in _split_parts(cells["references"]):
        rel, colon, target = part.partition(":")
        if not colon:
            raise InvalidInput(f"{where}: column 'references': {clip(repr(part))} must look "
                               "like 'rel:id'")
        refs.append({"rel": rel.strip(), "id": target.strip()})
    details: Any = {}
    if cells["details"]:
        try:
            details = orjson.loads(cells["details"])
        except orjson.JSONDecodeError:
            raise InvalidInput(f"{where}: column 'details' is not valid JSON") from None
    obj: dict[str, Any] = {"id": cells["id"], "type": cells["type"], "story": story,
                           "summary": cells["summary"], "certainty": cells["certainty"],
                           "actors": actors, "source": source, "refs": refs, "details": details}
    if cells["subject"]:
        obj["subject"] = cells["subject"]
    if cells["place"]:
        obj["place"] = cells["place"]
    return obj


