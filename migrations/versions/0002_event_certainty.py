"""Events gain a certainty (how sure the source is): schema version 2.

The certainty lives in the event's body, which the hash chain covers; schema version 1 bodies
have none and are upcast on read to "certain" (tracker.codec.UPCASTERS). This migration adds
``certainty`` as a column *generated from the body*, indexed, so the log can be filtered by it in
SQL. No stored row is rewritten or updated (the triggers forbid that anyway): SQLite computes the
virtual column on read, PostgreSQL fills the stored column as it adds it; a row without the key
reads "certain", exactly as the upcaster does.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Kept literally here (not imported) so this migration stays what it was when it shipped.
SQLITE_EXPRESSION = "coalesce(json_extract(body, '$.certainty'), 'certain')"
POSTGRES_EXPRESSION = "coalesce(body::jsonb ->> 'certainty', 'certain')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        column = f"GENERATED ALWAYS AS ({SQLITE_EXPRESSION}) VIRTUAL"
    else:
        column = f"GENERATED ALWAYS AS ({POSTGRES_EXPRESSION}) STORED"
    op.execute(f"ALTER TABLE events ADD COLUMN certainty VARCHAR(10) {column}")
    op.execute("CREATE INDEX ix_events_certainty ON events (certainty)")


def downgrade() -> None:
    # Rows written at schema version 2 keep their certainty in their bodies: nothing is lost,
    # and upgrading again brings the column back from them.
    op.execute("DROP INDEX ix_events_certainty")
    op.execute("ALTER TABLE events DROP COLUMN certainty")
