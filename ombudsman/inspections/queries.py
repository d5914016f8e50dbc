"""Read-only queries of the field work: lists of inspections and findings, their filters, counts.

The lists eager-load what their pages show, so the number of queries per page does not grow with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ombudsman import search
from ombudsman.authorities.models import Authority, Level
from ombudsman.extensions import db
from ombudsman.inspections import tallies
from ombudsman.inspections.models import (
    Checklist,
    ChecklistItem,
    Finding,
    FindingForm,
    FindingStatus,
    Inspection,
    InspectionStatus,
    Maladministration,
)
from ombudsman.lookup import rows_by_id
from ombudsman.pagination import COUNT_AHEAD, capped_count


@dataclass
class FindingFilters:
    """Filters of the findings list; every one optional."""

    authority_id: int | None = None
    level: Level | None = None
    status: FindingStatus | None = None
    form: Maladministration | None = None
    date_from: date | None = None
    date_to: date | None = None
    inspection_id: int | None = None
    q: str = ""


def _finding_conditions(office_id: int, f: FindingFilters, authority_id: int | None) -> list:
    """WHERE clauses on the findings table (and inspections for dates) shared by the list and its count."""
    conditions = [Finding.office_id == office_id]
    if authority_id:
        conditions.append(
            or_(Finding.responsible_authority_id == authority_id, Finding.second_authority_id == authority_id)
        )
    if f.level is not None:
        conditions.append(
            Finding.responsible_authority_id.in_(select(Authority.id).where(Authority.level == f.level))
        )
    if f.status is not None:
        conditions.append(Finding.status == f.status)
    if f.form is not None:
        conditions.append(Finding.id.in_(select(FindingForm.finding_id).where(FindingForm.code == f.form)))
    if f.inspection_id is not None:
        conditions.append(Finding.inspection_id == f.inspection_id)
    if f.q:
        conditions.append(search.FINDINGS.matches(Finding.id, f.q))
    if f.date_from is not None:
        conditions.append(Inspection.visited_on >= f.date_from)
    if f.date_to is not None:
        conditions.append(Inspection.visited_on <= f.date_to)
    return conditions


def findings_query(office_id: int, filters: FindingFilters | None = None, responsible_for: int | None = None):
    """A select() of the office's findings, filtered, newest inspection first, with what lists show loaded."""
    f = filters or FindingFilters()
    return (
        select(Finding)
        .join(Finding.inspection)
        # Redundant (a finding belongs to its inspection's office) but lets the database walk the office's
        # inspections newest first (ix_inspections_office_visited) and stop after one page.
        .where(Inspection.office_id == office_id)
        .where(*_finding_conditions(office_id, f, responsible_for or f.authority_id))
        .options(
            joinedload(Finding.inspection).joinedload(Inspection.authority),
            joinedload(Finding.responsible_authority),
            joinedload(Finding.second_authority),
            selectinload(Finding.forms),
        )
        .order_by(Inspection.visited_on.desc(), Finding.inspection_id.desc(), Finding.number)
    )


def count_findings(
    office_id: int, f: FindingFilters, authority_id: int | None, *, at_most: int
) -> tuple[int, bool]:
    """How many findings match the filters: (count, capped), never reading more than `at_most` + 1 of them.

    With no filter, or only status and level, the count is exact and comes from the maintained tally rows
    (`ombudsman.inspections.tallies`). Otherwise the findings table (and inspections, for dates) is read up to
    `at_most` + 1 matching rows; `capped` then says there are more than `at_most`.
    """
    tally_only = FindingFilters(status=f.status, level=f.level)
    if f == tally_only and not authority_id:
        return tallies.count(office_id, f.status, f.level), False
    stmt = select(Finding.id).where(*_finding_conditions(office_id, f, authority_id))
    if f.date_from is not None or f.date_to is not None:
        stmt = stmt.join(Finding.inspection)
    return capped_count(stmt, at_most)


