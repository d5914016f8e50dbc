"""Data stamps (issue 12): every committed write raises exactly the scope it belongs to (an office, or 0 for
national reference data), a rollback raises nothing, sign-in bookkeeping raises nothing, a bulk load raises
an office once per transaction on PostgreSQL; every table is classified once and every stamped table has
its triggers, from `db.create_all()` and from the migration (whose downgrade leaves none behind).

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL. The PostgreSQL triggers are deferred to COMMIT,
so the write tests commit for real (`committed`)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, delete, insert, inspect, select, text, update

from ombudsman import create_app
from ombudsman.accounts.models import Office, Role, User
from ombudsman.authorities.models import Authority
from ombudsman.deadlines.models import CalendarDay, CalendarDayKind
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding, inspection_team
from ombudsman.page_cache import stamps
from tests.databases import brand_new_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BEFORE = "e56f4111d145"  # the head before data stamps


def _versions() -> Counter:
    """Every scope's version, read in a new transaction."""
    db.session.rollback()
    return Counter(dict(db.session.execute(select(stamps.DataStamp.scope, stamps.DataStamp.version)).all()))


def _raised(before: Counter) -> dict[int, int]:
    """Scope -> how much its version grew since `before` (scopes that did not grow left out)."""
    after = _versions()
    after.subtract(before)
    return {scope: n for scope, n in after.items() if n}


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def bali(demo) -> Office:
    """A second office, committed, with its stamp row."""
    office = Office(name="Ombudsman RI Perwakilan Provinsi Bali", province="Bali", timezone="Asia/Makassar")
    db.session.add(office)
    db.session.commit()
    return office


# --- writes (committed: the PostgreSQL triggers run at COMMIT) ----------------------------------------------


@pytest.mark.committed
def test_an_office_table_insert_update_and_delete_raise_that_office_only(demo, bali):
    kupang, head = demo.office.id, demo.users["head"]

    before = _versions()
    day = CalendarDay(
        office_id=kupang, day=date(2018, 8, 20), kind=CalendarDayKind.CLOSED, reason="Libur daerah"
    )
    db.session.add(day)
    db.session.commit()
    assert _raised(before) == {kupang: 1}

    before = _versions()
    finding = demo.findings[1]
    finding.title = "Loket tutup sebelum jam layanan berakhir"
    db.session.commit()
    assert _raised(before) == {kupang: 1}

    before = _versions()
    db.session.execute(delete(CalendarDay).where(CalendarDay.id == day.id))
    db.session.commit()
    assert _raised(before) == {kupang: 1}

    # A row moved to another office raises both.
    before = _versions()
    db.session.execute(update(User).where(User.id == head.id).values(office_id=bali.id))
    db.session.commit()
    assert _raised(before) == {kupang: 1, bali.id: 1}


@pytest.mark.committed
def test_a_child_table_raises_its_parents_office(demo, bali):
    kupang, viewer = demo.office.id, demo.users["viewer"]
    before = _versions()
    db.session.execute(insert(inspection_team).values(inspection_id=demo.inspection.id, user_id=viewer.id))
    db.session.commit()
    assert _raised(before) == {kupang: 1}

    before = _versions()
    db.session.execute(delete(inspection_team).where(inspection_team.c.user_id == viewer.id))
    db.session.commit()
    assert _raised(before) == {kupang: 1}


@pytest.mark.committed
def test_national_data_raises_scope_zero_and_a_new_office_gets_its_row(demo, bali):
    before = _versions()
    demo.pemkot.head_title = "Wali Kota Kupang (Pj.)"
    db.session.commit()
    assert _raised(before) == {stamps.NATIONAL: 1}

    before = _versions()
    flores = Office(name="Ombudsman RI Perwakilan Flores", province="NTT", timezone="Asia/Makassar")
    db.session.add(flores)
    db.session.commit()
    assert _raised(before) == {stamps.NATIONAL: 1, flores.id: 1}
    assert stamps.read(flores.id) == (before[stamps.NATIONAL] + 1, 1, "Asia/Makassar")


