"""Mark a log whose rows may be at event schema version 4 (an actor's office: ``[name, role,
office]``).

Nothing in the tables changes: the store knows no meaning, and rows of every earlier version stay
as they are (the codec's upcasters read them). The revision is what an older tracker reads first:
at 0004 it knew event schema 3 only, and on a log it has not seen it would fail on the first row
with an office instead of saying the log is newer than it. From this revision, it refuses the log
with that one line ("written by a newer version of tracker"), before reading any row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change in the tables (see the module's note)."""


def downgrade() -> None:
    """Nothing to undo."""