def findings_page(
    *,
    office_id: int,
    filters: FindingFilters | None = None,
    responsible_for: int | None = None,
    page: int = 1,
    per_page: int = 25,
):
    """One page of findings (Flask-SQLAlchemy Pagination) with its total.

    The total is exact when cheap (see `count_findings`); otherwise it counts at most `COUNT_AHEAD` rows past
    the end of this page, and `pagination.capped` says whether there are more (the pager says "lebih dari").
    """
    f = filters or FindingFilters()
    pagination = db.paginate(
        findings_query(office_id, f, responsible_for),
        page=page,
        per_page=per_page,
        error_out=False,
        count=False,
    )
    pagination.total, pagination.capped = count_findings(
        office_id, f, responsible_for or f.authority_id, at_most=page * per_page + COUNT_AHEAD
    )
    return pagination


def findings_by_level_for_unit(office_id: int, unit_id: int, limit: int = 50) -> dict[str, dict[str, Any]]:
    """Findings from inspections of a unit, split by the level that must fix them (local vs central)."""
    central_ids = select(Authority.id).where(Authority.level == Level.CENTRAL)
    result = {}
    for key, condition in (
        ("local", Finding.responsible_authority_id.not_in(central_ids)),
        ("central", Finding.responsible_authority_id.in_(central_ids)),
    ):
        where = (Finding.office_id == office_id, Inspection.authority_id == unit_id, condition)
        total = db.session.scalar(select(func.count(Finding.id)).join(Finding.inspection).where(*where))
        items = db.session.scalars(
            select(Finding)
            .join(Finding.inspection)
            .where(*where)
            .options(
                joinedload(Finding.inspection).joinedload(Inspection.authority),
                joinedload(Finding.responsible_authority),
                joinedload(Finding.second_authority),
                selectinload(Finding.forms),
            )
            .order_by(Inspection.visited_on.desc(), Finding.inspection_id.desc(), Finding.number)
            .limit(limit)
        ).unique()
        result[key] = {"total": total, "items": list(items)}
    return result


def inspections_query(
    office_id: int, status: InspectionStatus | None = None, authority_id: int | None = None
):
    """The office's inspections, newest first, with the inspected unit and finding counts loadable."""
    stmt = (
        select(Inspection)
        .where(Inspection.office_id == office_id)
        .options(joinedload(Inspection.authority))
        .order_by(Inspection.visited_on.desc(), Inspection.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Inspection.status == status)
    if authority_id is not None:
        stmt = stmt.where(Inspection.authority_id == authority_id)
    return stmt


def finding_counts(inspection_ids: list[int]) -> dict[int, int]:
    """Number of findings per inspection, in one query."""
    if not inspection_ids:
        return {}
    rows = db.session.execute(
        select(Finding.inspection_id, func.count())
        .where(Finding.inspection_id.in_(inspection_ids))
        .group_by(Finding.inspection_id)
    )
    return dict(rows.all())


def dashboard_figures(office_id: int) -> dict[str, Any]:
    """Counts for the dashboard: inspections by status, open findings by level.

    Two queries, each over an index or the tally rows: the cost does not grow with the findings.
    """
    by_status = dict(
        db.session.execute(
            select(Inspection.status, func.count())
            .where(Inspection.office_id == office_id)
            .group_by(Inspection.status)
        ).all()
    )
    # From the maintained tally rows (ombudsman.inspections.tallies): a few hundred rows, never the findings.
    open_findings = tallies.open_by_level(office_id)
    return {
        "drafts": by_status.get(InspectionStatus.DRAFT, 0),
        "submitted": by_status.get(InspectionStatus.SUBMITTED, 0),
        "open_local": open_findings["local"],
        "open_central": open_findings["central"],
    }


def inspection_labels(ids) -> dict:
    """{inspection id: row with `.title`}."""
    return rows_by_id((Inspection.id, Inspection.title), ids)


def finding_labels(ids) -> dict:
    """{finding id: row with `.number` (its number in the inspection)}."""
    return rows_by_id((Finding.id, Finding.number), ids)


def checklist_labels(ids) -> dict:
    """{checklist id: row with `.name` and `.version`}."""
    return rows_by_id((Checklist.id, Checklist.name, Checklist.version), ids)


def checklist_item_labels(ids) -> dict:
    """{checklist item id: row with `.label`}."""
    return rows_by_id((ChecklistItem.id, ChecklistItem.label), ids)
