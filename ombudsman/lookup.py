"""Read a few columns of records by id: the building block of the packages' name lookups.

Each package answers "what are these records called" for its own tables (e.g.
`ombudsman.letters.lookups.letter_labels`), so that a page that names records of many packages (the audit
trail) never queries another package's tables. One query per call, whatever the number of ids; never a whole
row (a letter row holds its PDF).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ombudsman.extensions import db


def rows_by_id(columns: tuple[Any, ...], ids: Iterable[int]) -> dict[int, Any]:
    """{id: row} of the records with these ids (`columns` starts with the id column; unknown ids absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row[0]: row for row in db.session.execute(select(*columns).where(columns[0].in_(wanted)))}
