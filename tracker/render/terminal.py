"""Readable views for the terminal: the state document, event listings, one event, the vocabulary.

Everything here builds Rich ``Text`` objects from event text passed through
:func:`tracker.text.visible`, never markup strings: a summary holding ``[bold]`` shows as
``[bold]``, and an escape sequence shows as a harmless placeholder. The views take the same
documents and events the JSON outputs are made of, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from tracker.codec.state_document import StateParts, parts_of
from tracker.domain.events import DEFAULT_CERTAINTY, Event, actor_text, thaw
from tracker.domain.vocabulary import (
    KINDS,
    MARK_OF_RELATION,
    REF_RELATIONS,
    EventType,
    event_types,
    lane_titles,
    status_colour,
    status_names,
)
from tracker.text import visible

#: Colour of each status and mark in the readable views (the vocabulary's; others unstyled).
STATUS_STYLES: Mapping[str, str] = {name: status_colour(name) for name in
                                    (*status_names(), *MARK_OF_RELATION.values())}

#: The title of each section of the state (the vocabulary's kinds), in the views and the page.
SECTION_TITLES: Mapping[str, str] = lane_titles()

#: Details shown in their own lines (or not at all) rather than as "key: value".
_LIST_SHOWN = "terms"  # one "term:" line per value
_HEADLINES = {k.headline_detail for k in KINDS.values() if k.headline_detail}
_PARTIES_LEFT = {k.parties_left_detail for k in KINDS.values() if k.parties_left_detail}
_SPECIAL_DETAILS = {_LIST_SHOWN, "conditions", *_HEADLINES, *_PARTIES_LEFT}
#: What ties an item to talks (the state document's keys): a whole's parts, a part's whole.
_PART_KEYS = tuple(dict.fromkeys(k.part_key for k in KINDS.values() if k.part_key))
_WHOLE_KEYS = tuple(dict.fromkeys(k.whole_key for k in KINDS.values() if k.whole_key))


def literal(text: Any, style: str = "") -> Text:
    """Untrusted text as a Text that renders exactly as typed (control characters made visible)."""
    return Text(visible(str(text)), style=style)


def label_grid(gap: int = 2, label_width: int | None = None, label_style: str = "") -> Table:
    """Two columns: a label that never wraps, and a value that wraps under itself rather than
    under the label (a long word, a URL, is folded, never cut)."""
    grid = Table.grid(padding=(0, gap, 0, 0))
    grid.add_column(no_wrap=True, min_width=label_width, style=label_style)
    grid.add_column(ratio=1, overflow="fold")
    return grid


def status_text(status: str) -> Text:
    return Text(status.replace("_", " "), style=STATUS_STYLES.get(status, ""))


# --------------------------------------------------------------------------- state


def state_view(state: Mapping[str, Any] | StateParts, describe: str) -> StateView:
    """The state document (``tracker state --json``), whole or in parts, as sections of
    readable lines.

    ``describe`` says which events the state was built from ("as of 2014-03-08").
    """
    return StateView(state if isinstance(state, StateParts) else parts_of(state), describe)


class StateView:
    """The state document as sections of readable lines: each item's status in a column as
    wide as the widest status of the state, the item's lines wrapped beside it (what a
    two-column grid lays out, line for line). Laid out here an item at a time, where Rich's
    table measured every row of a section first: 1.2 ms an item, 45 s for a state of 44,000
    items; and read an item at a time from its parts, which the records kept of a large log
    give as they are shown. :meth:`plain_lines` gives the same lines without styles, for a
    file or a pipe; :meth:`pieces` the styled ones a few hundred items at a time, for a
    terminal (Rich holds all that one ``print`` renders until it is done)."""

    #: Items laid out together for one ``print`` on a terminal.
    PIECE = 200

    def __init__(self, parts: StateParts, describe: str) -> None:
        self.parts = parts
        self.describe = describe

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for block in self._blocks(console, options.max_width):
            yield _joined(block)

    def pieces(self, console: Console) -> Iterator[Text]:
        """The view at the console's width, as texts of a few hundred blocks each."""
        batch: list[Text] = []
        for block in self._blocks(console, console.width):
            batch.append(_joined(block))
            if len(batch) >= self.PIECE:
                yield Text("\n").join(batch)
                batch = []
        if batch:
            yield Text("\n").join(batch)

    def plain_lines(self, console: Console) -> Iterator[str]:
        """The lines as :meth:`__rich_console__` lays them out at the console's width, as plain
        text with no padding at their ends."""
        for block in self._blocks(console, console.width):
            for column, line in block:
                yield (column.plain if isinstance(column, Text) else column) + line.plain

    def _blocks(self, console: Console, width: int) -> Iterator[list[tuple[Text | str, Text]]]:
        """The view's screen lines, in blocks (an item, a heading, an actor): each line as what
        its first column shows (an item's status on its first line, spaces after it; nothing
        outside the items) and the line itself, no wider than the rest of the width."""
        parts = self.parts
        count = parts.events
        head = Text()
        head.append("State of affairs", style="bold")
        head.append(f" from {count} event{'s' if count != 1 else ''} ({self.describe})")
        yield _alone(_wrapped(console, head, width))
        shown = 0
        label_width = parts.widest_status
        value_width = max(width - label_width - 2, 1)
        pad = " " * (label_width + 2)
        for section, size, items in parts.sections:
            if not size:
                continue
            shown += size
            yield _alone([Text(), *_wrapped(console, Text(
                f"{SECTION_TITLES.get(section, section)} ({size})", style="bold underline"),
                width)])
            for item in items():
                label = status_text(str(item["status"]))
                label.append(" " * (label_width + 2 - label.cell_len))
                block: list[tuple[Text | str, Text]] = []
                for line in _item_lines(item):
                    for piece in _wrapped(console, line, value_width):
                        block.append((pad if block else label, piece))
                yield block
        if not shown:
            yield _alone([Text(), *_wrapped(console, Text(
                "Nothing yet: no event of the log is admitted by this query."), width)])
        people = parts.actors
        if people:
            yield _alone([Text(), *_wrapped(console, Text(f"Actors ({len(people)})",
                                                          style="bold underline"), width)])
            for actor in people:  # one line each: a long name folds, never cut
                n = int(actor.get("items", 0))
                line = literal(actor["name"], "bold")
                offices = actor.get("offices") or ()
                if offices:
                    line.append(" — ")
                    line.append_text(literal("; ".join(office_text(o) for o in offices)))
                line.append(f"  in {n} item{'s' if n != 1 else ''}: ", style="dim")
                line.append(", ".join(visible(r) for r in actor.get("roles") or ()))
                yield _alone(_wrapped(console, line, width))


