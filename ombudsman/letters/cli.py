"""`flask letters ...`: letter commands that need no web request."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ombudsman.extensions import db
from ombudsman.letters import documents
from ombudsman.letters.models import Letter

letters_cli = click.Group("letters", help="Formal letters.")


@letters_cli.command("render")
@click.argument("letter_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def render_command(letter_id: int, out: Path) -> None:
    """Write a letter's PDF to a file: the stored copy once issued, a watermarked draft before."""
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise click.ClickException(f"No letter with id {letter_id}.")
    if letter.status.is_issued:
        try:
            data = documents.issued_pdf(letter)
        except documents.FrozenPdfError as exc:
            raise click.ClickException(f"{exc}; the stored copy is not written.") from exc
        kind = "issued (stored copy)"
    else:
        data = documents.draft_pdf(letter, Path(current_app.config["EVIDENCE_DIR"]))
        kind = "draft (watermarked, not stored)"
    out.write_bytes(data)
    click.echo(f"Letter {letter.id} {letter.number or ''} {kind}: {len(data)} bytes written to {out}.")
