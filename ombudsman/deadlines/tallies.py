"""Deadline tallies: the deadlines dashboard's figures counted ahead, kept by the database itself.

Three tables of small grouped rows (issue 12, "maintained summary rows"):

- `deadline_tallies`: per office, addressed authority, inspector (the recommendation's author),
  recommendation status and clock phase, the number of recommendations. The phase is what the stored rows
  decide without a "today": `not_started` (no clock, not closed), `no_clock` (closed before any clock ran:
  no state), `running`, `stopped`, `met` and `late` (closed on or before the due date, or after it).
- `deadline_day_tallies`: the closed clocks (`met`, `late`) of the same groups by calendar days from the
  clock's start to its closing: the median days on each authority's record, from a few rows per authority.
- `deadline_month_tallies`: per office, due month (yyyymm), the rule's period (unit, count), phase and
  recommendation status, the number of deadlines: the monthly compliance chart and the periods whose
  "very overdue" cutoffs a request needs.

Only a running clock's state moves with the calendar, and only near today: one due before every state's
cutoff is very overdue whatever day it is. So the dashboard reads these rows, counts every running clock
as very overdue, and corrects that with the few running clocks due from the month of the earliest cutoff
on (`reports.figures`, a bounded query on the (office, due date) index).

Triggers on `recommendations` and `deadlines` (insert, delete, and an update of a column the rows depend
on) keep the three tables exact whatever writes: the ORM, a bulk insert, a cascade, a migration. Deleting a
recommendation first deletes its deadline in a BEFORE trigger, so the two contributions leave in a fixed
order on both databases. A row whose count falls to zero is deleted (a removal never creates one).
The triggers are created with the tables (`db.create_all()`, the tests) and by the migration
`deadline_tallies` (deployed databases), which also counts the rows already there.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import DDL, ForeignKey, Integer, String, Subquery, event, func, select
from sqlalchemy.orm import Mapped, mapped_column

from ombudsman.dbtypes import str_enum
from ombudsman.deadlines.models import Deadline, DeadlineState, Unit
from ombudsman.extensions import db
from ombudsman.recommendations.models import CLOSED_STATUSES, Recommendation, RecommendationStatus

#: The clock phases (see the module docstring).
NOT_STARTED, NO_CLOCK, RUNNING, STOPPED, MET, LATE = (
    "not_started",
    "no_clock",
    "running",
    "stopped",
    "met",
    "late",
)


class DeadlineTally(db.Model):
    """How many of an office's recommendations have one authority, inspector, status and phase."""

    __tablename__ = "deadline_tallies"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[RecommendationStatus] = mapped_column(str_enum(RecommendationStatus), primary_key=True)
    phase: Mapped[str] = mapped_column(String(20), primary_key=True)
    recommendations: Mapped[int] = mapped_column(Integer, default=0)


