"""Letter sequence numbers: one counter per office and year, taken inside the issuing transaction.

The number is allocated in the caller's transaction, so a rollback returns it and a failed issue burns none;
concurrent issuers queue on the counter row (PostgreSQL) or on the database's write lock (SQLite), from
`take_number_lock` on: everything a reserve checks after it (the letter, the year's latest numbered letter)
is read under the lock. Every issuing transaction takes the counter first and the letter second, so two of
them never wait on each other in opposite orders (no deadlock).
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
    """Make sure the office's counter row for the year exists and hold it until the transaction ends:
    the issuers of the office and year queue here.

    On SQLite this is the transaction's first write, so it takes the database's write lock: every other
    writer waits here (`dbsetup.SQLITE_BUSY_TIMEOUT_MS`) until this transaction ends, and reads made after it
    are current. On PostgreSQL the counter row is locked (SELECT ... FOR UPDATE); reads made after it in
    READ COMMITTED see what the previous holder committed.
    """
    db.session.execute(_insert_ignoring_conflict({"office_id": office_id, "year": year, "last_sequence": 0}))
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            select(LetterCounter.office_id)
            .where(LetterCounter.office_id == office_id, LetterCounter.year == year)
            .with_for_update()
        )


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
