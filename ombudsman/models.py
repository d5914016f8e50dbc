"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from ombudsman.accounts.models import ApiToken, Office, Role, User
from ombudsman.api.models import IdempotencyKey
from ombudsman.audit.models import AuditEvent
from ombudsman.authorities.models import Authority, AuthorityVersion, RoutingRule
from ombudsman.inspections.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistItem,
    Evidence,
    Finding,
    FindingForm,
    Inspection,
)
from ombudsman.recommendations.models import Recommendation

__all__ = [
    "ApiToken",
    "IdempotencyKey",
    "AuditEvent",
    "Authority",
    "AuthorityVersion",
    "Checklist",
    "ChecklistAnswer",
    "ChecklistItem",
    "Evidence",
    "Finding",
    "FindingForm",
    "Inspection",
    "Office",
    "Recommendation",
    "Role",
    "RoutingRule",
    "User",
]
