"""Screens that stay true (issue 15): every key findable at 80 columns, the help in the header
with a filter on, the filter's error whole, a zoomed pane that scrolls, the cursor kept on screen
after a resize, the state pane kept by a filter that matches nothing."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Button, Input, Label

from tests.tui.conftest import cursor_row, header, press, settle, text_of_main, until
from tracker.app.terms import check_type_prefix
from tracker.errors import TrackerError
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


async def test_at_80x24_the_filter_s_error_is_whole_and_the_buttons_stay(app: TrackerApp
                                                                         ) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        app.screen.query_one("#filter-type", Input).value = "meetingz"
        await press(pilot, "enter")
        error = app.screen.query_one("#filter-error", Label)
        shown = " ".join(strip.text.strip() for strip in error.render_lines(
            Region(0, 0, error.size.width, error.size.height)))
        with pytest.raises(TrackerError) as refused:  # the message the CLI gives too
            check_type_prefix("meetingz", "type")
        assert shown == refused.value.message
        dialog = app.screen.query_one("#filter")
        inside = dialog.region.shrink(dialog.styles.gutter)
        assert inside.contains_region(error.region)
        for button in app.screen.query(Button):
            assert inside.contains_region(button.region), button.id


async def test_pgdn_in_a_zoomed_pane_scrolls_it_and_does_not_step(app: TrackerApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "G", "z", "z", "s")  # the state pane alone, every item: tall
        pane = app.main.query_one("#state-pane", VerticalScroll)
        await until(pilot, lambda: pane.max_scroll_y > 0, "the full state to overflow the pane")
        assert pane.scroll_y == 0
        await press(pilot, "pagedown")
        await until(pilot, lambda: pane.scroll_y > 0, "the pane to scroll")
        assert app.session.cursor == 16 and "17/17" in header(app)
        await press(pilot, "pageup")
        await until(pilot, lambda: pane.scroll_y == 0, "the pane to scroll back")
        assert "PgUp/PgDn scroll" in str(pane.border_subtitle)
        await press(pilot, "z")  # all panes again: PgUp pages the timeline
        await press(pilot, "pageup")
        assert app.session.cursor < 16


async def test_after_a_resize_to_a_smaller_terminal_the_cursor_row_is_on_screen(
        app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        tl = app.timeline_view
        await until(pilot, lambda: tl.size.height < 17, "the smaller screen")
        await settle(pilot)
        top = round(tl.scroll_offset.y)
        assert top <= tl.cursor < top + tl.size.height
        assert cursor_row(app).startswith("▶17")


async def test_a_filter_that_matches_nothing_keeps_the_state_pane(app: TrackerApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "j", "j")  # on #3, Kerry declines
        await press(pilot, "f")
        app.screen.query_one("#filter-actor", Input).value = "nobody of that name"
        await press(pilot, "enter")
        await until(pilot, lambda: "filter:" in header(app), "the filter")
        await settle(pilot)
        state = text_of_main(app, "#state")
        assert state.startswith("The filter matches no event; the state still folds every "
                                "event: here, as it stood after #3.")
        assert "open → declined" in state  # the state after #3, as before the filter
        assert "No events in this view: no event matches the filter" in text_of_main(
            app, "#detail")
