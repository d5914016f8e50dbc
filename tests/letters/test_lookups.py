"""Read-only answers about letters for other packages, and the office's letter settings made on demand."""

from __future__ import annotations

from ombudsman.accounts.models import Office
from ombudsman.extensions import db
from ombudsman.letters import lookups
from ombudsman.letters import settings as letter_settings
from ombudsman.letters.models import Letter, LetterSettings, LetterStatus
from ombudsman.letters.numbering import DEFAULT_NUMBER_TEMPLATE


def test_letters_for_recommendations_names_each_letter_once_per_recommendation(demo, letters, count_queries):
    kota_recs = [r.id for r in letters.kota.recommendations]
    ditjen_rec = letters.ditjen.recommendations[0].id
    with count_queries() as counted:
        found = lookups.letters_for_recommendations([*kota_recs, ditjen_rec, 2_000_000])
    assert counted.count == 1
    assert all([s.id for s in found[rid]] == [letters.kota.id] for rid in kota_recs)
    assert [s.id for s in found[ditjen_rec]] == [letters.ditjen.id]
    assert found[2_000_000] == []
    summary = found[kota_recs[0]][0]
    assert (summary.number, summary.status, summary.label) == (
        None,
        LetterStatus.DRAFT,
        f"#{letters.kota.id}",
    )


def test_the_receipt_letter_is_neither_superseded_nor_an_escalation(demo, letters):
    rec_id = letters.kota.recommendations[0].id
    assert lookups.receipt_letter(rec_id).id == letters.kota.id
    letter = db.session.get(Letter, letters.kota.id)
    letter.escalation_step = "reminder"
    db.session.commit()
    assert lookups.receipt_letter(rec_id) is None
    letter.escalation_step = None
    letter.status = LetterStatus.SUPERSEDED
    db.session.commit()
    assert lookups.receipt_letter(rec_id) is None
    assert [s.id for s in lookups.letters_for_recommendations([rec_id], include_superseded=True)[rec_id]] == [
        letter.id
    ]


def test_an_office_gets_default_letter_settings_on_first_use(demo):
    other = Office(name="Ombudsman RI Perwakilan Bali", province="Bali")
    db.session.add(other)
    db.session.flush()
    assert db.session.get(LetterSettings, other.id) is None
    made = letter_settings.for_office(other)
    assert (made.number_template, made.paper, made.font, made.font_size) == (
        DEFAULT_NUMBER_TEMPLATE,
        "A4",
        "arimo",
        12.0,
    )
    assert letter_settings.for_office(other) is made  # one row, found again
    # The demo's settings were set through the service when it was seeded.
    assert letter_settings.for_office(demo.office).unit_code == "PW-NTT"


def test_receipt_letter_numbers_name_the_issued_letter_in_one_query(demo, letters, workflow, count_queries):
    from sqlalchemy import select

    from ombudsman.recommendations.models import Recommendation

    kota_recs = [r.id for r in letters.kota.recommendations]
    assert lookups.receipt_letter_numbers(kota_recs) == {}  # a draft has no number yet
    issued = workflow.issue(letters.kota.id)
    every_id = select(Recommendation.id).where(Recommendation.office_id == demo.office.id)

    with count_queries() as counted:
        numbers = lookups.receipt_letter_numbers(every_id)

    assert counted.count == 1
    assert numbers == dict.fromkeys(kota_recs, issued.number)  # the Ditjen letter is still a draft
    letter = db.session.get(Letter, issued.id)
    letter.escalation_step = "reminder"  # a reminder's number is not the one the recommendation answers
    db.session.commit()
    assert lookups.receipt_letter_numbers(kota_recs) == {}
