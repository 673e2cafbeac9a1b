"""Every failure the tool reports to a user, named in the core and translated once at the edge.

Each exception's message is one line that says what is wrong and where; the CLI and the TUI print
it as it is.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every failure the tool reports to a user.

    The failure is data: ``message`` is the one line a user reads (it names the place already),
    ``field`` the input field at fault (``"story"``, ``"source.published"``, ``"details.terms"``,
    ``"actors[1].role"``), ``place`` where the input came from (``"events.json line 12"``,
    ``"--story"``, an event id). Shells highlight ``field`` and print ``message``; none of them
    parses the text.
    """

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None, place: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.place = place


class InvalidDate(TrackerError):
    """A story date that cannot be understood or does not exist."""


class InvalidEvent(TrackerError):
    """An event that is malformed: unknown type, missing or wrong field, bad reference."""


class InvalidInput(TrackerError):
    """An input file or document that cannot be read as events."""


class UnknownReference(InvalidEvent):
    """An event refers to an entry the log does not hold."""


class ConflictingEvent(TrackerError):
    """An event id already in the log with different content."""


class AppendConflict(TrackerError):
    """The log moved on since the position the writer expected."""

    exit_code = 3


class DatabaseError(TrackerError):
    """The database cannot be opened or used as a tracker log."""


class SchemaTooNew(DatabaseError):
    """The database was written by a newer version of tracker than this one."""


class NotATrackerDatabase(DatabaseError):
    """The file is not SQLite, or is SQLite without a tracker log in it."""


class IntegrityFailure(TrackerError):
    """The hash chain does not verify: the log was altered outside tracker."""

    exit_code = 4


class UnusableEvent(TrackerError):
    """A stored event the fold cannot use (a type this version does not know, a correction whose
    changes cannot be read). Replay never skips one: the error names its log position."""
