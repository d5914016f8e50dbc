"""A letter carries only what belongs to its addressee, and is dated at issue (issue 11, items 2 and 6).

The scenario of the issue: the Dispendukcapil's recommendation cannot go into the letter to the Wali Kota;
its clock starts from the receipt of its own letter, never from the Wali Kota's.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from letter_testing import pdf_text
from sqlalchemy import select

from ombudsman.deadlines.models import Deadline
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.letters import drafting, eligibility, issuing, lookups
from ombudsman.letters.commands import LetterDraft, NewLetter
from ombudsman.letters.models import Letter, LetterKind, LetterRecommendation, LetterStatus
from ombudsman.pdf import format_date_id
from ombudsman.recommendations import services as recommendations

TODAY = date(2018, 9, 20)
ERROR_RE = re.compile(r'class="error"[^>]*>([^<]*)<')


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", TODAY.isoformat())


@pytest.fixture
def dinas_rec(demo):
    """A recommendation to the Dispendukcapil (the inspected unit) on finding 2, a city-only finding."""
    rec = recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {
            "finding_ids": (demo.findings[2].id,),
            "authority_id": demo.dinas.id,
            "text": "Menata ulang antrean loket perekaman KTP-el dengan nomor antrean.",
        },
    )
    db.session.commit()
    return rec


def _edit_data(letter: Letter, rec_ids: list[int]) -> dict:
    return {
        "kind": letter.kind.value,
        "authority_id": str(letter.authority_id),
        "recipient_lines": letter.recipient_lines,
        "hal": letter.hal,
        "sifat": letter.sifat,
        "lampiran": letter.lampiran,
        "place": letter.place,
        "opening": letter.opening,
        "closing": letter.closing,
        "signatory_title": letter.signatory_title,
        "signatory_name": letter.signatory_name,
        "recommendation_ids": [str(i) for i in rec_ids],
    }


def _issue_on(workflow, letter_id: int, day: str) -> Letter:
    """Submit, approve and issue the letter dated `day`."""
    workflow.approve(letter_id)
    response = workflow.head.post(f"/letters/{letter_id}/issue", data={"letter_date": day})
    assert response.status_code == 303
    letter = db.session.get(Letter, letter_id)
    assert letter.status is LetterStatus.ISSUED
    return letter


# --- the addressee rule -------------------------------------------------------------------------------------


def test_the_edit_form_offers_only_the_addressees_recommendations(demo, letters, workflow, dinas_rec):
    page = workflow.inspector.get(f"/letters/{letters.kota.id}/edit").get_data(as_text=True)
    offered = {int(v) for v in re.findall(r'name="recommendation_ids"[^>]*value="(\d+)"', page)}
    offered |= {int(v) for v in re.findall(r'value="(\d+)"[^>]*name="recommendation_ids"', page)}
    assert offered == {rec.id for rec in letters.kota.recommendations}
    assert dinas_rec.id not in offered
    # The Ditjen's recommendations (8, 9: its own findings; 10: the shared finding) are in its own letter.
    assert not offered & {rec.id for rec in letters.ditjen.recommendations}


def test_a_forged_post_adding_the_dinas_recommendation_to_the_wali_kota_letter_is_refused(
    demo, letters, workflow, dinas_rec
):
    kota = letters.kota
    before = [link.recommendation_id for link in kota.links]
    response = workflow.inspector.post(
        f"/letters/{kota.id}/edit", data=_edit_data(kota, [*before, dinas_rec.id])
    )
    assert response.status_code == 422
    assert ERROR_RE.findall(response.get_data(as_text=True))  # said under the field, input kept
    db.session.expire_all()
    assert [link.recommendation_id for link in db.session.get(Letter, kota.id).links] == before


def test_the_service_refuses_another_authoritys_recommendation_naming_its_addressee(demo, letters, dinas_rec):
    kota = letters.kota
    ids = (*[link.recommendation_id for link in kota.links], dinas_rec.id)
    with pytest.raises(Invalid) as refused:
        drafting.update(kota, demo.users["inspector"], LetterDraft(recommendation_ids=ids))
    assert refused.value.field is None and "recommendation_ids" in refused.value.fields
    assert "Dinas Kependudukan" in str(refused.value.message)
    assert "bukan kepada instansi tujuan surat ini" in str(refused.value.message)


def test_the_api_refuses_another_authoritys_recommendation_with_422_json(app, demo, letters, dinas_rec):
    from tests.api.conftest import ApiClient, issue

    api = ApiClient(app.test_client(), issue(demo.users["inspector"]))
    kota = letters.kota
    ids = [link.recommendation_id for link in kota.links]
    response = api.patch(f"/api/v1/letters/{kota.id}", json={"recommendation_ids": [*ids, dinas_rec.id]})
    assert response.status_code == 422
    body = response.get_json()
    assert "recommendation_ids" in body["fields"] and "bukan kepada instansi tujuan" in body["error"]
    response = api.post(
        "/api/v1/letters",
        json={
            "authority_id": demo.pemkot.id,
            "hal": "Klarifikasi",
            "kind": "klarifikasi",
            "recommendation_ids": [dinas_rec.id],
        },
    )
    assert response.status_code == 422 and "recommendation_ids" in response.get_json()["fields"]
    assert db.session.scalar(select(Letter).where(Letter.hal == "Klarifikasi")) is None


def test_a_recommendation_sits_in_one_active_letter_of_a_kind(demo, letters):
    rec = letters.kota.recommendations[0]
    cmd = NewLetter(authority_id=demo.pemkot.id, hal="Saran kedua", recommendation_ids=(rec.id,))
    with pytest.raises(Invalid) as refused:
        drafting.create(demo.office, demo.users["inspector"], cmd)
    assert f"#{letters.kota.id}" in str(refused.value.message)
    db.session.rollback()
    # Another kind (a request for clarification) may carry it; so may a reminder.
    for kind in (LetterKind.KLARIFIKASI, LetterKind.PENGINGAT):
        drafting.create(
            demo.office,
            demo.users["inspector"],
            NewLetter(
                authority_id=demo.pemkot.id, kind=kind, hal=f"Surat {kind}", recommendation_ids=(rec.id,)
            ),
        )


def test_a_correction_carries_the_letters_recommendations_but_a_third_letter_may_not(demo, letters, workflow):
    issued = workflow.issue(letters.kota.id)
    assert workflow.inspector.post(f"/letters/{issued.id}/correct").status_code == 303
    draft = db.session.scalar(select(Letter).where(Letter.supersedes_id == issued.id))
    assert [r.id for r in draft.recommendations] == [r.id for r in issued.recommendations]
    cmd = NewLetter(authority_id=demo.pemkot.id, hal="x", recommendation_ids=(issued.recommendations[0].id,))
    with pytest.raises(Invalid):
        drafting.create(demo.office, demo.users["inspector"], cmd)


def test_a_shared_findings_recommendation_may_go_to_the_other_authority_but_starts_no_clock_there(
    demo, letters, workflow
):
    shared = next(r for r in letters.kota.recommendations if demo.findings[10] in r.findings)
    assert eligibility.addressed_to(shared, {demo.ditjen.id})
    assert not eligibility.addressed_to(letters.ditjen.recommendations[0], {demo.pemkot.id})
    copy = drafting.create(
        demo.office,
        demo.users["inspector"],
        NewLetter(
            authority_id=demo.ditjen.id,
            kind=LetterKind.KLARIFIKASI,
            hal="Klarifikasi temuan bersama",
            recommendation_ids=(shared.id,),
        ),
    )
    db.session.commit()
    _issue_on(workflow, copy.id, "2018-09-01")
    response = workflow.inspector.post(
        f"/letters/{copy.id}/delivery",
        data={"method": "hand", "delivered_on": "2018-09-03", "received_on": "2018-09-03"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Deadline).where(Deadline.recommendation_id == shared.id)) is None
    assert lookups.receipt_letter(shared.id) is None or lookups.receipt_letter(shared.id).id != copy.id


def test_the_dinas_clock_starts_from_its_own_letter_not_the_wali_kotas(demo, letters, workflow, dinas_rec):
    kota = _issue_on(workflow, letters.kota.id, "2018-08-01")
    own = drafting.create(
        demo.office,
        demo.users["inspector"],
        NewLetter(
            authority_id=demo.dinas.id, hal="Saran perbaikan antrean", recommendation_ids=(dinas_rec.id,)
        ),
    )
    db.session.commit()
    own = _issue_on(workflow, own.id, "2018-08-30")
    for letter, day in ((kota, "2018-08-06"), (own, "2018-09-03")):
        response = workflow.inspector.post(
            f"/letters/{letter.id}/delivery",
            data={"method": "hand", "delivered_on": day, "received_on": day},
        )
        assert response.status_code == 303
    db.session.expire_all()
    deadline = db.session.scalar(select(Deadline).where(Deadline.recommendation_id == dinas_rec.id))
    assert deadline.received_on == date(2018, 9, 3)
    assert lookups.receipt_letter(dinas_rec.id).id == own.id
    assert lookups.receipt_letter_numbers([dinas_rec.id]) == {dinas_rec.id: own.number}
    city = db.session.scalar(select(Deadline).where(Deadline.recommendation_id == kota.recommendations[0].id))
    assert city.received_on == date(2018, 8, 6)


def test_a_legacy_letter_carrying_another_authoritys_recommendation_cannot_be_issued(
    demo, letters, workflow, dinas_rec
):
    # Written before the rule: the row is put in directly, as an old database may hold it.
    db.session.add(
        LetterRecommendation(letter_id=letters.kota.id, recommendation_id=dinas_rec.id, position=99)
    )
    db.session.commit()
    page = workflow.inspector.get(f"/letters/{letters.kota.id}/edit")
    assert page.status_code == 200 and f'value="{dinas_rec.id}"' in page.get_data(as_text=True)
    workflow.approve(letters.kota.id)
    response = workflow.head.post(f"/letters/{letters.kota.id}/issue")
    assert response.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status is LetterStatus.APPROVED and letter.number is None


# --- the letter date ----------------------------------------------------------------------------------------


def test_the_head_chooses_the_letter_date_and_the_number_follows_its_month_and_year(demo, letters, workflow):
    workflow.approve(letters.kota.id)
    page = workflow.head.get(f"/letters/{letters.kota.id}").get_data(as_text=True)
    assert f'value="{TODAY.isoformat()}"' in page  # today in the office, pre-filled
    response = workflow.head.post(f"/letters/{letters.kota.id}/issue", data={"letter_date": "2018-08-31"})
    assert response.status_code == 303
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.letter_date == date(2018, 8, 31) and letter.year == 2018
    assert re.fullmatch(r"\d+/ORI/PW-NTT/VIII/2018", letter.number)
    assert f"Kupang, {format_date_id(date(2018, 8, 31))}" in pdf_text(letter.pdf)


def test_numbers_follow_dates_a_letter_may_not_be_dated_before_the_years_latest_numbered_letter(
    demo, letters, workflow
):
    """The tester's case: letter 1 dated later, letter 2 dated earlier got the higher number."""
    workflow.approve(letters.kota.id)
    assert (
        workflow.head.post(
            f"/letters/{letters.kota.id}/issue", data={"letter_date": "2018-09-10"}
        ).status_code
        == 303
    )
    kota = db.session.get(Letter, letters.kota.id)
    workflow.approve(letters.ditjen.id)
    response = workflow.head.post(f"/letters/{letters.ditjen.id}/issue", data={"letter_date": "2018-09-03"})
    assert response.status_code == 422
    errors = " ".join(ERROR_RE.findall(response.get_data(as_text=True)))
    assert "nomor surat mengikuti urutan tanggal" in errors and kota.number in errors
    assert db.session.get(Letter, letters.ditjen.id).number is None  # no number taken
    # The same day, or later, is fine, and the number is the next one.
    assert (
        workflow.head.post(
            f"/letters/{letters.ditjen.id}/issue", data={"letter_date": "2018-09-10"}
        ).status_code
        == 303
    )
    ditjen = db.session.get(Letter, letters.ditjen.id)
    assert ditjen.sequence == kota.sequence + 1


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2018-07-29", "sebelum tanggal inspeksi"), ("2018-09-21", "Tanggal harus antara"), ("2018-02-30", "")],
)
def test_a_letter_date_before_the_inspection_or_in_the_future_is_refused(
    demo, letters, workflow, day, expected
):
    workflow.approve(letters.kota.id)
    response = workflow.head.post(f"/letters/{letters.kota.id}/issue", data={"letter_date": day})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = " ".join(ERROR_RE.findall(page))
    assert errors and expected in errors, errors
    assert f'value="{day}"' in page  # the input is kept
    letter = db.session.get(Letter, letters.kota.id)
    assert letter.status is LetterStatus.APPROVED and letter.number is None


