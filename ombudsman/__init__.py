"""Ombudsman inspection tracker: from an unannounced visit to a followed-up recommendation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from config import DEFAULT_SECRET_KEY, config_class

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: load config, validate it, then wire extensions, blueprints, errors and CLI."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    _load_config(app, config_name, overrides)
    _validate_config(app)
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
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}


def _validate_config(app: Flask) -> None:
    if not app.debug and not app.testing and app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise RuntimeError(
            "Set OMBUDSMAN_SECRET_KEY: production refuses to start with the default secret key."
        )
    evidence = Path(app.config["EVIDENCE_DIR"]).resolve()
    if evidence.is_relative_to(ROOT / "ombudsman"):
        raise RuntimeError("EVIDENCE_DIR must be outside the code tree.")


def _init_extensions(app: Flask) -> None:
    from ombudsman.accounts.models import User
    from ombudsman.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    from ombudsman.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)

    from ombudsman import dbsetup, models  # noqa: F401  (models registered; SQLite enforces foreign keys)


def _register_blueprints(app: Flask) -> None:
    from ombudsman import api
    from ombudsman.accounts.views import bp as accounts_bp
    from ombudsman.authorities.views import bp as authorities_bp
    from ombudsman.capture.views import bp as capture_bp
    from ombudsman.dashboard import bp as dashboard_bp
    from ombudsman.deadlines.settings_views import bp as deadline_settings_bp
    from ombudsman.deadlines.views import bp as deadlines_bp
    from ombudsman.inspections.checklist_views import bp as checklists_bp
    from ombudsman.inspections.views import bp as inspections_bp
    from ombudsman.inspections.views import evidence_bp, findings_bp
    from ombudsman.letters.settings_views import settings_bp as letter_settings_bp
    from ombudsman.letters.verify_views import verify_bp

    # The letter pages (views) and their workflow buttons (workflow_views) share one blueprint.
    from ombudsman.letters.workflow_views import bp as letters_bp
    from ombudsman.recommendations.views import bp as recommendations_bp
    from ombudsman.security import require_login

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
    ):
        app.register_blueprint(bp)
    api.init_app(app)
    app.before_request(require_login)


def _register_errors(app: Flask) -> None:
    from ombudsman.error_pages import register

    register(app)


def _register_cli(app: Flask) -> None:
    from ombudsman.accounts.cli import users_cli
    from ombudsman.dbsetup import analyze_command
    from ombudsman.deadlines.cli import deadlines_cli
    from ombudsman.letters.cli import letters_cli
    from ombudsman.seed import seed_demo_command, seed_reference_command

    app.cli.add_command(users_cli)
    app.cli.add_command(letters_cli)
    app.cli.add_command(deadlines_cli)
    app.cli.add_command(seed_reference_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(analyze_command)


def _register_templating(app: Flask) -> None:
    from ombudsman.templating import register

    register(app)
