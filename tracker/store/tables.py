"""The one table of the log, as a SQLModel table model. Alembic migrations create it; nothing
else does (no ``create_all`` on the real path).

Rows are immutable: the migrations install triggers that make the database itself refuse UPDATE
and DELETE on ``events``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Field, SQLModel

# SQLite makes only a column declared exactly "INTEGER PRIMARY KEY" an alias of the rowid, so the
# position costs no extra index there; PostgreSQL gets a BIGINT.
POSITION_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")



class certainty_of_body(FunctionElement[str]):
    """The event's certainty read from its JSON body ("certain" when absent: schema version 1).

    Migration 0002 generates the ``certainty`` column from it; the body stays the one truth.
    """

    type = sa.String()
    inherit_cache = True


@compiles(certainty_of_body, "sqlite")
def _certainty_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "coalesce(body ->> '$.certainty', 'certain')"


@compiles(certainty_of_body, "postgresql")
def _certainty_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "coalesce(body::jsonb ->> 'certainty', 'certain')"


naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = naming_convention


class StoredEvent(SQLModel, table=True):
    """One appended event. The store reads and writes these columns and knows nothing else."""

    __tablename__ = "events"

    position: int = Field(
        sa_column=sa.Column("position", POSITION_TYPE, primary_key=True, autoincrement=False)
    )
    id: str = Field(sa_column=sa.Column("id", sa.String(100), nullable=False, unique=True))
    type: str = Field(sa_column=sa.Column("type", sa.String(40), nullable=False))
    schema_version: int = Field(sa_column=sa.Column("schema_version", sa.Integer, nullable=False))
    subject: str | None = Field(default=None, sa_column=sa.Column("subject", sa.String(100)))
    story_earliest: str | None = Field(
        default=None, sa_column=sa.Column("story_earliest", sa.String(10))
    )
    story_latest: str | None = Field(default=None, sa_column=sa.Column("story_latest", sa.String(10)))
    published: str = Field(sa_column=sa.Column("published", sa.String(10), nullable=False))
    recorded_at: str = Field(sa_column=sa.Column("recorded_at", sa.String(32), nullable=False))
    body: str = Field(sa_column=sa.Column("body", sa.Text, nullable=False))
    hash: str = Field(sa_column=sa.Column("hash", sa.String(64), nullable=False))
    certainty: str | None = Field(
        default=None,
        sa_column=sa.Column("certainty", sa.String(10), sa.Computed(certainty_of_body()), index=True),
    )


metadata = SQLModel.metadata
