"""`flask evidence ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ombudsman.inspections import held_uploads

evidence_cli = AppGroup("evidence", help="Evidence files.")


@evidence_cli.command("purge-held")
def purge_held() -> None:
    """Remove photos held for refused finding forms longer than 24 hours (run daily, e.g. from cron)."""
    removed = held_uploads.purge_expired(Path(current_app.config["EVIDENCE_DIR"]))
    click.echo(f"Removed {removed} held photo(s).")
