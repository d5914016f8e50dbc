"""An authority's contact persons in the register, managed by the admin, and their invitations.

Entry points take a `ContactDetails` command and the acting admin; they flush, never commit, audit what
changed, and raise `Invalid` (a bad value) or `Conflict` (the address is already a contact of the authority,
or another contact's portal account signs in with it). The invitation e-mail goes out after the commit.

Who may manage them (`require_steward`): the register of authorities is national and a portal contact reads
the letters of every office addressed to its authority, so an admin manages the contacts (and their portal
tokens) only of an authority their own office has dealt with: one it inspected (an inspection submitted or
with a finding recorded: an empty draft, which one inspector opens with a title, is not enough), made a
recommendation to, or
addressed a letter to (any status, a draft included: the contacts can be set up before the first letter is
issued). Any other admin gets `Forbidden`.

A contact may also answer for the authority's sub-units (`includes_sub_units`), and then reads their letters
too; the steward needs to have dealt with the authority itself, not with each sub-unit (a city's dinas are
many). Which office may speak for a ministry's directorates is a national rule this does not settle.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ombudsman import contracts
from ombudsman.accounts.models import Role, User
from ombudsman.audit import services as audit
from ombudsman.authorities.models import Authority
from ombudsman.deadlines.tallies import DeadlineTally
from ombudsman.errors import Conflict, Forbidden, Invalid
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding, Inspection, InspectionStatus
from ombudsman.letters.models import Letter
from ombudsman.portal import accounts
from ombudsman.portal.commands import ContactDetails
from ombudsman.portal.models import AuthorityContact, LinkPurpose, PortalUser

#: What the audit trail records of a contact.
CONTACT_FIELDS = ("name", "position", "email", "includes_sub_units", "active")

#: Who manages an authority's contacts, as the register page says it and as a refusal gives it.
STEWARD_RULE = _l(
    "Kontak instansi ini dikelola admin kantor yang pernah memeriksa, memberi rekomendasi kepada, atau "
    "menyurati instansi ini."
)


def office_dealt_with(office_id: int, authority_id: int) -> bool:
    """Whether the office inspected the authority (an inspection submitted, or with a finding recorded), made
    a recommendation to it (its deadline tally rows, keyed by office and authority) or addressed a letter to
    it, whatever the letter's status. One statement of indexed lookups."""
    recorded = select(Finding.id).where(Finding.inspection_id == Inspection.id)
    inspected = select(Inspection.id).where(
        Inspection.office_id == office_id,
        Inspection.authority_id == authority_id,
        (Inspection.status != InspectionStatus.DRAFT) | recorded.exists(),
    )
    recommended = select(DeadlineTally.office_id).where(
        DeadlineTally.office_id == office_id,
        DeadlineTally.authority_id == authority_id,
        DeadlineTally.recommendations != 0,
    )
    addressed = select(Letter.id).where(Letter.office_id == office_id, Letter.authority_id == authority_id)
    return bool(db.session.scalar(select(inspected.exists() | recommended.exists() | addressed.exists())))


def may_manage(actor: User, authority_id: int) -> bool:
    """Whether `actor` may manage the authority's contacts and their portal tokens (module docstring)."""
    return actor.role is Role.ADMIN and office_dealt_with(actor.office_id, authority_id)


def require_steward(actor: User, authority_id: int) -> None:
    """Raise `Forbidden` unless `actor` may manage the authority's contacts (`may_manage`)."""
    if actor.role is not Role.ADMIN:
        raise Forbidden(_l("Hanya admin yang mengelola kontak instansi."))
    if not office_dealt_with(actor.office_id, authority_id):
        raise Forbidden(_l("%(rule)s Kantor Anda belum pernah.", rule=STEWARD_RULE))


def contacts_of(authority: Authority) -> list[AuthorityContact]:
    """The authority's contacts, active first, by name."""
    return list(
        db.session.scalars(
            select(AuthorityContact)
            .where(AuthorityContact.authority_id == authority.id)
            .order_by(AuthorityContact.active.desc(), AuthorityContact.name)
        )
    )


