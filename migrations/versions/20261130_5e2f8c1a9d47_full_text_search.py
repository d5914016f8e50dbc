"""full-text search of findings, letters and authorities: stemmed text, PostgreSQL tsvector + GIN, FTS5

Revision ID: 5e2f8c1a9d47
Revises: f3b8a1c5d9e2
Create Date: 2026-11-30 14:30:00

Adds `search_text` to findings (stems of the title and description), letters (of the hal) and
authorities (of the name, short name and head's title), see ombudsman/search.py; fills it in batches of
`BATCH` rows (keyset on the id, so each batch is one indexed range read), then creates the index: on
PostgreSQL the generated `search_vector` column and its GIN index (computed once, after the backfill), on
SQLite the FTS5 table, rebuilt from the filled column, and its triggers. The columns are only added (never
a table rebuild), so other triggers on these tables stay.

The stemming is imported from the application (ombudsman.search): the stored words must be exactly those
the running application's queries are stemmed into.
"""

import sqlalchemy as sa
from alembic import op

from ombudsman.search import AUTHORITIES, FINDINGS, LETTERS, FullTextIndex, document

# revision identifiers, used by Alembic.
revision = "5e2f8c1a9d47"
down_revision = "f3b8a1c5d9e2"
branch_labels = None
depends_on = None

#: Rows stemmed and written per round trip.
BATCH = 2000


def _backfill(bind, index: FullTextIndex) -> None:
    table = sa.table(
        index.table,
        sa.column("id", sa.Integer),
        sa.column("search_text"),
        *(sa.column(s) for s in index.sources),
    )
    read = (
        sa.select(table.c.id, *(table.c[s] for s in index.sources))
        .where(table.c.id > sa.bindparam("after"))
        .order_by(table.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(search_text=sa.bindparam("stems"))
    )
    after = 0
    while rows := bind.execute(read, {"after": after}).all():
        bind.execute(write, [{"row_id": row[0], "stems": document(*row[1:])} for row in rows])
        after = rows[-1][0]


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    for index in (FINDINGS, LETTERS, AUTHORITIES):
        op.add_column(index.table, sa.Column("search_text", sa.Text(), server_default="", nullable=False))
        _backfill(bind, index)
        for statement in index.create_statements(dialect) + index.rebuild_statements(dialect):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for index in (AUTHORITIES, LETTERS, FINDINGS):
        for statement in index.drop_statements(dialect):
            op.execute(statement)
        op.drop_column(index.table, "search_text")
