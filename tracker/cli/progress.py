"""How a long command's progress is drawn: one line on the terminal's stderr, redrawn in
place, once the work has gone on long enough to be worth a word, and erased when it ends (what
the command prints after it, or an error, starts on a clean line). Not drawn at all when stderr
is not a terminal: a pipe or a file gets only what the command says."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds of work before the line is first drawn: a quick command never shows it.
DELAY = 1.0
#: Seconds at least between two redraws.
INTERVAL = 0.2


class TerminalProgress:
    """A listener for :attr:`tracker.app.service.Timeline.progress` that draws on ``stream``."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic,
                 width: Callable[[], int] | None = None) -> None:
        self.stream = stream
        self.clock = clock
        self.width = width or self._width
        self.started = clock()
        self.last: float | None = None
        self.drawn = False

    @classmethod
    def on(cls, stream: TextIO) -> TerminalProgress | None:
        """One drawing on ``stream`` if it is a terminal, else None (nothing is told)."""
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):  # a closed or a stand-in stream
            tty = False
        return cls(stream) if tty else None

    def __call__(self, what: str, done: int, total: int | None) -> None:
        now = self.clock()
        if now - self.started < DELAY or (self.last is not None and now - self.last < INTERVAL):
            return
        self.last = now
        self._draw(line(what, done, total))

    def _width(self) -> int:
        """The width of the terminal drawn on (stdout may be a file meanwhile); 80 where it
        says none (a terminal made by a program, ``script`` say, may have no size)."""
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            return 80

    def _draw(self, text: str) -> None:
        # one column short of the width: a line that fills it wraps, and \r then redraws only
        # its second half
        self.stream.write("\r" + text[: max(self.width() - 1, 0)] + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Erase the line, if it was drawn."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def line(what: str, done: int, total: int | None) -> str:
    """What the line says: ``tracker: replaying the log, 420,000 of 1,000,000 events (42%)``."""
    if total:
        return f"tracker: {what}, {done:,} of {total:,} events ({min(done * 100 // total, 100)}%)"
    return f"tracker: {what}, {done:,} events so far"
