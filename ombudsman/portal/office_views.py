"""The office's side of the portal: the admin's contact persons of an authority (with invitations), and
the decisions on authorities' extension requests from a recommendation's follow-up page.

Staff pages: every view names its roles; an extension request of another office is 404; the contacts of an
authority the admin's office never dealt with are 403 (`contacts.require_steward`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ombudsman import clock, contracts
from ombudsman.accounts.permissions import ADMIN, RECOMMEND, office_record_or_404, roles_required
from ombudsman.authorities.models import Authority
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import filled, flash_errors, show_error
from ombudsman.letters.models import Letter
from ombudsman.mail import send_messages
from ombudsman.portal import contacts, delivery, mails, responses
from ombudsman.portal.commands import ContactDetails, DecideExtension
from ombudsman.portal.forms import ContactForm, DecideExtensionForm, InviteForm
from ombudsman.portal.models import AuthorityContact, ExtensionRequest

bp = Blueprint("portal_office", __name__)
log = logging.getLogger(__name__)


def _contacts_page(authority: Authority, form: ContactForm | None = None, status: int = 200):
    return render_template(
        "portal/office/contacts.html",
        authority=authority,
        contacts=contacts.contacts_of(authority),
        form=form or ContactForm(formdata=None),
        invite_form=InviteForm(),
    ), status


@bp.get("/authorities/<int:authority_id>/contacts")
@roles_required(ADMIN)
def authority_contacts(authority_id: int):
    """The authority's contact persons, the form to add one, and their invitations."""
    authority = db.get_or_404(Authority, authority_id)
    contacts.require_steward(current_user, authority.id)
    return _contacts_page(authority)


