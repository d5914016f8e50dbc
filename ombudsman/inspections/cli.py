"""`flask evidence ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ombudsman.inspections import held_uploads
from ombudsman.storage import evidence_dir

evidence_cli = AppGroup("evidence", help="Evidence files.")


@evidence_cli.command("purge-held")
def purge_held() -> None:
    """Remove photos held for refused finding forms longer than 24 hours (run daily, e.g. from cron)."""
    removed = held_uploads.purge_expired(evidence_dir())
    click.echo(f"Removed {removed} held photo(s).")