def test_the_api_takes_the_letter_date_and_refuses_a_bad_one(app, demo, letters, workflow):
    from tests.api.conftest import ApiClient, issue

    workflow.approve(letters.kota.id)
    head = ApiClient(app.test_client(), issue(demo.users["head"]))
    url = f"/api/v1/letters/{letters.kota.id}/issue"
    refused = head.post(url, json={"letter_date": "2018-07-01"})
    assert refused.status_code == 422 and "letter_date" in refused.get_json()["fields"]
    refused = head.post(url, json={"letter_date": "2030-01-01"})
    assert refused.status_code == 422 and "letter_date" in refused.get_json()["fields"]
    refused = head.post(url, json={"letter_date": "kemarin"})
    assert refused.status_code == 422 and "letter_date" in refused.get_json()["fields"]
    issued = head.post(url, json={"letter_date": "2018-07-30"})
    assert issued.status_code == 200, issued.get_json()
    body = issued.get_json()
    assert body["letter_date"] == "2018-07-30" and body["number"].endswith("/VII/2018")


def test_without_a_date_the_letter_is_dated_today_in_the_office(demo, letters, workflow):
    letter = workflow.issue(letters.kota.id)
    assert letter.letter_date == TODAY and letter.number.endswith("/IX/2018")


def test_the_service_checks_the_date_against_the_last_reported_inspection(demo, letters, workflow):
    workflow.approve(letters.kota.id)
    letter = db.session.get(Letter, letters.kota.id)
    assert issuing.last_reported_visit(letter) == date(2018, 7, 30)
    with pytest.raises(Invalid) as refused:
        issuing.issue(
            letter,
            demo.users["head"],
            today=TODAY,
            letter_date=date(2018, 7, 29),
            base_url="http://127.0.0.1:5000",
            evidence_root=None,
        )
    assert refused.value.field == "letter_date" and "30 Juli 2018" in str(refused.value.message)


