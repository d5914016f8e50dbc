"""A number of days reads right in both languages: "1 working day", never "1 working days"."""

from __future__ import annotations

import pytest
from flask import session

from ombudsman.deadlines.labels import day_count, rule_period


@pytest.mark.parametrize(
    ("lang", "count", "unit", "expected"),
    [
        ("en", 1, "working", "1 working day"),
        ("en", 30, "working", "30 working days"),
        ("en", 1, "calendar", "1 calendar day"),
        ("en", 14, "calendar", "14 calendar days"),
        ("id", 1, "working", "1 hari kerja"),
        ("id", 30, "calendar", "30 hari kalender"),
    ],
)
def test_day_count(app, lang, count, unit, expected):
    with app.test_request_context():
        session["lang"] = lang
        assert day_count(count, unit) == expected


def test_rule_period_uses_the_singular(app):
    with app.test_request_context():
        session["lang"] = "en"
        assert str(rule_period(1, "working", "on_receipt")) == "1 working day from receipt"
