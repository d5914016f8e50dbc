"""Number templates, the office's letter settings page, and sequences per office and year."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ombudsman.audit.models import AuditEvent
from ombudsman.extensions import db
from ombudsman.letters import counters as letter_counters
from ombudsman.letters import settings as letter_settings
from ombudsman.letters.models import Letter, LetterCounter
from ombudsman.letters.numbering import format_number, roman, template_errors

DAY = date(2018, 7, 31)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{seq}/{classification}/{unit}/{month_roman}/{year}", "12/ORI/PW-NTT/VII/2018"),
        ("{seq:4}/ORI-NTT/{month_roman}/{year}", "0012/ORI-NTT/VII/2018"),
        ("B-{seq:3}/{unit}/{month:2}/{year}", "B-012/PW-NTT/07/2018"),
        ("{ seq }.{month}.{year}", "12.7.2018"),
    ],
)
def test_format_number(template, expected):
    assert template_errors(template) == []
    assert format_number(template, seq=12, day=DAY, classification="ORI", unit="PW-NTT") == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{seq}/{nomor}/{year}", "Penanda {nomor} tidak dikenal"),
        ("{seq}/{year}/{Year}", "Penanda {Year} tidak dikenal"),
        ("{seq}/{unit:3}/{year}", "Lebar angka hanya berlaku"),
        ("{seq}/{year", "Kurung kurawal tidak berpasangan"),
        ("{seq}}/{year}", "Kurung kurawal tidak berpasangan"),
        ("{classification}/{year}", "harus memuat {seq}"),
        ("{seq}/{month_roman}", "harus memuat {year}"),
        ("   ", "wajib diisi"),
        ("{seq}/{year}" + "x" * 200, "paling panjang"),
        ("{seq:9}/{year}", "tidak dikenal"),
    ],
)
def test_bad_templates_are_refused(template, message):
    errors = template_errors(template)
    assert any(message in e for e in errors), errors
    with pytest.raises(ValueError):
        format_number(template, seq=1, day=DAY)


def test_roman_months():
    assert [roman(m) for m in (1, 4, 7, 9, 12)] == ["I", "IV", "VII", "IX", "XII"]


def test_settings_page_refuses_unknown_placeholders_and_keeps_input(demo, login):
    admin = login("admin@demo.test")
    page = admin.get("/settings/letters")
    assert page.status_code == 200
    assert "{month_roman}" in page.get_data(as_text=True)
    data = {
        "number_template": "{seq}/{nomor_agenda}/{year}",
        "classification": "HM.01",
        "unit_code": "PW24",
        "header": "OMBUDSMAN REPUBLIK INDONESIA\nPERWAKILAN NTT",
        "signatory_title": "Kepala Perwakilan",
        "paper": "F4",
        "font": "noto-serif",
        "font_size": "11",
        "margin_top": "20",
        "margin_right": "20",
        "margin_bottom": "25",
        "margin_left": "30",
    }
    refused = admin.post("/settings/letters", data=data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Penanda {nomor_agenda} tidak dikenal" in html
    assert 'value="HM.01"' in html
    assert letter_settings.for_office(demo.office).number_template == (
        "{seq}/{classification}/{unit}/{month_roman}/{year}"
    )

    saved = admin.post("/settings/letters", data={**data, "number_template": "{seq:3}/{unit}/{year}"})
    assert saved.status_code == 303
    db.session.expire_all()
    saved_settings = letter_settings.for_office(db.session.get(type(demo.office), demo.office.id))
    assert (saved_settings.number_template, saved_settings.paper, saved_settings.font) == (
        "{seq:3}/{unit}/{year}",
        "F4",
        "noto-serif",
    )
    # The newest: seeding the demo set its letterhead through the same service.
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "letter_settings").order_by(AuditEvent.id.desc())
    )
    assert event.changes["paper"] == ["A4", "F4"]


def test_settings_page_refuses_bad_layout(demo, login):
    admin = login("admin@demo.test")
    response = admin.post(
        "/settings/letters",
        data={
            "number_template": "{seq}/{year}",
            "paper": "Letter",
            "font": "arimo",
            "font_size": "30",
            "margin_top": "2",
            "margin_right": "20",
            "margin_bottom": "25",
            "margin_left": "30",
        },
    )
    assert response.status_code == 422
    assert letter_settings.for_office(demo.office).paper == "A4"


def test_only_the_admin_changes_letter_settings(demo, login):
    assert login("head@demo.test").get("/settings/letters").status_code == 403
    assert login("inspector@demo.test").post("/settings/letters", data={}).status_code == 403


def test_office_settings_shape_the_issued_letter(demo, letters, workflow):
    settings = letter_settings.for_office(demo.office)
    settings.number_template = "{seq:4}/{classification}/{month:2}/{year}"
    settings.paper = "F4"
    db.session.commit()
    letter = workflow.issue(letters.kota.id)
    assert letter.number == f"0001/ORI/{letter.letter_date.month:02d}/{letter.letter_date.year}"
    from io import BytesIO

    from pypdf import PdfReader

    box = PdfReader(BytesIO(letter.pdf)).pages[0].mediabox
    assert round(float(box.height) * 25.4 / 72) == 330


def test_missing_codes_stop_the_issue_with_a_clear_message(demo, letters, workflow):
    letter_settings.for_office(demo.office).unit_code = ""
    db.session.commit()
    workflow.approve(letters.kota.id)
    workflow.head.post(f"/letters/{letters.kota.id}/issue")
    page = workflow.head.get(f"/letters/{letters.kota.id}").get_data(as_text=True)
    assert "Kode unit pengolah belum diisi di pengaturan surat." in page
    assert db.session.get(Letter, letters.kota.id).status.value == "approved"


def test_sequence_counts_per_office_and_restarts_each_year(demo):
    office_id = demo.office.id
    assert [letter_counters.allocate_sequence(office_id, 2018) for _ in range(3)] == [1, 2, 3]
    assert letter_counters.allocate_sequence(office_id, 2019) == 1
    db.session.commit()
    counters = {c.year: c.last_sequence for c in db.session.scalars(select(LetterCounter))}
    assert counters == {2018: 3, 2019: 1}


def test_the_database_refuses_a_duplicated_sequence(demo, letters):
    from sqlalchemy.exc import IntegrityError

    for letter in (letters.kota, letters.ditjen):
        letter.sequence, letter.year, letter.number = 7, 2018, f"7/X/{letter.id}/2018"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
