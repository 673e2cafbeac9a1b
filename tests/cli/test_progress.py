"""On a terminal, a long command draws how it is going on one line of stderr, redrawn in place,
once it has gone on for a second, and erases it when it ends: what the command says after it,
or its error, starts on a clean line. Not on a pipe or a file, and not on a quick command."""

from __future__ import annotations

import fcntl
import io
import itertools
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import orjson
import pytest

from tests.app.test_same_output import thawed_log
from tests.cli_support import ROOT, ok, seeded_db, tracker
from tracker.app import progress, service
from tracker.app.service import open_timeline
from tracker.cli.progress import DELAY, INTERVAL, TerminalProgress, line


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def drawing(width: int = 80) -> tuple[TerminalProgress, io.StringIO, Clock]:
    stream, clock = io.StringIO(), Clock()
    return TerminalProgress(stream, clock=clock, width=lambda: width), stream, clock


def test_the_line_says_what_how_far_and_of_how_many() -> None:
    assert line("replaying the log", 420_000, 1_000_000) == (
        "tracker: replaying the log, 420,000 of 1,000,000 events (42%)")
    assert line("importing", 250_000, None) == "tracker: importing, 250,000 events so far"


def test_nothing_is_drawn_in_the_first_second() -> None:
    drawn, stream, clock = drawing()
    clock.now = DELAY / 2
    drawn("replaying the log", 10_000, 20_000)
    drawn.close()
    assert stream.getvalue() == ""


def test_after_a_second_the_line_is_drawn_in_place_at_most_every_fifth_of_a_second() -> None:
    drawn, stream, clock = drawing()
    clock.now = DELAY
    drawn("replaying the log", 10_000, 40_000)
    clock.now += INTERVAL / 2
    drawn("replaying the log", 20_000, 40_000)  # too soon: not drawn
    clock.now += INTERVAL
    drawn("replaying the log", 30_000, 40_000)
    assert stream.getvalue() == (
        "\rtracker: replaying the log, 10,000 of 40,000 events (25%)\x1b[K"
        "\rtracker: replaying the log, 30,000 of 40,000 events (75%)\x1b[K")
    drawn.close()
    assert stream.getvalue().endswith("\x1b[K\r\x1b[K")  # erased
    drawn.close()
    assert stream.getvalue().count("\r") == 3  # erased once


def test_the_line_never_fills_the_terminal_so_it_never_wraps() -> None:
    drawn, stream, clock = drawing(width=30)
    clock.now = DELAY
    drawn("replaying the log", 10_000, 40_000)
    assert stream.getvalue() == "\r" + "tracker: replaying the log, 10,000 of 40,000"[:29] + "\x1b[K"


def test_only_a_terminal_is_drawn_on() -> None:
    assert TerminalProgress.on(io.StringIO()) is None
    main, other = pty.openpty()
    try:
        with open(other, "w", closefd=False) as terminal:
            assert TerminalProgress.on(terminal) is not None
    finally:
        os.close(main)
        os.close(other)


@pytest.fixture
def a_second_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's stderr taken for a terminal, reports every 100 events, each a second after the
    one before."""
    ticks = itertools.count(step=1.0)
    monkeypatch.setattr(progress, "EVERY", 100)
    monkeypatch.setattr(TerminalProgress, "on", classmethod(
        lambda cls, stream: cls(stream, clock=lambda: next(ticks), width=lambda: 200)))


def test_the_first_state_draws_its_replay_then_erases_it(tmp_path: Path,
                                                         a_second_a_report: None) -> None:
    db = thawed_log(tmp_path)
    tl = open_timeline(str(db))  # brought to this version's schema (it says so) beforehand
    head = tl.count()
    tl.close()
    result = ok("--db", db, "state", "--json")
    drawn = [f"\rtracker: replaying the log, {n:,} of {head:,} events ({n * 100 // head}%)\x1b[K"
             for n in range(100, head + 1, 100)]
    assert result.stderr == "".join(drawn) + "\r\x1b[K"
    assert ok("--db", db, "state", "--json").stdout == result.stdout  # the same state
    assert ok("--db", db, "state", "--json").stderr == ""  # kept: nothing to replay or tell


def test_an_error_comes_after_the_line_is_erased(tmp_path: Path, a_second_a_report: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "IMPORT_CHUNK", 200)
    events = [e for e in orjson.loads(ok("--db", thawed_log(tmp_path), "export", "--force")
                                      .stdout_bytes)["events"] if e["id"] != "smuggled"]
    events[700] = {**events[700], "story": {"expr": "2014-02-30"}}  # no such day
    bad = tmp_path / "input.jsonl"
    bad.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    result = tracker("--db", tmp_path / "new.sqlite", "import", bad)
    assert result.exit_code == 1
    drawn = "".join(f"\rtracker: importing, {n:,} events so far\x1b[K" for n in (200, 400, 600))
    assert result.stderr == (
        f"{drawn}\r\x1b[KError: {bad} line 701: field 'story': '2014-02-30' is not a real date "
        "(February 2014 has 28 days)\n")
    assert not (tmp_path / "new.sqlite").exists()


def test_a_quick_command_on_a_terminal_draws_nothing(tmp_path: Path) -> None:
    db = seeded_db(tmp_path)
    main, other = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "tracker", "--db", str(db), "state",
                               "--json"], stdout=subprocess.PIPE, stderr=other, cwd=ROOT,
                              timeout=120, check=False)
        os.close(other)
        said = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            said += chunk
    finally:
        os.close(main)
    assert done.returncode == 0 and orjson.loads(done.stdout)["events"] > 0
    assert said == b""


def test_the_line_fits_the_terminal_it_is_drawn_on() -> None:
    main, other = pty.openpty()
    try:
        with open(other, "w", closefd=False) as terminal:
            drawn = TerminalProgress.on(terminal)
            assert drawn is not None
            fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
            assert drawn.width() == 40
            fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
            assert drawn.width() == 80  # a terminal that says no size
    finally:
        os.close(main)
        os.close(other)


class _Stdout(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_what_is_written_to_the_terminal_itself_draws_no_line_among_it(
        monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    """`state --json` and `export` write what they read to stdout: where that is the
    terminal, the line would sit among it (and erasing it erase a line of it)."""
    from types import SimpleNamespace

    from tracker.cli.commands_log import _written_to_the_terminal

    def listener(what: str, done: int, total: int | None) -> None:
        pass

    tl = SimpleNamespace(progress=listener)
    monkeypatch.setattr(sys, "stdout", _Stdout(tty))
    _written_to_the_terminal(tl)  # type: ignore[arg-type]
    assert (tl.progress is None) == tty