def _joined(block: list[tuple[Text | str, Text]]) -> Text:
    """A block's lines as one text."""
    return Text("\n").join([Text.assemble(column, line) if column else line
                             for column, line in block])


def _alone(lines: list[Text]) -> list[tuple[Text | str, Text]]:
    """Lines with nothing in the first column (spanning the width)."""
    return [("", line) for line in lines]


def _wrapped(console: Console, line: Text, width: int) -> list[Text]:
    """A line as it shows in ``width`` columns: words wrapped, a word too long folded (most
    lines fit as they are, and are not wrapped at all)."""
    plain = line.plain
    if line.cell_len <= width and "\n" not in plain and "\t" not in plain:
        line.rstrip()
        return [line]
    pieces = list(line.wrap(console, width, overflow="fold"))
    for piece in pieces:
        piece.rstrip()
    return pieces


def _labelled(label: str, value: Text) -> Text:
    line = Text(f"{label}: ", style="dim")
    line.append_text(value)
    return line


def _item_lines(item: Mapping[str, Any]) -> list[Text]:
    """The body of one item: title, then its facts, details, accounts, conditions, sources."""
    lines: list[Text] = [literal(item["title"], "bold")]

    facts = literal(item["subject"], "dim")
    for key in ("when", "place"):
        if item.get(key):
            facts.append("  ·  ", style="dim")
            facts.append_text(literal(item[key]))
    lines.append(facts)
    if item.get("actors"):
        lines.append(_actor_list(item["actors"]))

    details = item.get("details") or {}
    for key in sorted(_HEADLINES):
        if details.get(key):
            lines.append(_labelled(key, literal(details[key])))
    for key, value in details.items():
        if key in _SPECIAL_DETAILS:
            continue
        if isinstance(value, Mapping):  # each party with its own status, each signatory...
            label = key.replace("_", " ")
            for i, (name, said) in enumerate(value.items()):
                line = literal(f"{name}: {said}")
                lines.append(_labelled(label, line) if i == 0
                             else Text(" " * (len(label) + 2)) + line)
            continue
        lines.append(_labelled(key.replace("_", " "), literal(detail_text(value))))
    for term in details.get(_LIST_SHOWN) or ():
        lines.append(_labelled("term", literal(term)))
    for key in sorted(_PARTIES_LEFT):
        if details.get(key):
            lines.append(_labelled(key, literal(", ".join(details[key]))))

    for group in item.get("accounts") or ():
        lines.extend(account_lines(group))

    for key in _PART_KEYS:
        for part in item.get(key) or ():
            line = literal(part.get("subject") or part.get("event") or "")
            for fact in (part.get("status"), part.get("when"), part.get("place")):
                if fact:
                    line.append("  ·  ", style="dim")
                    line.append_text(literal(str(fact).replace("_", " ")))
            lines.append(_labelled(key, line))
    for key in _WHOLE_KEYS:
        if item.get(key):
            lines.append(_labelled(key.replace("_", " "), literal(item[key])))

    for condition in item.get("conditions") or ():
        line = status_text(str(condition["status"]))
        line.append(" ")
        line.append_text(literal(condition["demand"]))
        lines.append(_labelled("condition", line))
    if not item.get("conditions"):
        for subject in details.get("conditions") or ():
            lines.append(_labelled("condition", literal(subject)))

    if item.get("sources"):
        lines.append(_labelled("sources", literal("; ".join(item["sources"]), "dim")))
    for fix in item.get("corrected") or ():
        lines.append(_labelled("corrected", literal(f"{fix['by']} corrects {fix['entry']}")))
    if item.get("retracted"):
        lines.append(_labelled("retracted", literal(", ".join(item["retracted"]))))
    return lines


