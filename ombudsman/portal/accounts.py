"""Portal accounts: made for an authority's contact person, signed into with a password (the staff's policy,
Argon2id hashing, lockout and session generations: `ombudsman.accounts`) or with a single-use sign-in link.

Links (`PortalLink`) are stored as the SHA-256 of their secret only; each works once and until it expires:
invitations and letter deliveries after PORTAL_INVITATION_HOURS, links asked for on the sign-in page after
PORTAL_LINK_MINUTES (config.py). Nothing here commits; e-mail goes out after the caller's commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ombudsman import contracts
from ombudsman.accounts import lockout, passwords
from ombudsman.accounts.models import User
from ombudsman.accounts.sessions import end_all_sessions
from ombudsman.audit import services as audit
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.portal.commands import LINK_TOKEN, PortalSignIn, SetPortalPassword
from ombudsman.portal.models import AuthorityContact, LinkPurpose, PortalLink, PortalUser

SECRET_BYTES = 32
LINK_PATH = "/portal/link/{token}"


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a link's secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def link_url(base_url: str, secret: str) -> str:
    """The absolute address of a sign-in link (PUBLIC_BASE_URL + /portal/link/<secret>)."""
    return base_url.rstrip("/") + LINK_PATH.format(token=secret)


def find_by_email(email: str) -> PortalUser | None:
    """The portal account with that e-mail address, whatever its case."""
    return db.session.scalar(select(PortalUser).where(func.lower(PortalUser.email) == email.strip().lower()))


def account_for(contact: AuthorityContact, *, actor: User) -> PortalUser:
    """The contact's portal account, made (without a password) on first need; the audit trail names `actor`
    (the admin inviting, or the head whose issued letter is delivered to the contact) as its maker.

    Raises `Conflict` on `email` when another contact's account already signs in with that address, and
    `Invalid` when the contact is inactive.
    """
    if not contact.active:
        raise Invalid(_l("Kontak ini tidak aktif."), "email")
    if contact.account is not None:
        return contact.account
    email = contact.email.strip().lower()
    other = find_by_email(email)
    if other is not None:
        raise Conflict(
            _l("Alamat %(email)s sudah dipakai akun portal kontak lain.", email=email),
            "email",
        )
    account = PortalUser(contact=contact, authority_id=contact.authority_id, email=email, name=contact.name)
    db.session.add(account)
    db.session.flush()
    audit.record("portal_user", account.id, "created", user_id=actor.id, office_id=None)
    return account


def new_link(
    account: PortalUser,
    purpose: LinkPurpose,
    *,
    now: datetime,
    lifetime: timedelta,
    letter_id: int | None = None,
    created_by: User | None = None,
) -> str:
    """Store a fresh single-use link for the account and return its secret (only its SHA-256 is kept)."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    db.session.add(
        PortalLink(
            portal_user_id=account.id,
            purpose=purpose,
            token_sha256=digest(secret),
            letter_id=letter_id,
            created_by_id=created_by and created_by.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    return secret


def use_link(secret: str, *, now: datetime) -> PortalLink | None:
    """Spend a link: the usable link with this secret of an active account, now used; else None.

    The spending is one conditional UPDATE, so two clicks at once cannot both sign in.
    """
    if not secret or len(secret) > LINK_TOKEN.max:
        return None
    link = db.session.scalar(select(PortalLink).where(PortalLink.token_sha256 == digest(secret)))
    if link is None or not link.is_usable(now) or not link.portal_user.active:
        return None
    spent = db.session.execute(
        update(PortalLink)
        .where(PortalLink.id == link.id, PortalLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return None
    db.session.refresh(link)
    account = link.portal_user
    lockout.record_success(account)  # the person proved they read the account's mail
    account.last_login_at = now
    audit.record(
        "portal_user",
        account.id,
        "link_used",
        user_id=None,
        office_id=None,
        changes={"purpose": link.purpose.value},
    )
    return link


def authenticate(credentials: PortalSignIn, *, now: datetime) -> PortalUser | None:
    """The active, unlocked portal account with these credentials, or None; the caller commits either way.

    As `ombudsman.accounts.services.authenticate`: one answer and one Argon2 verification for every
    failure; a wrong password counts toward the lockout; an account without a password yet never matches.
    Raises `Invalid` on malformed input.
    """
    contracts.validate(credentials)
    account = find_by_email(credentials.email)
    if account is None or lockout.is_locked(account, now) or account.password_hash is None:
        passwords.verify(None, credentials.password)
        return None
    if not passwords.verify(account.password_hash, credentials.password):
        lockout.record_failure(account, now)
        return None
    if not account.active or not account.contact.active:
        return None
    lockout.record_success(account)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(credentials.password)
    account.last_login_at = now
    return account


def set_password(account: PortalUser, cmd: SetPortalPassword) -> None:
    """The signed-in portal user chooses a password (the staff policy); every other session ends.

    Raises `Invalid` (`new_password`: the policy; `confirm`: no match). Audited.
    """
    contracts.validate(cmd)
    if cmd.confirm != cmd.new_password:
        raise Invalid(_l("Kedua kata sandi baru tidak sama."), "confirm")
    passwords.check_policy(cmd.new_password, email=account.email, name=account.name, field="new_password")
    account.password_hash = passwords.hash_password(cmd.new_password)
    lockout.clear(account)
    end_all_sessions(account)
    audit.record("portal_user", account.id, "password_changed", user_id=None, office_id=None)


def deactivate(account: PortalUser) -> None:
    """End the account's access: inactive, every session ended (a deactivated contact's account)."""
    account.active = False
    end_all_sessions(account)
