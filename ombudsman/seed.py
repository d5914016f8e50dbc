"""`flask seed-reference` (register, routing rules, checklist) and `flask seed-demo` (the Kupang case).

Both only add what is missing: running them again changes nothing, and edits made since are kept.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ombudsman import reference_data as reference
from ombudsman import seed_data as data
from ombudsman.accounts import services as accounts
from ombudsman.accounts.models import Office, User
from ombudsman.authorities import services as authorities
from ombudsman.authorities.models import Authority, Level, Responsibility, RoutingRule
from ombudsman.deadlines import rules as deadline_rules
from ombudsman.deadlines import services as deadlines
from ombudsman.extensions import db
from ombudsman.inspections import services as inspections
from ombudsman.inspections.models import Checklist, ChecklistItem, Finding, Inspection
from ombudsman.letters import demo_signing
from ombudsman.letters import services as letters
from ombudsman.letters.commands import UpdateLetterSettings
from ombudsman.letters.models import Letter
from ombudsman.letters.numbering import DEFAULT_NUMBER_TEMPLATE
from ombudsman.recommendations import services as recommendations
from ombudsman.recommendations.models import Recommendation

DEMO_PASSWORD = "demo"


def _authority(name: str) -> Authority | None:
    return db.session.scalar(select(Authority).where(Authority.name == name))


def ensure_authorities(names: set[str] | None = None) -> dict[str, Authority]:
    """Add the register entries of the seed data that are missing (all, or those named)."""
    result: dict[str, Authority] = {}
    for name, short, level, head, place, address, parent in data.AUTHORITIES:
        if names is not None and name not in names:
            continue
        existing = _authority(name)
        if existing is None:
            existing = authorities.create_authority(
                {
                    "name": name,
                    "short_name": short,
                    "level": Level(level),
                    "head_title": head,
                    "place_line": place,
                    "address": address,
                    "parent_id": result[parent].id if parent else None,
                    "active": True,
                },
                user_id=None,
            )
        result[name] = existing
    return result


def ensure_routing_rules() -> None:
    """Add the default adminduk routing rules that are missing."""
    for position, row in enumerate(reference.ROUTING_RULES, start=1):
        code, theme, keywords, resp, level, named, second_level, second_named, reason, basis = row
        if db.session.scalar(select(RoutingRule).where(RoutingRule.code == code)):
            continue
        authorities.save_rule(
            None,
            {
                "code": code,
                "theme": theme,
                "keywords": keywords,
                "responsibility": Responsibility(resp),
                "level": Level(level),
                "authority_id": _authority(named).id if named else None,
                "second_level": Level(second_level) if second_level else None,
                "second_authority_id": _authority(second_named).id if second_named else None,
                "reason": reason,
                "legal_basis": basis,
                "position": position * 10,
                "active": True,
            },
            user_id=None,
        )


def ensure_checklist() -> Checklist:
    """Add version 1 of the adminduk checklist if no version exists."""
    checklist = db.session.scalar(
        select(Checklist)
        .where(Checklist.code == reference.CHECKLIST_CODE)
        .order_by(Checklist.version.desc())
        .limit(1)
    )
    if checklist is not None:
        return checklist
    rules = {r.code: r for r in db.session.scalars(select(RoutingRule))}
    checklist = Checklist(
        code=reference.CHECKLIST_CODE, version=1, name=reference.CHECKLIST_NAME, active=True
    )
    for position, (code, group, label, basis, rule_code) in enumerate(reference.CHECKLIST_ITEMS, start=1):
        checklist.items.append(
            ChecklistItem(
                code=code,
                group=group,
                label=label,
                basis=basis,
                routing_rule=rules.get(rule_code),
                position=position * 10,
            )
        )
    db.session.add(checklist)
    db.session.flush()
    return checklist


def ensure_deadline_rules() -> None:
    """Add the three deadline rules of DOMAIN.md for kinds that have none."""
    deadline_rules.ensure_rules(data.DEADLINE_RULES)


def seed_reference() -> None:
    """The data every installation needs: central bodies, routing rules, checklist, deadline rules."""
    ensure_authorities(data.REFERENCE_AUTHORITIES)
    ensure_routing_rules()
    ensure_checklist()
    ensure_deadline_rules()


def _ensure_office() -> tuple[Office, bool]:
    """The demo office, and whether it was just made."""
    office = db.session.scalar(select(Office).where(Office.name == data.OFFICE["name"]))
    if office is not None:
        return office, False
    office = Office(**data.OFFICE)
    db.session.add(office)
    db.session.flush()
    settings = deadlines.UpdateCalendarSettings(**data.OFFICE_CALENDAR)
    deadlines.update_calendar_settings(office, settings, user=None)
    return office, True


def _set_letter_settings(office: Office, admin: User) -> None:
    """The demo office's letterhead and number codes, set as its admin would on the settings page."""
    cmd = UpdateLetterSettings(**{"number_template": DEFAULT_NUMBER_TEMPLATE, **data.LETTER_SETTINGS})
    letters.update_settings(office, admin, cmd)


