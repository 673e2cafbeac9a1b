"""The panes' content: the event under the cursor, the state after it (this step's change first).

Pure (no widgets, no I/O), so workers build it off the UI thread. Event text is only ever put
into Rich ``Text`` (through :func:`tracker.render.terminal.literal`) or Textual ``Content`` objects,
never parsed as markup. The event and the full state are the very views the CLI prints
(``tracker add`` / ``tracker state``), so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.content import Content

from tracker.app.compare import ItemDifference
from tracker.app.stepping import ItemChange, StepState
from tracker.app.terms import EVENT_TYPES, Event, mark_names
from tracker.render.terminal import (
    SECTION_TITLES,
    event_fields,
    label_grid,
    literal,
    state_view,
    status_text,
)
from tracker.text import one_line, visible

_VERBS = {"added": ("+ added  ", "bold green"), "changed": ("~ changed", "bold yellow"),
          "removed": ("- removed", "bold red")}


def event_detail(event: Event, marks: int = 0, refs: dict[str, str] | None = None) -> Group:
    """Every field of an event, its source and quote, references and what later entries said."""
    etype = EVENT_TYPES.get(event.type)
    head = Text()
    head.append(f"#{event.position} ", style="bold")
    head.append_text(literal(event.type, "bold cyan"))
    if etype is not None:
        head.append("  " + etype.description, style="italic dim")
    if event.certainty != "certain":
        head.append(f"  ({event.certainty})", style="yellow")
    # Labels in a column of their own, so a value that wraps stays under the value.
    fields = label_grid(gap=1, label_width=11, label_style="dim")  # as `tracker add` aligns them
    summaries = refs or {}
    ref_ids = iter(r.id for r in event.refs)  # event_fields lists the refs in this order
    for label, value in event_fields(event):
        fields.add_row(Text("  " + label), value)
        if label == "ref":
            about = summaries.get(next(ref_ids, ""))
            if about:  # what the referenced entry says, right under the reference
                fields.add_row("", literal(one_line(about), "italic"))
    parts: list[RenderableType] = [head, fields]
    if event.refs:
        parts.append(Text("  enter follows a reference · backspace comes back", style="dim"))
    for name in mark_names(marks):
        parts.append(Text(f"  {name} by a later entry", style="bold magenta"))
    return Group(*parts)


def change_line(change: ItemChange) -> Text:
    """A change as a line: verb, kind, subject, status before → after."""
    label, style = _VERBS[change.verb]
    line = Text(label + " ", style=style)
    line.append(f"{change.kind} ", style="bold")
    line.append_text(literal(change.subject, "dim"))
    line.append("  ")
    if change.before and change.before != change.after:
        line.append_text(status_text(change.before))
        line.append(" → ")
    line.append_text(status_text(change.after))
    return line


#: An "as of" view lists at most this many of the events whose dates straddle its date.
STRADDLING_SHOWN = 12


def state_pane(state: StepState, as_of: str | None = None,
               straddling: Sequence[tuple[int, str, str]] = ()) -> Group:
    """The state pane at any size of log: this step's change set apart, then how many items
    stand in each status after it and the items changed most recently; with ``s``, every item
    in full (the state as `tracker state` prints it). In an "as of" view, first which events
    count and which are left out though they may have happened by then (``straddling``:
    position and dates)."""
    parts: list[RenderableType] = []
    if as_of:
        parts += as_of_lines(state, as_of, straddling)
    parts += [Text("This step", style="bold underline"), change_line(state.change)]
    if state.change.title:  # wraps under itself
        parts.append(Padding(literal(one_line(state.change.title), "italic"), (0, 0, 0, 4)))
    parts.append(Text())
    # "step" counts in the view's order; "#N" is the event's log position
    where = f" (#{state.position})" if state.position else ""
    title = Text(f"After step {state.step:,} of {state.total:,}{where}", style="bold underline")
    title.append(f"   {'s: counts' if state.full is not None else 's: full state'}", style="dim")
    parts.append(title)
    if state.full is not None:
        parts.append(state_view(state.full, state.scope))
        return Group(*parts, *straddling_lines(as_of or "", straddling))
    parts.append(Text(f"  ({state.scope})", style="dim"))
    if state.full_note:
        parts.append(Text(f"  {state.full_note}", style="dim"))
    for count in state.counts:
        row = Text(f"{SECTION_TITLES.get(count.section, count.section)} ({count.total:,}): ",
                   style="bold")
        for i, (status, n) in enumerate(count.statuses):
            if i:
                row.append(", ")
            row.append_text(status_text(status))
            row.append(f" {n:,}")
        parts.append(row)
    if not state.counts:
        parts.append(Text("  nothing yet", style="dim"))
    parts.append(Text())
    parts.append(Text("Changed lately", style="bold underline"))
    for recent in state.recent:
        row = Text("  ")
        row.append_text(status_text(recent.after))
        row.append(f"  {recent.kind} ")
        row.append_text(literal(recent.subject, "dim"))
        parts.append(row)
    return Group(*parts, *straddling_lines(as_of or "", straddling))


def as_of_lines(state: StepState, as_of: str, straddling: Sequence[tuple[int, str, str]]
                ) -> list[RenderableType]:
    """What an "as of" view counts: the events certainly over by the date; apart from them
    (listed at the foot of the pane) those whose dates straddle it: they may have happened by
    then, and are not counted."""
    n, k = state.total, len(straddling)
    line = Text(f"As of {as_of}", style="bold")
    line.append(f": {n:,} event{'' if n == 1 else 's'} certainly happened by then", style="dim")
    if k:
        line.append(f"; {k:,} not counted whose dates straddle it (below)", style="yellow")
    return [line, Text()]


def straddling_lines(as_of: str, straddling: Sequence[tuple[int, str, str]]
                     ) -> list[RenderableType]:
    if not straddling:
        return []
    out: list[RenderableType] = [
        Text(), Text("Not counted: dates straddle " + as_of, style="bold underline yellow"),
        Text("  they may have happened by then; d with a later date counts them", style="dim")]
    for position, when, summary in straddling[:STRADDLING_SHOWN]:
        row = Text(f"  #{position}  ", style="bold")
        row.append_text(literal(when, "yellow"))
        if summary:
            row.append_text(literal("  " + one_line(summary)))
        out.append(row)
    if len(straddling) > STRADDLING_SHOWN:
        out.append(Text(f"  and {len(straddling) - STRADDLING_SHOWN:,} more", style="yellow"))
    return out


def comparison_view(differences: Sequence[ItemDifference]) -> Group:
    """What changed between two points, item by item: added, changed (status before → after,
    then each other field that differs) or removed."""
    if not differences:
        return Group(Text("Nothing changed between the two points.", style="dim"))
    parts: list[RenderableType] = []
    for d in differences:
        label, style = _VERBS[d.verb]
        line = Text(label + " ", style=style)
        line.append(f"{d.kind} ", style="bold")
        line.append_text(literal(d.subject, "dim"))
        line.append("  ")
        if d.before is not None and d.after is not None and d.before != d.after:
            line.append_text(status_text(d.before))
            line.append(" → ")
        status = d.after if d.after is not None else d.before
        assert status is not None
        line.append_text(status_text(status))
        parts.append(line)
        if d.title:
            parts.append(Padding(literal(one_line(d.title), "italic"), (0, 0, 0, 4)))
        for name, before, after in d.fields:
            row = Text(f"    {name}: ", style="dim")
            row.append_text(literal(one_line(before) or "(none)"))
            row.append(" → ")
            row.append_text(literal(one_line(after) or "(none)"))
            parts.append(row)
    return Group(*parts)


#: The end of the header: kept in view however narrow the terminal (see HeaderLine).
HEADER_TAIL = "  ^p palette  ? help"


def header(label: str, step: int, total: int, order: str, known: str, filters: str,
           search: str, playing: str) -> Content:
    """The header line: where we are, in which order, as known when, filtered how, and then
    which log (last, so that a long path is what a narrow terminal cuts, not the view)."""
    parts: list[tuple[str, str] | str] = [
        ("tracker ", "bold"), (f"{step:,}/{total:,}", "bold"), "  order: ", (order, "bold"),
    ]
    if known:
        parts += ["  ", (visible(known), "bold $warning")]
    if filters:
        parts += ["  filter: ", (visible(filters), "bold $warning")]
    if search:
        parts += ["  ", visible(search)]
    if playing:
        parts += ["  ", (playing, "bold $success")]
    parts += ["  ", (visible(log_name(label)), "dim"), (HEADER_TAIL, "dim")]
    return Content.assemble(*parts)


def log_name(label: str) -> str:
    """A log's short name for the header: its file name (the path is in the help screen)."""
    if "://" in label:
        return label
    return PurePath(label).name or label
