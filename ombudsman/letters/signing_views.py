"""The office's electronic-signature settings page, /settings/letters/signing (the admin): the mode, the
trust roots used to verify signed letters, and the signatories' keys (`ombudsman.letters.signing`).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ombudsman.accounts.models import Role, User
from ombudsman.accounts.permissions import ADMIN, roles_required
from ombudsman.audit import services as audit
from ombudsman.errors import DomainError
from ombudsman.extensions import db
from ombudsman.forms_common import show_error
from ombudsman.letters import settings, signing
from ombudsman.letters.forms import SignatureModeForm, SigningKeyForm, TrustRootsForm
from ombudsman.letters.settings_views import settings_bp


def _heads() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.office_id == current_user.office_id, User.role == Role.HEAD, User.active.is_(True))
            .order_by(User.name)
        )
    )


def _page(mode_form=None, roots_form=None, key_form=None, status: int = 200):
    office = current_user.office
    office_settings = settings.for_office(office)
    key_form = key_form or SigningKeyForm()
    key_form.user_id.choices = [(u.id, u.name) for u in _heads()]
    return render_template(
        "letter_pages/signing.html",
        mode_form=mode_form or SignatureModeForm(electronic_signature=office_settings.electronic_signature),
        roots_form=roots_form or TrustRootsForm(),
        key_form=key_form,
        roots=signing.trust_roots_of(office_settings.trust_roots),
        keys=signing.office_keys(office),
        mode=office_settings.electronic_signature,
        timestamp_url=current_app.config.get("SIGNING_TIMESTAMP_URL"),
        fingerprint=signing.fingerprint,
        common_name=signing.common_name,
    ), status


def _read(upload, limit: int) -> bytes:
    try:
        return upload.read(limit + 1)
    finally:
        upload.close()


@settings_bp.get("/letters/signing")
@roles_required(ADMIN)
def signing_page():
    """The electronic-signature settings: mode, trust roots, signatories' keys."""
    return _page()


@settings_bp.post("/letters/signing/mode")
@roles_required(ADMIN)
def signing_mode():
    """Turn electronic-signature mode on or off (audited)."""
    form = SignatureModeForm()
    if not form.validate_on_submit():
        abort(400)
    office = current_user.office
    office_settings = settings.for_office(office)
    before = office_settings.electronic_signature
    office_settings.electronic_signature = bool(form.electronic_signature.data)
    if before != office_settings.electronic_signature:
        audit.record(
            "office",
            office.id,
            "letter_settings",
            user_id=current_user.id,
            office_id=office.id,
            changes={"electronic_signature": [before, office_settings.electronic_signature]},
        )
    db.session.commit()
    flash(_("Pengaturan tanda tangan elektronik disimpan."), "success")
    return redirect(url_for("letter_settings.signing_page"), 303)


@settings_bp.post("/letters/signing/roots")
@roles_required(ADMIN)
def signing_roots():
    """Replace the trust roots with an uploaded PEM bundle or DER certificate (CA certificates only)."""
    form = TrustRootsForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(roots_form=form, status=422)
    office = current_user.office
    data = _read(form.trust_roots.data, signing.MAX_TRUST_ROOTS_BYTES)
    try:
        signing.set_trust_roots(office, current_user, settings.for_office(office), data)
    except DomainError as exc:
        db.session.rollback()
        show_error(form, exc, default_field="trust_roots")
        return _page(roots_form=form, status=422)
    db.session.commit()
    flash(_("Sertifikat akar tepercaya disimpan."), "success")
    return redirect(url_for("letter_settings.signing_page"), 303)


@settings_bp.post("/letters/signing/keys")
@roles_required(ADMIN)
def signing_key():
    """Store a head's PKCS#12, checked with its passphrase (never stored), sealed at rest."""
    form = SigningKeyForm()
    form.user_id.choices = [(u.id, u.name) for u in _heads()]
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(key_form=form, status=422)
    signatory = db.session.get(User, form.user_id.data)
    data = _read(form.pkcs12.data, signing.MAX_PKCS12_BYTES)
    try:
        signing.upload_key(
            current_user.office,
            current_user,
            signatory,
            data,
            form.signing_passphrase.data or "",
            secret_key=current_app.config["SECRET_KEY"],
        )
    except DomainError as exc:
        db.session.rollback()
        show_error(form, exc, default_field="pkcs12")
        return _page(key_form=form, status=422)
    db.session.commit()
    flash(_("Sertifikat tanda tangan %(name)s disimpan.", name=signatory.name), "success")
    return redirect(url_for("letter_settings.signing_page"), 303)
