"""Finding tallies: how many findings each office has per responsible authority and status, kept by the
database itself.

One row per (office, responsible authority, status) holds the number of findings in it. Triggers on
`findings` (insert, delete, and an update of office, authority or status) keep the rows exact, whatever
writes the findings: the ORM, a bulk core insert, a cascade from a deleted inspection, or a migration.
So the dashboard's open findings by level and the findings list's total read a few hundred rows at most,
however many findings there are (issue 12, "pages whose cost does not grow with the data").

A row whose count falls to zero is kept (it is reused when a finding comes back to that status).
The triggers are created with the table (`db.create_all()`, for the tests) and by the migration
`finding_tallies` (for deployed databases), from the same SQL below.
"""

from __future__ import annotations

from sqlalchemy import DDL, ForeignKey, Integer, event, func, select
from sqlalchemy.orm import Mapped, mapped_column

from ombudsman.authorities.models import Authority, Level
from ombudsman.dbtypes import str_enum
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding, FindingStatus

#: Statuses the dashboard counts as still open (the finding needs work from its authority).
OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.IN_FOLLOW_UP)


class FindingTally(db.Model):
    """The number of an office's findings with one responsible authority and one status."""

    __tablename__ = "finding_tallies"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    status: Mapped[FindingStatus] = mapped_column(str_enum(FindingStatus), primary_key=True)
    findings: Mapped[int] = mapped_column(Integer, default=0)


# --- the triggers ------------------------------------------------------------------------------------------

_ADD = (
    "INSERT INTO finding_tallies (office_id, authority_id, status, findings) "
    "VALUES ({row}.office_id, {row}.responsible_authority_id, {row}.status, 1) "
    "ON CONFLICT (office_id, authority_id, status) DO UPDATE SET findings = finding_tallies.findings + 1"
)
_REMOVE = (
    "UPDATE finding_tallies SET findings = findings - 1 WHERE office_id = {row}.office_id "
    "AND authority_id = {row}.responsible_authority_id AND status = {row}.status"
)
_WATCHED = "office_id, responsible_authority_id, status"

#: SQLite: three triggers (SQLite has no statement-level function).
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER finding_tallies_insert AFTER INSERT ON findings BEGIN {_ADD.format(row='NEW')}; END",
    f"CREATE TRIGGER finding_tallies_delete AFTER DELETE ON findings BEGIN {_REMOVE.format(row='OLD')}; END",
    f"CREATE TRIGGER finding_tallies_update AFTER UPDATE OF {_WATCHED} ON findings "
    "WHEN OLD.office_id IS NOT NEW.office_id "
    "OR OLD.responsible_authority_id IS NOT NEW.responsible_authority_id "
    f"OR OLD.status IS NOT NEW.status BEGIN {_REMOVE.format(row='OLD')}; {_ADD.format(row='NEW')}; END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS finding_tallies_insert",
    "DROP TRIGGER IF EXISTS finding_tallies_delete",
    "DROP TRIGGER IF EXISTS finding_tallies_update",
)

#: PostgreSQL: one row-level trigger function for the three events.
POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION finding_tallies_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    f"{_REMOVE.format(row='OLD')}; "
    "END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    f"{_ADD.format(row='NEW')}; "
    "END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER finding_tallies_insert_delete AFTER INSERT OR DELETE ON findings "
    "FOR EACH ROW EXECUTE FUNCTION finding_tallies_keep()",
    f"CREATE TRIGGER finding_tallies_update AFTER UPDATE OF {_WATCHED} ON findings FOR EACH ROW "
    "WHEN (OLD.office_id IS DISTINCT FROM NEW.office_id "
    "OR OLD.responsible_authority_id IS DISTINCT FROM NEW.responsible_authority_id "
    "OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION finding_tallies_keep()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS finding_tallies_insert_delete ON findings",
    "DROP TRIGGER IF EXISTS finding_tallies_update ON findings",
    "DROP FUNCTION IF EXISTS finding_tallies_keep()",
)

#: Counts the existing findings (the migration runs it once, before the triggers take over).
BACKFILL = (
    "INSERT INTO finding_tallies (office_id, authority_id, status, findings) "
    "SELECT office_id, responsible_authority_id, status, COUNT(*) FROM findings "
    "GROUP BY office_id, responsible_authority_id, status"
)


def trigger_statements(dialect: str) -> tuple[str, ...]:
    """The statements creating the triggers on `dialect` ("sqlite" or "postgresql")."""
    return POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS


def drop_statements(dialect: str) -> tuple[str, ...]:
    """The statements dropping the triggers on `dialect` (before the table goes)."""
    return POSTGRES_DROP if dialect == "postgresql" else SQLITE_DROP


# Created after `findings`, whose triggers write here.
FindingTally.__table__.add_is_dependent_on(Finding.__table__)
for _dialect, _statements in (("sqlite", SQLITE_TRIGGERS), ("postgresql", POSTGRES_TRIGGERS)):
    for _statement in _statements:
        event.listen(FindingTally.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


# --- reading -----------------------------------------------------------------------------------------------


def open_by_level(office_id: int) -> dict[str, int]:
    """The office's open findings (open or in follow-up) whose responsible authority is central, and the rest.

    Returns {"central": n, "local": n}. One query over the office's tally rows (at most authorities x
    statuses), never over the findings.
    """
    rows = db.session.execute(
        select(Authority.level, func.sum(FindingTally.findings))
        .join(Authority, Authority.id == FindingTally.authority_id)
        .where(FindingTally.office_id == office_id, FindingTally.status.in_(OPEN_STATUSES))
        .group_by(Authority.level)
    ).all()
    central = sum(int(n or 0) for level, n in rows if level == Level.CENTRAL)
    return {"central": central, "local": sum(int(n or 0) for _level, n in rows) - central}


def count(office_id: int, status: FindingStatus | None = None, level: Level | None = None) -> int:
    """The office's findings, optionally with one status and/or a responsible authority of one level.

    Exact, from the tally rows (no pass over the findings).
    """
    total = func.coalesce(func.sum(FindingTally.findings), 0)
    stmt = select(total).where(FindingTally.office_id == office_id)
    if status is not None:
        stmt = stmt.where(FindingTally.status == status)
    if level is not None:
        stmt = stmt.join(Authority, Authority.id == FindingTally.authority_id).where(Authority.level == level)
    return int(db.session.scalar(stmt) or 0)
