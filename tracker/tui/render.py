"""The panes' content: the event under the cursor, this step's change, the state after it.

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

from tracker.codec.state_document import SECTIONS, state_to_dict
from tracker.domain.events import EVENT_TYPES, Event
from tracker.domain.fold import Change, Query, State
from tracker.readmodels.outline import mark_names
from tracker.readmodels.stateindex import Order, StateIndex
from tracker.render.terminal import event_fields, label_grid, literal, state_view, status_text
from tracker.text import one_line, visible

RECENT = 15  # items changed lately, listed for a large log
MAX_ITEMS = 200  # a state with more items shows counts by status instead of a list
FULL_LIMIT = 3000  # the most items the full state view lists

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


def change_lines(changes: Sequence[Change]) -> list[RenderableType]:
    """Each change as a line: verb, kind, subject, status before → after; then its title."""
    out: list[RenderableType] = []
    for change in changes:
        label, style = _VERBS[change.verb]
        before, after = change.before, change.after
        item = after or before
        if item is None:
            continue
        line = Text(label + " ", style=style)
        line.append(f"{item.kind} ", style="bold")
        line.append_text(literal(item.subject, "dim"))
        line.append("  ")
        if before is not None and after is not None and before.status != after.status:
            line.append_text(status_text(before.status))
            line.append(" → ")
        line.append_text(status_text(item.status))
        out.append(line)
        out.append(Padding(literal(one_line(item.title), "italic"), (0, 0, 0, 4)))  # wraps under itself
    return out


def step_view(state: State, changes: Sequence[Change], step: int, total: int,
              full: bool, query: Query, describe: str) -> Group:
    """This step's change set apart, then the state as it stood after the event."""
    parts: list[RenderableType] = [Text("This step", style="bold underline")]
    lines = change_lines(changes)
    parts.extend(lines or [Text("  no change to the state of affairs", style="dim")])
    parts.append(Text())
    title = Text(f"After event {step:,} of {total:,}", style="bold underline")
    title.append(f"   {'s: this step only' if full else 's: full state'}", style="dim")
    parts.append(title)
    changed = {c.subject for c in changes}
    if full and len(state.items) <= FULL_LIMIT:
        parts.append(state_view(state_to_dict(state, query), describe))
    elif len(state.items) > MAX_ITEMS:
        if full:
            parts.append(Text(f"  {len(state.items):,} items: too many to show in full here "
                              "(`tracker state --at` prints them all)", style="dim"))
        parts.extend(_counts(state))
    else:
        parts.extend(_compact(state, changed))
    return Group(*parts)


def _counts(state: State) -> list[Text]:
    """For a large state: how many items stand in each status, by kind."""
    counts: dict[str, dict[str, int]] = {}
    for item in state.items.values():
        by_status = counts.setdefault(item.kind, {})
        by_status[item.status] = by_status.get(item.status, 0) + 1
    out: list[Text] = []
    for kind, section in SECTIONS.items():
        found = counts.get(kind)
        if not found:
            continue
        line = Text(f"{section.capitalize()} ({sum(found.values()):,}): ", style="bold")
        for i, (status, n) in enumerate(sorted(found.items(), key=lambda kv: -kv[1])):
            if i:
                line.append(", ")
            line.append_text(status_text(status))
            line.append(f" {n:,}")
        out.append(line)
    return out


def _compact(state: State, changed: set[str]) -> list[RenderableType]:
    """One line per item: status and title, the items this step touched highlighted."""
    out: list[RenderableType] = []
    shown = 0
    for kind, section in SECTIONS.items():
        items = state.of_kind(kind)
        if not items:
            continue
        out.append(Text(f"{section.capitalize()} ({len(items)})", style="bold"))
        # the status in a column of its own: a long title wraps under itself
        grid = label_grid()
        for item in items[: max(MAX_ITEMS - shown, 0)]:
            shown += 1
            touched = item.subject in changed
            status = Text("▸ " if touched else "  ", style="bold yellow")
            status.append_text(status_text(item.status))
            grid.add_row(status, literal(one_line(item.title), "bold" if touched else ""))
        out.append(grid)
    rest = len(state.items) - shown
    if rest > 0:
        out.append(Text(f"  … and {rest:,} more", style="dim"))
    if not state.items:
        out.append(Text("  nothing yet", style="dim"))
    return out


def index_view(index: StateIndex, order: Order, step: int, describe: str) -> Group:
    """The state at a step of a large log, from its state index: this step's change set apart,
    how many items stand in each status, and the items changed most recently."""
    change = index.change_at(order, step)
    parts: list[RenderableType] = [Text("This step", style="bold underline")]
    verb = "changed" if change.before else "added"
    label, style = _VERBS[verb]
    line = Text(label + " ", style=style)
    line.append(f"{change.kind} ", style="bold")
    line.append_text(literal(change.subject, "dim"))
    line.append("  ")
    if change.before and change.before != change.after:
        line.append_text(status_text(change.before))
        line.append(" → ")
    line.append_text(status_text(change.after))
    parts.append(line)
    parts.append(Text())
    title = Text(f"After event {step + 1:,} of {len(index):,}", style="bold underline")
    title.append(f"  ({describe})", style="dim")
    parts.append(title)
    by_kind: dict[str, list[tuple[str, int]]] = {}
    for (kind, status), n in index.counts_at(order, step).items():
        by_kind.setdefault(kind, []).append((status, n))
    for kind, section in SECTIONS.items():
        found = by_kind.get(kind)
        if not found:
            continue
        row = Text(f"{section.capitalize()} ({sum(n for _, n in found):,}): ", style="bold")
        for i, (status, n) in enumerate(sorted(found, key=lambda sn: -sn[1])):
            if i:
                row.append(", ")
            row.append_text(status_text(status))
            row.append(f" {n:,}")
        parts.append(row)
    parts.append(Text())
    parts.append(Text("Changed lately", style="bold underline"))
    for recent in index.recent(order, step, RECENT):
        row = Text("  ")
        row.append_text(status_text(recent.after))
        row.append(f"  {recent.kind} ")
        row.append_text(literal(recent.subject, "dim"))
        parts.append(row)
    return Group(*parts)


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
    parts += ["  ", (visible(log_name(label)), "dim"), ("  ^p palette  ? help", "dim")]
    return Content.assemble(*parts)


def log_name(label: str) -> str:
    """A log's short name for the header: its file name (the path is in the help screen)."""
    if "://" in label:
        return label
    return PurePath(label).name or label
