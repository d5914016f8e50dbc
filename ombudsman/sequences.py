"""Per-parent numbers (a finding's number in its inspection, ...) that concurrent creators never share.

Each sequence has a counter row (`sequence_counters`, keyed by scope and parent). Taking a number updates
that row first, in the caller's transaction:
- on PostgreSQL the UPDATE locks the row until the transaction ends, so concurrent creators queue there and
  each reads the value its predecessor committed;
- on SQLite the UPDATE (or the INSERT that creates the row) is the transaction's first write, which takes the
  database's write lock (busy timeout) for the rest of the transaction, so allocation and insert are one
  serialised write transaction.
A rollback returns the number, so a failed create leaves no gap. The counter never hands out a number at or
below the current maximum of the numbered column (records made before the counter existed, or a position a
user chose), so it cannot drift from the data it numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Select

from ombudsman.extensions import db

# The sequences in use: scope -> what it numbers (the parent key is the inspection id, office id, ...).
FINDING_NUMBER = "finding.number"  # per inspection id
RECOMMENDATION_POSITION = "recommendation.position"  # per office id
CHECKLIST_VERSION = "checklist.version"  # per checklist code


class SequenceCounter(db.Model):
    """The last number a sequence handed out for one parent; its row is locked while a number is taken."""

    __tablename__ = "sequence_counters"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def _insert_ignoring_conflict(values: dict[str, Any]):
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(SequenceCounter).values(**values).on_conflict_do_nothing()


def _bump(scope: str, parent_key: str, value=None) -> int:
    """Set the counter (to `value`, or one more than it is) and return it; the row stays locked."""
    row = (SequenceCounter.scope == scope) & (SequenceCounter.parent_key == parent_key)
    new = SequenceCounter.last_value + 1 if value is None else value
    return db.session.execute(
        update(SequenceCounter)
        .where(row)
        .values(last_value=new)
        .returning(SequenceCounter.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def next_value(scope: str, parent: int | str, current_max: Select) -> int:
    """The next number of `scope` under `parent`, taken in the caller's transaction (flushes nothing else).

    `current_max`: a select of the numbered column's maximum for that parent (None when there is none);
    the result is above both the counter and that maximum. Concurrent callers get distinct numbers; the
    counter row stays locked (PostgreSQL) or the database write-locked (SQLite) until the transaction ends.
    """
    parent_key = str(parent)
    db.session.execute(_insert_ignoring_conflict({"scope": scope, "parent_key": parent_key, "last_value": 0}))
    value = _bump(scope, parent_key)
    # Read under the lock: every record of an earlier holder is committed and visible by now.
    highest = db.session.scalar(current_max) or 0
    if highest >= value:
        value = _bump(scope, parent_key, highest + 1)
    return value
