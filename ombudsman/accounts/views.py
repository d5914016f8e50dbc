"""Sign-in, sign-out, language choice and the admin's user pages."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ombudsman import contracts, i18n
from ombudsman.accounts import lockout, passwords, resets, services
from ombudsman.accounts.commands import (
    ChangePassword,
    Login,
    OfficeDetails,
    RequestPasswordReset,
    ResetPassword,
    UserDetails,
)
from ombudsman.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    OfficeForm,
    ResetPasswordForm,
    UserForm,
)
from ombudsman.accounts.models import ApiToken, User
from ombudsman.accounts.permissions import ADMIN, EVERYONE, public, roles_required
from ombudsman.accounts.sessions import end_all_sessions, start_session
from ombudsman.audit import services as audit
from ombudsman.clock import utcnow
from ombudsman.errors import DomainError
from ombudsman.extensions import db, limiter
from ombudsman.forms_common import AppForm, filled, show_error
from ombudsman.mail import send_in_background

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site (after login, after a language switch); else the dashboard.

    "//host" and "/\\host" are other sites to a browser, so both are refused.
    """
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()  # a browser drops tabs and newlines: "/\t/host" is "//host"
    ):
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
        user = services.login(Login(email=form.email.data.strip(), password=form.password.data))
        if user is None:
            db.session.commit()  # the failure counts toward the account's lockout
            # One answer for a wrong password, an unknown e-mail and a locked account.
            form.password.errors.append(_("E-mail atau kata sandi salah."))
        else:
            # The language picked on this page stays, and is saved as the account's.
            start_session(user, remember=bool(form.remember.data))
            db.session.commit()
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
    """Switch the interface language, then go back to `?next=` (the page the link was on, a local path:
    base.html), else to the referrer's path: pages with `Referrer-Policy: no-referrer` (the public
    verification page) send none.

    A link followed from another site changes nothing (the browser's `Sec-Fetch-Site: cross-site` or
    `same-site`, Fetch Metadata): the switch saves the account's language, and a GET from elsewhere must not
    change what is stored. The app's own links send `same-origin`; a typed address or bookmark `none`;
    browsers without Fetch Metadata send no header and are taken at their word.
    """
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    back = request.args.get("next") or (request.referrer and urlsplit(request.referrer).path)
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return redirect(_safe_next(back), 303)
    i18n.choose(code)
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(back), 303)


@bp.get("/users/")
@roles_required(ADMIN)
def users():
    """The office's users."""
    rows = db.session.scalars(
        select(User).where(User.office_id == current_user.office_id).order_by(User.name)
    ).all()
    return render_template("accounts/users.html", users=rows)


def _user_details(form: UserForm) -> UserDetails:
    return UserDetails(
        email=form.email.data.strip(),
        name=form.name.data.strip(),
        role=form.role.data,
        password=form.password.data or "",
        active=form.active.data,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def user_new():
    """Create a user in the admin's office."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = services.add_user(current_user.office, _user_details(form), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Pengguna %(name)s dibuat.", name=user.name), "success")
            return redirect(url_for("accounts.users"), 303)
    return render_template(
        "accounts/user_form.html", form=form, user=None, password_min=passwords.min_length()
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
        try:
            services.update_user(user, _user_details(form), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
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
        token_form=AppForm(),
        locked=lockout.is_locked(user, utcnow()),
        password_min=passwords.min_length(),
    ), 200 if request.method == "GET" else 422


@bp.post("/users/<int:user_id>/unlock")
@roles_required(ADMIN)
def user_unlock(user_id: int):
    """An admin lifts the lockout of a user of their office (audited)."""
    user = db.session.get(User, user_id)
    if user is None or user.office_id != current_user.office_id:
        abort(404)
    if lockout.unlock(user, actor=current_user, now=utcnow()):
        flash(_("Kunci akun %(name)s dibuka.", name=user.name), "success")
    db.session.commit()
    return redirect(url_for("accounts.user_edit", user_id=user.id), 303)


@bp.route("/settings/office", methods=["GET", "POST"])
@roles_required(ADMIN)
def office_settings():
    """The admin edits the office's own details."""
    office = current_user.office
    form = OfficeForm(obj=office)
    if form.validate_on_submit():
        details = contracts.build(OfficeDetails, filled(form))
        try:
            services.update_office(office, details, user_id=current_user.id)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("accounts.office_settings"), 303)
    return render_template("accounts/office.html", form=form, trail=audit.trail("office", office.id)), (
        200 if request.method == "GET" else 422
    )


def _account_page(password_form: ChangePasswordForm, status: int = 200):
    return render_template(
        "accounts/account.html",
        tokens=services.tokens_of(current_user),
        now=utcnow(),
        form=AppForm(),
        password_form=password_form,
        password_min=passwords.min_length(),
    ), status


@bp.get("/account")
@roles_required(EVERYONE)
def account():
    """The signed-in user's own page: change the password, log out everywhere, their API tokens."""
    return _account_page(ChangePasswordForm())


@bp.post("/account/password")
@roles_required(EVERYONE)
def change_password():
    """The user changes their own password: every other session ends, this one stays signed in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        command = ChangePassword(
            current_password=form.current_password.data,
            new_password=form.new_password.data,
            confirm=form.confirm.data,
        )
        user = current_user._get_current_object()
        try:
            services.change_password(user, command, now=utcnow())
        except DomainError as exc:
            db.session.commit()  # only the failed-attempt count changed: it must stay counted
            show_error(form, exc)
        else:
            db.session.commit()
            login_user(user)  # the new session generation: this browser stays signed in, the others do not
            flash(_("Kata sandi diganti. Sesi di perangkat lain telah berakhir."), "success")
            return redirect(url_for("accounts.account"), 303)
    return _account_page(form, 422)


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


# --- password reset by e-mail ----------------------------------------------------------------------------


def _reset_email_key() -> str:
    """Rate-limit key for reset requests per e-mail address, any case (hashed: no addresses in Redis)."""
    email = services.normalize_email(request.form.get("email", "")[:300])
    return "reset-email:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_EMAIL"], key_func=_reset_email_key, methods=["POST"]
)
@public
def forgot_password():
    """ "Lupa kata sandi?": mail a reset link; the answer never tells whether the address has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"), 303)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        config = current_app.config
        link = resets.request_reset(
            RequestPasswordReset(email=form.email.data.strip()),
            now=utcnow(),
            lifetime=timedelta(minutes=int(config["PASSWORD_RESET_MINUTES"])),
        )
        db.session.commit()
        if link is not None:
            # Sent from a thread: the answer comes as fast whether or not the address has an account.
            send_in_background([resets.message(link, config)], config, logger=current_app.logger)
        return render_template("accounts/forgot_sent.html", minutes=int(config["PASSWORD_RESET_MINUTES"]))
    return render_template("accounts/forgot.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_ADDRESS"], methods=["POST"])
@public
def reset_password(token: str):
    """Choose a new password through the link of a reset e-mail; then sign in with it."""
    if resets.user_for_token(token, now=utcnow()) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        command = ResetPassword(token=token, new_password=form.new_password.data, confirm=form.confirm.data)
        try:
            resets.reset_password(command, now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            i18n.clear_session_keeping_choice()  # the sign-in page next comes in the language of this one
            flash(_("Kata sandi baru disimpan. Silakan masuk."), "success")
            return redirect(url_for("accounts.login"), 303)
    return render_template(
        "accounts/reset.html", form=form, password_min=passwords.min_length()
    ), 200 if request.method == "GET" else 422
