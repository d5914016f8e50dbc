"""`flask users ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ombudsman.accounts import services
from ombudsman.accounts.models import Role
from ombudsman.errors import DomainError
from ombudsman.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role.")
@click.option("--office", "office_name", required=True, help="Office name or short name.")
@click.password_option("--password", help="Password (prompted when omitted).")
def create(email: str, name: str, role: str, office_name: str, password: str) -> None:
    """Create a user in an office; the password must pass the password policy (the admin form's)."""
    office = services.office_by_name(office_name)
    if office is None:
        raise click.BadParameter(f"no office named {office_name!r}", param_hint="--office")
    try:
        user = services.create_user_checked(
            email=email, name=name, role=role, office=office, password=password
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}) in {office.name}.")