@bp.post("/authorities/<int:authority_id>/contacts")
@roles_required(ADMIN)
def add_contact(authority_id: int):
    """Add a contact person."""
    authority = db.get_or_404(Authority, authority_id)
    contacts.require_steward(current_user, authority.id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            contacts.add_contact(authority, contracts.build(ContactDetails, filled(form)), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Kontak ditambahkan."), "success")
            return redirect(url_for("portal_office.authority_contacts", authority_id=authority.id), 303)
    return _contacts_page(db.get_or_404(Authority, authority_id), form, 422)


@bp.route("/authorities/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_contact(contact_id: int):
    """Change a contact person (deactivating one ends their portal access)."""
    contact = db.get_or_404(AuthorityContact, contact_id)
    contacts.require_steward(current_user, contact.authority_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            contacts.update_contact(
                contact, contracts.build(ContactDetails, filled(form)), actor=current_user
            )
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Kontak disimpan."), "success")
            return redirect(
                url_for("portal_office.authority_contacts", authority_id=contact.authority_id), 303
            )
    contact = db.get_or_404(AuthorityContact, contact_id)
    return render_template("portal/office/contact_form.html", form=form, contact=contact), (
        200 if request.method == "GET" else 422
    )


@bp.post("/authorities/contacts/<int:contact_id>/invite")
@roles_required(ADMIN)
def invite_contact(contact_id: int):
    """Send the contact an invitation to the portal: a single-use link that asks for a password."""
    contact = db.get_or_404(AuthorityContact, contact_id)
    contacts.require_steward(current_user, contact.authority_id)
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    hours = int(current_app.config["PORTAL_INVITATION_HOURS"])
    now = clock.utcnow()
    try:
        account, secret = contacts.invite(
            contact, actor=current_user, now=now, lifetime=timedelta(hours=hours)
        )
    except DomainError as exc:
        db.session.rollback()
        show_error(None, exc)
        return redirect(url_for("portal_office.authority_contacts", authority_id=contact.authority_id), 303)
    message = mails.invitation(
        account,
        secret,
        current_app.config,
        office=current_user.office,
        expires_at=now + timedelta(hours=hours),
    )
    authority_id = contact.authority_id
    db.session.commit()
    failed = send_messages([message], current_app.config)
    for _n, exc in failed:
        log.warning("contact %s: invitation mail to %s not sent: %s", contact_id, message["To"], exc)
    if failed:
        flash(_("Undangan tersimpan tetapi e-mail belum terkirim; coba kirim lagi."), "error")
    else:
        flash(_("Undangan dikirim ke %(email)s.", email=account.email), "success")
    return redirect(url_for("portal_office.authority_contacts", authority_id=authority_id), 303)


# --- electronic delivery ----------------------------------------------------------------------------------


@bp.post("/letters/<int:letter_id>/e-delivery/send")
@roles_required(RECOMMEND)
def send_deliveries(letter_id: int):
    """Mail the letter's electronic deliveries still unsent (the SMTP server was down when it was issued)."""
    letter = office_record_or_404(Letter, letter_id)
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    sent = delivery.send_pending(letter.id, current_app.config, now=clock.utcnow())
    unsent = [d for d in delivery.deliveries_of(db.session.get(Letter, letter_id)) if d.sent_at is None]
    if unsent:
        flash(_("%(n)d e-mail belum terkirim; coba lagi nanti.", n=len(unsent)), "error")
    else:
        flash(_("%(n)d e-mail terkirim.", n=sent), "success")
    return redirect(url_for("letters.show", letter_id=letter_id, _anchor="delivery"), 303)


# --- extension requests -----------------------------------------------------------------------------------


def _request_of_office(request_id: int) -> ExtensionRequest:
    item = db.session.get(ExtensionRequest, request_id)
    if item is None or item.office_id != current_user.office_id:
        abort(404)
    return item


def _decide(request_id: int, grant: bool):
    """Grant (the clock is extended, the due date moves with the explanation) or refuse a request; the
    authority is told by e-mail. Refusals are flashed on the follow-up page."""
    item = _request_of_office(request_id)
    rec_id = item.recommendation_id
    form = DecideExtensionForm()
    if form.validate_on_submit():
        cmd = contracts.build(DecideExtension, filled(form), grant=grant)
        try:
            responses.decide_extension(item, cmd, user=current_user, today=_today(), now=clock.utcnow())
        except DomainError as exc:
            db.session.rollback()
            show_error(None, exc)
        else:
            db.session.commit()
            delivery.notify_extension_decision(item, current_app.config, now=clock.utcnow())
            db.session.commit()
            flash(_("Keputusan atas permohonan perpanjangan disimpan dan dikirim ke instansi."), "success")
    else:
        flash_errors(form)
    return redirect(
        url_for("deadlines.follow_up", recommendation_id=rec_id, _anchor="extension-requests"), 303
    )


@bp.post("/deadlines/extension-requests/<int:request_id>/grant")
@roles_required(responses.DECIDE)
def grant_extension(request_id: int):
    """Grant an authority's extension request."""
    return _decide(request_id, True)


@bp.post("/deadlines/extension-requests/<int:request_id>/refuse")
@roles_required(responses.DECIDE)
def refuse_extension(request_id: int):
    """Refuse an authority's extension request (a note says why)."""
    return _decide(request_id, False)


def _today():
    return clock.today(current_user.office.timezone)


@bp.app_context_processor
def _portal_helpers() -> dict:
    """What staff templates show of the portal: contacts, deliveries and extension requests."""
    return {
        "portal_contacts": contacts.contacts_of,
        "portal_may_manage_contacts": lambda authority: contacts.may_manage(current_user, authority.id),
        "portal_contacts_rule": contacts.STEWARD_RULE,
        "portal_deliveries": delivery.deliveries_of,
        "portal_requests": responses.requests_of,
        "portal_proposed_days": responses.proposed_days,
        "portal_decide_form": DecideExtensionForm,
        "portal_extension_labels": responses.EXTENSION_LABELS,
        "portal_button_form": InviteForm,
    }
