"""Password reset by e-mail: "Lupa kata sandi?" sends a link that sets a new password once.

A request always gets the same answer, whether or not the e-mail belongs to an active user, and does the same
work up to the mail (a secret is drawn and hashed either way). The link's secret is stored only as its SHA-256
on the user (`password_reset_sha256`), so a newer request replaces it, and it expires after
PASSWORD_RESET_MINUTES. Using it, or any password change, clears it. Setting the new password ends every
session of the user and lifts a lockout (the person proved they read the account's mail). Nothing here
commits; the caller sends the e-mail after its commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts import lockout, passwords, services
from ombudsman.accounts.commands import RESET_TOKEN, RequestPasswordReset, ResetPassword
from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.mail import plain_message

RESET_PATH = "/password/reset/{token}"
SECRET_BYTES = 32


@dataclass(frozen=True)
class ResetLink:
    """A reset link to mail: who gets it, in which language, and the secret (never stored as such)."""

    email: str
    name: str
    locale: str
    secret: str
    expires_at: datetime


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a reset secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def request_reset(request: RequestPasswordReset, *, now: datetime, lifetime: timedelta) -> ResetLink | None:
    """Prepare a reset link for the active user with that e-mail, or None when there is none.

    The caller answers the same either way. A pending link of the same user stops working. Audited.
    Raises `Invalid` on a malformed e-mail address.
    """
    contracts.validate(request)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    hashed = digest(secret)  # computed for unknown addresses too: the same work either way
    user = services.find_user_by_email(request.email)
    if user is None or not user.active:
        return None
    user.password_reset_sha256 = hashed
    user.password_reset_expires_at = now + lifetime
    audit.record(
        "user",
        user.id,
        "password_reset_requested",
        user_id=None,
        office_id=user.office_id,
        changes={"expires_at": user.password_reset_expires_at.isoformat()},
    )
    db.session.flush()
    return ResetLink(user.email, user.name, user.locale or "id", secret, user.password_reset_expires_at)


def user_for_token(secret: str, *, now: datetime) -> User | None:
    """The active user whose pending, unexpired reset link has this secret, or None."""
    if not secret or len(secret) > RESET_TOKEN.max:
        return None
    user = db.session.scalar(select(User).where(User.password_reset_sha256 == digest(secret)))
    if user is None or not user.active or user.password_reset_expires_at is None:
        return None
    return user if now < user.password_reset_expires_at else None


def reset_password(request: ResetPassword, *, now: datetime) -> User:
    """Set a new password through a reset link; the link is used up, every session ends, a lock is lifted.

    Raises `Invalid` (`token`: unknown, used, superseded or expired; `new_password`: the policy; `confirm`:
    no match). Audited. Returns the user.
    """
    contracts.validate(request)
    user = user_for_token(request.token, now=now)
    if user is None:
        raise Invalid(
            _l("Tautan atur ulang ini tidak berlaku lagi (sudah dipakai, diganti atau kedaluwarsa)."), "token"
        )
    if request.confirm != request.new_password:
        raise Invalid(_l("Kedua kata sandi baru tidak sama."), "confirm")
    passwords.check_policy(request.new_password, email=user.email, name=user.name, field="new_password")
    services.set_password(user, request.new_password)  # clears the link too
    lockout.clear(user)
    audit.record("user", user.id, "password_reset", user_id=user.id, office_id=user.office_id)
    return user


def reset_url(base_url: str, secret: str) -> str:
    """The absolute address of the reset page for a secret."""
    return base_url.rstrip("/") + RESET_PATH.format(token=secret)


def message(link: ResetLink, config: Mapping) -> EmailMessage:
    """The reset e-mail, in the recipient's language, with the link built from PUBLIC_BASE_URL."""
    minutes = int(config["PASSWORD_RESET_MINUTES"])
    with force_locale(link.locale):
        body = "\n".join(
            [
                _("Yth. %(name)s,", name=link.name),
                "",
                _("Seseorang (semoga Anda) meminta untuk mengatur ulang kata sandi akun Anda."),
                _("Buka tautan ini untuk memilih kata sandi baru:"),
                "",
                reset_url(config["PUBLIC_BASE_URL"], link.secret),
                "",
                _(
                    "Tautan ini hanya dapat dipakai sekali dan berlaku %(minutes)d menit.",
                    minutes=minutes,
                ),
                _("Jika Anda tidak memintanya, abaikan pesan ini: kata sandi Anda tidak berubah."),
                _("Pesan ini dikirim otomatis oleh pelacak inspeksi Ombudsman."),
            ]
        )
        subject = _("Atur ulang kata sandi")
    return plain_message(sender=config["MAIL_DEFAULT_SENDER"], to=link.email, subject=subject, body=body)
