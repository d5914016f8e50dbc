"""The deadline tallies' migration counts the recommendations and deadlines already there, its triggers keep
counting after it, and its downgrade leaves no trigger behind: on SQLite and, when TEST_DATABASE_URL is set,
on a fresh PostgreSQL database."""

import os
from collections import Counter
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from ombudsman import create_app
from ombudsman.extensions import db
from tests.databases import brand_new_database

BEFORE = "5e2f8c1a9d47"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
NOW = "2018-07-30 00:00:00"
CLOSED = ("implemented", "partially_implemented", "not_implemented")

# (status, start, due, stopped, closed, unit, count): None for the start means no clock.
CASES = (
    ("open", None, None, None, None, None, None),
    ("not_implemented", None, None, None, None, None, None),
    ("open", "2018-08-06", "2018-09-20", None, None, "working", 30),
    ("in_progress", "2018-08-06", "2018-09-20", "2018-09-01", None, "working", 30),
    ("implemented", "2018-08-06", "2018-09-20", None, "2018-09-18", "working", 30),
    ("partially_implemented", "2018-08-06", "2018-09-20", None, "2018-10-02", "working", 30),
    ("not_implemented", "2018-07-02", "2018-08-31", None, "2018-09-10", "calendar", 60),
    ("open", "2018-07-02", "2018-08-31", None, None, "calendar", 60),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A brand-new empty database on each backend (PostgreSQL only when TEST_DATABASE_URL is set)."""
    if request.param == "postgresql" and not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    with brand_new_database(tmp_path, "tallies", postgres=request.param == "postgresql") as url:
        yield url


def _recommendation(conn, status: str, position: int) -> int:
    conn.execute(
        text(
            "INSERT INTO recommendations (office_id, authority_id, kind, text, status, outcome_note, "
            "position, created_by_id, created_at, updated_at) VALUES (1, 1, 'saran', 'Tambah loket.', "
            ":status, '', :position, 1, :now, :now)"
        ),
        {"status": status, "position": position, "now": NOW},
    )
    return conn.execute(text("SELECT MAX(id) FROM recommendations")).scalar_one()


def _deadline(conn, rec_id: int, start, due, stopped, closed, unit, count) -> None:
    conn.execute(
        text(
            "INSERT INTO deadlines (office_id, recommendation_id, count, unit, starts, received_on, "
            "start_on, due_on, stopped_on, closed_on, explanation, warnings, next_working_day, created_at, "
            "updated_at) VALUES (1, :rec, :count, :unit, 'on_receipt', :start, :start, :due, :stopped, "
            ":closed, '', '[]', :no, :now, :now)"
        ),
        {
            "rec": rec_id,
            "count": count,
            "unit": unit,
            "start": start,
            "due": due,
            "stopped": stopped,
            "closed": closed,
            "no": False,
            "now": NOW,
        },
    )


def _case(conn) -> None:
    """An office, a user, an authority and the recommendations of CASES."""
    conn.execute(
        text(
            "INSERT INTO offices (name, short_name, province, city, address, phone, email, website, "
            "head_name, head_title, timezone, created_at) VALUES ('Perwakilan NTT', '', 'NTT', 'Kupang', '', "
            "'', '', '', '', '', 'Asia/Makassar', :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO users (office_id, email, name, role, password_hash, locale, active, created_at) "
            "VALUES (1, 'a@demo.test', 'A', 'inspector', 'x', 'id', :yes, :now)"
        ),
        {"yes": True, "now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO authorities (name, short_name, level, head_title, place_line, address, email, "
            "phone, active, version, created_at, updated_at) VALUES ('Pemkot Kupang', '', 'regency_city', "
            "'Wali Kota Kupang', 'di Kupang', '', '', '', :yes, 1, :now, :now)"
        ),
        {"yes": True, "now": NOW},
    )
    for position, (status, *clock) in enumerate(CASES, start=1):
        rec_id = _recommendation(conn, status, position)
        if clock[0] is not None:
            _deadline(conn, rec_id, *clock)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _recounted(conn) -> tuple[Counter, Counter, Counter]:
    """The three tallies counted row by row in Python from the stored recommendations and deadlines."""
    rows, durations, months = Counter(), Counter(), Counter()
    recs = conn.execute(
        text(
            "SELECT r.office_id, r.authority_id, r.created_by_id, r.status, d.id, d.office_id, d.start_on, "
            "d.due_on, d.stopped_on, d.closed_on, d.unit, d.count "
            "FROM recommendations r LEFT JOIN deadlines d ON d.recommendation_id = r.id"
        )
    ).all()
    for (
        office,
        authority,
        inspector,
        status,
        clock,
        clock_office,
        start,
        due,
        stopped,
        closed,
        unit,
        n,
    ) in recs:
        group = (office, authority, inspector, status)
        if clock is None:
            phase = "no_clock" if status in CLOSED else "not_started"
        elif closed is not None:
            phase = "met" if _day(closed) <= _day(due) else "late"
            durations[(*group, phase, (_day(closed) - _day(start)).days)] += 1
        else:
            phase = "stopped" if stopped is not None else "running"
        if clock is not None:
            months[clock_office, _day(due).year * 100 + _day(due).month, unit, n, phase, status] += 1
        rows[(*group, phase)] += 1
    return rows, durations, months


def _kept(conn) -> tuple[Counter, Counter, Counter]:
    queries = (
        "SELECT office_id, authority_id, inspector_id, status, phase, recommendations FROM deadline_tallies",
        "SELECT office_id, authority_id, inspector_id, status, phase, days, recommendations "
        "FROM deadline_day_tallies",
        "SELECT office_id, due_month, unit, count, phase, status, deadlines FROM deadline_month_tallies",
    )
    return tuple(Counter({tuple(r[:-1]): r[-1] for r in conn.execute(text(q))}) for q in queries)


def test_tallies_are_counted_on_upgrade_kept_after_it_and_gone_on_downgrade(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _case(conn)

        upgrade()

        with db.engine.begin() as conn:
            kept = _kept(conn)
            assert kept == _recounted(conn)
            assert sum(kept[0].values()) == len(CASES) and sum(kept[2].values()) == 6
            assert sum(kept[1].values()) == 3  # the closed clocks
            # The migration's triggers count what comes after it.
            rec_id = _recommendation(conn, "open", 20)
            _deadline(conn, rec_id, "2018-08-06", "2018-09-20", None, None, "working", 30)
            conn.execute(text("UPDATE deadlines SET closed_on = '2018-09-25' WHERE recommendation_id = 3"))
            conn.execute(text("UPDATE recommendations SET status = 'implemented' WHERE id = 3"))
            conn.execute(text("DELETE FROM recommendations WHERE id = 4"))
            assert _kept(conn) == _recounted(conn)

        downgrade(revision=BEFORE)

        tables = set(inspect(db.engine).get_table_names())
        assert not {"deadline_tallies", "deadline_day_tallies", "deadline_month_tallies"} & tables
        with db.engine.begin() as conn:  # no trigger left that writes to a dropped table
            rec_id = _recommendation(conn, "open", 21)
            _deadline(conn, rec_id, "2018-08-06", "2018-09-20", None, None, "working", 30)
            conn.execute(
                text("UPDATE deadlines SET closed_on = '2018-09-19' WHERE recommendation_id = :r"),
                {"r": rec_id},
            )
            conn.execute(text("DELETE FROM recommendations WHERE id = :r"), {"r": rec_id})
        db.engine.dispose()
