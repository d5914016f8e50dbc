"""The e-mails of the portal, written in the recipient's language (Bahasa Indonesia unless they chose
English) and sent over the one SMTP path (`ombudsman.mail`) after the caller's commit.

Every link is absolute, built from PUBLIC_BASE_URL; a sign-in link's secret appears only in the mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _

from ombudsman import dates
from ombudsman.accounts.models import Office
from ombudsman.letters.models import Letter
from ombudsman.mail import plain_message
from ombudsman.portal.accounts import link_url
from ombudsman.portal.models import ExtensionRequest, ExtensionStatus, PortalUser
from ombudsman.recommendations.forms import STATUS_LABELS
from ombudsman.recommendations.models import Recommendation

PORTAL_PATH = "/portal/"


def _until(expires_at: datetime, office: Office, locale: str) -> str:
    """When a link stops working, in the office's zone: "7 Desember 2026 18.10 WITA"."""
    return dates.format_moment(expires_at, ZoneInfo(office.timezone), locale)


def _message(account: PortalUser, config: Mapping, subject: str, lines: list[str]) -> EmailMessage:
    body = "\n".join(
        [
            _("Yth. %(name)s,", name=account.name),
            "",
            *lines,
            "",
            _("Pesan ini dikirim otomatis oleh pelacak inspeksi Ombudsman."),
        ]
    )
    return plain_message(sender=config["MAIL_DEFAULT_SENDER"], to=account.email, subject=subject, body=body)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def invitation(
    account: PortalUser, secret: str, config: Mapping, *, office: Office, expires_at: datetime
) -> EmailMessage:
    """The admin's invitation from `office`: a single-use link that signs in and asks for a password, good
    until `expires_at` (aware UTC; the mail says it in the office's zone)."""
    locale = account.locale or "id"
    with force_locale(locale):
        lines = [
            _(
                "%(office)s mengundang Anda ke portal tanggapan instansi untuk %(authority)s.",
                office=office.name,
                authority=account.authority.name,
            ),
            _("Di portal Anda dapat membaca surat Ombudsman, menanggapi saran dan mengunggah bukti."),
            _("Buka tautan ini untuk masuk dan memilih kata sandi:"),
            "",
            link_url(config["PUBLIC_BASE_URL"], secret),
            "",
            _(
                "Tautan ini hanya dapat dipakai sekali dan berlaku sampai %(when)s.",
                when=_until(expires_at, office, locale),
            ),
        ]
        return _message(account, config, _("Undangan portal tanggapan instansi"), lines)


def delivery(
    account: PortalUser, letter: Letter, secret: str, config: Mapping, *, expires_at: datetime
) -> EmailMessage:
    """A letter delivered electronically: its number and subject, and a single-use link straight to it,
    good until `expires_at` (aware UTC; the mail says it in the letter's office's zone)."""
    locale = account.locale or "id"
    with force_locale(locale):
        lines = [
            _(
                "%(office)s mengirimkan surat nomor %(number)s tanggal %(date)s kepada %(authority)s.",
                office=letter.office.name,
                number=letter.number,
                date=dates.long_date(letter.letter_date),
                authority=letter.authority.name,
            ),
            _("Hal: %(hal)s", hal=_short(letter.hal)),
            "",
            _("Buka tautan ini untuk membaca surat dan menanggapinya:"),
            "",
            link_url(config["PUBLIC_BASE_URL"], secret),
            "",
            _(
                "Tautan ini hanya dapat dipakai sekali dan berlaku sampai %(when)s; "
                "sesudahnya masuk lewat %(url)s.",
                when=_until(expires_at, letter.office, locale),
                url=config["PUBLIC_BASE_URL"].rstrip("/") + PORTAL_PATH,
            ),
            _("Surat dianggap diterima pada hari Anda pertama kali membukanya di portal."),
        ]
        return _message(account, config, _("Surat Ombudsman nomor %(number)s", number=letter.number), lines)


def sign_in_link(account: PortalUser, secret: str, config: Mapping) -> EmailMessage:
    """A link asked for on the sign-in page."""
    minutes = int(config["PORTAL_LINK_MINUTES"])
    with force_locale(account.locale or "id"):
        lines = [
            _("Seseorang (semoga Anda) meminta tautan masuk ke portal tanggapan instansi."),
            "",
            link_url(config["PUBLIC_BASE_URL"], secret),
            "",
            _("Tautan ini hanya dapat dipakai sekali dan berlaku %(minutes)d menit.", minutes=minutes),
            _("Jika Anda tidak memintanya, abaikan pesan ini."),
        ]
        return _message(account, config, _("Tautan masuk portal"), lines)


def _recommendation_url(config: Mapping, rec: Recommendation) -> str:
    return f"{config['PUBLIC_BASE_URL'].rstrip('/')}{PORTAL_PATH}recommendations/{rec.id}"


def extension_decided(request: ExtensionRequest, new_due_on, config: Mapping) -> EmailMessage:
    """The office's decision on the account's extension request (and the new due date when granted)."""
    account, rec = request.portal_user, request.recommendation
    with force_locale(account.locale or "id"):
        if request.status is ExtensionStatus.GRANTED:
            subject = _("Permohonan perpanjangan dikabulkan")
            verdict = _(
                "Permohonan perpanjangan Anda dikabulkan. Tenggat baru: %(date)s.",
                date=dates.long_date(new_due_on),
            )
        else:
            subject = _("Permohonan perpanjangan ditolak")
            verdict = _("Permohonan perpanjangan Anda ditolak.")
        lines = [
            _("Saran: %(text)s", text=_short(rec.text)),
            "",
            verdict,
            *([_("Catatan kantor: %(note)s", note=request.decision_note)] if request.decision_note else []),
            "",
            _recommendation_url(config, rec),
        ]
        return _message(account, config, subject, lines)


def outcome_decided(account: PortalUser, rec: Recommendation, config: Mapping) -> EmailMessage:
    """The office recorded the outcome (`rec.status`) of a recommendation the account answers for."""
    with force_locale(account.locale or "id"):
        outcome_label = str(STATUS_LABELS[rec.status])
        lines = [
            _("Kantor Ombudsman telah menetapkan hasil tindak lanjut saran berikut."),
            _("Saran: %(text)s", text=_short(rec.text)),
            _("Hasil: %(outcome)s", outcome=outcome_label),
            "",
            _recommendation_url(config, rec),
        ]
        return _message(account, config, _("Hasil tindak lanjut ditetapkan"), lines)