def delivery_contacts(authority_id: int) -> list[AuthorityContact]:
    """The active contacts a letter to the authority is delivered to electronically."""
    return list(
        db.session.scalars(
            select(AuthorityContact)
            .where(AuthorityContact.authority_id == authority_id, AuthorityContact.active.is_(True))
            .order_by(AuthorityContact.name)
        )
    )


def _email(cmd: ContactDetails, authority_id: int, contact: AuthorityContact | None) -> str:
    email = cmd.email.strip().lower()
    local, at, domain = email.partition("@")
    if not local or not at or "." not in domain or any(c.isspace() for c in email):
        raise Invalid(_l("Alamat e-mail tidak sah."), "email")
    other = db.session.scalar(
        select(AuthorityContact).where(
            AuthorityContact.authority_id == authority_id, func.lower(AuthorityContact.email) == email
        )
    )
    if other is not None and other is not contact:
        raise Conflict(_l("Kontak dengan e-mail %(email)s sudah ada.", email=email), "email")
    return email


def add_contact(authority: Authority, cmd: ContactDetails, *, actor: User) -> AuthorityContact:
    """Add a contact person to the authority (its steward only, `require_steward`); audited."""
    require_steward(actor, authority.id)
    contracts.validate(cmd)
    contact = AuthorityContact(
        authority_id=authority.id,
        name=cmd.name.strip(),
        position=cmd.position.strip(),
        email=_email(cmd, authority.id, None),
        includes_sub_units=cmd.includes_sub_units,
        active=cmd.active,
        created_by_id=actor.id,
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "authority_contact",
        contact.id,
        "created",
        user_id=actor.id,
        office_id=None,
        changes=audit.snapshot(contact, CONTACT_FIELDS) | {"authority_id": authority.id},
    )
    return contact


def update_contact(contact: AuthorityContact, cmd: ContactDetails, *, actor: User) -> dict:
    """Change a contact (its authority's steward only, `require_steward`); returns the audited changes.

    A new address moves the contact's portal account to it; deactivating the contact deactivates the
    account and ends its sessions (reactivating the contact lets it sign in again).
    """
    require_steward(actor, contact.authority_id)
    contracts.validate(cmd)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    email = _email(cmd, contact.authority_id, contact)
    account = contact.account
    if account is not None and email != account.email:
        holder = accounts.find_by_email(email)
        if holder is not None and holder is not account:
            raise Conflict(
                _l("Alamat %(email)s sudah dipakai akun portal kontak lain.", email=email), "email"
            )
    contact.name, contact.position, contact.email = cmd.name.strip(), cmd.position.strip(), email
    contact.includes_sub_units, contact.active = cmd.includes_sub_units, cmd.active
    changes = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
    if account is not None:
        account.name = contact.name
        if account.email != email:
            account.email = email
            accounts.deactivate(account)  # sessions end; the account works again below if still active
        if contact.active:
            account.active = True
        else:
            accounts.deactivate(account)
    if changes:
        db.session.flush()
        audit.record(
            "authority_contact", contact.id, "updated", user_id=actor.id, office_id=None, changes=changes
        )
    return changes


def invite(
    contact: AuthorityContact, *, actor: User, now: datetime, lifetime: timedelta
) -> tuple[PortalUser, str]:
    """Make (or reuse) the contact's portal account and a single-use invitation link; returns the account and
    the link's secret for the e-mail. Audited. Raises as `accounts.account_for`, and `Forbidden`."""
    require_steward(actor, contact.authority_id)
    account = accounts.account_for(contact, actor=actor)
    secret = accounts.new_link(account, LinkPurpose.INVITATION, now=now, lifetime=lifetime, created_by=actor)
    audit.record(
        "authority_contact",
        contact.id,
        "invited",
        user_id=actor.id,
        office_id=None,
        changes={"email": account.email, "expires_at": (now + lifetime).isoformat()},
    )
    return account, secret
