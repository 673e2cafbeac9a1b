"""The readable state (`tracker state`) is laid out an item at a time, line for line as a grid
of two columns (each item's status, its lines wrapped beside it) lays it out, styles and all,
at any width; into a file or a pipe the same lines come without styles or padding."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, Group, RenderableType
from rich.style import Style
from rich.text import Text

from tests.app.test_same_output import thawed_log
from tracker.app.service import open_timeline
from tracker.codec.state_document import SECTIONS, StateParts, parts_of
from tracker.domain.fold import Query
from tracker.render import terminal
from tracker.render.terminal import state_view


def as_a_grid(doc: dict[str, Any], describe: str) -> RenderableType:
    """The state as one Rich grid a section (how the view was first made)."""
    parts: list[RenderableType] = [Text.assemble(("State of affairs", "bold"), (
        f" from {doc['events']} events ({describe})"))]
    width = max(len(str(i["status"])) for sec in SECTIONS.values() for i in doc.get(sec) or ())
    for section in SECTIONS.values():
        items = doc.get(section) or []
        if items:
            title = f"{terminal.SECTION_TITLES.get(section, section)} ({len(items)})"
            parts += [Text(), Text(title, style="bold underline")]
            grid = terminal.label_grid(label_width=width)
            for item in items:
                grid.add_row(terminal.status_text(str(item["status"])),
                             Group(*terminal._item_lines(item)))
            parts.append(grid)
    parts += [Text(), Text(f"Actors ({len(doc['actors'])})", style="bold underline")]
    for actor in doc["actors"]:
        line = terminal.literal(actor["name"], "bold")
        if actor.get("offices"):
            line.append(" — ")
            line.append_text(terminal.literal("; ".join(
                terminal.office_text(o) for o in actor["offices"])))
        n = int(actor["items"])
        line.append(f"  in {n} item{'s' if n != 1 else ''}: ", style="dim")
        line.append(", ".join(actor["roles"]))
        line.overflow = "fold"
        parts.append(line)
    return Group(*parts)


def printed(renderable: RenderableType, width: int) -> list[str]:
    """The lines printed into a file or a pipe (no styles), without padding at their ends."""
    console = Console(file=io.StringIO(), width=width, highlight=False, markup=False)
    console.print(renderable)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]


def shown(renderable: RenderableType, width: int) -> list[list[tuple[str, Style]]]:
    """What a terminal shows of each line: each character with its style, a space with only
    what shows on a space (a background, an underline, reverse, a strike), none after the
    last character shown."""
    console = Console(file=io.StringIO(), width=width, force_terminal=True,
                      color_system="truecolor")
    lines = []
    for line in console.render_lines(renderable, pad=False):
        cells = []
        for segment in line:
            style = segment.style or Style()
            on_space = Style(bgcolor=style.bgcolor, underline=style.underline,
                             reverse=style.reverse, strike=style.strike)
            cells += [(c, on_space if c == " " else style) for c in segment.text]
        while cells and cells[-1] == (" ", Style()):
            cells.pop()
        lines.append(cells)
    return lines


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The frozen log's state: the seed story, 800 generated events of every type, and text
    that bypassed validation (escape sequences, controls, bidirectional overrides)."""
    tl = open_timeline(str(thawed_log(tmp_path_factory.mktemp("log"))))
    try:
        return tl.state_document()
    finally:
        tl.close()


@pytest.mark.parametrize("width", [30, 60, 80, 120, 200])
def test_the_state_is_laid_out_line_for_line_as_a_grid_lays_it_out(
        doc: dict[str, Any], width: int) -> None:
    grid = as_a_grid(doc, "everything in the log")
    view = state_view(doc, "everything in the log")
    assert shown(view, width) == shown(grid, width)
    plain = printed(grid, width)
    assert printed(view, width) == plain
    console = Console(file=io.StringIO(), width=width)
    assert list(view.plain_lines(console)) == plain


def test_a_state_into_a_file_is_its_lines_without_styles(tmp_path: Path) -> None:
    from tests.cli_support import ok, seeded_db

    db = seeded_db(tmp_path)
    text = ok("--db", db, "state").stdout
    assert "\x1b[" not in text and text.startswith("State of affairs from 17 events")
    assert all(line == line.rstrip() for line in text.splitlines())


# --------------------------------------------------------------------------- read in parts


def read(parts: StateParts) -> tuple[Any, ...]:
    """All that a view reads of a state in parts."""
    return (parts.events, parts.widest_status,
            [(section, size, list(items())) for section, size, items in parts.sections],
            list(parts.actors))


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return thawed_log(tmp_path_factory.mktemp("parts"))


@pytest.mark.parametrize("question", [
    Query(), Query(at=400), Query(at=0), Query(known_at="2014-03-09"),
    Query(as_of="2014-03-08"), Query(recorded_by="2026-12-03T08:54:28.700000Z")],
    ids=["whole", "at-400", "at-0", "known-at", "as-of", "recorded-by"])
def test_a_state_shown_is_read_from_its_records_as_the_whole_document_has_it(
        log: Path, question: Query) -> None:
    """What `tracker state` shows is read a section at a time from the records (a large log's
    state is never held whole): the same items, statuses, counts and actors as the document."""
    tl = open_timeline(str(log))
    try:
        whole = read(parts_of(tl.state_document(question)))
        with tl.state_parts(question) as parts:
            assert read(parts) == whole
            assert read(parts) == whole  # each section can be read again
    finally:
        tl.close()


@pytest.mark.parametrize("width", [40, 120])
def test_a_state_on_a_terminal_is_printed_in_pieces_that_show_as_one_print(
        doc: dict[str, Any], width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich holds all that one print renders until it ends; a terminal gets the view a few
    hundred items a print, byte for byte what one print of it writes."""
    monkeypatch.setattr(terminal.StateView, "PIECE", 7)
    view = state_view(doc, "everything in the log")

    def terminal_console() -> Console:
        return Console(file=io.StringIO(), width=width, force_terminal=True,
                       color_system="truecolor", highlight=False, markup=False)

    at_once, in_pieces = terminal_console(), terminal_console()
    at_once.print(view)
    pieces = list(view.pieces(in_pieces))
    assert len(pieces) > 10
    for piece in pieces:
        in_pieces.print(piece)
    assert in_pieces.file.getvalue() == at_once.file.getvalue()  # type: ignore[attr-defined]


def test_a_state_whose_showing_stops_keeps_the_records_it_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tracker state | head` closes the pipe after a few lines: the records the first run
    made of the whole log are kept all the same, and the next run replays nothing."""
    from tracker.app import progress

    monkeypatch.setattr(progress, "EVERY", 100)
    tl = open_timeline(str(thawed_log(tmp_path)))
    told: list[str] = []
    tl.progress = lambda what, done, total: told.append(what)
    try:
        with pytest.raises(BrokenPipeError), tl.state_parts() as parts:
            next(iter(parts.sections[0][2]()))
            raise BrokenPipeError(32, "Broken pipe")
        assert "replaying the log" in told
        told.clear()
        with tl.state_parts() as parts:
            shown = read(parts)
        assert told == []
        assert shown == read(parts_of(tl.state_document()))
    finally:
        tl.close()