def account_lines(group: Mapping[str, Any]) -> list[Text]:
    """One group of agreeing accounts (a status and the sources that say it), each source with
    its date, quote and entry, then the disputes (who, what instead, where) and confirmations
    made about it."""
    lines: list[Text] = []
    for k, source in enumerate(group.get("sources") or ()):
        line = status_text(str(group["status"]))
        line.append(" per " if k == 0 else ", also per ")
        line.append_text(_source_text(source["speaker"], source.get("outlet"), source["story"]))
        if source.get("quote"):
            line.append(": ")
            line.append_text(literal(f"“{source['quote']}”", "italic"))
        line.append(f" [{visible(str(source['event']))}]", style="dim")
        if source.get("current") is False:
            line.append(" (earlier: the story has moved on)", style="dim")
        lines.append(_labelled("account", line))
        for claim in source.get("disputed_by") or ():
            said = _source_text(claim["who"], claim.get("outlet"), claim["story"])
            if claim.get("counter_claim"):
                said.append(", saying instead: ")
                said.append_text(literal(claim["counter_claim"]))
            said.append(f" [{visible(str(claim['event']))}]", style="dim")
            lines.append(_labelled("disputed by", said.copy()))
        for claim in source.get("confirmed_by") or ():
            said = _source_text(claim["who"], claim.get("outlet"), claim["story"])
            said.append(f" [{visible(str(claim['event']))}]", style="dim")
            lines.append(_labelled("confirmed by", said))
    return lines


def _source_text(who: str, outlet: str | None, story: str) -> Text:
    """"Sergey Lavrov (McClatchy), ≤ 2014-03-10": who, where (when it is not who), when."""
    out = literal(who, "italic")
    if outlet and outlet != who:
        out.append(" (")
        out.append_text(literal(outlet))
        out.append(")")
    out.append(", ")
    out.append_text(literal(story))
    return out


def office_text(office: Mapping[str, str]) -> str:
    """An office an actor held, with the story dates of the first and last events that give it
    (``Secretary of State (2018-05-09 … 2018-06-14)``; one date when they agree)."""
    first, last = office["first"], office["last"]
    return f"{office['office']} ({first if first == last else f'{first} … {last}'})"


def _actor_list(actors: Iterable[Mapping[str, str | None]]) -> Text:
    """Actors as one line: ``Mike Pompeo (participant, Secretary of State), Kim Jong Un
    (participant)``."""
    out = Text()
    for i, actor in enumerate(actors):
        if i:
            out.append(", ")
        out.append_text(literal(actor["name"]))
        said = actor_text("", str(actor["role"]), actor.get("office"))
        out.append(visible(said), style="dim")
    return out


# --------------------------------------------------------------------------- events


def events_table(
    events: Sequence[Event],
    marks: Mapping[str, Sequence[str]],
    uncertain: Sequence[bool] | None = None,
) -> Table:
    """The log listing, one entry per row: position; story date over type; summary over actors.

    Marks ("disputed", "corrected"...) follow the summary; ≈ before a date says its order
    against its neighbours is uncertain.
    """
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("story date / type", no_wrap=True)
    table.add_column("summary / actors", ratio=1)
    for i, event in enumerate(events):
        when = Text()
        if uncertain is not None and uncertain[i]:
            when.append("≈ ", style="yellow")
        when.append_text(literal(event.story.display()))
        when.append("\n")
        when.append_text(literal(event.type, "cyan"))
        summary = literal(event.summary)
        for mark in marks.get(event.id, ()):
            summary.append(f" [{mark}]", style=STATUS_STYLES.get(mark, "bold magenta"))
        names = list(dict.fromkeys(a.name for a in event.actors))
        if names:
            summary.append("\n")
            summary.append_text(literal(", ".join(names), "dim"))
        table.add_row(str(event.position), when, summary)
    return table


