"""The four questions asked in the app, and screens that stay true (the real app, headless).

What each question answers is the Session's (test_session.py); these show the keys are wired,
the dialogs keep their errors at the field, and what is on screen stops saying what is no longer
true.
"""

from __future__ import annotations

from textual.widgets import Input, OptionList

from tests.tui.conftest import header, press, settle, text_of, text_of_main, until
from tracker.tui.app import TrackerApp
from tracker.tui.screens import CompareScreen, PromptScreen, ReportScreen


def toasts(app: TrackerApp) -> list[str]:
    """The toasts shown now (a headless app draws none, but keeps them as a terminal would)."""
    return app.showing


def error_at_the_field(app: TrackerApp, selector: str = "#prompt-error") -> str:
    return str(app.screen.query_one(selector).render())


async def answer(pilot: object, key: str, text: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await press(pilot, key)
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_d_shows_the_state_as_of_a_story_date(app: TrackerApp) -> None:
    """`tracker state --as-of 2014-03-08` gives one event; so does the app, and it lists apart
    the events whose dates straddle the 8th."""
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "d", "2014-03-08")
        assert "1/1" in header(app) and "as of 2014-03-08" in header(app)
        state = text_of_main(app, "#state")
        assert ("As of 2014-03-08: 1 event certainly happened by then; 7 not counted whose "
                "dates straddle it (below)") in state
        assert "After step 1 of 1 (#4)" in state
        assert "Proposals (1): pending 1" in state
        assert "Meetings" not in state.split("Not counted")[0]  # the Sochi meeting: March 10
        assert "#11  2014-03-03..2014-03-09  Kerry and Lavrov met in person" in state
        assert "#2  no later than 2014-03-10  Russia invites Kerry" in state
        await answer(pilot, "d", "")  # enter alone: everything again
        assert "17/17" not in header(app) and "/17" in header(app)
        assert "as of" not in header(app)
        assert "As of" not in text_of_main(app, "#state")


async def test_the_state_pane_says_step_n_of_the_view_and_the_log_position(
        app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")  # the third step in story order is log position #1
        assert "After step 3 of 17 (#1)" in text_of_main(app, "#state")
        assert "#1 meeting.held" in text_of_main(app, "#detail")


async def test_the_audit_view_refuses_what_the_cli_refuses_at_the_field(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for typed, said in [
            ("garbage", "the audit time 'garbage' is not an ISO date or time"),
            ("yesterday", "the audit time 'yesterday' is not an ISO date or time"),
            ("2014-02-30", "the audit time '2014-02-30' is not a real date"),
        ]:
            await answer(pilot, "r", typed)
            assert isinstance(app.screen, PromptScreen), typed  # still open
            assert said in error_at_the_field(app)
            assert "recorded by" not in header(app)
            await press(pilot, "escape")
        await answer(pilot, "r", "2014-03-01")  # before anything was recorded
        assert "recorded by 2014-03-01" in header(app)
        assert "the log held nothing by 2014-03-01" in text_of_main(app, "#detail")


async def test_o_and_r_prompts_start_empty_so_enter_alone_shows_everything(
        app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "o", "2014-03-10")
        assert "known on 2014-03-10" in header(app)
        await press(pilot, "o")
        assert app.screen.query_one("#prompt-input", Input).value == ""
        assert "now: 2014-03-10" in text_of(app, ".hint")
        await pilot.press("enter")
        await settle(pilot)
        assert "known on" not in header(app)
        await answer(pilot, "r", "2030-01-01")
        await press(pilot, "r")
        assert app.screen.query_one("#prompt-input", Input).value == ""
        await pilot.press("enter")
        await settle(pilot)
        assert "recorded by" not in header(app)


async def test_go_to_and_known_on_keep_their_dialog_open_with_the_error(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "colon", "2014-02-30")
        assert isinstance(app.screen, PromptScreen)
        assert "'2014-02-30' is not a real date" in error_at_the_field(app)
        await pilot.press(*["backspace"] * 10, *"#99", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert "position 99 is not in this view (the log has 17 events)" in error_at_the_field(app)
        await pilot.press(*["backspace"] * 3, *"#3", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, PromptScreen)
        assert app.timeline_view.position == 3
        await answer(pilot, "o", "the twelfth of never")
        assert isinstance(app.screen, PromptScreen)
        assert error_at_the_field(app)
        await answer(pilot, "escape", "")
        assert not any("twelfth" in t for t in toasts(app))


async def test_compare_two_dates_lists_what_changed_item_by_item(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "D")
        assert isinstance(app.screen, CompareScreen)
        await pilot.press(*"2014-02-30", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)  # refused at the field
        assert "'2014-02-30' is not a real date" in error_at_the_field(
            app, "#compare-first-error")
        app.screen.query_one("#compare-first", Input).value = "2014-03-08"
        app.screen.query_one("#compare-second", Input).value = "2014-03-10"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), "the comparison")
        await settle(pilot)
        report = text_of(app, "#report-body")
        assert "From as of 2014-03-08 to as of 2014-03-10: 12 items changed" in text_of(
            app, ".title")
        assert "~ changed proposal proposal:us-paper-on-ukraine  pending → rejected in part" in report
        assert "details.degree: (none) → partial" in report
        assert "+ added   invitation invitation:kerry-to-moscow  disputed" in report
        await press(pilot, "escape")
        assert not isinstance(app.screen, ReportScreen)


async def test_compare_two_steps(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "D")
        app.screen.query_one("#compare-first", Input).value = "step 4"
        app.screen.query_one("#compare-second", Input).value = "5"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), "the comparison")
        await settle(pilot)
        assert "From step 4 (#2) to step 5 (#3): 1 item changed" in text_of(app, ".title")
        assert "invitation:kerry-to-moscow  open → declined" in text_of(app, "#report-body")


async def test_the_palette_finds_actions_by_what_they_do(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for query, title in [("publish", "Known on (o)"), ("json", "Export (e)"),
                             ("as of", "As of (d)"), ("date", "Go to (:)")]:
            await press(pilot, "ctrl+p")
            await pilot.press(*query)

            def offered(title: str = title) -> bool:
                options = app.screen.query(OptionList).first().options
                return any(title in str(o.prompt) for o in options)

            await until(pilot, offered, f"the palette to offer {title} for {query!r}")
            await press(pilot, "escape")


async def test_the_discard_warning_goes_with_the_form(app: TrackerApp) -> None:
    """"Nothing is saved yet: esc again discards…" is about the form: once the form is gone it
    no longer covers what comes next (the filter dialog's buttons at 80x24)."""
    app.NOTIFICATION_TIMEOUT = 3600  # so that only its going with the form can take it away
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-summary", Input).focus()
        await pilot.press(*"A summary")
        await press(pilot, "escape")
        assert any("Nothing is saved yet" in t for t in toasts(app))
        await press(pilot, "escape")
        await press(pilot, "f")
        assert not any("Nothing is saved yet" in t for t in toasts(app))
        assert any("Nothing is saved yet" in s for s in app.said)  # still in what was said


async def test_an_old_search_does_not_report_again_on_every_view_change(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "slash", "zzz")
        assert "/zzz no match" in header(app)
        for _ in range(3):
            await press(pilot, "t")
        await answer(pilot, "slash", "qqq")
        assert "/qqq no match" in header(app)
        said = [t for t in toasts(app) if "no event matches" in t]
        assert said == ["no event matches 'qqq'"]