class DeadlineDayTally(db.Model):
    """How many of an office's closed clocks of one authority, inspector, status and phase (met, late)
    took one number of calendar days from start to closing."""

    __tablename__ = "deadline_day_tallies"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[RecommendationStatus] = mapped_column(str_enum(RecommendationStatus), primary_key=True)
    phase: Mapped[str] = mapped_column(String(20), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recommendations: Mapped[int] = mapped_column(Integer, default=0)


class DeadlineMonthTally(db.Model):
    """How many of an office's deadlines fall due in one month, with one period, phase and status."""

    __tablename__ = "deadline_month_tallies"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    due_month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # yyyymm
    unit: Mapped[Unit] = mapped_column(str_enum(Unit), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    phase: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[RecommendationStatus] = mapped_column(str_enum(RecommendationStatus), primary_key=True)
    deadlines: Mapped[int] = mapped_column(Integer, default=0)


# --- the SQL ----------------------------------------------------------------------------------------------

_CLOSED = ", ".join(f"'{s.value}'" for s in sorted(CLOSED_STATUSES))
_DAYS = {
    "sqlite": "CAST(julianday({d}.closed_on) - julianday({d}.start_on) AS INTEGER)",
    "postgresql": "({d}.closed_on - {d}.start_on)",
}
_MONTH = {
    "sqlite": "CAST(strftime('%Y%m', {d}.due_on) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(YEAR FROM {d}.due_on) * 100 + EXTRACT(MONTH FROM {d}.due_on) AS INTEGER)",
}
_CLOCK_PHASE = (
    f"CASE WHEN {{d}}.closed_on IS NOT NULL THEN "
    f"CASE WHEN {{d}}.closed_on <= {{d}}.due_on THEN '{MET}' ELSE '{LATE}' END "
    f"WHEN {{d}}.stopped_on IS NOT NULL THEN '{STOPPED}' ELSE '{RUNNING}' END"
)
_NO_CLOCK_PHASE = f"CASE WHEN {{r}}.status IN ({_CLOSED}) THEN '{NO_CLOCK}' ELSE '{NOT_STARTED}' END"
_PHASE = f"CASE WHEN {{d}}.id IS NULL THEN {_NO_CLOCK_PHASE} ELSE {_CLOCK_PHASE} END"

_TALLY_KEY = "office_id, authority_id, inspector_id, status, phase"
_TALLY_ROW = "{r}.office_id, {r}.authority_id, {r}.created_by_id, {r}.status, {phase}"
_DAY_KEY = "office_id, authority_id, inspector_id, status, phase, days"
_DAY_ROW = "{r}.office_id, {r}.authority_id, {r}.created_by_id, {r}.status, {phase}, {days}"
_MONTH_KEY = "office_id, due_month, unit, count, phase, status"
_MONTH_ROW = "{d}.office_id, {month}, {d}.unit, {d}.count, {phase}, {r}.status"


def _change(table: str, key: str, counter: str, row: str, delta: int, source: str, where: str) -> str:
    """Add `delta` (1 or -1) to the `table` row of `key` = `row` selected FROM `source` WHERE `where`.

    An addition creates the row when missing; a removal updates the row that is there and deletes it when
    its count reaches zero (two statements), so no row outlives what it counts: nothing is left pointing at
    an authority, user or office that is gone.
    """
    # Fixed SQL of this module (table and column names, NEW/OLD rows), no outside input.
    if delta > 0:
        return (
            f"INSERT INTO {table} ({key}, {counter}) SELECT {row}, {delta} FROM {source} WHERE {where} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {counter} = {table}.{counter} + excluded.{counter}"
        )
    match = f"({key}) IN (SELECT {row} FROM {source} WHERE {where})"  # noqa: S608
    return (
        f"UPDATE {table} SET {counter} = {counter} - {-delta} WHERE {match}; "  # noqa: S608
        f"DELETE FROM {table} WHERE {counter} = 0 AND {match}"
    )


def _tally(r: str, phase: str, delta: int, source: str, where: str) -> str:
    row = _TALLY_ROW.format(r=r, phase=phase)
    return _change("deadline_tallies", _TALLY_KEY, "recommendations", row, delta, source, where)


def _day_tally(r: str, d: str, dialect: str, delta: int, source: str, where: str) -> str:
    row = _DAY_ROW.format(r=r, phase=_CLOCK_PHASE.format(d=d), days=_DAYS[dialect].format(d=d))
    return _change("deadline_day_tallies", _DAY_KEY, "recommendations", row, delta, source, where)


def _month_tally(d: str, month: str, phase: str, r: str, delta: int, source: str, where: str) -> str:
    row = _MONTH_ROW.format(d=d, month=month, phase=phase, r=r)
    return _change("deadline_month_tallies", _MONTH_KEY, "deadlines", row, delta, source, where)


def _by_recommendation(dialect: str, row: str, delta: int) -> tuple[str, str, str]:
    """A recommendation row (NEW or OLD) with its deadline, if any: its three tally changes."""
    tally = _tally(
        r=row,
        phase=_PHASE.format(r=row, d="d"),
        delta=delta,
        source=f"(SELECT 1 AS one) AS one LEFT JOIN deadlines d ON d.recommendation_id = {row}.id",
        where="1 = 1",  # SQLite needs a WHERE before ON CONFLICT after a join
    )
    month = _month_tally(
        d="d",
        month=_MONTH[dialect].format(d="d"),
        phase=_CLOCK_PHASE.format(d="d"),
        r=row,
        delta=delta,
        source="deadlines d",
        where=f"d.recommendation_id = {row}.id",
    )
    days = _day_tally(
        r=row,
        d="d",
        dialect=dialect,
        delta=delta,
        source="deadlines d",
        where=f"d.recommendation_id = {row}.id AND d.closed_on IS NOT NULL",
    )
    return tally, month, days


def _by_deadline(dialect: str, row: str, delta: int) -> tuple[str, str, str, str]:
    """A deadline row (NEW or OLD) and its recommendation: the tally change with this clock, the opposite
    change without it (the recommendation's contribution when it has no clock), the month change and the
    days change (a closed clock only)."""
    source, where = "recommendations r", f"r.id = {row}.recommendation_id"
    with_clock = _tally(r="r", phase=_CLOCK_PHASE.format(d=row), delta=delta, source=source, where=where)
    without_clock = _tally(
        r="r", phase=_NO_CLOCK_PHASE.format(r="r"), delta=-delta, source=source, where=where
    )
    month = _month_tally(
        d=row,
        month=_MONTH[dialect].format(d=row),
        phase=_CLOCK_PHASE.format(d=row),
        r="r",
        delta=delta,
        source=source,
        where=where,
    )
    days = _day_tally(
        r="r",
        d=row,
        dialect=dialect,
        delta=delta,
        source=source,
        where=f"{where} AND {row}.closed_on IS NOT NULL",
    )
    return with_clock, without_clock, month, days


_REC_WATCHED = ("office_id", "authority_id", "created_by_id", "status")
_DEADLINE_WATCHED = (
    "office_id",
    "recommendation_id",
    "start_on",
    "due_on",
    "stopped_on",
    "closed_on",
    "unit",
    "count",
)
_DELETE_CLOCK = "DELETE FROM deadlines WHERE recommendation_id = OLD.id"


def _clock_change(removed: tuple = (), added: tuple = ()) -> tuple[str, ...]:
    """The statements of a clock leaving (`_by_deadline` of OLD) and/or arriving (of NEW), in an order in
    which every removal finds the row it takes from: what leaves goes before what arrives."""
    leave = (removed[0], removed[1], removed[2], removed[3]) if removed else ()
    arrive = (added[1], added[0], added[2], added[3]) if added else ()
    return leave + arrive


def _sqlite_triggers() -> tuple[str, ...]:
    add_rec, remove_rec = _by_recommendation("sqlite", "NEW", 1), _by_recommendation("sqlite", "OLD", -1)
    add_clock, remove_clock = _by_deadline("sqlite", "NEW", 1), _by_deadline("sqlite", "OLD", -1)

    def body(*statements: str) -> str:
        return "BEGIN " + "; ".join(statements) + "; END"

    def changed(columns) -> str:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)

    return (
        f"CREATE TRIGGER deadline_tallies_rec_insert AFTER INSERT ON recommendations {body(*add_rec)}",
        # The clock goes first (its trigger moves the count to "no clock"), then the recommendation.
        "CREATE TRIGGER deadline_tallies_rec_delete BEFORE DELETE ON recommendations "
        f"{body(_DELETE_CLOCK, remove_rec[0])}",
        f"CREATE TRIGGER deadline_tallies_rec_update AFTER UPDATE OF {', '.join(_REC_WATCHED)} "
        f"ON recommendations WHEN {changed(_REC_WATCHED)} {body(*remove_rec, *add_rec)}",
        "CREATE TRIGGER deadline_tallies_clock_insert AFTER INSERT ON deadlines "
        f"{body(*_clock_change((), add_clock))}",
        "CREATE TRIGGER deadline_tallies_clock_delete AFTER DELETE ON deadlines "
        f"{body(*_clock_change(remove_clock))}",
        f"CREATE TRIGGER deadline_tallies_clock_update AFTER UPDATE OF {', '.join(_DEADLINE_WATCHED)} "
        f"ON deadlines WHEN {changed(_DEADLINE_WATCHED)} "
        f"{body(*_clock_change(remove_clock, add_clock))}",
    )


def _postgres_triggers() -> tuple[str, ...]:
    add_rec, remove_rec = (
        _by_recommendation("postgresql", "NEW", 1),
        _by_recommendation("postgresql", "OLD", -1),
    )
    add_clock, remove_clock = _by_deadline("postgresql", "NEW", 1), _by_deadline("postgresql", "OLD", -1)

    def changed(columns) -> str:
        return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)

    def steps(*statements: str) -> str:
        return " ".join(f"{s};" for s in statements)

    return (
        "CREATE OR REPLACE FUNCTION deadline_tallies_rec_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' THEN {steps(*remove_rec)} END IF; "
        f"{steps(*add_rec)} RETURN NULL; END $$",
        # The clock goes first (its trigger moves the count to "no clock"), then the recommendation.
        "CREATE OR REPLACE FUNCTION deadline_tallies_rec_leave() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"{steps(_DELETE_CLOCK, remove_rec[0])} RETURN OLD; END $$",
        "CREATE OR REPLACE FUNCTION deadline_tallies_clock_keep() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {steps(*_clock_change(remove_clock))} "
        "END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {steps(*_clock_change((), add_clock))} END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER deadline_tallies_rec_insert AFTER INSERT ON recommendations "
        "FOR EACH ROW EXECUTE FUNCTION deadline_tallies_rec_keep()",
        f"CREATE TRIGGER deadline_tallies_rec_update AFTER UPDATE OF {', '.join(_REC_WATCHED)} "
        f"ON recommendations FOR EACH ROW WHEN ({changed(_REC_WATCHED)}) "
        "EXECUTE FUNCTION deadline_tallies_rec_keep()",
        "CREATE TRIGGER deadline_tallies_rec_delete BEFORE DELETE ON recommendations "
        "FOR EACH ROW EXECUTE FUNCTION deadline_tallies_rec_leave()",
        "CREATE TRIGGER deadline_tallies_clock_insert_delete AFTER INSERT OR DELETE ON deadlines "
        "FOR EACH ROW EXECUTE FUNCTION deadline_tallies_clock_keep()",
        f"CREATE TRIGGER deadline_tallies_clock_update AFTER UPDATE OF {', '.join(_DEADLINE_WATCHED)} "
        f"ON deadlines FOR EACH ROW WHEN ({changed(_DEADLINE_WATCHED)}) "
        "EXECUTE FUNCTION deadline_tallies_clock_keep()",
    )