def event_lines(event: Event) -> list[Text]:
    """One event, every field, as labelled lines (what `tracker add` shows back)."""
    lines = []
    for label, value in event_fields(event):
        line = Text(f"  {label:<9} ", style="dim")
        line.append_text(value)
        lines.append(line)
    return lines


def event_fields(event: Event) -> list[tuple[str, Text]]:
    """One event, every field, as (label, value) pairs; values are shown literally."""
    story = event.story
    fields: list[tuple[str, Text]] = []

    def field(label: str, value: Text | str, style: str = "") -> None:
        fields.append((label, value if isinstance(value, Text) else literal(value, style)))

    when = literal(story.expr)
    resolved = story.display()
    if resolved != story.expr:
        when.append(" → ")
        when.append_text(literal(resolved, "bold"))
    if story.tz is not None:  # the place's local day
        when.append(f" {story.tz}")
    if story.anchor:
        when.append(f" (read against {story.anchor})", style="dim")
    field("story", when)
    if story.received is not None:
        got = story.received
        received = literal(got.expr)
        if got.display() != got.expr:
            received.append(" → ")
            received.append_text(literal(got.display(), "bold"))
        if got.tz is not None:
            received.append(f" {got.tz}")
        field("received", received)
    field("type", event.type)
    if event.subject:
        field("subject", event.subject)
    field("summary", event.summary)
    if event.certainty != DEFAULT_CERTAINTY:
        field("certainty", event.certainty)
    if event.actors:
        field("actors", _actor_list(a._asdict() for a in event.actors))
    if event.place:
        field("place", event.place)
    s = event.source
    source = literal(s.outlet)
    source.append(f", published {s.published}")
    for label, value in (("by", s.author), ("via", s.via)):
        if value:
            source.append(f" {label} ")
            source.append_text(literal(value))
    field("source", source)
    if s.speaker:
        speaker = literal(s.speaker)
        speaker.append(" (on the record)" if s.on_record else " (not for attribution)",
                       style="dim")
        field("speaker", speaker)
    if s.quote:
        field("quote", literal(f"“{s.quote}”", "italic"))
    if s.url:
        field("url", s.url)
    for ref in event.refs:
        field("ref", literal(f"{ref.rel} {ref.id}"))
    for key, value in event.details.items():
        field(key.replace("_", " "), literal(detail_text(value)))
    field("recorded", event.recorded_at, "dim")
    return fields


def detail_text(value: Any) -> str:
    """A detail as a person reads it: lists joined by commas, a correction's changes as
    "summary → …; story → …" (never Python's own notation)."""
    value = thaw(value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')} → {detail_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(detail_text(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------- vocabulary


def _type_facts(t: EventType) -> tuple[str, str, str, str]:
    roles = ", ".join(f"{r}*" if r in t.required_roles else r for r in t.roles) or "-"
    details = []
    for key, kind in t.details.items():
        label = f"{key}*" if key in t.required_details else key
        if key in t.choices:
            label += f" ({'|'.join(t.choices[key])})"
        elif kind != "str":
            label += f" ({kind})"
        details.append(label)
    refs = ", ".join(t.required_refs) or "-"
    status = t.status or "-"
    return roles, ", ".join(details) or "-", refs, status


def types_view() -> RenderableType:
    """The vocabulary: each type, what it means, its roles, details, required refs."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    kind = ""
    for t in event_types():
        if t.kind != kind and kind:
            grid.add_row("", "")
        kind = t.kind
        roles, details, refs, status = _type_facts(t)
        head = Text(t.description)
        if t.status:
            head.append("  → ", style="dim")
            head.append_text(status_text(status))
        facts = Text(f"roles: {roles}  ·  details: {details}", style="dim")
        if refs != "-":
            facts.append(f"  ·  needs ref: {refs}", style="dim")
        grid.add_row(t.name, Group(head, facts))
    note = Text("* required.  → the status the item takes.  Ref relations: "
                + ", ".join(REF_RELATIONS) + ".", style="dim")
    return Group(grid, Text(), note)


def vocabulary_markdown() -> str:
    """The vocabulary as a Markdown table (the README's copy is made from this)."""
    rows = ["| type | meaning | item status | actor roles | details | needs ref |",
            "| --- | --- | --- | --- | --- | --- |"]
    for t in event_types():
        roles, details, refs, status = _type_facts(t)
        cells = [f"`{t.name}`", t.description, status, roles, details, refs]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)

