"""Bearer tokens of portal accounts, for an authority's own systems to use the portal's JSON API.

A portal token starts with `omp_` (staff tokens with `omb_`, `ombudsman.accounts.services.TOKEN_PREFIX`)
and lives in its own table (`PortalApiToken`): the staff API never finds it, and the portal API never finds
a staff token, so neither kind of token works on the other's routes. Only the SHA-256 of the secret is
stored; the secret is returned once, when the token is made. Nothing here commits.

A token is made by the account itself with its e-mail and password (`create_token`: the portal's sign-in
rules, lockout included) or by an admin for it (`issue_token` with `created_by`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.commands import EMAIL, PASSWORD, TOKEN_LABEL
from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.contracts import Number, bounded
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.portal import accounts as portal_accounts
from ombudsman.portal.api_models import PortalApiToken
from ombudsman.portal.commands import PortalSignIn
from ombudsman.portal.models import PortalUser

TOKEN_PREFIX = "omp_"
#: The lifetime an admin may give a token for an authority's system, in days (a year at most: systems are
#: given a fresh one when it runs out, and a forgotten token does not work for ever).
TOKEN_DAYS = Number(1, 366)
# A token that was used this recently is not written to again, so reads do not each cost a write.
LAST_USED_GRANULARITY = timedelta(minutes=5)
# Longer than any token we make, shorter than anything worth hashing.
MAX_SECRET_LENGTH = 200


@dataclass(frozen=True)
class NewPortalApiToken:
    """A portal account's e-mail and password exchanged for a bearer token, with a label to recognise it."""

    email: str = bounded(EMAIL)
    password: str = bounded(PASSWORD)
    label: str = bounded(TOKEN_LABEL, default="")


@dataclass(frozen=True)
class IssuePortalApiToken:
    """An admin makes a token for a portal account: its label and how many days it works."""

    label: str = bounded(TOKEN_LABEL, default="")
    days: int = bounded(TOKEN_DAYS, default=30)


def token_digest(secret: str) -> str:
    """The SHA-256 (hex) under which a token is stored; the secret itself never is."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    request: NewPortalApiToken, *, lifetime: timedelta, now: datetime
) -> tuple[PortalApiToken, str] | None:
    """Sign in for the portal API: a new token for the portal account with these credentials, or None.

    The credentials are checked by `ombudsman.portal.accounts.authenticate` (a failure counts toward the
    account's lockout: the caller commits either way). Raises `Invalid` on malformed input.
    """
    contracts.validate(request)
    account = portal_accounts.authenticate(PortalSignIn(request.email, request.password), now=now)
    if account is None:
        return None
    return issue_token(account, lifetime=lifetime, now=now, label=request.label)


def issue_token(
    account: PortalUser,
    *,
    lifetime: timedelta,
    now: datetime,
    label: str = "",
    created_by: User | None = None,
) -> tuple[PortalApiToken, str]:
    """A new token for the account; returns the record and the secret, which is shown only this once.

    `created_by` is the admin who made it for the account (None: the account itself). Audited.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PortalApiToken(
        portal_user_id=account.id,
        token_sha256=token_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        label=label.strip(),
        created_by_id=created_by and created_by.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "portal_api_token",
        token.id,
        "created",
        user_id=created_by and created_by.id,
        office_id=created_by and created_by.office_id,
        changes={
            "portal_user_id": account.id,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, secret


def issue_for(account: PortalUser, cmd: IssuePortalApiToken, *, by: User, now: datetime):
    """An admin's token for the account (`cmd.days` long); returns (token, secret). Raises `Invalid` on the
    label or the days, and on an inactive account (`portal_user_id`)."""
    contracts.validate(cmd)
    if not account.active or not account.contact.active:
        raise Invalid(_l("Akun portal ini tidak aktif."), "portal_user_id")
    return issue_token(account, lifetime=timedelta(days=cmd.days), now=now, label=cmd.label, created_by=by)


def token_for_secret(secret: str, *, now: datetime) -> PortalApiToken | None:
    """The valid token with this secret whose account and contact are active, or None; notes its use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    token = db.session.scalar(
        select(PortalApiToken).where(PortalApiToken.token_sha256 == token_digest(secret))
    )
    if token is None or not token.is_valid(now):
        return None
    account = token.portal_user
    if not account.active or not account.contact.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token


def revoke_token(token: PortalApiToken, *, now: datetime, by: User | None = None) -> bool:
    """Revoke a token (by the account itself, or by the admin `by`); False when it already was. Audited."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    audit.record(
        "portal_api_token",
        token.id,
        "revoked",
        user_id=by and by.id,
        office_id=by and by.office_id,
        changes={"portal_user_id": token.portal_user_id, "prefix": token.prefix},
    )
    return True


def tokens_of(account: PortalUser) -> list[PortalApiToken]:
    """The account's tokens, newest first."""
    return list(
        db.session.scalars(
            select(PortalApiToken)
            .where(PortalApiToken.portal_user_id == account.id)
            .order_by(PortalApiToken.created_at.desc(), PortalApiToken.id.desc())
        )
    )
