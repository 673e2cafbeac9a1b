"""Screens that stay true (issue 15): every key findable at 80 columns, the help in the header
with a filter on, the filter's error whole, a zoomed pane that scrolls, the cursor kept on screen
after a resize, the state pane kept by a filter that matches nothing."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import header, press, settle, until
from tracker.tui.app import TrackerApp
from tracker.tui.keybar import KeyBar
from tracker.tui.keys import KEYS, footer_key


def footer_line(app: TrackerApp) -> str:
    return app.main.query_one(KeyBar).render().plain


def header_line(app: TrackerApp) -> str:
    return app.main.query_one("#header").render().plain  # type: ignore[attr-defined]


async def test_every_key_is_in_the_footer_at_80_columns_a_page_at_a_time(app: TrackerApp
                                                                        ) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.main.query_one(KeyBar)
        pages = len(bar.pages)
        assert pages > 1
        seen: set[str] = set()
        for page in range(1, pages + 1):
            line = footer_line(app)
            assert len(line) <= 80
            assert line.endswith(f"m more {page}/{pages}")
            seen |= {k for e in bar.shown() for k in e.keys.split()}
            await press(pilot, "m")
        assert footer_line(app).endswith(f"m more 1/{pages}")  # round again
        for key in KEYS:
            assert footer_key(key) in seen, key
        assert {"o", "r", "e", "s", "[", "]", "⏎", "⌫", "l", "R"} <= seen


async def test_a_wide_terminal_shows_every_key_on_one_page(app: TrackerApp) -> None:
    async with app.run_test(size=(300, 30)) as pilot:
        await settle(pilot)
        assert "more" not in footer_line(app) and "o Known on" in footer_line(app)


async def test_with_a_filter_the_header_still_says_where_help_is(app: TrackerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        app.screen.query_one("#filter-type", Input).value = "invitation, proposal, demand"
        app.screen.query_one("#filter-actor", Input).value = "Kerry"
        await press(pilot, "enter")
        await until(pilot, lambda: "filter:" in header(app), "the filter")
        line = header_line(app)
        assert line.endswith("^p palette  ? help") and "…" in line
        assert line.startswith("tracker 1/")