SQLITE_TRIGGERS = _sqlite_triggers()
POSTGRES_TRIGGERS = _postgres_triggers()
SQLITE_DROP = tuple(
    f"DROP TRIGGER IF EXISTS deadline_tallies_{name}"
    for name in ("rec_insert", "rec_delete", "rec_update", "clock_insert", "clock_delete", "clock_update")
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS deadline_tallies_rec_insert ON recommendations",
    "DROP TRIGGER IF EXISTS deadline_tallies_rec_update ON recommendations",
    "DROP TRIGGER IF EXISTS deadline_tallies_rec_delete ON recommendations",
    "DROP TRIGGER IF EXISTS deadline_tallies_clock_insert_delete ON deadlines",
    "DROP TRIGGER IF EXISTS deadline_tallies_clock_update ON deadlines",
    "DROP FUNCTION IF EXISTS deadline_tallies_rec_keep()",
    "DROP FUNCTION IF EXISTS deadline_tallies_rec_leave()",
    "DROP FUNCTION IF EXISTS deadline_tallies_clock_keep()",
)


def backfill_statements(dialect: str) -> tuple[str, str, str]:
    """Count the rows already there (the migration runs them once, before the triggers take over)."""
    # Fixed SQL of this module, no outside input.
    tally = (  # noqa: S608
        "INSERT INTO deadline_tallies "
        "(office_id, authority_id, inspector_id, status, phase, recommendations) "
        "SELECT r.office_id, r.authority_id, r.created_by_id, r.status, {phase}, COUNT(*) "
        "FROM recommendations r LEFT JOIN deadlines d ON d.recommendation_id = r.id "
        "GROUP BY r.office_id, r.authority_id, r.created_by_id, r.status, {phase}"
    ).format(phase=_PHASE.format(r="r", d="d"))
    days = (  # noqa: S608
        "INSERT INTO deadline_day_tallies "
        "(office_id, authority_id, inspector_id, status, phase, days, recommendations) "
        "SELECT r.office_id, r.authority_id, r.created_by_id, r.status, {phase}, {days}, COUNT(*) "
        "FROM deadlines d JOIN recommendations r ON r.id = d.recommendation_id WHERE d.closed_on IS NOT NULL "
        "GROUP BY r.office_id, r.authority_id, r.created_by_id, r.status, {phase}, {days}"
    ).format(phase=_CLOCK_PHASE.format(d="d"), days=_DAYS[dialect].format(d="d"))
    month = (  # noqa: S608
        "INSERT INTO deadline_month_tallies (office_id, due_month, unit, count, phase, status, deadlines) "
        "SELECT d.office_id, {month}, d.unit, d.count, {phase}, r.status, COUNT(*) "
        "FROM deadlines d JOIN recommendations r ON r.id = d.recommendation_id "
        "GROUP BY d.office_id, {month}, d.unit, d.count, {phase}, r.status"
    ).format(month=_MONTH[dialect].format(d="d"), phase=_CLOCK_PHASE.format(d="d"))
    return tally, days, month


