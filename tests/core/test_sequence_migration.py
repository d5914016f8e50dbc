"""The sequence-counter migration starts every counter at the existing maximum, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from ombudsman import create_app
from ombudsman.extensions import db
from ombudsman.inspections.models import Checklist, Finding
from ombudsman.recommendations.models import Recommendation
from ombudsman.seed import seed_demo
from tests.core.test_migrations import empty_database_url  # noqa: F401  (the fixture)

BEFORE = "b7e1d4c9a2f6"  # the head before sequence counters


def test_the_counters_start_at_the_current_maxima(empty_database_url):  # noqa: F811
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        downgrade(revision=BEFORE)  # the data as it was before the counters
        upgrade()
        counters = {
            (scope, key): value
            for scope, key, value in db.session.execute(
                text("SELECT scope, parent_key, last_value FROM sequence_counters")
            )
        }
        findings = db.session.execute(
            select(Finding.inspection_id, func.max(Finding.number)).group_by(Finding.inspection_id)
        ).all()
        recommendations = db.session.execute(
            select(Recommendation.office_id, func.max(Recommendation.position)).group_by(
                Recommendation.office_id
            )
        ).all()
        checklists = db.session.execute(
            select(Checklist.code, func.max(Checklist.version)).group_by(Checklist.code)
        ).all()
        expected = {
            **{("finding.number", str(parent)): top for parent, top in findings},
            **{("recommendation.position", str(parent)): top for parent, top in recommendations},
            **{("checklist.version", code): top for code, top in checklists},
        }
        assert findings and recommendations and checklists
        assert counters == expected
        db.session.remove()
        db.engine.dispose()
