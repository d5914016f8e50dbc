"""The authority register and routing: who is responsible for what.

Changes take a command of `ombudsman.authorities.commands`, check it and refuse with `ombudsman.errors`
(`Invalid` for a bad value, `Conflict` for a code in use or a deletion something still refers to).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask import g
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ombudsman import contracts, search
from ombudsman.audit import services as audit
from ombudsman.authorities.commands import RULE_CODE_PATTERN, AuthorityDetails, RoutingRuleDetails
from ombudsman.authorities.models import Authority, AuthorityVersion, Level, Responsibility, RoutingRule
from ombudsman.errors import Conflict, Invalid
from ombudsman.extensions import db
from ombudsman.lookup import rows_by_id

AUTHORITY_FIELDS = (
    "name",
    "short_name",
    "level",
    "head_title",
    "place_line",
    "address",
    "email",
    "phone",
    "parent_id",
    "active",
)
RULE_FIELDS = (
    "code",
    "theme",
    "keywords",
    "responsibility",
    "level",
    "authority_id",
    "second_level",
    "second_authority_id",
    "reason",
    "legal_basis",
    "position",
    "active",
)
LEVEL_LABELS = {
    Level.CENTRAL: _l("Pusat"),
    Level.PROVINCIAL: _l("Provinsi"),
    Level.REGENCY_CITY: _l("Kabupaten/Kota"),
}
RESPONSIBILITY_LABELS = {
    Responsibility.LOCAL: _l("Daerah"),
    Responsibility.CENTRAL: _l("Pusat"),
    Responsibility.SHARED: _l("Bersama"),
}


def _choice(enum_cls, value, field: str):
    if value is None:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        raise Invalid(_l("Pilihan tidak dikenal."), field) from None


def search_query(q: str = "", level: Level | None = None, active: bool | None = None):
    """A select() over the register, filtered by text (the words of the name, short name or head's title,
    see `ombudsman.search`), level and active flag, ordered by name."""
    stmt = select(Authority).order_by(Authority.name, Authority.id)
    if q.strip():
        stmt = stmt.where(search.AUTHORITIES.matches(Authority.id, q))
    if level is not None:
        stmt = stmt.where(Authority.level == level)
    if active is not None:
        stmt = stmt.where(Authority.active.is_(active))
    return stmt


def active_authorities() -> list[Authority]:
    """Every active authority, for choice lists."""
    return list(db.session.scalars(search_query(active=True)))


def authority_choices():
    """Every active authority as light (id, name) rows ordered by name, for filter drop-downs.

    Two columns, not whole objects, and read once per request (kept in `flask.g`): the findings list at
    national scale lists a few thousand authorities in its filter (issue 12).
    """
    if "authority_choices" not in g:
        g.authority_choices = db.session.execute(
            select(Authority.id, Authority.name)
            .where(Authority.active.is_(True))
            .order_by(Authority.name, Authority.id)
        ).all()
    return g.authority_choices


def chain(authority: Authority) -> list[Authority]:
    """The authority and its ancestors, nearest first (cycles are refused on save, but guarded here too)."""
    seen: list[Authority] = []
    node: Authority | None = authority
    while node is not None and node not in seen:
        seen.append(node)
        node = node.parent
    return seen


def _check_parent(authority: Authority | None, parent_id: int | None) -> Authority | None:
    if parent_id is None:
        return None
    parent = db.session.get(Authority, parent_id)
    if parent is None:
        raise Invalid(_l("Induk tidak ditemukan."), "parent_id")
    if authority is not None and authority in chain(parent):
        raise Invalid(_l("Induk tidak boleh instansi ini sendiri atau bawahannya."), "parent_id")
    return parent


def _snapshot_version(authority: Authority, user_id: int | None) -> None:
    db.session.add(
        AuthorityVersion(
            authority=authority,
            version=authority.version,
            changed_by_id=user_id,
            **{f: getattr(authority, f) for f in AUTHORITY_FIELDS},
        )
    )


def _authority_values(details: AuthorityDetails) -> dict[str, Any]:
    contracts.validate(details)
    values = {name: getattr(details, name) for name in AUTHORITY_FIELDS}
    values["level"] = _choice(Level, details.level, "level")
    return values


def create_authority(details: AuthorityDetails | Mapping[str, Any], *, user_id: int | None) -> Authority:
    """Add an authority with its first history version and an audit event; raises `Invalid`."""
    values = _authority_values(contracts.command_from(AuthorityDetails, details))
    _check_parent(None, values["parent_id"])
    authority = Authority(version=1, **values)
    db.session.add(authority)
    db.session.flush()
    _snapshot_version(authority, user_id)
    audit.record(
        "authority",
        authority.id,
        "created",
        user_id=user_id,
        office_id=None,
        changes=audit.snapshot(authority, AUTHORITY_FIELDS),
    )
    return authority


def update_authority(authority: Authority, details: AuthorityDetails, *, user_id: int | None) -> dict:
    """Apply `details`; a real change bumps the version and keeps the old state in history."""
    values = _authority_values(details)
    _check_parent(authority, values["parent_id"])
    before = audit.snapshot(authority, AUTHORITY_FIELDS)
    for key, value in values.items():
        setattr(authority, key, value)
    changes = audit.diff(before, audit.snapshot(authority, AUTHORITY_FIELDS))
    if changes:
        authority.version += 1
        _snapshot_version(authority, user_id)
        audit.record("authority", authority.id, "updated", user_id=user_id, office_id=None, changes=changes)
    return changes


#: What may still use an authority, in the words of the refusal to delete it and in the order it names them.
#: Words, never counts: the register is national, and the records are other offices' too.
USES = {
    "sub_authorities": _l("instansi bawahan"),
    "routing_rules": _l("aturan penentuan instansi"),
    "inspections": _l("inspeksi"),
    "findings": _l("temuan"),
    "recommendations": _l("rekomendasi"),
    "letters": _l("surat"),
    "contacts": _l("kontak instansi"),
    "other": _l("data lain"),
}
#: Each table with a foreign key to `authorities` -> its use in `USES` (a tally counts findings or
#: recommendations, a copy belongs to a letter, a portal account to a contact); another table is "other".
USE_OF_TABLE = {
    "authorities": "sub_authorities",
    "routing_rules": "routing_rules",
    "inspections": "inspections",
    "findings": "findings",
    "finding_tallies": "findings",
    "recommendations": "recommendations",
    "deadline_tallies": "recommendations",
    "deadline_day_tallies": "recommendations",
    "letters": "letters",
    "letter_copies": "letters",
    "authority_contacts": "contacts",
    "portal_users": "contacts",
}


def uses(authority: Authority) -> list[str]:
    """What still points at this authority, as keys of `USES` in their order (its own history excluded)."""
    found = set()
    for table in db.metadata.sorted_tables:
        if table.name == AuthorityVersion.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Authority.__tablename__:
                row = db.session.scalar(select(fk.parent).where(fk.parent == authority.id).limit(1))
                if row is not None:
                    found.add(USE_OF_TABLE.get(table.name, "other"))
    return [use for use in USES if use in found]


def _spoken(words: list[LazyString]) -> str:
    """`words` as one phrase in the reader's language ("temuan, surat, dan instansi bawahan")."""
    return format_list([str(word) for word in words], locale=get_locale())