def _ensure_users(office: Office) -> dict[str, User]:
    users = {}
    for email, name, role in data.DEMO_USERS:
        user = accounts.find_user_by_email(email)
        if user is None:
            # Bypasses the password policy on purpose (create_user, not create_user_checked): the demo
            # accounts use "demo", which the policy refuses. Demo data only: never seed a real deployment.
            user = accounts.create_user(
                email=email, name=name, role=role, office=office, password=DEMO_PASSWORD
            )
        users[role] = user
    return users


def _ensure_inspection(office: Office, users: dict[str, User], register: dict[str, Authority]) -> Inspection:
    inspection = db.session.scalar(
        select(Inspection).where(Inspection.client_id == data.INSPECTION_CLIENT_ID)
    )
    if inspection is not None:
        return inspection
    d = data.INSPECTION
    inspection = inspections.create_inspection(
        office,
        users["inspector"],
        {
            "title": d["title"],
            "kind": d["kind"],
            "authority_id": register[data.DINAS_KUPANG].id,
            "visited_on": d["visited_on"],
            "started_at": inspections.local_datetime(d["visited_on"], d["start"], office.timezone),
            "ended_at": inspections.local_datetime(d["visited_on"], d["end"], office.timezone),
            "place": d["place"],
            "trigger": d["trigger"],
            "summary": d["summary"],
            "visitors_per_day": d["visitors_per_day"],
            "queue_system": d["queue_system"],
            "client_id": data.INSPECTION_CLIENT_ID,
        },
        team_ids=[users["supervisor"].id, users["head"].id],
    )
    return inspection


def _ensure_findings(inspection: Inspection, users: dict[str, User]) -> dict[int, Finding]:
    existing = {f.number: f for f in inspection.findings}
    rules = {r.code: r for r in db.session.scalars(select(RoutingRule))}
    for number, title, description, rule_code, forms, severity, basis in data.FINDINGS:
        if number in existing:
            continue
        existing[number] = inspections.create_finding(
            inspection,
            users["inspector"],
            {
                "title": title,
                "description": description,
                "routing_rule_id": rules[rule_code].id,
                "maladministration": forms,
                "severity": severity,
                "legal_basis": basis,
                "client_id": f"{data.INSPECTION_CLIENT_ID[:-6]}find{number:02d}",
            },
        )
    return existing


def _ensure_recommendations(
    office: Office, users: dict[str, User], findings: dict[int, Finding], register: dict[str, Authority]
) -> None:
    for suffix, addressee, numbers, text in data.RECOMMENDATIONS:
        client_id = f"{data.INSPECTION_CLIENT_ID[:-6]}rec-{suffix}"
        if db.session.scalar(select(Recommendation).where(Recommendation.client_id == client_id)):
            continue
        recommendations.create(
            office.id,
            users["inspector"],
            {
                "finding_ids": [findings[n].id for n in numbers],
                "authority_id": register[addressee].id,
                "kind": "saran",
                "text": text,
                "position": int(suffix),
                "client_id": client_id,
            },
        )


def _ensure_letters(inspection: Inspection, users: dict[str, User]) -> None:
    """The two draft letters: to the Wali Kota Kupang and to the Dirjen Dukcapil (once)."""
    if db.session.scalar(select(Letter.id).where(Letter.inspection_id == inspection.id).limit(1)) is None:
        letters.draft_from_inspection(inspection, users["inspector"])


def seed_demo(*, electronic_signature: bool = False) -> Office:
    """The Kupang e-KTP sidak of 30 July 2018: office, users, findings, recommendations, draft letters.

    `electronic_signature` (the demo as `flask seed-demo` and `make run` load it): the demo head gets a
    TEST certificate (its own TEST CA, made now; passphrase "demo") and the office signs its letters
    electronically (`letters.demo_signing`). Off (tests, benchmarks), letters are signed on paper.
    """
    seed_reference()
    register = ensure_authorities()
    office, new_office = _ensure_office()
    users = _ensure_users(office)
    if new_office:  # an office seeded before keeps the settings its admin has chosen since
        _set_letter_settings(office, users["admin"])
    inspection = _ensure_inspection(office, users, register)
    findings = _ensure_findings(inspection, users)
    _ensure_recommendations(office, users, findings, register)
    db.session.flush()
    db.session.expire(inspection, ["findings"])
    _ensure_letters(inspection, users)
    if electronic_signature:
        demo_signing.ensure_demo_signing(
            office, users["admin"], users["head"], secret_key=current_app.config["SECRET_KEY"]
        )
    return office


@click.command("seed-reference")
@with_appcontext
def seed_reference_command() -> None:
    """Load the central authorities, routing rules, checklist and deadline rules (idempotent)."""
    seed_reference()
    db.session.commit()
    click.echo("Reference data is in place.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no office yet.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the Kupang demo case (idempotent; demo users' password is 'demo')."""
    if if_empty and db.session.scalar(select(Office.id).limit(1)) is not None:
        click.echo("The database already has data; demo case not loaded.")
        return
    office = seed_demo(electronic_signature=True)
    db.session.commit()
    click.echo(f"Demo case loaded for {office.name}.")
    click.echo("Log in with inspector@demo.test / demo (also supervisor@, head@, admin@, viewer@demo.test).")
    click.echo("The head signs letters electronically with a TEST certificate; its passphrase is 'demo'.")
    click.echo("Demo data only: these passwords bypass the password policy. Never seed a real deployment.")
