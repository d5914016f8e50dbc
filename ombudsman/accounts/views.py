"""Sign-in, sign-out, language choice and the admin's user pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ombudsman.accounts import services
from ombudsman.accounts.forms import LoginForm, OfficeForm, UserForm
from ombudsman.accounts.models import ApiToken, Role, User
from ombudsman.accounts.permissions import ADMIN, EVERYONE, public, roles_required
from ombudsman.accounts.sessions import end_all_sessions
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.extensions import db, limiter

bp = Blueprint("accounts", __name__)

USER_FIELDS = ("email", "name", "role", "active")


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after login."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@public
def login():
    """Show the login form; sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("E-mail atau kata sandi salah."))
        else:
            db.session.commit()
            session.clear()
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")), 303)
    remember_days = _as_timedelta(current_app.config["REMEMBER_COOKIE_DURATION"]).days
    return render_template("accounts/login.html", form=form, remember_days=remember_days), (
        200 if request.method == "GET" else 422
    )


def _as_timedelta(value: timedelta | int) -> timedelta:
    """REMEMBER_COOKIE_DURATION as a timedelta (the environment gives it in seconds)."""
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


@bp.post("/logout")
@roles_required(EVERYONE)
def logout():
    """Sign out: this session and every other one of the user (a cookie saved before is worthless after)."""
    end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"), 303)


@bp.post("/account/sessions/end")
@roles_required(EVERYONE)
def end_sessions():
    """Log out everywhere: every session and remembered login of the user, on every device, this one too."""
    end_all_sessions(current_user)
    audit.record(
        "user",
        current_user.id,
        "sessions_ended",
        user_id=current_user.id,
        office_id=current_user.office_id,
    )
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda telah keluar dari semua perangkat."), "success")
    return redirect(url_for("accounts.login"), 303)


@bp.get("/lang/<code>")
@public
def set_language(code: str):
    """Switch the interface language."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(request.referrer and urlsplit(request.referrer).path), 303)


@bp.get("/users/")
@roles_required(ADMIN)
def users():
    """The office's users."""
    rows = db.session.scalars(
        select(User).where(User.office_id == current_user.office_id).order_by(User.name)
    ).all()
    return render_template("accounts/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def user_new():
    """Create a user in the admin's office."""
    form = UserForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Kata sandi wajib diisi untuk pengguna baru."))
        else:
            try:
                user = services.create_user(
                    email=form.email.data,
                    name=form.name.data,
                    role=form.role.data,
                    office=current_user.office,
                    password=form.password.data,
                )
            except services.AccountError as exc:
                form.email.errors.append(str(exc))
            else:
                user.active = form.active.data
                audit.record(
                    "user",
                    user.id,
                    "created",
                    user_id=current_user.id,
                    office_id=user.office_id,
                    changes=audit.snapshot(user, USER_FIELDS),
                )
                db.session.commit()
                flash(_("Pengguna %(name)s dibuat.", name=user.name), "success")
                return redirect(url_for("accounts.users"), 303)
    return render_template(
        "accounts/user_form.html", form=form, user=None
    ), 200 if request.method == "GET" else 422


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def user_edit(user_id: int):
    """Edit a user of the admin's office."""
    user = db.session.get(User, user_id)
    if user is None or user.office_id != current_user.office_id:
        abort(404)
    form = UserForm(obj=user, role=user.role.value) if request.method == "GET" else UserForm()
    if form.validate_on_submit():
        other = services.find_user_by_email(form.email.data)
        if other is not None and other.id != user.id:
            form.email.errors.append(_("E-mail sudah dipakai pengguna lain."))
        elif user.id == current_user.id and (form.role.data != Role.ADMIN or not form.active.data):
            form.role.errors.append(
                _("Anda tidak dapat mencabut peran admin atau menonaktifkan diri sendiri.")
            )
        else:
            before = audit.snapshot(user, USER_FIELDS)
            user.email = services.normalize_email(form.email.data)
            user.name = form.name.data.strip()
            user.role = Role(form.role.data)
            user.active = form.active.data
            changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
            if form.password.data:
                user.password_hash = services.hash_password(form.password.data)
                changes["password"] = ["***", "***"]
            if form.password.data or not user.active:
                # A new password or a deactivation ends every session the user has, wherever it is.
                end_all_sessions(user)
            audit.record(
                "user", user.id, "updated", user_id=current_user.id, office_id=user.office_id, changes=changes
            )
            db.session.commit()
            if user.id == current_user.id and form.password.data:
                login_user(user)  # an admin who changes their own password stays signed in here
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("accounts.users"), 303)
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        tokens=services.tokens_of(user),
        now=utcnow(),
        token_form=FlaskForm(),
    ), 200 if request.method == "GET" else 422


OFFICE_FIELDS = (
    "name",
    "short_name",
    "province",
    "city",
    "address",
    "phone",
    "email",
    "website",
    "head_name",
    "head_title",
    "timezone",
)


@bp.route("/settings/office", methods=["GET", "POST"])
@roles_required(ADMIN)
def office_settings():
    """The admin edits the office's own details."""
    office = current_user.office
    form = OfficeForm(obj=office)
    if form.validate_on_submit():
        before = audit.snapshot(office, OFFICE_FIELDS)
        for name in OFFICE_FIELDS:
            setattr(office, name, (getattr(form, name).data or "").strip())
        changes = audit.diff(before, audit.snapshot(office, OFFICE_FIELDS))
        if changes:
            audit.record(
                "office", office.id, "updated", user_id=current_user.id, office_id=office.id, changes=changes
            )
        db.session.commit()
        flash(_("Perubahan disimpan."), "success")
        return redirect(url_for("accounts.office_settings"), 303)
    return render_template("accounts/office.html", form=form, trail=audit.trail("office", office.id)), (
        200 if request.method == "GET" else 422
    )


@bp.get("/account")
@roles_required(EVERYONE)
def account():
    """The signed-in user's own page: their API tokens, with a button to revoke each."""
    return render_template(
        "accounts/account.html", tokens=services.tokens_of(current_user), now=utcnow(), form=FlaskForm()
    )


def _revoke(token: ApiToken) -> None:
    """Revoke a token with an audit event; it stops working at once."""
    if services.revoke_token(token, now=utcnow()):
        audit.record(
            "api_token",
            token.id,
            "revoked",
            user_id=current_user.id,
            office_id=current_user.office_id,
            changes={"prefix": token.prefix},
        )
        db.session.commit()
        flash(_("Token %(prefix)s\u2026 dicabut.", prefix=token.prefix), "success")


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(EVERYONE)
def revoke_token(token_id: int):
    """Revoke one of the user's own API tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    _revoke(token)
    return redirect(url_for("accounts.account"), 303)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@roles_required(ADMIN)
def user_revoke_token(user_id: int, token_id: int):
    """An admin revokes a token of a user of their office (a lost phone, a departed colleague)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.user.office_id != current_user.office_id:
        abort(404)
    _revoke(token)
    return redirect(url_for("accounts.user_edit", user_id=user_id, _anchor="tokens"), 303)
