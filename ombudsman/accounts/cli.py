"""`flask users ...` and `flask offices ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ombudsman import contracts
from ombudsman.accounts import services
from ombudsman.accounts.commands import OFFICE_FIELDS, OFFICE_TIMEZONES, OfficeDetails
from ombudsman.accounts.models import Role
from ombudsman.errors import DomainError
from ombudsman.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role.")
@click.option("--office", "office_name", required=True, help="Office name or short name (any case).")
@click.password_option("--password", help="Password (prompted when omitted).")
def create(email: str, name: str, role: str, office_name: str, password: str) -> None:
    """Create a user in an office; the password must pass the password policy (the admin form's)."""
    office = services.office_by_name(office_name)
    if office is None:
        known = "`flask offices list` shows their names"
        raise click.BadParameter(f"no office is named {office_name!r} ({known})", param_hint="--office")
    try:
        user = services.create_user_checked(
            email=email, name=name, role=role, office=office, password=password
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}) in {office.name}.")


offices_cli = AppGroup("offices", help="Representative offices (one deployment serves them all).")


@offices_cli.command("create")
@click.option("--name", required=True, help="Full name, as on the letterhead.")
@click.option("--short-name", default="", help="Short name (also accepted by `users create --office`).")
@click.option("--province", required=True, help="Province.")
@click.option("--city", required=True, help="City where its letters are dated.")
@click.option("--head-name", required=True, help="Name of the head of the office.")
@click.option("--head-title", required=True, help="Title of the head (e.g. Kepala Perwakilan).")
@click.option(
    "--timezone",
    required=True,
    help=f"Time zone of its dates and deadlines, one of: {', '.join(OFFICE_TIMEZONES)}.",
)
@click.option("--address", default="", help="Postal address (letterhead).")
@click.option("--phone", default="", help="Telephone (letterhead).")
@click.option("--email", default="", help="E-mail address (letterhead).")
@click.option("--website", default="", help="Website (letterhead).")
def create_office(**values: str) -> None:
    """Create an office; then add its admin with `users create --office NAME --role admin`, who completes the
    letterhead, letter numbering and calendar on the settings pages."""
    details = contracts.build(OfficeDetails, values)  # trimmed, as from the settings page
    try:
        office = services.create_office(details)
    except DomainError as exc:
        raise click.ClickException(_cli_message(exc)) from exc
    db.session.commit()
    click.echo(f"Created office {office.id}: {office.name}.")


@offices_cli.command("list")
def list_offices() -> None:
    """Every office: id, short name, time zone, active users, full name (tab-separated)."""
    offices = services.offices_with_user_counts()
    if not offices:
        click.echo("No office yet: add one with `flask offices create`.", err=True)
    for office, active_users in offices:
        columns = (office.id, office.short_name or "-", office.timezone, active_users, office.name)
        click.echo("\t".join(map(str, columns)))


def _cli_message(exc: DomainError) -> str:
    """A refusal, each message led by the option it concerns ("--timezone: …")."""
    parts = []
    for field_name, messages in exc.field_messages().items():
        prefix = f"--{field_name.replace('_', '-')}: " if field_name in OFFICE_FIELDS else ""
        parts.extend(prefix + str(message) for message in messages)
    return "; ".join(parts) or str(exc)
