"""Database connection settings that must hold on every backend."""

from __future__ import annotations

import sqlite3

import click
from flask.cli import with_appcontext
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

#: How long a SQLite writer waits for the database's write lock before "database is locked". Writes are
#: short (issuing reserves its number in milliseconds and renders outside any transaction), but 16 issues
#: at once on a loaded two-core machine queue behind each other and behind every other write, and SQLite's
#: busy handler polls rather than queues: 5 s was not always enough. A wait stays well under gunicorn's
#: request timeout (gunicorn.conf.py, 120 s).
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked; PostgreSQL always enforces them, so make both agree. SQLite
    writers wait their turn for the write lock (`SQLITE_BUSY_TIMEOUT_MS`) instead of failing at once.

    A database file is switched to write-ahead logging (WAL; it stays so, recorded in the file): readers no
    longer block a writer's commit, nor a writer the readers, so a long page or export does not hold up an
    issue, and the other gunicorn workers keep reading while one writes. `synchronous` stays FULL (SQLite's
    default): a committed issue survives a power cut, so its number is never given out again. The WAL file
    (`<name>-wal`, `<name>-shm`) lives beside the database: copy a live database with `sqlite3 … .backup`,
    not by copying the file. An in-memory database keeps its own journal ("memory").
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@click.command("db-analyze")
@with_appcontext
def analyze_command() -> None:
    """Refresh the query planner's statistics (after bulk loads, and from time to time on SQLite)."""
    from ombudsman.extensions import db

    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    click.echo(f"Statistics refreshed ({db.engine.dialect.name}).")