@pytest.mark.committed
def test_a_rolled_back_transaction_raises_nothing(demo):
    before = _versions()
    demo.findings[1].title = "Tidak jadi"
    db.session.add(
        CalendarDay(
            office_id=demo.office.id, day=date(2018, 8, 21), kind=CalendarDayKind.CLOSED, reason="Batal"
        )
    )
    db.session.execute(update(Authority).values(phone="0380-000"))
    db.session.flush()
    db.session.rollback()
    assert _raised(before) == {}


@pytest.mark.committed
def test_a_sign_in_raises_nothing_and_a_role_change_does(demo):
    kupang, inspector = demo.office.id, demo.users["inspector"]
    before = _versions()
    inspector.last_login_at = datetime(2018, 8, 1, 1, 0, tzinfo=UTC)
    inspector.failed_logins = 0 if inspector.failed_logins else 1
    inspector.session_generation = (inspector.session_generation or 0) + 1
    db.session.commit()
    assert _raised(before) == {}

    before = _versions()
    inspector.role = Role.SUPERVISOR
    db.session.commit()
    assert _raised(before) == {kupang: 1}


@pytest.mark.committed
def test_a_bulk_insert_of_a_thousand_findings_raises_the_office_once_per_transaction(demo):
    kupang, inspection, author = demo.office.id, demo.inspection, demo.users["inspector"]
    rows = [
        {
            "office_id": kupang,
            "inspection_id": inspection.id,
            "number": 1000 + n,
            "title": f"Temuan massal {n}",
            "responsible_authority_id": demo.pemkot.id,
            "created_by_id": author.id,
        }
        for n in range(1000)
    ]
    before = _versions()
    db.session.execute(insert(Finding), rows)
    db.session.commit()
    raised = _raised(before)
    assert set(raised) == {kupang}
    if _is_postgres():
        assert raised[kupang] == 1
    else:
        assert raised[kupang] >= 1


# --- reading ---------------------------------------------------------------------------------------------


def test_read_gives_the_versions_and_zone_or_none_when_a_row_is_missing(app, demo):
    office = demo.office.id
    db.session.execute(delete(stamps.DataStamp))
    db.session.execute(
        insert(stamps.DataStamp),
        [{"scope": 0, "version": 7}, {"scope": office, "version": 3}, {"scope": 999, "version": 1}],
    )
    assert stamps.read(office) == stamps.Stamp(7, 3, demo.office.timezone)
    assert stamps.read(office + 1) is None  # no row
    assert stamps.read(999) is None  # a row, but no such office
    db.session.execute(delete(stamps.DataStamp).where(stamps.DataStamp.scope == 0))
    assert stamps.read(office) is None


# --- the table lists and the installed triggers ------------------------------------------------------------

LISTS = {
    "office": set(stamps.OFFICE_TABLES),
    "child": set(stamps.CHILD_TABLES),
    "national": set(stamps.NATIONAL_TABLES),
    "unstamped": set(stamps.UNSTAMPED),
}
FTS_INDEXES = ("findings_fts", "letters_fts", "authorities_fts")


def _lists_of(table: str) -> list[str]:
    # An FTS5 index's shadow tables (findings_fts_data, ...) go with the index.
    name = next((fts for fts in FTS_INDEXES if table.startswith(fts)), table)
    return [kind for kind, tables in LISTS.items() if name in tables]


def test_every_table_is_in_exactly_one_list():
    unclassified = {t: _lists_of(t) for t in db.metadata.tables if len(_lists_of(t)) != 1}
    assert unclassified == {}
    # No list names a table the models do not have (but the migrations' and the FTS indexes').
    listed = set().union(*LISTS.values())
    assert listed - set(db.metadata.tables) == {"alembic_version", *FTS_INDEXES}
    assert all(reason.strip() for reason in stamps.UNSTAMPED.values())
    assert set(stamps.WATCHED_COLUMNS) <= set(stamps.stamped_tables())


