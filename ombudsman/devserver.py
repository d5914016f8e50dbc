"""`flask dev`: make the local database ready and serve it, in one process (what `make run` runs).

Before, `make run` started the application four times (upgrade, seed, analyze, serve): 15 s on an already
set-up clone (issue 12, item 6). Here the application is built once, and each step runs only when it is
out of date:

- migrations: the revision stored in the database is compared with the migration scripts' head (reading
  the scripts' headers, no upgrade machinery); `flask db upgrade` runs only when they differ;
- the demo case: loaded only into a database without any office (as `flask seed-demo --if-empty`);
- planner statistics (`ANALYZE`): refreshed only when one of the steps above changed something.
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import ScriptInfo, pass_script_info
from sqlalchemy import select


@dataclass(frozen=True)
class Readiness:
    """What `prepare_database` had to do: each flag is True when that step ran."""

    upgraded: bool
    seeded: bool
    analyzed: bool


def migrations_at_head() -> bool:
    """Whether the database's Alembic revision is the migration scripts' head (no pending migration)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from ombudsman.extensions import db, migrate

    script = ScriptDirectory.from_config(migrate.get_config())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def prepare_database() -> Readiness:
    """Bring the configured database up to date for local use, doing only what is out of date.

    Runs pending migrations, loads the demo case into a database without offices, and refreshes the
    planner's statistics when either happened. Needs an application context.
    """
    from flask_migrate import upgrade

    from ombudsman.accounts.models import Office
    from ombudsman.extensions import db
    from ombudsman.seed import seed_demo

    upgraded = not migrations_at_head()
    if upgraded:
        upgrade()
    seeded = db.session.scalar(select(Office.id).limit(1)) is None
    if seeded:
        seed_demo(electronic_signature=True)
        db.session.commit()
    analyzed = upgraded or seeded
    if analyzed:
        from sqlalchemy import text

        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    db.session.remove()
    return Readiness(upgraded=upgraded, seeded=seeded, analyzed=analyzed)


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--prepare-only", is_flag=True, help="Bring the database up to date and exit.")
@pass_script_info
def dev_command(info: ScriptInfo, host: str, port: int, prepare_only: bool) -> None:
    """Bring the database up to date (only what is out of date), then serve the app for local use.

    The development server of `flask run` (Werkzeug's), threaded, with the debugger when the configuration
    says DEBUG, without the reloader (which would build the application a second time).
    """
    from werkzeug.serving import run_simple

    app = info.load_app()
    with app.app_context():
        done = prepare_database()
    steps = [name for name, ran in vars(done).items() if ran]
    click.echo(f"Database ready ({', '.join(steps) if steps else 'already up to date'}).")
    if not prepare_only:
        run_simple(host, port, app, use_debugger=app.debug, use_reloader=False, threaded=True)
