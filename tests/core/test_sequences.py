"""Per-parent sequences: numbers follow the counter and never fall at or below the data's maximum."""

from __future__ import annotations

from sqlalchemy import func, select

from ombudsman import sequences
from ombudsman.extensions import db
from ombudsman.inspections.models import Finding


def _next(inspection_id: int) -> int:
    return sequences.next_value(
        sequences.FINDING_NUMBER,
        inspection_id,
        select(func.max(Finding.number)).where(Finding.inspection_id == inspection_id),
    )


def test_numbers_continue_from_the_existing_findings_and_then_from_the_counter(demo):
    inspection = demo.inspection
    highest = max(f.number for f in inspection.findings)
    assert _next(inspection.id) == highest + 1
    assert _next(inspection.id) == highest + 2
    counter = db.session.get(sequences.SequenceCounter, (sequences.FINDING_NUMBER, str(inspection.id)))
    assert counter.last_value == highest + 2


def test_a_rollback_gives_the_number_back(demo):
    inspection_id = demo.inspection.id
    first = _next(inspection_id)
    db.session.rollback()
    assert _next(inspection_id) == first


def test_a_number_set_outside_the_counter_is_skipped(demo):
    inspection = demo.inspection
    first = _next(inspection.id)
    db.session.commit()
    finding = db.session.scalars(select(Finding).where(Finding.inspection_id == inspection.id)).first()
    finding.number = first + 10  # e.g. a record made before the counter existed
    db.session.flush()
    assert _next(inspection.id) == first + 11


def test_a_new_recommendation_goes_after_a_position_a_user_chose(demo):
    from ombudsman.recommendations import services as recommendations

    def add(position=None):
        details = {
            "finding_ids": [demo.findings[1].id],
            "authority_id": demo.pemkot.id,
            "text": "Sediakan kursi prioritas.",
            "position": position,
        }
        return recommendations.create(demo.office.id, demo.users["supervisor"], details).position

    first = add()
    assert add(first + 40) == first + 40
    assert add() == first + 41