def _installed(conn: Connection) -> dict[str, set[str]]:
    """Table -> the names of its data stamp triggers in the database of `conn`."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'data_stamps%' AND t.tgdeferrable AND t.tginitdeferred"
            )
        )
    else:
        rows = conn.execute(
            text(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_stamps%'"
            )
        )
    installed: dict[str, set[str]] = {}
    for table, name in rows:
        installed.setdefault(table, set()).add(name)
    return installed


def _expected(dialect: str) -> dict[str, set[str]]:
    if dialect == "postgresql":
        return {t: {f"data_stamps_{t}"} for t in stamps.stamped_tables()}
    return {
        t: {f"data_stamps_{t}_{op}" for op in ("insert", "update", "delete")} for t in stamps.stamped_tables()
    }


def _definitions(conn: Connection) -> dict[str, str]:
    """SQLite: trigger name -> its SQL; PostgreSQL: function name -> its body (what lies between the $$)."""
    if conn.dialect.name == "postgresql":
        query = "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'data_stamps%'"
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_stamps%'"
    return dict(conn.execute(text(query)).all())


def _module_definitions(dialect: str) -> dict[str, str]:
    if dialect == "postgresql":
        functions = [
            s for s in stamps.trigger_statements(dialect) if s.startswith("CREATE OR REPLACE FUNCTION")
        ]
        return {s.split("FUNCTION ")[1].split("(")[0]: s.split("$$")[1] for s in functions}
    return {s.split()[2]: s for s in stamps.trigger_statements(dialect)}


def _assert_triggers_match_the_lists(conn: Connection) -> None:
    assert _installed(conn) == _expected(conn.dialect.name)
    # The same SQL as the module's (from `create_all()`, or the migration's frozen copy).
    assert _definitions(conn) == _module_definitions(conn.dialect.name)
    # Every table of the database is classified, the FTS shadow tables included.
    tables = set(inspect(conn).get_table_names())
    assert {t: _lists_of(t) for t in tables if len(_lists_of(t)) != 1} == {}


def test_the_database_has_the_triggers_of_every_stamped_table(app):
    _assert_triggers_match_the_lists(db.session.connection())


# --- the migration ---------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A brand-new empty database on each backend (PostgreSQL only when TEST_DATABASE_URL is set)."""
    if request.param == "postgresql" and not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    with brand_new_database(tmp_path, "stamps", postgres=request.param == "postgresql") as url:
        yield url


OFFICE_SQL = (
    "INSERT INTO offices (name, short_name, province, city, address, phone, email, website, head_name, "
    "head_title, timezone, created_at) VALUES (:name, '', 'NTT', 'Kupang', '', '', '', '', '', '', "
    "'Asia/Makassar', '2018-07-30 00:00:00')"
)


def test_the_migration_stamps_existing_offices_installs_the_triggers_and_downgrades(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(text(OFFICE_SQL), {"name": "Perwakilan NTT"})

        upgrade()

        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT scope, version FROM data_stamps ORDER BY scope")).all() == [
                (0, 0),
                (1, 0),
            ]
            _assert_triggers_match_the_lists(conn)
        with db.engine.begin() as conn:
            conn.execute(text(OFFICE_SQL), {"name": "Perwakilan Bali"})
            conn.execute(text("UPDATE offices SET phone = '0380' WHERE id = 1"))
        with db.engine.begin() as conn:
            stamped = conn.execute(text("SELECT scope, version FROM data_stamps ORDER BY scope")).all()
        # PostgreSQL raises scope 0 once per transaction, SQLite once per row.
        national = 1 if db.engine.dialect.name == "postgresql" else 2
        assert stamped == [(0, national), (1, 1), (2, 1)]

        db.session.remove()  # PostgreSQL: no open transaction may hold a lock on a table being dropped
        downgrade(revision=BEFORE)

        assert "data_stamps" not in inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            assert _installed(conn) == {}
            if db.engine.dialect.name == "postgresql":
                functions = conn.execute(
                    text("SELECT proname FROM pg_proc WHERE proname LIKE 'data_stamps%'")
                )
                assert functions.all() == []
            # No trigger left that writes to the dropped table.
            conn.execute(text(OFFICE_SQL), {"name": "Perwakilan Papua"})
            conn.execute(text("UPDATE offices SET phone = '0967'"))
            conn.execute(text("DELETE FROM offices WHERE name = 'Perwakilan Papua'"))
        db.engine.dispose()
