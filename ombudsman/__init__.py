"""Ombudsman inspection tracker: from an unannounced visit to a followed-up recommendation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import config_class

ROOT = Path(__file__).resolve().parent.parent


def create_app(
    config_name: str | None = None, overrides: dict[str, Any] | None = None, *, refuse_unsafe: bool = True
) -> Flask:
    """Build the application: load config, validate it, then wire extensions, blueprints, errors and CLI.

    `config_name` is development, testing or production (default: OMBUDSMAN_ENV, else production).
    In production an unsafe configuration raises `ombudsman.deploy.UnsafeConfiguration` listing every
    problem, in any environment an unusable EVIDENCE_DIR does; only `flask check-deploy` passes
    `refuse_unsafe=False`, to report them. Creates EVIDENCE_DIR when it is missing.
    """
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    _load_config(app, config_name, overrides)
    _validate_config(app, refuse_unsafe)
    _wrap_proxy(app)
    _guard_input(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    _register_templating(app)
    return app


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given in the common forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _load_config(app: Flask, config_name: str | None, overrides: dict[str, Any] | None) -> None:
    app.config.from_object(config_class(config_name))
    # OMBUDSMAN_SECRET_KEY -> SECRET_KEY, OMBUDSMAN_EVIDENCE_DIR -> EVIDENCE_DIR, ...
    app.config.from_prefixed_env("OMBUDSMAN")
    url = app.config.pop("DATABASE_URL", None) or os.environ.get("DATABASE_URL")
    if url and not (overrides and "SQLALCHEMY_DATABASE_URI" in overrides):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["REDIS_URL"] = app.config.get("REDIS_URL") or os.environ.get("REDIS_URL", "")
    app.config.update(overrides or {})
    _development_public_url(app, overrides)
    if app.config["REDIS_URL"] and not (overrides and "RATELIMIT_STORAGE_URI" in overrides):
        # Every worker and node counts in the same place.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}


def _development_public_url(app: Flask, overrides: dict[str, Any] | None) -> None:
    """In development the QR codes and e-mail links point at the port the app serves on (`PORT`, as
    `make run` sets it), unless OMBUDSMAN_PUBLIC_BASE_URL names an address."""
    if app.config.get("ENVIRONMENT") != "development" or "OMBUDSMAN_PUBLIC_BASE_URL" in os.environ:
        return
    if overrides and "PUBLIC_BASE_URL" in overrides:
        return
    port = os.environ.get("PORT", "").strip()
    if port.isdigit() and 0 < int(port) < 65536:
        app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{int(port)}"


def _validate_config(app: Flask, refuse_unsafe: bool) -> None:
    from ombudsman import deploy

    # Judged on the configuration as given; `flask check-deploy` prints this list. Checking the evidence
    # directory creates it when missing and writes a nameless temporary file in it: the one file write in the
    # factory, because only a write proves the app will be able to store evidence there.
    app.extensions["unsafe_settings"] = deploy.unsafe_settings(app.config)
    if refuse_unsafe:
        deploy.refuse_unsafe(app.config, app.extensions["unsafe_settings"])
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        # Only `check-deploy` gets here (it has reported the missing URL); it never opens the database.
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"


def _wrap_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as configured (none by default: the headers are forgeable)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = {name: int(app.config[f"PROXY_FIX_X_{name.upper()}"] or 0) for name in ("for", "proto", "host")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"])


def _guard_input(app: Flask) -> None:
    """Refuse unreadable input (control characters, bad UTF-8, deep JSON, huge ids) before it is read."""
    from ombudsman import request_input

    request_input.install(app)


def _init_extensions(app: Flask) -> None:
    from ombudsman import rate_limits
    from ombudsman.accounts.sessions import load_session_user
    from ombudsman.extensions import babel, csrf, db, limiter, login_manager, migrate
    from ombudsman.session_cookie import SessionCookies

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    rate_limits.install(app, limiter)  # its hooks skip the requests no limit applies to
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    # Not tied to the client's address: a phone moving from the office Wi-Fi to mobile data keeps its session
    # (and what it was typing). Sessions end server-side instead, through the user's session generation.
    login_manager.session_protection = None
    login_manager.user_loader(load_session_user)
    app.session_interface = SessionCookies()

    from ombudsman import lazy_text
    from ombudsman.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    lazy_text.install(app)  # lazily translated messages carry user text: escaped in HTML like any text

    from ombudsman.page_cache import serving

    serving.init_app(app)

    from ombudsman import dbsetup, models  # noqa: F401  (models registered; SQLite enforces foreign keys)


def _register_blueprints(app: Flask) -> None:
    from ombudsman import api
    from ombudsman.accounts.views import bp as accounts_bp
    from ombudsman.authorities.views import bp as authorities_bp
    from ombudsman.capture.views import bp as capture_bp
    from ombudsman.dashboard import bp as dashboard_bp
    from ombudsman.deadlines.settings_views import bp as deadline_settings_bp
    from ombudsman.deadlines.views import bp as deadlines_bp
    from ombudsman.export_jobs.views import bp as exports_bp
    from ombudsman.health import bp as health_bp
    from ombudsman.inspections.checklist_views import bp as checklists_bp
    from ombudsman.inspections.evidence_views import bp as evidence_bp
    from ombudsman.inspections.views import bp as inspections_bp
    from ombudsman.inspections.views import findings_bp
    from ombudsman.jobs.views import bp as jobs_bp
    from ombudsman.letters.settings_views import settings_bp as letter_settings_bp
    from ombudsman.letters.signing_views import signing_page  # noqa: F401 (its routes join settings_bp)
    from ombudsman.letters.verify_views import verify_bp

    # The letter pages (views) and their workflow buttons (workflow_views) share one blueprint.
    from ombudsman.letters.workflow_views import bp as letters_bp
    from ombudsman.portal.office_views import bp as portal_office_bp
    from ombudsman.portal.views import bp as portal_bp
    from ombudsman.recommendations.views import bp as recommendations_bp
    from ombudsman.security import require_login, set_security_headers

    for bp in (
        accounts_bp,
        dashboard_bp,
        authorities_bp,
        inspections_bp,
        findings_bp,
        evidence_bp,
        recommendations_bp,
        checklists_bp,
        letters_bp,
        verify_bp,
        letter_settings_bp,
        deadlines_bp,
        deadline_settings_bp,
        capture_bp,
        health_bp,
        jobs_bp,
        exports_bp,
        portal_bp,
        portal_office_bp,
    ):
        app.register_blueprint(bp)
    api.init_app(app)
    app.before_request(require_login)
    app.after_request(set_security_headers)


def _register_errors(app: Flask) -> None:
    from ombudsman.error_pages import register

    register(app)


def _register_cli(app: Flask) -> None:
    from ombudsman.accounts.cli import offices_cli, users_cli
    from ombudsman.dbsetup import analyze_command
    from ombudsman.deadlines.cli import deadlines_cli
    from ombudsman.deploy import check_deploy_command
    from ombudsman.devserver import dev_command
    from ombudsman.inspections.cli import evidence_cli
    from ombudsman.jobs.cli import jobs_cli
    from ombudsman.letters.cli import letters_cli
    from ombudsman.seed import seed_demo_command, seed_reference_command

    app.cli.add_command(users_cli)
    app.cli.add_command(offices_cli)
    app.cli.add_command(letters_cli)
    app.cli.add_command(deadlines_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(seed_reference_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(analyze_command)
    app.cli.add_command(check_deploy_command)
    app.cli.add_command(dev_command)


def _register_templating(app: Flask) -> None:
    from ombudsman.templating import register

    register(app)