def test_a_reminder_keeps_the_addressee_rule_and_a_letter_to_a_superior_covers_its_subordinates(
    demo, letters
):
    """A reminder to the Ditjen cannot carry the city's recommendation (the tester's case: the edit form
    offered every recommendation of the office); a letter to the Kemendagri, the Ditjen's superior in the
    register, may carry the Ditjen's own."""
    from ombudsman.authorities.models import Authority

    city_rec = next(r for r in letters.kota.recommendations if r.authority_id == demo.pemkot.id)
    ditjen_rec = letters.ditjen.recommendations[0]
    reminder = NewLetter(
        authority_id=demo.ditjen.id,
        kind=LetterKind.PENGINGAT,
        hal="Pengingat",
        recommendation_ids=(city_rec.id,),
    )
    with pytest.raises(Invalid) as refused:
        drafting.create(demo.office, demo.users["inspector"], reminder)
    assert "bukan kepada instansi tujuan surat ini" in str(refused.value.message)
    db.session.rollback()

    superior = db.session.get(Authority, demo.ditjen.parent_id)
    assert superior is not None and superior.parent_id is None  # the Kemendagri
    to_superior = drafting.create(
        demo.office,
        demo.users["inspector"],
        NewLetter(
            authority_id=superior.id,
            kind=LetterKind.PENGINGAT,
            hal="Pengingat kepada atasan",
            recommendation_ids=(ditjen_rec.id,),
        ),
    )
    offered = set(
        db.session.scalars(
            select(LetterRecommendation.recommendation_id).where(
                LetterRecommendation.letter_id == to_superior.id
            )
        )
    )
    assert offered == {ditjen_rec.id}
    assert eligibility.covered_authorities(to_superior) >= {superior.id, demo.ditjen.id}
    assert demo.pemkot.id not in eligibility.covered_authorities(to_superior)


def test_a_recommendation_written_after_the_letter_was_issued_gets_a_letter_of_its_own(
    demo, letters, workflow
):
    """Susun surat after the Wali Kota's letter went out drafts a new letter with only the new recommendation
    (the tester's case: it answered "Surat kepada ... sudah ada" and the recommendation could go nowhere)."""
    issued = workflow.issue(letters.kota.id)
    new = recommendations.create(
        demo.office.id,
        demo.users["inspector"],
        {
            "finding_ids": (demo.findings[1].id,),
            "authority_id": demo.pemkot.id,
            "text": "Menambah satu loket khusus pengambilan KTP-el.",
        },
    )
    db.session.commit()
    created, skipped = drafting.draft_from_inspection(demo.inspection, demo.users["inspector"])
    assert [letter.authority_id for letter in created] == [demo.pemkot.id]
    assert [r.id for r in created[0].recommendations] == [new.id]
    assert new.id not in {r.id for r in issued.recommendations}
    assert demo.ditjen in skipped  # its recommendations are all in its letter already
    db.session.commit()
    # While that draft is open, a second Susun surat makes nothing more for the city.
    again, skipped = drafting.draft_from_inspection(demo.inspection, demo.users["inspector"])
    assert again == [] and demo.pemkot in skipped
