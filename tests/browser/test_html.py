"""`tracker export --format html` opened in headless Chromium at 1280x800: it loads with no
console error and no request but the file itself, shows one lane per item and one mark per event
(an uncertain date as a hatched window), marks disputed items, and a mark leads to its event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.chromium import browser
from tests.cli_support import ok, seeded_db, state_json

READ = """JSON.stringify({
  lanes: Array.from(document.querySelectorAll('#timeline g.lane')).map(g => g.dataset.subject),
  disputed: Array.from(document.querySelectorAll('#timeline g.lane.disputed'))
      .map(g => g.dataset.subject),
  marks: Array.from(document.querySelectorAll('#timeline a[data-event]')).map(a => a.dataset.event),
  windows: document.querySelectorAll('#timeline rect.mark.window').length,
  points: document.querySelectorAll('#timeline circle.mark').length,
  listed: Array.from(document.querySelectorAll('ol.events > li[id]')).map(li => li.id),
  view: document.querySelector('header .view').textContent,
  width: document.documentElement.scrollWidth
})"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_db(tmp_path_factory.mktemp("html"))


def test_the_page_opens_with_lanes_and_marks_and_requests_nothing(seeded: Path,
                                                                 tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    ok("--db", seeded, "export", "--format", "html", "-o", page_file)
    with browser(1280, 800) as page:
        page.goto(page_file.as_uri())
        found = json.loads(page.evaluate(READ))
        tooltip = page.evaluate(
            "document.querySelector('#timeline a[data-event=\"kl-02-moscow-invitation\"] title')"
            ".textContent")
        page.evaluate("document.querySelector('#timeline a[data-event=\"kl-06-us-disputes-"
                      "refusal\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        page.wait_for("location.hash === '#ev-kl-06-us-disputes-refusal'")
        target = page.evaluate("document.querySelector(':target').id")
        page.screenshot(tmp_path / "report.png")
        errors, requests = page.errors, page.requests

    assert errors == []
    assert set(requests) == {page_file.as_uri()}, requests
    state = state_json(seeded)
    items = [i["subject"] for s in ("invitations", "meetings", "proposals", "demands",
                                    "agreements", "sanctions", "statements") for i in state[s]]
    assert sorted(found["lanes"]) == sorted(items)
    assert found["disputed"] == ["invitation:kerry-to-moscow"]
    assert len(found["marks"]) == 17 == len(found["listed"])
    # "no later than 2014-03-10" (six events) and "last week" are windows; the rest are days
    assert (found["windows"], found["points"]) == (7, 10)
    assert found["view"] == "every event of the log"
    assert found["width"] <= 1280  # readable at 1280 wide: nothing runs off to the side
    assert ("Sergey Lavrov (on the record), in McClatchy" in tooltip
            and "“an invitation to visit Russia for further talks on the Ukraine crisis”"
            in tooltip)
    assert target == "ev-kl-06-us-disputes-refusal"
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_view_is_named_at_the_top_and_shows_only_its_events(seeded: Path,
                                                             tmp_path: Path) -> None:
    page_file = tmp_path / "view.html"
    ok("--db", seeded, "export", "--format", "html", "--as-of", "2014-03-08", "--type",
       "proposal", "-o", page_file)
    with browser() as page:
        page.goto(page_file.as_uri())
        found = json.loads(page.evaluate(READ))
        errors = page.errors
    assert errors == []
    assert found["view"] == "events: type proposal, as of 2014-03-08"
    assert found["marks"] == ["kl-04-us-paper"] == [m.removeprefix("ev-")
                                                     for m in found["listed"]]
    assert found["lanes"] == ["proposal:us-paper-on-ukraine"]
