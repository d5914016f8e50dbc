"""Data stamps (issue 12): every committed write raises exactly the scope it belongs to (an office, or 0 for
national reference data), a rollback (of a savepoint too) raises nothing, sign-in bookkeeping and language
switches raise nothing, a bulk load raises an office once per transaction on PostgreSQL, and two
PostgreSQL COMMITs stamping the same scopes in opposite orders both succeed. The triggers themselves and the
migrations: `test_stamp_triggers.py`.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL. The PostgreSQL triggers are deferred to COMMIT,
so the write tests commit for real (`committed`)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update

from ombudsman.accounts.models import Office, Role, User
from ombudsman.authorities.models import Authority
from ombudsman.deadlines.models import CalendarDay, CalendarDayKind
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding, inspection_team
from ombudsman.page_cache import stamps
from ombudsman.portal.models import PortalUser
from tests.portal.portal_testing import PortalBrowser, add_contact, portal_account


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
def test_a_language_switch_raises_nothing_and_a_name_change_does(demo, login):
    """The language is part of a kept page's key and no page shows another user's: switching it (GET
    /lang/<code>, which saves `users.locale`) must not empty every kept page of the office."""
    kupang, inspector = demo.office.id, demo.users["inspector"].id
    browser = login("inspector@demo.test")
    before = _versions()
    assert browser.get("/lang/en?next=/").status_code == 303
    assert _raised(before) == {}
    assert db.session.get(User, inspector).locale == "en"

    before = _versions()
    db.session.get(User, inspector).name = "Yohanes Inspektur"
    db.session.commit()
    assert _raised(before) == {kupang: 1}


@pytest.mark.committed
def test_a_portal_accounts_language_switch_raises_nothing_and_a_name_change_does(app, demo):
    """A portal account's language switch saved `portal_users.locale`, which stamped national data: every
    kept page of every office."""
    contact = add_contact(demo.pemkot, demo.users["admin"], name="Maria Fernandez", email="maria@kota.test")
    db.session.commit()
    account = portal_account(contact).id
    portal = PortalBrowser(app.test_client())
    assert portal.login("maria@kota.test").status_code == 303
    before = _versions()
    assert portal.get("/lang/en?next=/portal/").status_code == 303
    assert _raised(before) == {}
    assert db.session.get(PortalUser, account).locale == "en"

    before = _versions()
    db.session.get(PortalUser, account).name = "Maria F. Fernandez"
    db.session.commit()
    assert _raised(before) == {stamps.NATIONAL: 1}


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


def _day(office: int, n: int):
    """An INSERT of a closed day of August 2018 in `office`."""
    return insert(CalendarDay).values(
        office_id=office, day=date(2018, 8, n), kind=CalendarDayKind.CLOSED, reason="Libur daerah"
    )


@pytest.mark.committed
def test_a_rolled_back_savepoint_raises_nothing_and_the_rest_of_its_transaction_does(demo, bali):
    kupang = demo.office.id
    before = _versions()
    savepoint = db.session.begin_nested()
    db.session.execute(_day(kupang, 20))  # the transaction's first write, forgotten with the savepoint
    savepoint.rollback()
    db.session.execute(_day(bali.id, 20))
    db.session.commit()
    assert _raised(before) == {bali.id: 1}

    before = _versions()
    db.session.execute(_day(kupang, 21))
    savepoint = db.session.begin_nested()
    db.session.execute(_day(bali.id, 21))
    db.session.execute(update(Authority).values(phone="0380-000"))
    savepoint.rollback()
    db.session.commit()
    assert _raised(before) == {kupang: 1}


@pytest.mark.committed
def test_scopes_written_after_the_stamps_were_raised_still_rise_once(demo, bali):
    """PostgreSQL: `SET CONSTRAINTS ALL IMMEDIATE` raises what is pending there and then; what the
    transaction writes afterwards is raised at COMMIT, each scope once per transaction. A savepoint rolled
    back after raising stamps raises them again at COMMIT."""
    if not _is_postgres():
        pytest.skip("SQLite raises stamps row by row")
    kupang = demo.office.id
    before = _versions()
    db.session.execute(_day(kupang, 20))
    db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    db.session.execute(_day(bali.id, 20))
    db.session.execute(_day(kupang, 21))
    db.session.execute(update(Authority).values(phone="0380-000"))
    db.session.commit()
    assert _raised(before) == {kupang: 1, bali.id: 1, stamps.NATIONAL: 1}

    before = _versions()
    db.session.execute(_day(kupang, 22))
    savepoint = db.session.begin_nested()
    db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    db.session.execute(_day(bali.id, 22))
    savepoint.rollback()
    db.session.commit()
    assert _raised(before) == {kupang: 1}


def _commit_in_thread(conn: Connection, errors: list) -> threading.Thread:
    def commit():
        try:
            conn.commit()
        except Exception as error:  # noqa: BLE001 - the test reports what each COMMIT raised
            errors.append(error)

    thread = threading.Thread(target=commit)
    thread.start()
    return thread


def _wait_until_waiting(watcher: Connection, pids: list[int]) -> None:
    """Until every backend of `pids` waits for a lock (pg_locks is read afresh by every statement)."""
    query = text("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(:pids)")
    deadline = time.monotonic() + 10
    while watcher.execute(query, {"pids": pids}).scalar() < len(pids):
        assert time.monotonic() < deadline, "a COMMIT never waited for the stamp rows"
        time.sleep(0.02)


@pytest.mark.committed
def test_two_transactions_stamping_offices_in_opposite_orders_both_commit(demo, bali):
    """One transaction writes Bali's data, national data, then Kupang's; another Kupang's, national data,
    then Bali's. A third keeps the national stamp row locked until both are committing, so that each has
    stamped its first office and waits for scope 0. Stamping in the order of the writes, one COMMIT then
    waited for the other's first office while holding scope 0 and PostgreSQL aborted it (deadlock
    detected); stamped in ascending scope order, both commit and every stamp rises twice."""
    if not _is_postgres():
        pytest.skip("SQLite has one writer at a time")
    kupang = demo.office.id
    before = _versions()
    db.session.rollback()

    def authority(authority_id: int):
        return update(Authority).where(Authority.id == authority_id).values(phone="0380-821")

    errors: list[Exception] = []
    with db.engine.connect() as holder, db.engine.connect() as one, db.engine.connect() as two:
        holder.execute(text("SELECT 1 FROM data_stamps WHERE scope = 0 FOR UPDATE"))
        for statement in (_day(bali.id, 20), authority(demo.pemkot.id), _day(kupang, 20)):
            one.execute(statement)
        for statement in (_day(kupang, 21), authority(demo.dinas.id), _day(bali.id, 21)):
            two.execute(statement)
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in (one, two)]
        threads = [_commit_in_thread(one, errors), _commit_in_thread(two, errors)]
        _wait_until_waiting(holder, pids)
        holder.rollback()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert _raised(before) == {stamps.NATIONAL: 2, kupang: 2, bali.id: 2}
    days = db.session.execute(select(CalendarDay.office_id, CalendarDay.day)).all()
    assert len(days) == 4


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
