"""Deadline pages, one module per concern, all on the `deadlines` blueprint (`bp`):

- `dashboard`: the dashboard and the filtered list;  `exports`: the list as CSV and Excel;
- `follow_up`: one recommendation's deadline, timeline and the forms that record what happens;
- `escalation`: the next reminder or escalation letter;  `files`: follow-up files;
- `feed`: the private calendar feed.

Importing this package registers every route on `bp`.
"""

from ombudsman.deadlines.views import dashboard, escalation, exports, feed, files, follow_up
from ombudsman.deadlines.views.common import bp

__all__ = ["bp", "dashboard", "escalation", "exports", "feed", "files", "follow_up"]
