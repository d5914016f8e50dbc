"""The query arguments every list page reads: page, page size and the search text.

Integers in the query string are already bounded by `ombudsman.request_input` (a number beyond the
database's integer is a 400); here they are clamped to what a list can show. A page beyond the last is an
empty page (`db.paginate(..., error_out=False)`), whose pager links back to the pages that exist.
"""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import Select, func, select

from ombudsman import contracts
from ombudsman.extensions import db

#: The largest page size a list page shows.
MAX_PER_PAGE = 100

#: How many rows past the end of the current page a list counts before it says "more than" (issue 12:
#: nobody needs the exact number of 100,000 findings, and counting them costs a pass over every one).
COUNT_AHEAD = 1000


def page_args() -> tuple[int, int]:
    """The requested page (1 or more) and page size (1..`MAX_PER_PAGE`); junk gives the defaults."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int) or 25
    return max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)


def search_text(name: str = "q", args=None) -> str:
    """The search box's text, trimmed and cut to `contracts.SEARCH` (the API refuses longer text with 422).

    Read from `args` (query-string arguments kept for a job) or the request's query string. Control
    characters never get here: on a list page (`request_input.filter_page`) they are already spaces, and
    anywhere else `ombudsman.request_input` refuses them with 400.
    """
    return (request.args if args is None else args).get(name, "").strip()[: contracts.SEARCH.max]


def capped_count(stmt: Select, at_most: int) -> tuple[int, bool]:
    """The number of rows `stmt` (a light select, e.g. of ids) returns, counting at most `at_most` of them.

    Returns (count, capped).
    `capped` is True when there are more than `at_most` rows (the count is then `at_most`, a lower bound).
    The database stops reading after `at_most` + 1 rows, so the cost is bounded whatever the table's size.
    """
    limited = stmt.order_by(None).limit(at_most + 1)
    n = db.session.scalar(select(func.count()).select_from(limited.subquery())) or 0
    return min(n, at_most), n > at_most
