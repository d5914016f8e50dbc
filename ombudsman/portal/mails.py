"""The e-mails of the portal, written in the recipient's language (Bahasa Indonesia unless they chose
English) and sent over the one SMTP path (`ombudsman.mail`) after the caller's commit.

Every link is absolute, built from PUBLIC_BASE_URL; a sign-in link's secret appears only in the mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ombudsman.letters.models import Letter
from ombudsman.mail import plain_message
from ombudsman.portal.accounts import link_url
from ombudsman.portal.models import ExtensionRequest, ExtensionStatus, PortalUser
from ombudsman.recommendations.forms import STATUS_LABELS
from ombudsman.recommendations.models import Recommendation

PORTAL_PATH = "/portal/"


def _hours(config: Mapping) -> int:
    return int(config["PORTAL_INVITATION_HOURS"])


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


def invitation(account: PortalUser, secret: str, config: Mapping) -> EmailMessage:
    """The admin's invitation: a single-use link that signs in and asks for a password."""
    with force_locale(account.locale or "id"):
        lines = [
            _(
                "Kantor Ombudsman mengundang Anda ke portal tanggapan instansi untuk %(authority)s.",
                authority=account.authority.name,
            ),
            _("Di portal Anda dapat membaca surat Ombudsman, menanggapi saran dan mengunggah bukti."),
            _("Buka tautan ini untuk masuk dan memilih kata sandi:"),
            "",
            link_url(config["PUBLIC_BASE_URL"], secret),
            "",
            _("Tautan ini hanya dapat dipakai sekali dan berlaku %(hours)d jam.", hours=_hours(config)),
        ]
        return _message(account, config, _("Undangan portal tanggapan instansi"), lines)


def delivery(account: PortalUser, letter: Letter, secret: str, config: Mapping) -> EmailMessage:
    """A letter delivered electronically: its number and subject, and a single-use link straight to it."""
    with force_locale(account.locale or "id"):
        lines = [
            _(
                "%(office)s mengirimkan surat nomor %(number)s tanggal %(date)s kepada %(authority)s.",
                office=letter.office.name,
                number=letter.number,
                date=format_date(letter.letter_date, "long"),
                authority=letter.authority.name,
            ),
            _("Hal: %(hal)s", hal=_short(letter.hal)),
            "",
            _("Buka tautan ini untuk membaca surat dan menanggapinya:"),
            "",
            link_url(config["PUBLIC_BASE_URL"], secret),
            "",
            _(
                "Tautan ini hanya dapat dipakai sekali dan berlaku %(hours)d jam; "
                "sesudahnya masuk lewat %(url)s.",
                hours=_hours(config),
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
                date=format_date(new_due_on, "long"),
            )
        else:
            subject = _("Permohonan perpanjangan ditolak")
            verdict = _("Permohonan perpanjangan Anda ditolak.")
        lines = [
            _("Saran: %(text)s", text=_short(rec.text)),
            "",
            verdict,
            _("Catatan kantor: %(note)s", note=request.decision_note),
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