def delete_authority(authority: Authority, *, user_id: int | None) -> None:
    """Delete an authority nothing points at; else refuse (`Conflict`), naming what kind of records do."""
    used = uses(authority)
    if used:
        raise Conflict(
            _l(
                "Instansi ini masih dipakai oleh %(uses)s; nonaktifkan saja, jangan dihapus.",
                uses=LazyString(_spoken, [USES[use] for use in used]),
            )
        )
    audit.record(
        "authority",
        authority.id,
        "deleted",
        user_id=user_id,
        office_id=None,
        changes=audit.snapshot(authority, AUTHORITY_FIELDS),
    )
    db.session.delete(authority)


@dataclass(frozen=True)
class Suggestion:
    """What the routing rules propose for a finding, and why."""

    rule: RoutingRule | None
    authority: Authority | None
    second_authority: Authority | None
    reason: str | LazyString  # rendered in the reader's language

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the finding form's live suggestion."""
        return {
            "rule_id": self.rule.id if self.rule else None,
            "responsibility": self.rule.responsibility.value if self.rule else None,
            "authority_id": self.authority.id if self.authority else None,
            "authority_name": self.authority.name if self.authority else None,
            "second_authority_id": self.second_authority.id if self.second_authority else None,
            "second_authority_name": self.second_authority.name if self.second_authority else None,
            "reason": str(self.reason),
        }