def trigger_statements(dialect: str) -> tuple[str, ...]:
    """The statements creating the triggers on `dialect` ("sqlite" or "postgresql")."""
    return POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS


def drop_statements(dialect: str) -> tuple[str, ...]:
    """The statements dropping the triggers on `dialect` (before the tables go)."""
    return POSTGRES_DROP if dialect == "postgresql" else SQLITE_DROP


# Created after the tables whose triggers write here; the triggers once, with the last table.
for _table in (DeadlineTally.__table__, DeadlineDayTally.__table__, DeadlineMonthTally.__table__):
    _table.add_is_dependent_on(Recommendation.__table__)
    _table.add_is_dependent_on(Deadline.__table__)
DeadlineMonthTally.__table__.add_is_dependent_on(DeadlineTally.__table__)
DeadlineMonthTally.__table__.add_is_dependent_on(DeadlineDayTally.__table__)
for _dialect, _statements in (("sqlite", SQLITE_TRIGGERS), ("postgresql", POSTGRES_TRIGGERS)):
    for _statement in _statements:
        event.listen(
            # DDL formats with %: a literal one (strftime's) is doubled.
            DeadlineMonthTally.__table__,
            "after_create",
            DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect),
        )


# --- reading -----------------------------------------------------------------------------------------------

