"""The test databases: a pair per xdist worker, the demo case seeded once, each test in a transaction.

Each worker (or the lone process without xdist) owns two databases with the schema built from the models:

- *empty*: tests that do not ask for the demo run here, inside a transaction rolled back at their end. The
  tests that need committed data seen from another connection (a live server, threads, their own engine)
  also run here, the old way: they commit for real and every table is emptied afterwards.
- *demo*: the Kupang demo case, seeded and committed once; tests that ask for `demo` run here, inside a
  transaction rolled back at their end.

A transactional test holds one connection with an outer transaction. `db.session` is bound to it with
SQLAlchemy's `join_transaction_mode="create_savepoint"`, for the test body and for every request the test
client makes (each request still gets its own session in its own app context): the app's `commit()` only
releases a savepoint, its `rollback()` returns to one, and nothing reaches the database for good.

SQLite: a file per database (threads of a live server share it). PostgreSQL: databases named from
TEST_DATABASE_URL's database and the worker id, created here and dropped at the end of the session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import has_app_context
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from ombudsman import database_url
from ombudsman.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgres")
# "gw0", "gw1", ... under xdist; "main" in a run without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


class Databases:
    """The worker's two databases: `empty` and `demo` URLs; `create()` them, `drop()` them at the end."""

    def __init__(self, tmp_dir: Path):
        if IS_POSTGRES:
            server = make_url(database_url(TEST_DATABASE_URL))
            base = server.database or "test"
            self._server = server
            self.empty = server.set(database=f"{base}_{WORKER}").render_as_string(hide_password=False)
            self.demo = server.set(database=f"{base}_{WORKER}_demo").render_as_string(hide_password=False)
        else:
            self._server = None
            self.empty = f"sqlite:///{tmp_dir / 'empty.sqlite'}"
            self.demo = f"sqlite:///{tmp_dir / 'demo.sqlite'}"

    def _names(self) -> list[str]:
        return [make_url(url).database for url in (self.empty, self.demo)]

    def _admin(self, statements: list[str]) -> None:
        # CREATE/DROP DATABASE run outside a transaction, from the server's maintenance database.
        admin = create_engine(self._server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            admin.dispose()

    def create(self) -> None:
        """New, empty databases (PostgreSQL: dropping leftovers of an interrupted run first)."""
        if self._server is not None:
            self._admin(
                [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self._names()]
                + [f'CREATE DATABASE "{name}"' for name in self._names()]
            )

    def drop(self) -> None:
        """Drop the PostgreSQL databases; SQLite files go with pytest's temporary directory."""
        if self._server is not None:
            self._admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self._names()])


def transactional_engine(url: str, options: dict) -> Engine:
    """An engine whose transactions can hold SAVEPOINTs on both backends.

    pysqlite begins transactions lazily and on its own, so a SAVEPOINT outside one would start (and its
    RELEASE commit) a real transaction. SQLAlchemy's documented fix: let the driver autocommit and emit
    BEGIN ourselves ("Serializable isolation / Savepoints / Transactional DDL" in the SQLite dialect docs).
    """
    engine = create_engine(database_url(url), **options)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _driver_autocommits(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _emit_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN")

    return engine


class BoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session on the test's connection (its own `get_bind` picks the app's engine)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


# The connection `db.session` is bound to, while a rolled-back test runs.
_bound: list[Connection] = []


@contextmanager
def session_bound_to(connection: Connection) -> Iterator[None]:
    """While active, `db.session` in every app context is a session joined to `connection`.

    Sessions join an open transaction of the connection with a SAVEPOINT (their commit releases it); on a
    connection without one they begin and commit a transaction of their own.
    """
    original = db.session
    db.session = db._make_scoped_session(
        {"class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    _bound.append(connection)
    try:
        yield
    finally:
        _bound.pop()
        db.session.remove()
        db.session = original


@contextmanager
def requests_beside_the_test_session() -> Iterator[None]:
    """Around a request made from a test body: keep the test's session out of the request's savepoints.

    Savepoints on one connection form a stack. Were the test's session to hold one open during a request,
    the request's work would nest inside it and the test's own `rollback()` would undo it; were it to open
    one during the request (test code the request runs, such as a monkeypatched service, touching the
    test's objects), the request's commit or rollback would end it underneath. So the test's transaction
    ends first (committing what it left pending, as it would have had to for a real server to see it;
    its objects stay loaded), and while the request runs the test's session joins whatever transaction is
    current without a savepoint of its own and without ever ending it. Outside a rolled-back test it does
    nothing.
    """
    if not _bound or not has_app_context():
        yield
        return
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    session.join_transaction_mode = "rollback_only"
    try:
        yield
    finally:
        session.join_transaction_mode = "create_savepoint"
        if session.in_transaction():
            session.commit()  # joined without a savepoint: ends the session's transaction, not the database's


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    """A connection in an outer transaction that `db.session` joins and that is rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        if connection.dialect.name == "postgresql":
            # The data stamps' triggers are deferred to COMMIT, which a rolled-back test never reaches:
            # fire them at each statement instead, so pages kept during the test see its changes.
            connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            with session_bound_to(connection):
                yield connection
        finally:
            if transaction.is_active:
                transaction.rollback()


def restart_identities() -> None:
    """Ids of an emptied database start at 1 again, as in a new one (the committed tests seed themselves)."""
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(
            text(
                "SELECT s.relname FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace "
                "WHERE s.relkind = 'S' AND n.nspname = current_schema()"
            )
        ).scalars()
        names = list(rows)
        if names:
            calls = ", ".join(f"setval('\"{name}\"', 1, false)" for name in names)
            db.session.execute(text(f"SELECT {calls}"))
    elif db.session.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first():
        db.session.execute(text("DELETE FROM sqlite_sequence"))
    db.session.commit()


def empty_all_tables() -> None:
    """Delete every row, children first, and commit (the committed tests' clean-up)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@contextmanager
def brand_new_database(tmp_path: Path, label: str, postgres: bool = IS_POSTGRES) -> Iterator[str]:
    """The URL of a brand-new empty database for a migration test: a SQLite file, or on PostgreSQL (the
    server of TEST_DATABASE_URL) a database named after `label`, dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{tmp_path / f'{label}.sqlite'}"
        return
    server = make_url(database_url(TEST_DATABASE_URL))
    name = f"ombudsman_{label}_{uuid.uuid4().hex[:8]}"
    # From the maintenance database: TEST_DATABASE_URL's own database need not exist.
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
