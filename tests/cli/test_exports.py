"""`tracker export --format FORMAT`: tracker's CSV (read back by `tracker import`), TimelineJS
JSON and its Google Sheets CSV, PLOVER JSON Lines and a self-contained HTML page, each of a view
of the log (the filters of `tracker log`, --as-of, --known-at). What a browser makes of the
TimelineJS and HTML exports is checked in tests/browser."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate_events
from tests.cli_support import ROOT, SEED, ok, seeded_db, tracker
from tracker.codec.exports import date_words
from tracker.domain.dates import resolve
from tracker.domain.events import EVENT_TYPES


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_db(tmp_path_factory.mktemp("exports"))


def export(db: Path, *flags: str) -> str:
    return ok("--db", db, "export", *flags).stdout_bytes.decode("utf-8")


def export_bytes(db: Path, *flags: str) -> bytes:
    return ok("--db", db, "export", *flags).stdout_bytes


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def events_of(db: Path) -> list[dict[str, Any]]:
    """The events of a log as exported, less what belongs to the log that holds them."""
    doc = json.loads(export(db))
    return [{k: v for k, v in e.items() if k not in {"recorded_at", "hash"}}
            for e in doc["events"]]


# --------------------------------------------------------------------------- csv


def test_csv_has_a_header_and_one_row_per_event_with_the_columns_a_spreadsheet_expects(
        db: Path) -> None:
    data = export_bytes(db, "--format", "csv")
    text = data.decode("utf-8")
    assert text.startswith(
        "position,id,type,story,earliest,latest,summary,actors,place,outlet,speaker,on_record,"
        "quote,url,published,references,certainty,subject,author,title,via,anchor,details\r\n")
    rows = csv_rows(text)
    assert [r["position"] for r in rows] == [str(n) for n in range(1, 18)]
    declined = rows[2]
    assert declined == {
        "position": "3", "id": "kl-03-kerry-declines", "type": "invitation.declined",
        "story": "no later than 2014-03-10", "earliest": "", "latest": "2014-03-10",
        "summary": "Kerry declined the invitation to Moscow, according to Lavrov",
        "actors": "John Kerry (invitee); Sergey Lavrov (mentioned)", "place": "",
        "outlet": "McClatchy", "speaker": "Sergey Lavrov", "on_record": "yes",
        "quote": "Kerry has declined an invitation to visit Russia", "url": "",
        "published": "2014-03-10", "references": "responds_to:kl-02-moscow-invitation",
        "certainty": "certain", "subject": "invitation:kerry-to-moscow",
        "author": "Hannah Allam",
        "title": "Kerry won't visit Russia until Moscow shows 'seriousness' on Ukraine",
        "via": "Radio Free Europe/Reuters", "anchor": "", "details": "",
    }
    # RFC 4180: CRLF line ends, a field with a comma in double quotes
    assert b'"Kerry declined the invitation to Moscow, according to Lavrov"' in data
    assert data.count(b"\r\n") == 18 and b"\n" not in data.replace(b"\r\n", b"")


HOSTILE = {
    "=HYPERLINK(\"http://evil.example\",\"click\")": "'=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1 for the talks": "'+1 for the talks",
    "-5 points, says Lavrov": "'-5 points, says Lavrov",
    "@channel the talks are off": "'@channel the talks are off",
    "'Tis the season, says Psaki": "''Tis the season, says Psaki",
}


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised_and_read_back(
        tmp_path: Path) -> None:
    db = tmp_path / "hostile.sqlite"
    for i, summary in enumerate(HOSTILE, start=1):
        ok("--db", db, "add", "--type", "statement.made", "--id", f"s-{i}", "--story",
           "2014-03-10", "--published", "2014-03-10", "--outlet", "=cmd|' /C calc'!A0",
           "--summary", summary, "--actor", "@Lavrov:speaker")
    text = export(db, "--format", "csv")
    rows = csv_rows(text)
    assert [r["summary"] for r in rows] == list(HOSTILE.values())
    assert {r["outlet"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert {r["actors"] for r in rows} == {"'@Lavrov (speaker)"}
    source = tmp_path / "hostile.csv"
    source.write_text(text, newline="")
    again = tmp_path / "again.sqlite"
    ok("--db", again, "import", source)
    assert events_of(again) == events_of(db)


def test_csv_round_trip_through_import_gives_the_same_events(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    generated = tmp_path / "generated.jsonl"
    generated.write_text("".join(json.dumps(e) + "\n" for e in generate_events(400, seed=5)))
    ok("--db", db, "import", generated)
    exported = tmp_path / "log.csv"
    ok("--db", db, "export", "--format", "csv", "-o", exported)
    fresh = tmp_path / "fresh.sqlite"
    result = ok("--db", fresh, "import", exported)
    assert result.stdout == "Imported 417 events (0 already in the log).\n"
    assert events_of(fresh) == events_of(db)
    again = ok("--db", fresh, "import", exported)
    assert again.stdout.startswith("Imported 0 events (417 already in the log).")


def test_a_bad_csv_row_is_named_by_its_line_and_nothing_is_written(db: Path,
                                                                  tmp_path: Path) -> None:
    lines = export(db, "--format", "csv").split("\r\n")
    lines[3] = lines[3].replace(",yes,", ",maybe,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\r\n".join(lines), newline="")
    target = tmp_path / "target.sqlite"
    result = tracker("--db", target, "import", bad)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad} line 4: column 'on_record' must be yes or no, not 'maybe'\n"
    assert not target.exists()  # a refused import into a new path leaves no file behind


def test_a_csv_with_an_unknown_column_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "extra.csv"
    bad.write_text("position,id,type,colour\r\n1,a,b,red\r\n")
    result = tracker("--db", tmp_path / "t.sqlite", "import", bad)
    assert result.stderr.endswith(
        f"Error: {bad} line 1: unknown column 'colour' (tracker's CSV has position, id, type, "
        "story, earliest, latest, summary, actors, place, outlet, speaker, on_record, quote, "
        "url, published, references, certainty, subject, author, title, via, anchor, "
        "details)\n")


def test_a_timelinejs_sheet_is_not_mistaken_for_events(db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(export(db, "--format", "timelinejs-csv"), newline="")
    result = tracker("--db", tmp_path / "t.sqlite", "import", sheet)
    assert result.stderr.endswith(
        f"Error: {sheet}: a TimelineJS sheet cannot be imported (it keeps too little of each "
        "event); import tracker's own csv or json export\n")


# --------------------------------------------------------------------------- TimelineJS


def test_timelinejs_gives_every_event_a_slide_placed_at_a_bound_with_its_date_in_words(
        db: Path) -> None:
    doc = json.loads(export(db, "--format", "timelinejs"))
    slides = {s["unique_id"]: s for s in doc["events"]}
    assert len(slides) == 17 and all("start_date" in s for s in slides.values())
    assert slides["kl-02-moscow-invitation"]["start_date"] == {"year": 2014, "month": 3, "day": 10}
    assert slides["kl-02-moscow-invitation"]["display_date"] == "no later than 10 March 2014"
    assert slides["kl-11-kerry-lavrov-met"]["start_date"] == {"year": 2014, "month": 3, "day": 3}
    assert slides["kl-11-kerry-lavrov-met"]["display_date"] == "sometime 3–9 March 2014 ('last week')"
    assert slides["kl-04-us-paper"]["display_date"] == "7 March 2014 ('last Friday')"
    assert not any("end_date" in s for s in slides.values())  # no false span


def test_timelinejs_puts_the_quote_in_media_and_never_an_article_url(db: Path) -> None:
    doc = json.loads(export(db, "--format", "timelinejs"))
    slides = {s["unique_id"]: s for s in doc["events"]}
    declined = slides["kl-03-kerry-declines"]
    assert declined["media"]["url"] == (
        "<blockquote>“Kerry has declined an invitation to visit Russia”</blockquote>")
    assert declined["media"]["credit"] == (
        "Sergey Lavrov (on the record), in McClatchy (Hannah Allam, via Radio Free "
        "Europe/Reuters), published 2014-03-10")
    assert all(s["media"]["url"].startswith("<blockquote>") for s in slides.values()
               if "media" in s)
    # the disputed account stands out on a dark background, and links to who disputes it
    assert declined["background"] == {"color": "#6b1f2a"}
    assert ('<b>Disputed</b> by <a href="#event-kl-06-us-disputes-refusal">'
            in declined["text"]["text"])
    assert [s for s in slides.values() if "background" in s] == [declined]
    # one lane a kind, named as every view names it (the vocabulary's title)
    assert {s["group"] for s in slides.values()} == {
        "Invitations", "Meetings", "Proposals", "Demands and preconditions", "Statements"}


def test_the_timelinejs_title_slide_carries_the_state_at_the_end_and_what_is_lost(
        db: Path) -> None:
    title = json.loads(export(db, "--format", "timelinejs"))["title"]
    assert "start_date" not in title
    text = title["text"]["text"]
    assert "<p>Invitations: 1 disputed</p><p>Meetings: 2 held, 1 possible</p>" in text
    assert "<p>Demands and preconditions: 5 outstanding</p>" in text
    assert "TimelineJS cannot carry an uncertain date as data" in text


def test_an_empty_view_writes_no_timelinejs_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty.json"
    result = tracker("--db", db, "export", "--format", "timelinejs", "--actor", "nobody",
                     "-o", out)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no events to export: TimelineJS cannot show an empty timeline\n")
    assert list(tmp_path.iterdir()) == []


def test_timelinejs_csv_has_the_google_sheets_template_columns_and_a_title_row(
        db: Path) -> None:
    rows = list(csv.reader(io.StringIO(export(db, "--format", "timelinejs-csv"), newline="")))
    assert rows[0] == ["Year", "Month", "Day", "Time", "End Year", "End Month", "End Day",
                       "End Time", "Display Date", "Headline", "Text", "Media", "Media Credit",
                       "Media Caption", "Media Thumbnail", "Type", "Group", "Background"]
    assert rows[1][15] == "title" and rows[1][9] == "A diplomatic timeline"
    assert "17 events from" in rows[1][10]
    assert len(rows) == 19
    assert rows[3][:3] == ["2014", "3", "10"] and rows[3][8] == "no later than 10 March 2014"
    assert rows[3][16] == "Invitations"


# --------------------------------------------------------------------------- PLOVER


def test_plover_writes_one_record_per_event_with_the_vocabularys_codes(db: Path) -> None:
    records = [json.loads(line) for line in export(db, "--format", "plover").splitlines()]
    assert len(records) == 17
    by_id = {r["id"]: r for r in records}
    invitation = by_id["kl-02-moscow-invitation"]
    assert {k: invitation[k] for k in ("date", "actor", "recipient", "event", "mode", "context",
                                       "cameo", "link", "event_text")} == {
        "date": "2014-03-10",
        "actor": [{"entity_text": "Sergey Lavrov", "role": "inviter"}],
        "recipient": [{"entity_text": "John Kerry", "role": "invitee"}],
        "event": ["AGREE"], "mode": "", "context": ["diplomatic"], "cameo": "036",
        "link": "invitation:kerry-to-moscow",
        "event_text": "an invitation to visit Russia for further talks on the Ukraine crisis",
    }
    assert invitation["cite_info"]["publication"] == "McClatchy"
    declined = by_id["kl-03-kerry-declines"]
    assert (declined["event"], declined["mode"]) == (["REJECT"], "meet")
    assert declined["comment"] == ("no later than 10 March 2014; said by Sergey Lavrov; "
                                   "also named: Sergey Lavrov (mentioned)")
    for record in records:
        etype = EVENT_TYPES[record["tracker_type"]]
        assert record["event"] == ([etype.plover] if etype.plover else [])
        assert record["cameo"] == etype.cameo


def test_statements_and_disputes_have_no_plover_category_but_keep_their_cameo_code(
        db: Path) -> None:
    by_id = {r["id"]: r for r in map(json.loads, export(db, "--format", "plover").splitlines())}
    statement, dispute = by_id["kl-07-psaki-seriousness"], by_id["kl-06-us-disputes-refusal"]
    assert (statement["event"], statement["cameo"]) == ([], "010")
    assert (dispute["event"], dispute["cameo"]) == ([], "016")
    without = sorted(t.name for t in EVENT_TYPES.values() if not t.plover)
    assert without == ["account.confirmed", "account.disputed", "entry.corrected",
                       "entry.retracted", "proposal.countered", "proposal.submitted",
                       "statement.made"]


# --------------------------------------------------------------------------- HTML


def test_the_html_page_is_self_contained(db: Path) -> None:
    page = export(db, "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "@import" not in page and "url(http" not in page
    # the only addresses are links a reader may follow to the articles
    assert re.findall(r'\s(?:src|srcset|poster|data)=', page) == []
    assert set(re.findall(r'href="(https?://[^"]*)"', page)) <= {
        e["source"]["url"] for e in json.loads(SEED.read_text())["events"]
        if e["source"].get("url")}
    assert "Showing <span class=\"view\">every event of the log</span>" in page


def test_every_section_of_the_page_has_the_vocabularys_title_and_a_colour_of_its_own(
        tmp_path: Path) -> None:
    from tracker.domain.vocabulary import KINDS
    from tracker.render.html import COLOURS

    sections = {k.section: k.title for k in KINDS.values() if k.section}
    assert set(COLOURS) == set(sections) and len(set(COLOURS.values())) == len(COLOURS)
    db = tmp_path / "jcpoa.sqlite"
    ok("--db", db, "import", ROOT / "seeds" / "jcpoa-2011-2018.jsonl")  # holds talks
    page = export(db, "--format", "html")
    assert "<h3>Talks (1)</h3>" in page and "<h3>talks" not in page
    assert f'fill="{COLOURS["talks"]}"' in page
    assert "Talks: 1 concluded" in page  # the head's counts name it so too


def test_every_lane_of_the_timelinejs_export_is_named_as_the_vocabulary_names_its_kind(
        tmp_path: Path) -> None:
    from tracker.domain.vocabulary import KINDS

    titles = {k.title for k in KINDS.values()}
    db = tmp_path / "jcpoa.sqlite"
    ok("--db", db, "import", ROOT / "seeds" / "jcpoa-2011-2018.jsonl")
    doc = json.loads(export(db, "--format", "timelinejs"))
    groups = {s["group"] for s in doc["events"]}
    assert groups <= titles and "Talks" in groups
    assert "<p>Talks: 1 concluded</p>" in doc["title"]["text"]["text"]


def test_html_text_from_the_log_is_escaped(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    ok("--db", db, "add", "--type", "statement.made", "--id", "x-1", "--story", "2014-03-10",
       "--published", "2014-03-10", "--outlet", "<b>Wire</b>", "--summary",
       "</svg><script>alert(1)</script>", "--quote", "\"quoted\" & <i>so</i>")
    page = export(db, "--format", "html")
    assert "<script>" not in page and "</svg><script>" not in page
    assert "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Wire&lt;/b&gt;" in page


# --------------------------------------------------------------------------- views, errors


def test_a_view_narrows_every_format_and_is_named(db: Path) -> None:
    flags = ("--type", "invitation", "--known-at", "2014-03-10")
    assert [r["id"] for r in csv_rows(export(db, "--format", "csv", *flags))] == [
        "kl-02-moscow-invitation", "kl-03-kerry-declines", "kl-13-no-trip-for-now"]
    assert [json.loads(line)["id"] for line in
            export(db, "--format", "plover", "--as-of", "2014-03-08").splitlines()] == [
        "kl-04-us-paper"]
    title = json.loads(export(db, "--format", "timelinejs", *flags))["title"]["text"]["text"]
    assert "(events: type invitation, as known on 2014-03-10)" in title
    assert export(db, "--format", "csv", "--known-at", "2014-03-09").count("\r\n") == 1


def test_the_json_export_is_always_the_whole_log(db: Path) -> None:
    result = tracker("--db", db, "export", "--as-of", "2014-03-08")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the tracker-timeline export (--format json) is always the whole log, so that "
        "`tracker import` can check its hashes; filters, --as-of and --known-at apply to the "
        "other formats\n")


def test_an_unknown_format_is_named(db: Path) -> None:
    result = tracker("--db", db, "export", "--format", "xlsx")
    assert result.exit_code == 1
    assert result.stderr == ("Error: --format 'xlsx' is not a format tracker writes (formats: "
                             "json, csv, timelinejs, timelinejs-csv, plover, html)\n")


def test_export_help_says_what_timelinejs_and_plover_cannot_carry() -> None:
    text = " ".join(ok("export", "--help").stdout.split())
    assert ("TimelineJS cannot carry an uncertain date as data (a slide sits at one bound and "
            "says the window in words), a dispute as a relation (a line and a link), "
            "certainty, or what was known on which date") in text
    assert ("statements, proposals submitted or countered, and disputed or confirmed "
            "accounts have no PLOVER category (event empty, CAMEO code kept)") in text


@pytest.mark.parametrize(("expr", "anchor", "words"), [
    ("2014-03-07", None, "7 March 2014"),
    ("last Friday", "2014-03-10", "7 March 2014 ('last Friday')"),
    ("no later than 2014-03-10", None, "no later than 10 March 2014"),
    ("after 2014-02-21", None, "no earlier than 22 February 2014"),
    ("last week", "2014-03-10", "sometime 3–9 March 2014 ('last week')"),
    ("2014-02-27..2014-03-02", None, "sometime 27 February – 2 March 2014"),
    ("2013-12-30..2014-01-02", None, "sometime 30 December 2013 – 2 January 2014"),
    ("March 2014", None, "sometime in March 2014"),
    ("2014", None, "sometime in 2014"),
])
def test_a_story_date_in_words(expr: str, anchor: str | None, words: str) -> None:
    assert date_words(resolve(expr, anchor)) == words