#: The state a phase stands for on any day; a running clock's before `reports.figures` corrects the few
#: whose state the calendar decides (None: closed before any clock ran, no state).
STATES = {
    NOT_STARTED: DeadlineState.NOT_STARTED,
    NO_CLOCK: None,
    RUNNING: DeadlineState.VERY_OVERDUE,
    STOPPED: DeadlineState.OPEN,
    MET: DeadlineState.MET,
    LATE: DeadlineState.LATE,
}


def medians(histogram: Subquery) -> dict[int, float]:
    """Per authority, the median of a histogram subquery of (authority_id, days, n) rows, as
    `statistics.median` of the values gives it (an int, or the mean of the middle two).

    A running sum per authority in SQL finds the one or two rows holding the middle positions, so at most
    two rows per authority come back, however many values the histogram counts.
    """
    h = histogram
    upto = func.sum(h.c.n).over(partition_by=h.c.authority_id, order_by=h.c.days).label("upto")
    total = func.sum(h.c.n).over(partition_by=h.c.authority_id).label("total")
    c = select(h.c.authority_id, h.c.days, h.c.n, upto, total).subquery()
    # Positions from 0 in the sorted list: the row holding [upto - n, upto) holds a middle one.
    rows = db.session.execute(
        select(c.c.authority_id, c.c.days, c.c.upto - c.c.n, c.c.upto, c.c.total)
        .where(c.c.upto - c.c.n <= c.c.total // 2, c.c.upto > (c.c.total - 1) // 2)
        .order_by(c.c.authority_id, c.c.days)
    ).all()
    middle: dict[int, list[int]] = defaultdict(list)
    for authority_id, days, before, upto_, total_ in rows:
        before, upto_, total_ = int(before), int(upto_), int(total_)
        for k in sorted({(total_ - 1) // 2, total_ // 2}):
            if before <= k < upto_:
                middle[authority_id].append(days)
    return {key: v[0] if len(v) == 1 else (v[0] + v[1]) / 2 for key, v in middle.items()}
