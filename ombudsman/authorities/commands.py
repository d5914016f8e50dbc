"""What the register and the routing rules take as input: one command per use case, bounds declared once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ombudsman.authorities.models import Level, Responsibility
from ombudsman.contracts import RECORD_ID, Number, Text, bounded

NAME = Text(250, 1)
SHORT_NAME = Text(80)
HEAD_TITLE = Text(250)
PLACE_LINE = Text(120)
ADDRESS = Text(2000)
EMAIL = Text(254)
PHONE = Text(60)


@dataclass(frozen=True)
class AuthorityDetails:
    """A public body of the register as an admin adds or changes it; `parent_id` is its superior."""

    name: str = bounded(NAME)
    level: Level | str = Level.REGENCY_CITY
    short_name: str = bounded(SHORT_NAME, default="")
    head_title: str = bounded(HEAD_TITLE, default="")
    place_line: str = bounded(PLACE_LINE, default="")
    address: str = bounded(ADDRESS, default="")
    email: str = bounded(EMAIL, default="")
    phone: str = bounded(PHONE, default="")
    parent_id: int | None = bounded(RECORD_ID, default=None)
    active: bool = True


RULE_CODE = Text(60, 1)
# Rule codes are stable keys (checklist items and seeds refer to them): lower-case letters, digits, "_".
RULE_CODE_PATTERN = re.compile(r"^[a-z0-9_]+$")
THEME = Text(200, 1)
KEYWORDS = Text(2000)
REASON = Text(2000, 1)
LEGAL_BASIS = Text(250)
POSITION = Number(0, 10_000)


@dataclass(frozen=True)
class RoutingRuleDetails:
    """A routing rule: which level (or which authority) is responsible for a theme, and why.

    A shared responsibility needs a second level or a second authority.
    """

    code: str = bounded(RULE_CODE)
    theme: str = bounded(THEME)
    reason: str = bounded(REASON)
    responsibility: Responsibility | str = Responsibility.LOCAL
    level: Level | str = Level.REGENCY_CITY
    keywords: str = bounded(KEYWORDS, default="")
    authority_id: int | None = bounded(RECORD_ID, default=None)
    second_level: Level | str | None = None
    second_authority_id: int | None = bounded(RECORD_ID, default=None)
    legal_basis: str = bounded(LEGAL_BASIS, default="")
    position: int = bounded(POSITION, default=0)
    active: bool = True
