"""`flask letters ...`: letter commands that need no web request."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from ombudsman.accounts.models import Office
from ombudsman.extensions import db
from ombudsman.letters import documents, signatures, signing, verification
from ombudsman.letters.models import Letter
from ombudsman.storage import evidence_dir

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
        data = documents.draft_pdf(letter, evidence_dir())
        kind = "draft (watermarked, not stored)"
    out.write_bytes(data)
    click.echo(f"Letter {letter.id} {letter.number or ''} {kind}: {len(data)} bytes written to {out}.")


@letters_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--office", "office_name", help="The office whose trust roots to use (default: the only one).")
@click.option("--trust-root", "root_files", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the API's shape).")
@click.option("--online", is_flag=True, help="Fetch the certificates' revocation data (CRL, OCSP).")
@with_appcontext
def verify_command(
    file: Path, office_name: str | None, root_files: tuple[str, ...], as_json: bool, online: bool
) -> None:
    """Check a PDF's electronic signatures and whether it is an issued letter; exits 1 unless valid.

    Trust roots: the office's (`--office`, or the only office) plus any `--trust-root` PEM/DER files.
    """
    offices = list(db.session.scalars(select(Office).order_by(Office.id)))
    if office_name:
        offices = [o for o in offices if o.name == office_name]
        if not offices:
            raise click.ClickException(f"No office named {office_name!r}.")
    if len(offices) > 1:
        raise click.ClickException("Several offices: name one with --office.")
    data = file.read_bytes()
    roots = [c for name in root_files for c in signing.parse_certificates(Path(name).read_bytes())]
    letter = None
    if offices:
        letter, report = verification.check_file(offices[0], data, online=online)
        if roots:
            office_roots = verification.office_trust_roots(offices[0].id)
            report = signatures.check(data, office_roots + roots, online=online)
    else:
        report = signatures.check(data, roots, online=online)
    # Times in the office's zone, as its letters are dated (UTC with no office); `--json` keeps UTC.
    zone = ZoneInfo(offices[0].timezone if offices else "UTC")
    if as_json:
        click.echo(
            json.dumps(
                {"file": str(file), "letter_number": letter.number if letter else None, **report.as_json()},
                indent=2,
            )
        )
    else:
        click.echo(f"{file}: {report.message}")
        if letter is not None:
            click.echo(
                _(
                    "  Sama persis, byte demi byte, dengan surat %(number)s yang diterbitkan.",
                    number=letter.number,
                )
            )
        for sig in report.signatures:
            for line in _signature_lines(sig, zone):
                click.echo(line)
    if not report.valid:
        raise SystemExit(1)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("tidak dapat dinilai")
    return _("ya") if value else _("tidak")


def _when(value, zone: ZoneInfo) -> str:
    """An instant as ISO 8601 in the office's zone ("2026-12-01T01:55:00+08:00"), or "tidak ada"."""
    return value.astimezone(zone).isoformat() if value is not None else _("tidak ada")


def _signature_lines(sig: signatures.SignatureCheck, zone: ZoneInfo) -> list[str]:
    """One signature in the headline's language (Indonesian, the office's); `--json` keeps its English
    keys. Missing values read "tidak ada", never "None"."""
    none = _("tidak ada")
    revoked = _("; dicabut %(date)s", date=_when(sig.revoked_at, zone)) if sig.revoked_at else ""
    return [
        _("  Tanda tangan %(field)s: %(message)s", field=sig.field_name, message=sig.message),
        _(
            "    penanda tangan: %(signer)s; penerbit: %(issuer)s",
            signer=sig.signer or none,
            issuer=sig.issuer or none,
        ),
        _(
            "    utuh: %(intact)s; mencakup seluruh berkas: %(whole)s",
            intact=_yes_no(sig.intact),
            whole=_yes_no(sig.covers_whole_file),
        ),
        _(
            "    sertifikat dipercaya: %(trusted)s; waktu tanda tangan: %(at)s",
            trusted=_yes_no(sig.trusted),
            at=_when(sig.signed_at, zone),
        ),
        _("    cap waktu: %(at)s", at=_when(sig.timestamp_at, zone)),
        _(
            "    sertifikat berlaku %(start)s sampai %(end)s",
            start=_when(sig.certificate_valid_from, zone),
            end=_when(sig.certificate_valid_until, zone),
        )
        + revoked,
    ]
