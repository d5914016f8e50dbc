"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from ombudsman.accounts.models import ApiToken, Office, Role, User
from ombudsman.api.models import IdempotencyKey
from ombudsman.audit.models import AuditEvent
from ombudsman.authorities.models import Authority, AuthorityVersion, RoutingRule
from ombudsman.deadlines.models import (
    CalendarDay,
    CalendarFeed,
    CalendarSettings,
    Deadline,
    DeadlineRule,
    FollowUpEvent,
    FollowUpFile,
    ReminderNotice,
)
from ombudsman.deadlines.tallies import DeadlineDayTally, DeadlineMonthTally, DeadlineTally
from ombudsman.export_jobs.models import ExportJob
from ombudsman.inspections.models import (
    Checklist,
    ChecklistAnswer,
    ChecklistItem,
    Evidence,
    Finding,
    FindingForm,
    Inspection,
)
from ombudsman.inspections.tallies import FindingTally
from ombudsman.letters.models import (
    Letter,
    LetterCopy,
    LetterCounter,
    LetterRecommendation,
    LetterSettings,
)
from ombudsman.page_cache.stamps import DataStamp
from ombudsman.portal.api_models import PortalApiToken, PortalIdempotencyKey
from ombudsman.portal.models import (
    AuthorityContact,
    ExtensionRequest,
    LetterReceipt,
    PortalDelivery,
    PortalLink,
    PortalResponse,
    PortalUser,
)
from ombudsman.recommendations.models import Recommendation
from ombudsman.sequences import SequenceCounter

__all__ = [
    "ApiToken",
    "IdempotencyKey",
    "AuditEvent",
    "Authority",
    "AuthorityContact",
    "AuthorityVersion",
    "CalendarDay",
    "CalendarFeed",
    "CalendarSettings",
    "Checklist",
    "ChecklistAnswer",
    "ChecklistItem",
    "DataStamp",
    "Deadline",
    "DeadlineDayTally",
    "DeadlineMonthTally",
    "DeadlineRule",
    "DeadlineTally",
    "Evidence",
    "ExportJob",
    "ExtensionRequest",
    "Finding",
    "FindingTally",
    "FindingForm",
    "FollowUpEvent",
    "FollowUpFile",
    "Inspection",
    "Letter",
    "LetterCopy",
    "LetterCounter",
    "LetterReceipt",
    "LetterRecommendation",
    "LetterSettings",
    "Office",
    "PortalApiToken",
    "PortalDelivery",
    "PortalIdempotencyKey",
    "PortalLink",
    "PortalResponse",
    "PortalUser",
    "Recommendation",
    "SequenceCounter",
    "ReminderNotice",
    "Role",
    "RoutingRule",
    "User",
]
