"""The footer: every key of the keymap, a page at a time when the terminal is too narrow.

Drawn from :func:`tracker.tui.keys.footer_entries` (the keymap as data), so every key is in it:
at 80 columns the entries take three pages and the last entry of each ("m more 1/3") turns them.
A click on an entry runs its action.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

from tracker.tui.keys import GAP, Entry, footer_entries, footer_pages, more_entry


class KeyBar(Widget):
    """One line of keys at the foot of the screen."""

    DEFAULT_CSS = """
    KeyBar { height: 1; dock: bottom; background: $footer-background; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries = footer_entries()
        self.page = 0
        self._spans: list[tuple[int, int, str]] = []  # (first column, end, action)

    @property
    def pages(self) -> list[list[Entry]]:
        return footer_pages(self.entries, max(self.size.width, 1))

    def shown(self) -> list[Entry]:
        """The entries on screen now, the page-turning one last."""
        pages = self.pages
        page = self.page % len(pages)
        shown = list(pages[page])
        if len(pages) > 1:
            shown.append(more_entry(page + 1, len(pages)))
        return shown

    def next_page(self) -> None:
        self.page = (self.page + 1) % len(self.pages)
        self.refresh()

    def on_resize(self) -> None:
        self.page %= len(self.pages)

    def render(self) -> Content:
        parts: list[tuple[str, str] | str] = []
        self._spans = []
        x = 0
        for i, entry in enumerate(self.shown()):
            if i:
                parts.append(" " * GAP)
                x += GAP
            parts += [(entry.keys, "bold $footer-key-foreground"), " ",
                      (entry.label, "$footer-description-foreground")]
            self._spans.append((x, x + entry.width, entry.action))
            x += entry.width
        return Content.assemble(*parts)

    async def on_click(self, event: events.Click) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action)
                return
