"""Data stamp triggers (issue 12): every table is classified once, and every stamped table has the triggers
of `ombudsman.page_cache.stamps`, with the same SQL, from `db.create_all()` and from the migrations (whose
downgrades leave what the revision before had). Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, inspect, text

from ombudsman import create_app
from ombudsman.extensions import db
from ombudsman.page_cache import stamps
from tests.databases import brand_new_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BEFORE = "e56f4111d145"  # the head before data stamps
STAMPS = "ada54bba5d5b"  # data stamps, watching `locale`; on PostgreSQL stamping in the order of the writes


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


def test_every_table_is_in_exactly_one_list(app):
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


def _expected() -> dict[str, set[str]]:
    return {
        t: {f"data_stamps_{t}_{op}" for op in ("insert", "update", "delete")} for t in stamps.stamped_tables()
    }


def _definitions(conn: Connection) -> dict[str, str]:
    """SQLite: trigger name -> its SQL. PostgreSQL: trigger name -> `pg_get_triggerdef` (events, columns,
    WHEN, function) and function name -> its body (what lies between the $$)."""
    if conn.dialect.name == "postgresql":
        query = (
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname LIKE 'data_stamps%' "
            "UNION ALL SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'data_stamps%'"
        )
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_stamps%'"
    return dict(conn.execute(text(query)).all())


def _module_definitions(conn: Connection) -> dict[str, str]:
    """What the module's statements install: SQLite keeps their text; PostgreSQL normalises it, so they
    are run in a savepoint (after dropping what is installed) and read back before rolling it back."""
    if conn.dialect.name != "postgresql":
        return {s.split()[2]: s for s in stamps.trigger_statements("sqlite")}
    savepoint = conn.begin_nested()
    try:
        triggers = "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'data_stamps%'"
        for name, table in conn.execute(text(triggers)).all():
            conn.execute(text(f"DROP TRIGGER {name} ON {table}"))
        functions = "SELECT oid::regprocedure::text FROM pg_proc WHERE proname LIKE 'data_stamps%'"
        for function in conn.execute(text(functions)).scalars().all():
            conn.execute(text(f"DROP FUNCTION {function}"))
        for statement in stamps.trigger_statements("postgresql"):
            conn.exec_driver_sql(statement)
        return _definitions(conn)
    finally:
        savepoint.rollback()


def _assert_triggers_match_the_lists(conn: Connection) -> None:
    assert _installed(conn) == _expected()
    # The same SQL as the module's (from `create_all()`, or the migrations' frozen copies).
    assert _definitions(conn) == _module_definitions(conn)
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


USER_SQL = (
    "INSERT INTO users (office_id, email, name, role, password_hash, locale, active, created_at) "
    "VALUES (1, 'ana@ntt.test', 'Ana', 'inspector', 'x', 'id', true, '2018-07-30 00:00:00')"
)


def _versions() -> dict[int, int]:
    with db.engine.begin() as conn:
        return dict(conn.execute(text("SELECT scope, version FROM data_stamps")).all())


def _run(*statements: str) -> None:
    """`statements` in one committed transaction."""
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_the_locale_and_scope_order_migration_upgrades_and_downgrades(empty_database_url):
    """874c3b296dc7: a language switch stops stamping, the triggers become the module's (on PostgreSQL the
    noting triggers and the ordered flush), and the downgrade restores exactly those of ada54bba5d5b."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision=STAMPS)
        with db.engine.begin() as conn:
            conn.execute(text(OFFICE_SQL), {"name": "Perwakilan NTT"})
            conn.execute(text(USER_SQL))
            at_stamps = _definitions(conn)
        before = _versions()
        _run("UPDATE users SET locale = 'en'")
        assert _versions() == {0: before[0], 1: before[1] + 1}  # the defect this revision fixes

        upgrade()

        with db.engine.begin() as conn:
            _assert_triggers_match_the_lists(conn)
        before = _versions()
        _run("UPDATE users SET locale = 'id'", "UPDATE offices SET phone = '0380'")
        _run("UPDATE users SET name = 'Ana Maria', role = 'supervisor'")
        # The language switch raised nothing; the office's change both scopes, the user's the office once.
        assert _versions() == {0: before[0] + 1, 1: before[1] + 2}

        db.session.remove()
        downgrade(revision=STAMPS)

        with db.engine.begin() as conn:
            assert _definitions(conn) == at_stamps
        before = _versions()
        _run("UPDATE users SET locale = 'en'")
        assert _versions() == {0: before[0], 1: before[1] + 1}
        db.engine.dispose()
