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
    show: bool = True
    display: str | None = None


KEYS: tuple[Key, ...] = (
    Key("j,down", "step(1)", "Step", "step.next", "Step to the next event", display="j/k"),
    Key("k,up", "step(-1)", "Step back", "step.previous", "Step to the previous event", False),
    Key("g,home", "first", "First", "step.first", "Go to the first event", False),
    Key("G,end", "last", "Last", "step.last", "Go to the last event", False),
    Key("pageup", "page(-1)", "Page up", "step.page_up", "Page up", False),
    Key("pagedown", "page(1)", "Page down", "step.page_down", "Page down", False),
    Key("slash", "search", "Search", "search.start",
        "Search summaries, actors, places and sources", display="/"),
    Key("n", "next_match(1)", "Next match", "search.next", "Go to the next match", False),
    Key("N", "next_match(-1)", "Prev match", "search.previous", "Go to the previous match",
        False),
    Key("f", "filter", "Filter", "filter.edit", "Filter by type, actor or source (or clear)"),
    Key("F", "clear_filter", "Clear filter", "filter.clear", "Clear the filter", False),
    Key("colon", "goto", "Go to", "goto", "Jump to a log position or a date", display=":"),
    Key("left_square_bracket", "day(-1)", "Prev day", "day.previous",
        "Go to the previous day", False, display="["),
    Key("right_square_bracket", "day(1)", "Next day", "day.next", "Go to the next day", False,
        display="]"),
    Key("t", "toggle_order", "Order", "order.toggle",
        "Switch between story order and recorded order"),
    Key("o", "known_on", "Known on", "view.known_on",
        "Show only what had been published by a date (empty: everything)", False),
    Key("r", "recorded_by", "Audit", "view.recorded_by",
        "Audit view: what the log held at a time (empty: now)", False),
    Key("space", "play", "Play", "play.toggle", "Play or pause automatic stepping"),
    Key("plus,equals_sign", "speed(1)", "Faster", "play.faster", "Play faster", False,
        display="+"),
    Key("minus", "speed(-1)", "Slower", "play.slower", "Play slower", False, display="-"),
    Key("enter", "follow", "Follow ref", "ref.follow", "Follow a reference of this event",
        False),
    Key("backspace", "go_back", "Back", "ref.back", "Come back from a followed reference", False),
    Key("s", "toggle_full", "Full state", "state.full",
        "Show the full state, or only this step's change and the items", False),
    Key("a", "append", "Add", "event.append", "Append a new event (a form)"),
    Key("c", "correct", "Correct", "event.correct",
        "Correct the event under the cursor (a form)", False),
    Key("x", "retract", "Retract", "event.retract",
        "Retract the event under the cursor (a form)", False),
    Key("e", "export", "Export", "export", "Export the timeline to a JSON file", False),
    Key("question_mark", "help", "Help", "help", "Show all keys", display="?"),
    Key("q", "quit", "Quit", "quit", "Quit"),
)


def bindings() -> list[Binding]:
    return [
        Binding(k.keys, f"app.{k.action}", k.description, show=k.show, key_display=k.display,
                id=k.id, tooltip=k.help)
        for k in KEYS
    ]


def shown_keys(key: Key) -> str:
    """The keys as a person types them: "j / down"."""
    if key.display and "," not in key.keys:
        return key.display
    if key.id == "step.next":
        return "j / down"
    names = {"left_square_bracket": "[", "right_square_bracket": "]", "question_mark": "?",
             "slash": "/", "colon": ":", "plus": "+", "equals_sign": "=", "minus": "-"}
    return " / ".join(names.get(k, k) for k in key.keys.split(","))
