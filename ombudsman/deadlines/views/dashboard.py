"""The deadlines dashboard (what is due soon, overdue, each authority's record, monthly compliance) and the
filtered list of every recommendation with its deadline."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import and_, or_, select

from ombudsman.accounts.models import User
from ombudsman.accounts.permissions import EVERYONE, roles_required
from ombudsman.authorities.models import Authority
from ombudsman.deadlines import listing as deadline_list
from ombudsman.deadlines import reports, settings
from ombudsman.deadlines.models import ALERT_STATES, DeadlineState
from ombudsman.deadlines.tallies import DeadlineTally
from ombudsman.deadlines.views.common import bp, today
from ombudsman.extensions import db
from ombudsman.page_cache.serving import cached_page
from ombudsman.pagination import COUNT_AHEAD, page_args
from ombudsman.request_input import filter_page

#: The per-authority tables show this many rows (most ignored / most past due first): the page stays small
#: with thousands of authorities; the rest are reached through the authority filter and the list.
TABLE_ROWS = 25


def filters() -> reports.Filters:
    """The list filters of the query string; unknown values are ignored."""
    return reports.Filters.from_args(request.args)


def _filter_choices(chosen: reports.Filters) -> dict:
    """The filter drop-downs: the authorities and the users the office's recommendations name, and the ones
    the query string chose (an old bookmark's) so that the page shows what it filters by."""
    office_id = current_user.office_id
    # From the tally rows (a few hundred), not every recommendation of the office (issue 12).
    counted = (DeadlineTally.office_id == office_id, DeadlineTally.recommendations != 0)
    authority_ids = select(DeadlineTally.authority_id).where(*counted)
    # The "Inspektur" filter narrows to the recommendations a user wrote: it offers exactly those users
    # (someone who has since left or moved office included), not the admin and the viewer who wrote none.
    author_ids = select(DeadlineTally.inspector_id).where(*counted)
    return {
        "authorities": db.session.execute(
            select(Authority.id, Authority.name)
            .where(or_(Authority.id.in_(authority_ids), Authority.id == chosen.authority_id))
            .order_by(Authority.name)
        ).all(),
        "inspectors": db.session.execute(
            select(User.id, User.name)
            .where(
                or_(
                    User.id.in_(author_ids),
                    and_(User.id == chosen.inspector_id, User.office_id == office_id),
                )
            )
            .order_by(User.name, User.id)
        ).all(),
    }


@bp.get("/")
@filter_page
@roles_required(EVERYONE)
@cached_page
def dashboard():
    """What is due soon, overdue and very overdue; breakdowns, each authority's record, monthly compliance."""
    office = current_user.office
    chosen = filters()
    cut = settings.state_cutoffs(office, today())
    # What needs attention first, then the next deadlines still running.
    list_states = (*ALERT_STATES, DeadlineState.OPEN)
    lists = {state: deadline_list.top(office.id, cut, state, chosen) for state in list_states}
    figures = reports.figures(office.id, cut, chosen, medians_for=TABLE_ROWS)
    return render_template(
        "deadlines/dashboard.html",
        filters=chosen,
        cut=cut,
        summary=figures.summary,
        counts=figures.summary.counts,
        lists=lists,
        months=figures.months,
        chart=compliance_chart(figures.months),
        table_rows=TABLE_ROWS,
        choices=_filter_choices(chosen),
        list_states=list_states,
    )


@dataclass(frozen=True)
class Page:
    """A page of rows for the `pager` macro."""

    items: list
    page: int
    per_page: int
    total: int
    #: True when counting stopped: there are more than `total` rows (the pager says "more than").
    capped: bool = False

    @property
    def pages(self) -> int:
        """Number of pages."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether there is a previous page."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a next page."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The previous page number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page number."""
        return self.page + 1


@bp.get("/list")
@filter_page
@roles_required(EVERYONE)
@cached_page
def listing():
    """Every recommendation with its deadline, filtered, earliest due first."""
    office = current_user.office
    chosen = filters()
    cut = settings.state_cutoffs(office, today())
    page, per_page = page_args()
    total, capped = deadline_list.total(office.id, cut, chosen, page * per_page + COUNT_AHEAD)
    rows = deadline_list.page_rows(office.id, cut, chosen, offset=(page - 1) * per_page, limit=per_page)
    return render_template(
        "deadlines/list.html",
        pagination=Page(rows, page, per_page, total, capped),
        filters=chosen,
        choices=_filter_choices(chosen),
    )


def compliance_chart(months: list[reports.MonthCompliance]) -> dict:
    """Geometry of the monthly compliance bar chart in the user units of its 720 × 220 viewBox, drawn by
    templates/deadlines/_compliance_chart.html as columns (wide screens) or table rows (phones); each bar's
    `pct` is the share met as a whole percent, None for a month with nothing due."""
    width, height, top, bottom, left = 720, 220, 16, 40, 36
    plot_h = height - top - bottom
    step = (width - left) / max(1, len(months))
    bars = []
    for i, m in enumerate(months):
        pct = m.percent
        h = 0 if pct is None else plot_h * pct / 100
        bars.append(
            {
                "x": round(left + i * step + step * 0.15, 1),
                "w": round(step * 0.7, 1),
                "y": round(top + plot_h - h, 1),
                "h": round(h, 1),
                "cx": round(left + i * step + step / 2, 1),
                "month": m,
                "pct": None if pct is None else round(pct),
            }
        )
    grid = [{"y": round(top + plot_h * (1 - p / 100), 1), "p": p} for p in (0, 25, 50, 75, 100)]
    return {"width": width, "height": height, "bars": bars, "grid": grid, "left": left, "base": top + plot_h}
