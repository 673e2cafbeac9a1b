"""Refuse a row whose position is not the next one: the log is appended to, never inserted into.

The triggers of 0001 and 0003 refuse UPDATE, DELETE and REPLACE, but a plain INSERT with any
position passed: a row at position 0 (or 10**9) sat outside the hash chain, unseen by
``verify``, copied by ``backup``, and it made an import of an event with its id a silent no-op.
From this revision on, the database itself accepts a new row only at the position after the
last one (1 for an empty log), on SQLite and PostgreSQL alike, whoever inserts it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MESSAGE = "events are append-only: a new entry must take the next position"

SQLITE_TRIGGER = f"""CREATE TRIGGER events_refuse_out_of_place BEFORE INSERT ON events
   WHEN NEW.position IS NOT (SELECT coalesce(max(position), 0) + 1 FROM events)
   BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""

POSTGRES_FUNCTION = f"""CREATE FUNCTION events_refuse_out_of_place() RETURNS trigger
   LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.position IS DISTINCT FROM
        (SELECT coalesce(max(position), 0) + 1 FROM events) THEN
       RAISE EXCEPTION '{MESSAGE} (%, not %)', NEW.position,
         (SELECT coalesce(max(position), 0) + 1 FROM events);
     END IF;
     RETURN NEW;
   END $$"""
POSTGRES_TRIGGER = """CREATE TRIGGER events_refuse_out_of_place BEFORE INSERT ON events
   FOR EACH ROW EXECUTE FUNCTION events_refuse_out_of_place()"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_TRIGGER)
    else:
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_refuse_out_of_place")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_refuse_out_of_place ON events")
        op.execute("DROP FUNCTION IF EXISTS events_refuse_out_of_place()")