def _resolve(level: Level | None, explicit: Authority | None, unit: Authority) -> Authority | None:
    """The concrete body: the rule's own authority, else the topmost of that level in the unit's chain."""
    if explicit is not None:
        return explicit if explicit.active else None
    if level is None:
        return None
    candidates = [a for a in chain(unit) if a.level == level and a.active]
    return candidates[-1] if candidates else None


def suggest(rule: RoutingRule | None, unit: Authority) -> Suggestion:
    """Apply one routing rule to the inspected unit."""
    if rule is None:
        return Suggestion(None, None, None, _l("Tidak ada aturan yang cocok; pilih instansi secara manual."))
    primary = _resolve(rule.level, rule.authority, unit)
    second = None
    if rule.responsibility is Responsibility.SHARED:
        second = _resolve(rule.second_level, rule.second_authority, unit)
    return Suggestion(rule, primary, second, LazyString(_explain, rule, primary is None))


def _explain(rule: RoutingRule, no_authority: bool) -> str:
    """Why a rule proposes what it does, in the reader's language (rendered when shown)."""
    who = str(RESPONSIBILITY_LABELS[rule.responsibility]).lower()
    parts = [
        _("Aturan \u201c%(theme)s\u201d (%(who)s): %(reason)s", theme=rule.theme, who=who, reason=rule.reason)
    ]
    if rule.legal_basis:
        parts.append(_("Dasar: %(basis)s.", basis=rule.legal_basis))
    if no_authority:
        parts.append(
            _(
                "Tidak ada instansi aktif tingkat %(level)s dalam rantai unit ini.",
                level=LEVEL_LABELS[rule.level],
            )
        )
    return " ".join(parts)


def active_rules() -> list[RoutingRule]:
    """Active routing rules in their display order."""
    return list(
        db.session.scalars(
            select(RoutingRule)
            .where(RoutingRule.active.is_(True))
            .order_by(RoutingRule.position, RoutingRule.id)
        )
    )


def match_rule(text: str) -> RoutingRule | None:
    """The first active rule whose keywords occur in the text (used when no theme was chosen)."""
    haystack = text.lower()
    for rule in active_rules():
        if any(k in haystack for k in rule.keyword_list()):
            return rule
    return None


def save_rule(
    rule: RoutingRule | None, details: RoutingRuleDetails | Mapping[str, Any], *, user_id: int | None
) -> RoutingRule:
    """Create (`rule` None) or update a routing rule, with an audit event.

    Raises `Invalid` (a bad value, a shared rule without its second level or authority) or `Conflict`
    (the code belongs to another rule).
    """
    details = contracts.command_from(RoutingRuleDetails, details)
    contracts.validate(details)
    creating = rule is None
    if not RULE_CODE_PATTERN.match(details.code):
        raise Invalid(_l("Kode hanya huruf kecil, angka dan garis bawah."), "code")
    data = {name: getattr(details, name) for name in RULE_FIELDS}
    data["responsibility"] = _choice(Responsibility, details.responsibility, "responsibility")
    data["level"] = _choice(Level, details.level, "level")
    data["second_level"] = _choice(Level, details.second_level or None, "second_level")
    if data["responsibility"] is Responsibility.SHARED and not (
        data["second_level"] or data["second_authority_id"]
    ):
        raise Invalid(_l("Aturan bersama memerlukan tingkat atau instansi kedua."), "second_level")
    duplicate = db.session.scalar(select(RoutingRule).where(RoutingRule.code == details.code))
    if duplicate is not None and duplicate is not rule:
        raise Conflict(_l("Kode aturan sudah dipakai."), "code")
    if rule is None:
        rule = RoutingRule()
        db.session.add(rule)
    before = {} if creating else audit.snapshot(rule, RULE_FIELDS)
    for key, value in data.items():
        setattr(rule, key, value)
    db.session.flush()
    after = audit.snapshot(rule, RULE_FIELDS)
    audit.record(
        "routing_rule",
        rule.id,
        "created" if creating else "updated",
        user_id=user_id,
        office_id=None,
        changes=after if creating else audit.diff(before, after),
    )
    return rule


def authority_labels(ids) -> dict:
    """{authority id: row with `.name`}."""
    return rows_by_id((Authority.id, Authority.name), ids)


def routing_rule_labels(ids) -> dict:
    """{routing rule id: row with `.theme`}."""
    return rows_by_id((RoutingRule.id, RoutingRule.theme), ids)
