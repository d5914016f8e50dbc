"""The only place that reads the current time.

`OMBUDSMAN_TODAY` (an ISO date) pins "today" for demos and tests; the UI shows a banner while it is set.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def pinned_today() -> date | None:
    """The date set by OMBUDSMAN_TODAY, or None when the real clock is in use."""
    value = os.environ.get("OMBUDSMAN_TODAY", "").strip()
    return date.fromisoformat(value) if value else None


def today(tz: str = "UTC") -> date:
    """Today's date in the given IANA time zone (the office's zone), unless pinned."""
    return pinned_today() or utcnow().astimezone(ZoneInfo(tz)).date()
