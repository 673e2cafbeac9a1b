"""A report a person opens in a browser: one self-contained HTML file.

It holds a visual timeline (a date axis, one lane per item, each event a mark; an uncertain date
drawn as the window it may fall in, hatched; disputed items marked; hovering a mark shows its
source, speaker and quote, clicking it goes to the event), then the state of affairs (the same
document as ``tracker state``), then the events in story order with their sources and links.
Nothing is fetched: the CSS and the SVG are inline and there is no script or web font.

The page is written as it is read, from passes over the events (``passes`` gives a fresh
iterator each time): one to lay out the lanes and the axis, one for the marks, one for the list.
Memory holds one entry per lane, never the events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import IO, Any

from tracker.codec.exports import (
    MONTHS,
    About,
    Marks,
    credit,
    date_words,
    item_of,
    lane_of,
    placed_on,
)
from tracker.codec.state_document import SECTIONS, StateParts
from tracker.domain.events import Event, actor_text
from tracker.domain.vocabulary import DISPUTED
from tracker.render.terminal import SECTION_TITLES, detail_text
from tracker.text import visible

#: One colour per kind of item (lane), readable on white and on the hatching (a test holds it
#: to every section of the vocabulary).
COLOURS = {
    "invitations": "#1f5fa8", "meetings": "#2f7d32", "proposals": "#8a5a00",
    "demands": "#a3361f", "agreements": "#5b3b8c", "sanctions": "#4a4a4a",
    "talks": "#a0306e", "statements": "#00707a",
}
OTHER_COLOUR = "#555555"
DISPUTED_COLOUR = "#b0123a"

LABEL_WIDTH = 300
PLOT_WIDTH = 880
LANE_HEIGHT = 20
AXIS_HEIGHT = 26
TOP = 4  # above the first lane


def h(value: Any) -> str:
    """Untrusted text for HTML: escaped, controls and escape sequences made visible."""
    return escape(visible(str(value)))


@dataclass
class Layout:
    """The lanes (one per item, in the state's section order then by first date) and the axis."""

    lanes: dict[str, int] = field(default_factory=dict)
    labels: list[tuple[str, str, str]] = field(default_factory=list)  # subject, lane kind, title
    first: date | None = None
    last: date | None = None

    def x(self, day: date) -> float:
        assert self.first is not None and self.last is not None
        span = max((self.last - self.first).days, 1)
        return LABEL_WIDTH + PLOT_WIDTH * (day - self.first).days / span

    @property
    def height(self) -> int:
        return TOP + LANE_HEIGHT * len(self.lanes) + 8


def layout(events: Iterable[Event], state: StateParts) -> Layout:
    titles = {item["subject"]: str(item["title"])
              for _section, _size, items in state.sections for item in items()}
    seen: dict[str, tuple[int, str, str]] = {}  # subject -> (section rank, first day, lane)
    rank = {section: i for i, section in enumerate(SECTIONS.values())}
    lo: str | None = None
    hi: str | None = None
    for event in events:
        subject = item_of(event)
        day = placed_on(event)
        lane = lane_of(event)
        if subject not in seen or day < seen[subject][1]:
            seen[subject] = (rank.get(lane, len(rank)), day, lane)
        for bound in (event.story.earliest, event.story.latest, day):
            if bound is not None:
                lo = bound if lo is None or bound < lo else lo
                hi = bound if hi is None or bound > hi else hi
    out = Layout()
    for i, (subject, (_, _, lane)) in enumerate(sorted(seen.items(),
                                                       key=lambda kv: (kv[1][0], kv[1][1], kv[0]))):
        out.lanes[subject] = i
        out.labels.append((subject, lane, titles.get(subject, subject)))
    if lo is not None and hi is not None:
        pad = max(1, (date.fromisoformat(hi) - date.fromisoformat(lo)).days // 40)
        out.first = date.fromisoformat(lo) - timedelta(days=pad)
        out.last = date.fromisoformat(hi) + timedelta(days=pad)
    return out


def _ticks(first: date, last: date) -> Iterator[tuple[date, str]]:
    """Axis ticks: days, weeks, months or years, whichever gives a dozen or so."""
    days = (last - first).days
    if days <= 21:
        d = first
        while d <= last:
            yield d, f"{d.day} {MONTHS[d.month - 1][:3]}"
            d += timedelta(days=1 if days <= 14 else 2)
        return
    if days <= 120:
        d = first + timedelta(days=(7 - first.weekday()) % 7)
        while d <= last:
            yield d, f"{d.day} {MONTHS[d.month - 1][:3]}"
            d += timedelta(days=7)
        return
    months = days / 30.4
    if months <= 14 * 6:
        step = next(m for m in (1, 2, 3, 6) if months / m <= 14)
        year, month = first.year, first.month
        while True:
            month += 1
            if month > 12:
                year, month = year + 1, 1
            d = date(year, month, 1)
            if d > last:
                return
            if (month - 1) % step == 0:
                yield d, str(year) if month == 1 else f"{MONTHS[month - 1][:3]} {year}"
    years = days / 365.25
    step = next(y for y in (1, 2, 5, 10, 20, 50, 100, 1000) if years / y <= 14)
    year = first.year + 1
    while date(year, 1, 1) <= last:
        if year % step == 0:
            yield date(year, 1, 1), str(year)
        year += 1


def _tooltip(event: Event) -> str:
    s = event.source
    lines = [event.summary, date_words(event.story, s.published), event.type,
             "Source: " + credit(s)]
    if s.quote:
        lines.append(f"“{s.quote}”")
    return "\n".join(lines)


def _mark(event: Event, layout: Layout, marks: Marks) -> str:
    lane = layout.lanes.get(item_of(event))
    if lane is None or layout.first is None or layout.last is None:
        return ""
    y = TOP + lane * LANE_HEIGHT + LANE_HEIGHT / 2
    colour = COLOURS.get(lane_of(event), OTHER_COLOUR)
    disputed = event.id in marks.disputed_by
    lo, hi = event.story.earliest, event.story.latest
    cls = "mark disputed" if disputed else "mark"
    tip = f"<title>{h(_tooltip(event))}</title>"
    if lo is not None and lo == hi:
        x = (layout.x(date.fromisoformat(lo)) + layout.x(date.fromisoformat(lo) + timedelta(days=1))) / 2
        shape = (f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"'
                 f'{" stroke=" + chr(34) + DISPUTED_COLOUR + chr(34) if disputed else ""}/>')
    else:
        x0 = layout.x(date.fromisoformat(lo)) if lo is not None else LABEL_WIDTH
        x1 = (layout.x(date.fromisoformat(hi) + timedelta(days=1)) if hi is not None
              else LABEL_WIDTH + PLOT_WIDTH)
        open_side = " open-start" if lo is None else (" open-end" if hi is None else "")
        shape = (f'<rect class="{cls} window{open_side}" x="{x0:.1f}" y="{y - 6:.1f}" '
                 f'width="{max(x1 - x0, 3):.1f}" height="12" fill="url(#hatch-{_slug(lane_of(event))})" '
                 f'stroke="{DISPUTED_COLOUR if disputed else colour}"/>')
    return f'<a href="#ev-{h(event.id)}" data-event="{h(event.id)}">{tip}{shape}</a>\n'


def _slug(lane: str) -> str:
    return lane if lane in COLOURS else "other"


def _svg_head(layout: Layout, marks: Marks) -> str:
    """The date axis (its own SVG, which stays in view while the lanes scroll under it), then
    the opening of the lanes' SVG: the hatchings, the day lines and one labelled lane per item."""
    width = LABEL_WIDTH + PLOT_WIDTH + 20
    ticks = ([] if layout.first is None or layout.last is None
             else [(layout.x(day), label) for day, label in _ticks(layout.first, layout.last)])
    parts = [f'<svg id="axis" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
             f'{AXIS_HEIGHT}" width="{width}" height="{AXIS_HEIGHT}" aria-hidden="true">']
    parts.extend(f'<text class="tick-label" x="{x:.1f}" y="{AXIS_HEIGHT - 8}">{h(label)}</text>'
                 for x, label in ticks)
    parts.append("</svg>")
    parts += [f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
              f'{layout.height}" width="{width}" height="{layout.height}" role="img" '
              'aria-label="Timeline: one lane per item, each event a mark">',
              "<defs>"]
    for lane, colour in [*COLOURS.items(), ("other", OTHER_COLOUR)]:
        parts.append(f'<pattern id="hatch-{lane}" width="6" height="6" '
                     'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                     f'<rect width="6" height="6" fill="{colour}" fill-opacity="0.12"/>'
                     f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="2.5"/>'
                     "</pattern>")
    parts.append("</defs>")
    parts.extend(f'<line class="tick" x1="{x:.1f}" y1="0" x2="{x:.1f}" '
                 f'y2="{layout.height - 8}"/>' for x, _ in ticks)
    for subject, lane, title in layout.labels:
        i = layout.lanes[subject]
        y = TOP + i * LANE_HEIGHT
        disputed = subject in marks.disputed_items
        parts.append(f'<g class="lane{" disputed" if disputed else ""}" data-subject="{h(subject)}">'
                     f'<rect class="lane-bg" x="0" y="{y}" width="{width}" height="{LANE_HEIGHT}"/>'
                     f'<text class="lane-label" x="6" y="{y + 14}" fill="{COLOURS.get(lane, OTHER_COLOUR)}">'
                     f'{"⚠ " + h(_short(title, 38)) if disputed else h(_short(title, 44))}<title>{h(subject)}: '
                     f'{h(title)}{" (disputed)" if disputed else ""}</title></text></g>')
    return "\n".join(parts) + "\n"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#1b1b1b;margin:0 auto;padding:16px 24px;max-width:1240px;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin:1em 0 .3em}
.about{color:#444;margin:.2em 0}.view{font-weight:600}
.scroll{overflow:auto;max-height:75vh;border:1px solid #ddd}
#axis{position:sticky;top:0;display:block;background:#fff;border-bottom:1px solid #ddd;z-index:1}
svg text{font:12px system-ui,sans-serif}.tick{stroke:#e2e2e2}.tick-label{fill:#666;text-anchor:middle}
.lane-bg{fill:transparent}.lane:nth-child(even) .lane-bg{fill:#f6f6f6}
.lane.disputed .lane-label{font-weight:700}
.mark{cursor:pointer}.open-start,.open-end{stroke-dasharray:6 3}.mark.disputed{stroke-width:2.5}circle.mark.disputed{stroke-width:3}
a:hover .mark{stroke:#000;stroke-width:2}
.legend span{margin-right:1.2em}.sw{display:inline-block;width:22px;height:10px;vertical-align:middle;
  border:1px solid #1f5fa8;background:repeating-linear-gradient(45deg,#1f5fa8 0 2px,#eef3fa 2px 5px)}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:#1f5fa8;vertical-align:middle}
.status{display:inline-block;min-width:7em;font-weight:600}
.item{margin:.3em 0 .6em;content-visibility:auto;contain-intrinsic-size:auto 120px}.item .facts,.muted{color:#555}.item ul{margin:.1em 0 .2em 1.2em;padding:0}
.badge{background:#b0123a;color:#fff;border-radius:3px;padding:0 .35em;font-size:.85em;margin-left:.3em}
ol.events{list-style:none;padding:0}ol.events li{padding:.4em .5em;border-bottom:1px solid #eee;
  content-visibility:auto;contain-intrinsic-size:auto 90px}
ol.events li:target{background:#fff6d6}
.when{font-weight:600;margin-right:.6em}blockquote{margin:.2em 0 .2em 1em;color:#333;font-style:italic}
"""


def _state_html(state: StateParts) -> Iterator[str]:
    """The state section of the page, a piece at a time (each item's read as it is written)."""
    yield (f'<section id="state"><h2>State of affairs</h2><p class="muted">From '
           f'{state.events} events.</p>\n')
    shown = 0
    for section, size, items in state.sections:
        if not size:
            continue
        shown += size
        yield f"<h3>{SECTION_TITLES.get(section, section)} ({size})</h3>\n"
        for item in items():
            yield _item_html(item) + "\n"
    if not shown:
        yield "<p>Nothing yet: no event of the log is admitted by this view.</p>\n"
    yield "</section>\n"


def _who_html(who: str, outlet: str | None, story: str) -> str:
    where = f" ({h(outlet)})" if outlet and outlet != who else ""
    return f"{h(who)}{where}, {h(story)}"


def _entry_link(event_id: str) -> str:
    return f'<a href="#ev-{h(event_id)}">{h(event_id)}</a>'


def _item_html(item: Mapping[str, Any]) -> str:
    facts = [h(item["subject"])] + [h(item[k]) for k in ("when", "place") if item.get(k)]
    lines = []
    if item.get("actors"):
        lines.append(", ".join(h(actor_text(a["name"], a["role"], a.get("office")))
                               for a in item["actors"]))
    for key, value in (item.get("details") or {}).items():
        lines.append(f"{h(key.replace('_', ' '))}: {h(detail_text(value))}")
    for group in item.get("accounts") or ():
        for k, source in enumerate(group.get("sources") or ()):
            text = (f"account: {h(group['status'])}{' per ' if k == 0 else ', also per '}"
                    f"{_who_html(source['speaker'], source.get('outlet'), source['story'])}")
            if source.get("quote"):
                text += f": <i>“{h(source['quote'])}”</i>"
            text += f" {_entry_link(source['event'])}"
            if source.get("current") is False:
                text += " (earlier: the story has moved on)"
            for claim in source.get("disputed_by") or ():
                text += (f"; <b>disputed</b> by "
                         f"{_who_html(claim['who'], claim.get('outlet'), claim['story'])}")
                if claim.get("counter_claim"):
                    text += f", saying instead: {h(claim['counter_claim'])}"
                text += f" {_entry_link(claim['event'])}"
            for claim in source.get("confirmed_by") or ():
                text += (f"; confirmed by "
                         f"{_who_html(claim['who'], claim.get('outlet'), claim['story'])} "
                         f"{_entry_link(claim['event'])}")
            lines.append(text)
    for condition in item.get("conditions") or ():
        lines.append(f"condition: {h(condition['status'])} {h(condition['demand'])}")
    if item.get("sources"):
        lines.append(f"sources: {h('; '.join(item['sources']))}")
    for fix in item.get("corrected") or ():
        lines.append(f"corrected: {_entry_link(fix['by'])} corrects {_entry_link(fix['entry'])}")
    if item.get("retracted"):
        lines.append(f"retracted: {h(', '.join(item['retracted']))}")
    badge = '<span class="badge">disputed</span>' if item["status"] == DISPUTED else ""
    body = "".join(f"<li>{line}</li>" for line in lines)
    return (f'<div class="item" data-subject="{h(item["subject"])}"><span class="status">'
            f'{h(str(item["status"]).replace("_", " "))}</span> <b>{h(item["title"])}</b>{badge}'
            f'<div class="facts">{" · ".join(facts)}</div><ul>{body}</ul></div>')


def _event_html(event: Event, marks: Marks) -> str:
    s = event.source
    said = credit(s)
    link = (f' · <a href="{h(s.url)}" rel="noopener noreferrer">{h(s.title or "the article")}</a>'
            if s.url else "")
    refs = "".join(f' · {h(r.rel.replace("_", " "))} <a href="#ev-{h(r.id)}">{h(r.id)}</a>'
                   for r in event.refs)
    badges = "".join(f'<span class="badge">{m}</span>' for m in marks.of(event.id))
    actors = ", ".join(h(a.text()) for a in event.actors)
    quote = f"<blockquote>“{h(s.quote)}”</blockquote>" if s.quote else ""
    certainty = "" if event.certainty == "certain" else f" · {h(event.certainty)}"
    return (f'<li id="ev-{h(event.id)}"><span class="when">{h(date_words(event.story, s.published))}'
            f'</span><b>{h(event.summary)}</b>{badges}<div class="muted">{h(event.type)} · '
            f'{h(item_of(event))}{" · " + h(event.place) if event.place else ""}{certainty}'
            f'{" · " + actors if actors else ""}</div>{quote}<div class="muted">'
            f"{h(said)}{link}{refs} · <small>{h(event.id)}</small></div></li>\n")


def write(out: IO[bytes], passes: Callable[[], Iterable[Event]], state: StateParts,
          about: About) -> int:
    """Write the page; returns the events shown. ``passes()`` gives the events of the view in
    story order, afresh each time it is called; ``state``: the state at the end, in parts (each
    section's items read afresh as they are needed: a large state is never held whole)."""
    marks = Marks(state)
    lay = layout(passes(), state)

    def put(text: str) -> None:
        out.write(text.encode("utf-8"))

    title = f"Diplomatic timeline — {about.source}"
    put('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{h(title)}</title><style>{CSS}</style></head><body>\n")
    put(f"<header><h1>{h(title)}</h1><p class=\"about\">Showing <span class=\"view\">"
        f"{h(about.view)}</span>.</p><p class=\"about\">{len(lay.lanes)} items; log head "
        f"{about.head[0]} ({h(about.head[1][:12])}); exported {h(about.exported_at[:19])}Z."
        "</p>")
    summary = marks.title_lines()
    if summary:
        put('<p class="about">' + " · ".join(h(line) for line in summary) + "</p>")
    put('</header>\n<section id="timeline-section"><h2>Timeline</h2><p class="legend">'
        '<span><span class="dot"></span> known to the day</span><span><span class="sw"></span>'
        ' uncertain: the window it may fall in</span><span>⚠ disputed item</span><span>hover a '
        "mark for its source and quote; click to go to the event</span></p>"
        '<div class="scroll">\n')
    put(_svg_head(lay, marks))
    count = 0
    for event in passes():
        put(_mark(event, lay, marks))
        count += 1
    put("</svg></div></section>\n")
    for piece in _state_html(state):
        put(piece)
    put(f'<section id="events"><h2>Events ({count})</h2><ol class="events">\n')
    for event in passes():
        put(_event_html(event, marks))
    if not count:
        put("<li>No events in this view.</li>")
    put("</ol></section></body></html>\n")
    return count
