"""Every failure the tool reports to a user, named in the core and translated once at the edge.

Each exception's message is one line that says what is wrong and where; the CLI and the TUI print
it as it is.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every failure the tool reports to a user."""

    exit_code = 1


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
