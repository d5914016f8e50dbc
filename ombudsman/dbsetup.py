"""Database connection settings that must hold on every backend."""

from __future__ import annotations

import sqlite3

import click
from flask.cli import with_appcontext
from sqlalchemy import event, text
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked; PostgreSQL always enforces them, so make both agree."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@click.command("db-analyze")
@with_appcontext
def analyze_command() -> None:
    """Refresh the query planner's statistics (after bulk loads, and from time to time on SQLite)."""
    from ombudsman.extensions import db

    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    click.echo(f"Statistics refreshed ({db.engine.dialect.name}).")
