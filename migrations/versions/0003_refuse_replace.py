"""Refuse INSERT OR REPLACE on events: SQLite's REPLACE removes the old row without firing
DELETE triggers, so an entry could be rewritten from the sqlite3 shell with the triggers in
place. A new row may not take the position or id of one already in the log.

PostgreSQL needs nothing: its upsert (INSERT ... ON CONFLICT DO UPDATE) is an UPDATE, which the
triggers of 0001 already refuse.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            """CREATE TRIGGER events_refuse_replace BEFORE INSERT ON events
               WHEN EXISTS (SELECT 1 FROM events WHERE position = NEW.position OR id = NEW.id)
               BEGIN SELECT RAISE(ABORT, 'events are immutable: an entry cannot be replaced');
               END"""
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_refuse_replace")
