"""Deadline rules: how long an authority has to act on each kind of recommendation, and since when.

Changing a rule never moves a stored due date; `changes.preview` shows the admin what would move.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts
from ombudsman.accounts.models import User
from ombudsman.audit import services as audit
from ombudsman.dates import day_text
from ombudsman.deadlines.commands import SaveRule
from ombudsman.deadlines.labels import rule_period
from ombudsman.deadlines.models import DeadlineRule, Start, Unit
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.lookup import rows_by_id
from ombudsman.recommendations.models import RecommendationKind

RULE_FIELDS = (
    "kind",
    "count",
    "unit",
    "starts",
    "next_working_day",
    "legal_basis",
    "note",
    "valid_from",
    "valid_to",
)


def applicable_rule(
    rules: Sequence[DeadlineRule], received_on: date, issued_on: date | None
) -> DeadlineRule | None:
    """Of one kind's rules, the one a clock counts with when the letter dated `issued_on` is received on
    `received_on`: the rule in force on the receipt date, unless that rule counts from the issue, then the
    rule in force on the issue date (the clock's own start date). None when no rule is in force.

    The one place this choice is made: the clock on receipt (`receipt`) and the sentence a letter states
    before it is received (`letter_sentence`) both ask here."""
    rule = next((r for r in rules if r.in_force_on(received_on)), None)
    if rule is not None and rule.starts is Start.ON_ISSUE and issued_on is not None:
        rule = next((r for r in rules if r.in_force_on(issued_on)), None)
    return rule


def rules_of_kind(kind: RecommendationKind | str) -> list[DeadlineRule]:
    """Every deadline rule of one kind of recommendation, by start of validity."""
    rules = db.session.scalars(select(DeadlineRule).where(DeadlineRule.kind == kind))
    return sorted(rules, key=lambda r: (r.valid_from or date.min, r.id))


def all_rules() -> list[DeadlineRule]:
    """Every deadline rule, by kind and start of validity."""
    rules = db.session.scalars(select(DeadlineRule))
    return sorted(rules, key=lambda r: (r.kind.value, r.valid_from or date.min, r.id))


def _span(valid_from: date | None, valid_to: date | None) -> LazyString:
    start = day_text(valid_from) if valid_from else _l("sejak awal")
    end = day_text(valid_to) if valid_to else _l("seterusnya")
    return LazyString(lambda: f"{start} \u2013 {end}")


def _overlaps(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    return (a_from or date.min) <= (b_to or date.max) and (b_from or date.min) <= (a_to or date.max)


def save_rule(rule: DeadlineRule | None, cmd: SaveRule, *, user: User | None) -> DeadlineRule:
    """Create (`rule` None) or change a deadline rule: a count within bounds, a valid span, no overlap with
    another rule of the same kind. Raises `Invalid` naming the field."""
    contracts.validate(cmd)
    try:
        kind = RecommendationKind(cmd.kind)
    except ValueError:
        raise Invalid(_l("Pilih jenis rekomendasi."), "kind") from None
    count = cmd.count
    if count is None:
        raise Invalid(_l("Isi jumlah hari."), "count")
    try:
        unit, starts = Unit(cmd.unit), Start(cmd.starts)
    except ValueError:
        raise Invalid(_l("Pilih satuan hari dan titik mulai."), "unit") from None
    valid_from, valid_to = cmd.valid_from, cmd.valid_to
    if valid_from and valid_to and valid_to < valid_from:
        raise Invalid(_l("Tanggal akhir berlaku tidak boleh sebelum tanggal mulai berlaku."), "valid_to")
    for other in db.session.scalars(select(DeadlineRule).where(DeadlineRule.kind == kind)):
        if other is not rule and _overlaps(valid_from, valid_to, other.valid_from, other.valid_to):
            raise Invalid(
                _l(
                    "Masa berlaku bertumpang tindih dengan aturan lain untuk jenis yang sama "
                    "(%(rule)s, %(span)s).",
                    rule=rule_period(other.count, other.unit, other.starts),
                    span=_span(other.valid_from, other.valid_to),
                ),
                "valid_from",
            )
    before = audit.snapshot(rule, RULE_FIELDS) if rule else {}
    if rule is None:
        rule = DeadlineRule()
        db.session.add(rule)
    rule.kind, rule.count, rule.unit, rule.starts = kind, count, unit, starts
    rule.next_working_day = bool(cmd.next_working_day)
    rule.legal_basis = (cmd.legal_basis or "").strip()
    rule.note = (cmd.note or "").strip()
    rule.valid_from, rule.valid_to = valid_from, valid_to
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
    if changes:
        audit.record(
            "deadline_rule",
            rule.id,
            "updated" if before else "created",
            user_id=user and user.id,
            office_id=user and user.office_id,
            changes=changes,
        )
    return rule


def ensure_rules(rows: list[dict[str, Any]]) -> None:
    """Add the seed rules whose kind has no rule yet (edits made since are kept)."""
    for row in rows:
        if (
            db.session.scalar(select(DeadlineRule.id).where(DeadlineRule.kind == row["kind"]).limit(1))
            is None
        ):
            save_rule(None, contracts.build(SaveRule, row), user=None)


def rule_labels(ids) -> dict:
    """{deadline rule id: row with `.kind`, `.count` and `.unit`}."""
    return rows_by_id((DeadlineRule.id, DeadlineRule.kind, DeadlineRule.count, DeadlineRule.unit), ids)
