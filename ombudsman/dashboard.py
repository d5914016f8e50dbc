"""The home page: the office's inspections and open findings at a glance."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_login import current_user

from ombudsman.accounts.permissions import EVERYONE, public, roles_required
from ombudsman.extensions import db
from ombudsman.inspections import queries as inspections
from ombudsman.inspections.models import FindingStatus
from ombudsman.page_cache.serving import cached_page

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@roles_required(EVERYONE)
@cached_page
def index():
    """Recent inspections, open findings split by who must fix them, and counts."""
    office_id = current_user.office_id
    recent = db.session.scalars(inspections.inspections_query(office_id).limit(8)).all()
    counts = inspections.finding_counts([i.id for i in recent])
    open_findings = (
        db.session.scalars(
            inspections.findings_query(
                office_id, inspections.FindingFilters(status=FindingStatus.OPEN)
            ).limit(15)
        )
        .unique()
        .all()
    )
    return render_template(
        "dashboard.html",
        figures=inspections.dashboard_figures(office_id),
        recent=recent,
        counts=counts,
        open_findings=open_findings,
    )


@bp.get("/favicon.ico")
@public
def favicon():
    """The site icon at the address browsers and bookmarks ask for without reading the page (cached a day)."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )
