"""The key map as data: one table feeds the bindings, the footer, the help screen and the palette.

Every binding has an id, so a user's keymap can rebind it (``App.set_keymap``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    keys: str
    action: str
    description: str
    id: str
    help: str
    show: bool = True  # kept for a binding a user's keymap adds; every key here shows
    display: str | None = None
    group: str | None = None  # the footer shows a group's keys as one entry with this label


KEYS: tuple[Key, ...] = (
    Key("j,down", "step(1)", "Step", "step.next", "Step to the next event", group="Step"),
    Key("k,up", "step(-1)", "Step back", "step.previous", "Step to the previous event",
        group="Step"),
    Key("slash", "search", "Search", "search.start",
        "Search summaries, actors, places and sources", display="/", group="Search"),
    Key("n", "next_match(1)", "Next match", "search.next", "Go to the next match",
        group="Search"),
    Key("N", "next_match(-1)", "Prev match", "search.previous", "Go to the previous match",
        group="Search"),
    Key("f", "filter", "Filter", "filter.edit", "Filter by type, actor or source (or clear)",
        group="Filter"),
    Key("F", "clear_filter", "Clear filter", "filter.clear", "Clear the filter",
        group="Filter"),
    Key("colon", "goto", "Go to", "goto", "Jump to a log position or a date", display=":"),
    Key("t", "toggle_order", "Order", "order.toggle",
        "Switch between story order and recorded order"),
    Key("z", "zoom", "Zoom", "view.zoom",
        "Zoom: the event pane on the whole screen, then the state pane, then back"),
    Key("a", "append", "Add", "event.append", "Append a new event (a form)", group="Add"),
    Key("c", "correct", "Correct", "event.correct",
        "Correct the event under the cursor (a form)", group="Add"),
    Key("x", "retract", "Retract", "event.retract",
        "Retract the event under the cursor (a form)", group="Add"),
    Key("question_mark", "help", "Help", "help", "Show all keys", display="?"),
    Key("q", "quit", "Quit", "quit", "Quit"),
    Key("space", "play", "Play", "play.toggle", "Play or pause automatic stepping",
        group="Play"),
    Key("plus,equals_sign", "speed(1)", "Faster", "play.faster", "Play faster", display="+",
        group="Play"),
    Key("minus", "speed(-1)", "Slower", "play.slower", "Play slower", display="-",
        group="Play"),
    Key("g,home", "first", "First", "step.first", "Go to the first event", group="First/last"),
    Key("G,end", "last", "Last", "step.last", "Go to the last event", group="First/last"),
    Key("pageup", "page(-1)", "Page up", "step.page_up", "Page up", display="PgUp",
        group="Page"),
    Key("pagedown", "page(1)", "Page down", "step.page_down", "Page down", display="PgDn",
        group="Page"),
    Key("left_square_bracket", "day(-1)", "Prev day", "day.previous",
        "Go to the previous day", display="[", group="Day"),
    Key("right_square_bracket", "day(1)", "Next day", "day.next", "Go to the next day",
        display="]", group="Day"),
    Key("o", "known_on", "Known on", "view.known_on",
        "Show only what had been published by a date (empty: everything)"),
    Key("r", "recorded_by", "Audit", "view.recorded_by",
        "Audit view: what the log held at a time (empty: now)"),
    Key("enter", "follow", "Follow ref", "ref.follow", "Follow a reference of this event",
        display="⏎", group="Ref"),
    Key("backspace", "go_back", "Back", "ref.back", "Come back from a followed reference",
        display="⌫", group="Ref"),
    Key("s", "toggle_full", "Full state", "state.full",
        "Show the full state (every item), or this step's change and the counts"),
    Key("e", "export", "Export", "export", "Export the timeline to a JSON file"),
)

#: Footer labels of the groups (a group's keys show once: "j k Step").
GROUP_LABELS = {"Add": "Add/correct", "Ref": "Ref/back"}


def bindings() -> list[Binding]:
    """The screen's bindings. A group shows in the footer as one entry on its first key, with
    every key of the group ("j/k Step"); its other keys are bound but not repeated there."""
    firsts: dict[str, Key] = {}
    members: dict[str, list[Key]] = {}
    for k in KEYS:
        if k.group is not None:
            firsts.setdefault(k.group, k)
            members.setdefault(k.group, []).append(k)
    out = []
    for k in KEYS:
        show, display, description = k.show, k.display, k.description
        if k.group is not None:
            show = show and firsts[k.group] is k
            if show:
                display = " ".join(footer_key(m) for m in members[k.group])
                description = GROUP_LABELS.get(k.group, k.group)
        out.append(Binding(k.keys, f"app.{k.action}", description, show=show,
                           key_display=display, id=k.id, tooltip=k.help))
    return out


def footer_key(key: Key) -> str:
    """How the footer names a key: its display, else the first key bound."""
    return key.display or key.keys.split(",")[0]


def shown_keys(key: Key) -> str:
    """The keys as a person types them: "j / down"."""
    names = {"left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
             "slash": "/", "colon": ":", "plus": "+", "equals_sign": "=", "minus": "-",
             "pageup": "PgUp", "pagedown": "PgDn"}
    return " / ".join(names.get(k, k) for k in key.keys.split(","))
