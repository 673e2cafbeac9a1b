"""`tracker export --format timelinejs` rendered by the real TimelineJS 3.9.11 in headless
Chromium, served from 127.0.0.1 with nothing else reachable: every event becomes a slide and a
marker on the time axis, each kind of item a group, and nothing goes wrong in the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.generate import generate_events
from tests.browser.chromium import browser, serve, timelinejs_dist
from tests.cli_support import ok, seeded_db

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>TimelineJS check</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/tl/css/timeline.css"><script src="/tl/js/timeline.js"></script>
</head><body style="margin:0">
<div id="timeline-embed" style="width:1200px;height:760px"></div>
<script>
  window.loaded = false;
  window.timeline = new TL.Timeline("timeline-embed", "/timeline.json",
      {script_path: location.origin + "/tl/js/", hash_bookmark: false, debug: false,
       font: false});  // the default font is a web font: nothing off 127.0.0.1 is reachable
  window.timeline.on("loaded", function () { window.loaded = true; });
</script></body></html>
"""

#: Each of the page's slides (title and events), the markers, the group names, any error
#: message TimelineJS shows in place of the timeline.
READ = """JSON.stringify({
  slides: Array.from(document.querySelectorAll('.tl-slide')).map(s => s.id),
  markers: Array.from(document.querySelectorAll('.tl-timemarker')).map(m => m.id),
  groups: Array.from(document.querySelectorAll('.tl-timegroup-message')).map(g => g.textContent),
  message: (document.querySelector('.tl-message-full') || {textContent: ''}).textContent
})"""


def render(folder: Path, exported: Path) -> tuple[dict[str, list[str]], list[str], list[str]]:
    site = folder / "site"
    site.mkdir()
    shutil.copytree(timelinejs_dist(), site / "tl")
    shutil.copy(exported, site / "timeline.json")
    (site / "index.html").write_text(PAGE)
    with serve(site) as base, browser() as page:
        page.goto(f"{base}/index.html")
        page.wait_for("window.loaded === true || /error/i.test((document.querySelector("
                      "'.tl-message-full') || {textContent: ''}).textContent)")
        found = json.loads(page.evaluate(READ))
        return found, page.errors, page.requests


def check(folder: Path, db: Path) -> None:
    exported = folder / "timeline.json"
    ok("--db", db, "export", "--format", "timelinejs", "-o", exported)
    doc = json.loads(exported.read_text())
    ids = [slide["unique_id"] for slide in doc["events"]]
    found, errors, requests = render(folder, exported)

    assert "rror" not in found["message"]  # no configuration error in place of the timeline
    assert errors == []
    assert sorted(found["slides"]) == sorted([*ids, found["slides"][0]])  # the title slide too
    assert sorted(found["markers"]) == sorted(f"{i}-marker" for i in ids)
    assert sorted(found["groups"]) == sorted({slide["group"] for slide in doc["events"]})
    assert all(url.startswith("http://127.0.0.1:") for url in requests), requests


def test_every_event_of_the_seed_is_a_slide_and_a_marker_in_its_group(tmp_path: Path) -> None:
    check(tmp_path, seeded_db(tmp_path))


@pytest.mark.slow
def test_generated_events_with_every_kind_of_uncertain_date_all_render(tmp_path: Path) -> None:
    source = tmp_path / "generated.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in generate_events(150, seed=13)))
    db = tmp_path / "generated.sqlite"
    ok("--db", db, "import", source)
    check(tmp_path, db)
