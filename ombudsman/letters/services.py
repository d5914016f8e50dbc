"""The letters package as other packages use it: drafting, the workflow, issuing, delivery, PDFs.

Each function lives in the module of its concern (`drafting`, `workflow`, `issuing`, `delivery`,
`documents`, `register`, `settings`, `escalation`); this module only names the ones other packages (the API,
the seed, the deadlines package's escalation) call, so they depend on one small interface. Inside the
package, import from the concern's module. Read-only questions about letters are in `lookups`.

All of them flush and never commit: one request (or one API call) is one transaction. They raise the
domain errors of `ombudsman.errors`; `FrozenPdfError` is a damaged archive copy, a server fault.
"""

from __future__ import annotations

from ombudsman.letters.commands import SIFAT_CHOICES
from ombudsman.letters.delivery import record_delivery
from ombudsman.letters.documents import FrozenPdfError, StoredPdf, draft_pdf, issued_pdf, stored_pdf
from ombudsman.letters.drafting import create, draft_from_inspection, update
from ombudsman.letters.escalation import draft_escalation_letter
from ombudsman.letters.issuing import complete_signed, issue, reserve, unlock_signatory, verify_url
from ombudsman.letters.register import LetterFilters, register_query
from ombudsman.letters.settings import update_settings
from ombudsman.letters.workflow import approve, return_to_draft, submit

__all__ = [
    "SIFAT_CHOICES",
    "FrozenPdfError",
    "LetterFilters",
    "StoredPdf",
    "approve",
    "complete_signed",
    "create",
    "draft_escalation_letter",
    "draft_from_inspection",
    "draft_pdf",
    "issue",
    "issued_pdf",
    "record_delivery",
    "register_query",
    "reserve",
    "return_to_draft",
    "stored_pdf",
    "submit",
    "unlock_signatory",
    "update",
    "update_settings",
    "verify_url",
]
