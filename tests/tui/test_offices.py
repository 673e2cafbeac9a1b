"""Offices in the app: the form takes the office an actor held after its name
(``John Kerry: Secretary of State``), a correction can change it, and the state pane shows
each actor once with its offices."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import press, settle, text_of_main
from tests.tui.test_form import error_at, fill, fill_all, go_to, save_new
from tracker.app.service import Timeline
from tracker.domain.events import Actor, thaw
from tracker.tui.app import TrackerApp
from tracker.tui.form import EventForm


async def test_an_office_typed_after_a_name_is_saved_and_the_state_pane_shows_it(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        placeholder = str(app.screen.query_one("#f-role-participant", Input).placeholder)
        assert placeholder == (
            'Kim Jong Un, Mike Pompeo: Secretary of State, "Name: an office, with a comma"')
        await fill_all(pilot, {
            "#f-story": "2014-03-14", "#f-published": "2014-03-14",
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry: Secretary of State, Sergey Lavrov",
            "#f-place": "London", "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert stored.actors == (Actor("John Kerry", "participant", "Secretary of State"),
                                 Actor("Sergey Lavrov", "participant"))
        detail = " ".join(text_of_main(app, "#detail").split())
        assert "actors John Kerry (participant, Secretary of State), Sergey Lavrov " \
            "(participant)" in detail
        await press(pilot, "s")  # the full state: the actor list and the item's actors
        state = text_of_main(app, "#state")
        assert state.count("\nJohn Kerry ") == 1
        assert "\nJohn Kerry — Secretary of State (2014-03-14)  in 5 items: invitee, " \
            "participant, proposer\n" in state
        assert "John Kerry (participant, Secretary of State), Sergey Lavrov (participant)" in state


async def test_an_empty_office_is_refused_at_its_role_and_nothing_is_written(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await save_new(pilot, {
            "#f-story": "2014-03-14", "#f-published": "2014-03-14",
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "Sergey Lavrov, John Kerry:", "#f-outlet": "Reuters",
        })
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "role-participant") == (
            "field 'actors[1].office' must not be empty")
        assert seed_log.count() == 17


async def test_a_correction_changes_the_office_shown_in_the_role_field(
        app: TrackerApp, seed_log: Timeline) -> None:
    seed_log.append([seed_log.parse({
        "id": "kl-18-call", "type": "meeting.held", "subject": "meeting:kerry-lavrov-call",
        "story": "2014-03-14", "summary": "Kerry and Lavrov speak by phone",
        "actors": [{"name": "John Kerry", "role": "participant", "office": "Secretary of State"},
                   {"name": "Sergey Lavrov", "role": "participant", "office": "Prime Minister"}],
        "source": {"outlet": "Reuters", "published": "2014-03-14"},
        "details": {"format": "phone"}})])
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await go_to(pilot, 18)
        await press(pilot, "c")
        field = app.screen.query_one("#f-fix-role-participant", Input)
        assert field.value == "John Kerry: Secretary of State, Sergey Lavrov: Prime Minister"
        await fill(pilot, "#f-fix-role-participant",
                   "John Kerry: Secretary of State, Sergey Lavrov: Foreign Minister")
        await fill(pilot, "#f-detail-reason", "Lavrov is the foreign minister")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert thaw(stored.details["changes"]) == {"actors": [
            {"name": "John Kerry", "role": "participant", "office": "Secretary of State"},
            {"name": "Sergey Lavrov", "role": "participant", "office": "Foreign Minister"}]}
        await press(pilot, "s")
        state = text_of_main(app, "#state")
        assert "\nSergey Lavrov — Foreign Minister (2014-03-14)  in " in state
        assert "Prime Minister" not in state


async def test_an_office_holding_a_comma_is_typed_in_quotes_and_shown_so_for_a_correction(
        app: TrackerApp, seed_log: Timeline) -> None:
    office = "Minister of Foreign Affairs, Trade and Development"
    async with app.run_test(size=(140, 45)) as pilot:
        await save_new(pilot, {
            "#f-story": "2014-03-14", "#f-published": "2014-03-14",
            "#f-summary": "Freeland and Lavrov meet in London",
            "#f-role-participant": f'"Chrystia Freeland: {office}", Sergey Lavrov',
            "#f-place": "London", "#f-outlet": "Reuters",
        })
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 18
        assert list(seed_log.events())[-1].actors == (
            Actor("Chrystia Freeland", "participant", office), Actor("Sergey Lavrov", "participant"))
        await settle(pilot)
        await go_to(pilot, 18)
        await press(pilot, "c")
        field = app.screen.query_one("#f-fix-role-participant", Input)
        assert field.value == f'"Chrystia Freeland: {office}", Sergey Lavrov'


def test_a_search_finds_an_actor_by_the_office_held(seed_log: Timeline) -> None:
    from tracker.tui.session import Session

    seed_log.append([seed_log.parse({
        "id": "kl-18-call", "type": "meeting.held", "story": "2014-03-14",
        "summary": "Kerry and Lavrov speak by phone",
        "actors": [{"name": "John Kerry", "role": "participant", "office": "Secretary of State"},
                   {"name": "Sergey Lavrov", "role": "participant"}],
        "source": {"outlet": "Reuters", "published": "2014-03-14"}})])
    session = Session(seed_log)
    session.take_outline(session.load())
    assert set(session.search("secretary of state")) == {18}


def test_the_hint_of_a_role_field_reads_as_the_actors_it_shows() -> None:
    from tracker.app.terms import actors_from_field
    from tracker.tui.form import ACTORS_HINT

    assert actors_from_field(ACTORS_HINT, "participant") == [
        {"name": "Kim Jong Un", "role": "participant"},
        {"name": "Mike Pompeo", "role": "participant", "office": "Secretary of State"},
        {"name": "Name", "role": "participant", "office": "an office, with a comma"}]
