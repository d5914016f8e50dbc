"""Letter sequence numbers: one counter per office and year, taken inside the issuing transaction.

The number is allocated in the caller's transaction, so a rollback returns it and a failed issue burns none;
concurrent issuers queue on the counter row (PostgreSQL) or on the database's write lock (SQLite).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ombudsman.extensions import db
from ombudsman.letters.models import LetterCounter


def _insert_ignoring_conflict(values: dict[str, Any]):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(LetterCounter).values(**values).on_conflict_do_nothing()


def take_number_lock(office_id: int, year: int) -> None:
    """Make sure the office's counter row for the year exists, and serialise issuers on SQLite.

    On SQLite this is the transaction's first write, so it takes the database's write lock: every other
    issuer waits here (busy timeout) until this transaction ends, and reads made after it are current.
    On PostgreSQL the row lock comes from allocate_sequence()'s SELECT ... FOR UPDATE.
    """
    db.session.execute(_insert_ignoring_conflict({"office_id": office_id, "year": year, "last_sequence": 0}))


def allocate_sequence(office_id: int, year: int) -> int:
    """The next sequence number of the office in the year, in the caller's transaction.

    The counter row is locked (SELECT ... FOR UPDATE) until the transaction ends, so concurrent issuers
    queue; a rollback returns the number, so a failed issue burns none.
    """
    take_number_lock(office_id, year)
    counter = db.session.execute(
        select(LetterCounter)
        .where(LetterCounter.office_id == office_id, LetterCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_sequence += 1
    db.session.flush()
    return counter.last_sequence
