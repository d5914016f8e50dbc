"""Deadlines: every recommendation of the office with its follow-up clock and today's state."""

from __future__ import annotations

import math

from flask_login import current_user

from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.api.common import api_blueprint, cutoffs
from ombudsman.api.deadline_schemas import DeadlineArgs, DeadlinePage
from ombudsman.deadlines import listing, reports
from ombudsman.deadlines.labels import uncovered_years, warning_texts
from ombudsman.deadlines.models import DeadlineState
from ombudsman.page_cache.serving import cached_page
from ombudsman.pagination import COUNT_AHEAD

blp = api_blueprint("api_deadlines", __name__, description="Follow-up deadlines and their state today.")


def _item(rec, deadline, state: str) -> dict:
    return {
        "recommendation_id": rec.id,
        "authority_id": rec.authority_id,
        "authority_name": rec.authority.name,
        "recommendation_status": rec.status,
        "state": DeadlineState(state),
        "due_on": deadline.due_on if deadline else None,
        "received_on": deadline.received_on if deadline else None,
        "start_on": deadline.start_on if deadline else None,
        "stopped_on": deadline.stopped_on if deadline else None,
        "closed_on": deadline.closed_on if deadline else None,
        "count": deadline.count if deadline else None,
        "unit": deadline.unit if deadline else None,
        "explanation": deadline.explanation if deadline else "",
        "warnings": warning_texts(deadline.warnings) if deadline else [],
        "holiday_data_missing_years": uncovered_years(deadline.warnings) if deadline else [],
    }


@blp.route("/deadlines", methods=["GET"])
@roles_required(EVERYONE)
@cached_page
@blp.arguments(DeadlineArgs, location="query")
@blp.response(200, DeadlinePage)
def list_deadlines(args):
    """The office's recommendations with their deadlines, earliest due first (no clock yet: last)."""
    office_id = current_user.office_id
    filters = reports.Filters(
        authority_id=args.get("authority_id"),
        level=args.get("level"),
        inspector_id=args.get("inspector_id"),
        state=args.get("state"),
    )
    cut = cutoffs()
    page, per_page = args["page"], args["per_page"]
    total, capped = listing.total(office_id, cut, filters, page * per_page + COUNT_AHEAD)
    rows = listing.page_rows(office_id, cut, filters, offset=(page - 1) * per_page, limit=per_page)
    return {
        "items": [_item(rec, deadline, state) for rec, deadline, state in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": math.ceil(total / per_page),
        "total_capped": capped,
    }
