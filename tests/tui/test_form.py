"""Appending, correcting and retracting from the form; exporting from the app."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Label, Select
from typer.testing import CliRunner

from tests.tui.conftest import press, settle, text_of_main
from tracker.app.service import Timeline, open_timeline
from tracker.cli import app as cli
from tracker.tui.app import TrackerApp
from tracker.tui.form import EventForm


async def fill(pilot: object, selector: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    widget = app.screen.query_one(selector, Input)
    widget.value = text
    await settle(pilot)  # type: ignore[arg-type]


async def fill_all(pilot: object, fields: dict[str, str]) -> None:
    for selector, text in fields.items():
        await fill(pilot, selector, text)


async def go_to(pilot: object, position: int) -> None:
    """`:` and a log position, as a user moves the cursor onto an event."""
    await press(pilot, "colon")  # type: ignore[arg-type]
    await pilot.press(*str(position), "enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


def error_at(app: TrackerApp, key: str) -> str:
    return str(app.screen.query_one(f"#e-{key}", Label).render())


async def test_a_meeting_filled_in_is_saved_and_the_cursor_lands_on_it(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, EventForm)
        await fill(pilot, "#f-story", "last Friday")
        await fill(pilot, "#f-published", "2014-03-14")
        assert "2014-03-07" in str(app.screen.query_one("#f-story-shown").render())
        await fill_all(pilot, {
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry, Sergey Lavrov",
            "#f-place": "London",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 18
        stored = list(seed_log.events())[-1]
        assert stored.type == "meeting.held"
        assert stored.story.earliest == "2014-03-07"
        assert {a.name for a in stored.actors} == {"John Kerry", "Sergey Lavrov"}
        assert app.timeline_view.position == 18
        assert "Kerry and Lavrov meet in London" in text_of_main(app, "#detail")
    listing = CliRunner().invoke(cli, ["--db", "log.sqlite", "log"])
    assert "Kerry and Lavrov meet in London" in listing.output


async def test_an_impossible_date_shows_an_error_at_the_field_and_writes_nothing(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await fill_all(pilot, {
            "#f-story": "2014-02-30",
            "#f-summary": "A meeting that cannot have been",
            "#f-role-participant": "A, B",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert "'2014-02-30' is not a real date (February 2014 has 28 days)" in error_at(
            app, "story")
        form = app.screen
        shown = str(form.query_one("#f-story-shown").render())
        assert "not a real date" not in shown  # said once, at the field
        assert app.screen.query_one("#f-story", Input).has_class("-invalid")
        assert app.screen.focused is app.screen.query_one("#f-story", Input)
        assert seed_log.count() == 17


async def test_a_missing_required_actor_is_shown_at_that_role(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await fill_all(pilot, {
            "#f-story": "2014-03-10",
            "#f-summary": "Someone met",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert "needs an actor with role 'participant'" in error_at(app, "role-participant")
        assert seed_log.count() == 17


async def test_the_form_adapts_to_the_type(app: TrackerApp) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        assert form.query("#f-role-participant")
        form.query_one("#f-type").value = "invitation.extended"  # type: ignore[attr-defined]
        await settle(pilot)
        assert form.query("#f-role-inviter") and form.query("#f-role-invitee")
        assert not form.query("#f-role-participant")
        assert form.query("#f-detail-venue")


async def test_esc_on_an_untouched_form_closes_it(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await press(pilot, "escape")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 17


async def test_esc_after_typing_asks_once_then_discards_and_writes_nothing(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-summary", Input).focus()
        await press(pilot, *"never saved")
        await press(pilot, "escape")
        assert isinstance(app.screen, EventForm)  # what was typed is still there
        assert app.screen.query_one("#f-summary", Input).value == "never saved"
        assert "esc again discards what you typed" in str(
            app.screen.query_one("#form-error", Label).render())
        # ... and in a notice: the top of a long form may be scrolled out of sight
        assert any("esc again discards" in said for said in app.said)
        await press(pilot, "escape")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 17
        await press(pilot, "a")  # a new form starts blank and untouched
        assert app.screen.query_one("#f-summary", Input).value == ""
        await press(pilot, "escape")
        assert not isinstance(app.screen, EventForm)


async def test_someone_appending_meanwhile_is_shown_in_the_form_then_saving_works(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        other = open_timeline("log.sqlite")
        other.add({"type": "statement.made", "story": "2014-03-11", "summary": "Another desk",
                   "source": {"outlet": "AP", "published": "2014-03-11"}})
        other.close()
        await fill_all(pilot, {
            "#f-story": "2014-03-12",
            "#f-published": "2014-03-12",
            "#f-summary": "Kerry and Lavrov talk by phone",
            "#f-role-participant": "John Kerry, Sergey Lavrov",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        shown = error_at(app, "form") if app.screen.query("#e-form") else str(
            app.screen.query_one("#form-error", Label).render())
        assert "the log is at position 18, not 17: someone else appended meanwhile" in shown
        assert seed_log.count() == 18
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        assert seed_log.count() == 19
        assert app.timeline_view.position == 19


async def test_a_reference_is_picked_from_the_timeline(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "colon")
        await pilot.press(*"2", "enter")  # the invitation
        await settle(pilot)
        await press(pilot, "a")
        form = app.screen
        form.query_one("#f-type").value = "invitation.accepted"  # type: ignore[attr-defined]
        await settle(pilot)
        form.query_one("#f-ref-rel").value = "responds_to"  # type: ignore[attr-defined]
        await fill_all(pilot, {
            "#f-story": "2014-03-20",
            "#f-summary": "Kerry accepts after all",
            "#f-role-invitee": "John Kerry",
            "#f-outlet": "Reuters",
            "#f-published": "2014-03-20",
        })
        await press(pilot, "ctrl+s")
        assert seed_log.count() == 18
        stored = list(seed_log.events())[-1]
        assert [(r.rel, r.id) for r in stored.refs] == [("responds_to", "kl-02-moscow-invitation")]


async def test_c_corrects_the_event_under_the_cursor(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await go_to(pilot, 1)
        await press(pilot, "c")
        summary = app.screen.query_one("#f-fix-summary", Input)
        # the summary being corrected is shown from its start, nothing selected to type over
        assert summary.value.startswith("Lavrov meets Putin")
        assert summary.cursor_position == 0 and summary.selected_text == ""
        await fill(pilot, "#f-fix-place", "Novo-Ogaryovo")
        await fill(pilot, "#f-detail-reason", "the meeting was outside Moscow")
        await press(pilot, "ctrl+s")
        assert seed_log.count() == 18
        stored = list(seed_log.events())[-1]
        assert stored.type == "entry.corrected"
        assert stored.details["changes"] == {"place": "Novo-Ogaryovo"}
        assert [(r.rel, r.id) for r in stored.refs] == [("corrects", "kl-01-sochi-meeting")]
        await settle(pilot)
        assert app.timeline_view.position == 18
        detail = text_of_main(app, "#detail")
        assert "changes   place → Novo-Ogaryovo" in detail  # read as a person reads it
        assert "{" not in detail


async def test_a_correction_to_an_impossible_date_is_refused_at_its_field(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await fill(pilot, "#f-fix-story", "2014-02-30")
        await press(pilot, "ctrl+s")
        assert "not a real date" in error_at(app, "fix-story")
        assert seed_log.count() == 17


async def test_x_retracts_the_event_under_the_cursor(app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "x")
        await fill(pilot, "#f-detail-reason", "no second source")
        await press(pilot, "ctrl+s")
        stored = list(seed_log.events())[-1]
        assert stored.type == "entry.retracted"
        assert [(r.rel, r.id) for r in stored.refs] == [("retracts", "kl-11-kerry-lavrov-met")]
        await settle(pilot)
        # the retracted entry is marked in the timeline
        await press(pilot, "g")
        assert "✗" in app.timeline_view.render_line(0).text


async def test_e_exports_to_a_path_the_user_confirms(app: TrackerApp, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        app.screen.query_one("#export-path", Input).value = str(target)
        await press(pilot, "enter")
        assert target.exists()
        assert len(json.loads(target.read_text())["events"]) == 17
        # an existing file needs a second enter
        await press(pilot, "e")
        app.screen.query_one("#export-path", Input).value = str(target)
        await press(pilot, "enter")
        assert "exists: press enter again" in str(app.screen.query_one("#export-error").render())
        await press(pilot, "enter")
        assert not app.screen.query("#export-path")


async def test_on_a_large_log_a_saved_meeting_takes_its_story_place_and_its_state_shows(
        seed_log: Timeline) -> None:
    """Past the small-log size the timeline is extended with the new event, not read again, and
    the state index is rebuilt: the meeting sits on its story day and its step says so."""
    from tracker.domain.ordering import story_order

    app = TrackerApp(seed_log, small_log=5)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        outline_before = app.session.outline
        await press(pilot, "a")
        await fill(pilot, "#f-story", "2014-03-07")
        await fill(pilot, "#f-published", "2014-03-14")
        await fill_all(pilot, {
            "#f-summary": "Kerry and Lavrov meet in London",
            "#f-role-participant": "John Kerry, Sergey Lavrov",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert seed_log.count() == 18
        assert app.session.outline is not outline_before and outline_before.count == 17
        events = seed_log.all_events()
        assert list(app.session.outline.story) == [events[i].position for i in story_order(events)]
        assert app.timeline_view.position == 18
        state = text_of_main(app, "#state")
        assert "+ added   meeting ev-" in state and "  held" in state
        assert "After event 3 of 18" in state  # 2014-03-07: third in story order


async def test_an_answer_refers_to_the_entry_under_the_cursor_by_default(
        app: TrackerApp, seed_log: Timeline) -> None:
    """A refusal added on the invitation answers it without choosing the relation: the form
    starts on "responds_to" and the entry under the cursor."""
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await go_to(pilot, 2)
        await press(pilot, "a")
        form = app.screen
        form.query_one("#f-type", Select).value = "invitation.declined"
        await settle(pilot)
        assert form.query_one("#f-ref-rel", Select).value == "responds_to"
        assert form.query_one("#f-ref-target", Select).value == 2
        form.query_one("#f-type", Select).value = "meeting.held"  # opens an item: no answer
        await settle(pilot)
        assert form.query_one("#f-ref-rel", Select).is_blank()
        form.query_one("#f-type", Select).value = "invitation.declined"
        await settle(pilot)
        assert form.query_one("#f-ref-rel", Select).value == "responds_to"
        await fill_all(pilot, {"#f-story": "2014-03-12", "#f-published": "2014-03-12",
                               "#f-summary": "Kerry declines again",
                               "#f-role-invitee": "John Kerry", "#f-outlet": "Wire"})
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert [(r.rel, r.id) for r in stored.refs] == [("responds_to", "kl-02-moscow-invitation")]
        assert stored.subject == "invitation:kerry-to-moscow"


async def test_a_correction_that_changes_nothing_says_what_to_change(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "fix-summary") == (
            "nothing is corrected yet: change the summary, the story date or the place")
        assert seed_log.count() == 17


async def test_a_meeting_held_after_its_report_is_refused_at_the_story_date(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await fill_all(pilot, {
            "#f-story": "tomorrow",
            "#f-published": "2014-03-14",
            "#f-summary": "A meeting not held yet",
            "#f-role-participant": "A, B",
            "#f-outlet": "Reuters",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "story") == (
            "field 'story': 'tomorrow' begins on 2014-03-15, after the source's publication "
            "date (2014-03-14); meeting.held reports what happened, which no source can tell "
            "before it does (a plan is meeting.proposed or meeting.scheduled)")
        assert app.screen.query_one("#f-story", Input).has_class("-invalid")
        assert seed_log.count() == 17


async def test_a_paper_sent_in_brussels_and_received_in_beijing_is_saved_with_both_zones(
        app: TrackerApp, seed_log: Timeline) -> None:
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-type", Select).value = "proposal.submitted"
        await settle(pilot)
        await fill_all(pilot, {
            "#f-story": "Friday night",
            "#f-published": "2014-03-10",
            "#f-summary": "An EU paper reaches Beijing",
            "#f-role-proposer": "European Union",
            "#f-outlet": "Xinhua",
            "#f-story-tz": "Europe/Brussels",
            "#f-received": "Saturday",
            "#f-received-tz": "Mars/Olympus",
        })
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, EventForm)
        assert error_at(app, "received-tz") == (
            "field 'story.received.tz': 'Mars/Olympus' is not a time zone; give an IANA time "
            "zone such as Europe/Brussels or Asia/Shanghai, or a UTC offset such as +01:00")
        await fill(pilot, "#f-received-tz", "Asia/Shanghai")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, EventForm)
        stored = list(seed_log.events())[-1]
        assert stored.story.told() == "2014-03-07 Europe/Brussels, received 2014-03-08 Asia/Shanghai"
