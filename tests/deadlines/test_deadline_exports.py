"""The deadlines list as CSV and XLSX: labels in the reader's language, the letter number, typed cells,
and no cell a spreadsheet could run as a formula."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ombudsman.deadlines import reports, services
from ombudsman.extensions import db
from ombudsman.letters import services as letters
from ombudsman.letters.commands import RecordDelivery
from ombudsman.letters.models import Letter
from ombudsman.recommendations import services as recommendations

# A leading tab is trimmed when the recommendation is saved ("\t=1" is stored as "=1"): "x\t=1" keeps one.
HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2 hal", "@SUM(A1)", "\t=1", "x\t=1", "a\n=1", "＝1"]
STORED = ['=HYPERLINK("http://x")', "+1", "-2 hal", "@SUM(A1)", "=1", "x\t=1", "a\n=1", "＝1"]
IN_CSV = ['\'=HYPERLINK("http://x")', "'+1", "'-2 hal", "'@SUM(A1)", "'=1", "x\t'=1", "a\n'=1", "'＝1"]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # Six days after the demo letter's due date (20 September 2018).
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-09-26")


def _with_texts(demo, texts: list[str]) -> list[int]:
    """Recommendations to the Ditjen with these texts and running clocks (received 3 September 2018)."""
    ids = []
    for text in texts:
        rec = recommendations.create(
            demo.office.id,
            demo.users["inspector"],
            {"finding_ids": [demo.findings[9].id], "authority_id": demo.ditjen.id, "text": text},
        )
        services.start_clock(
            rec, received_on=date(2018, 9, 3), issued_on=None, user=demo.users["head"], today=date(2018, 9, 3)
        )
        ids.append(rec.id)
    db.session.commit()
    return ids


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads Indonesian text as UTF-8 only with the byte order mark
    header, *rows = csv.reader(io.StringIO(text[1:]))
    return [dict(zip(header, row, strict=True)) for row in rows]


def _xlsx(response):
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)).active


def _by_header(sheet) -> list[dict]:
    """The data rows as {header: cell}."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_csv_export(demo, started, login):
    response = login("viewer@demo.test").get("/deadlines/export.csv?state=overdue", buffered=True)

    assert response.headers["Content-Disposition"] == "attachment; filename=tenggat-2018-09-26.csv"
    rows = _csv(response)
    assert len(rows) == 7
    assert list(rows[0]) == [str(h) for h in reports.EXPORT_HEADER]
    first = rows[0]
    assert (first["Instansi"], first["Tingkat"], first["Jatuh tempo"], first["Status tenggat"]) == (
        "Pemerintah Kota Kupang",
        "Kabupaten/Kota",
        "2018-09-20",
        "Lewat tenggat",
    )
    assert (first["Jenis"], first["Status rekomendasi"]) == ("Saran perbaikan", "Terbuka")
    assert first["Tanggal diterima"] == "2018-08-06"
    assert first["ID rekomendasi"] == str(started[0].recommendation_id)
    assert first["Penjelasan"].endswith("(Tahun Baru Islam); jatuh tempo 20 September 2018")


def test_xlsx_export(demo, started, login):
    response = login("viewer@demo.test").get("/deadlines/export.xlsx")

    assert response.headers["Content-Disposition"] == "attachment; filename=tenggat-2018-09-26.xlsx"
    sheet = _xlsx(response)
    assert [c.value for c in sheet[1]] == [str(h) for h in reports.EXPORT_HEADER]
    rows = _by_header(sheet)
    assert len(rows) == 10  # seven running, three not yet received
    due = [r["Jatuh tempo"] for r in rows]
    assert [d.value.date() for d in due[:7]] == [date(2018, 9, 20)] * 7
    assert all(d.is_date and d.number_format == "yyyy-mm-dd" for d in due[:7])
    assert [d.value for d in due[7:]] == [None, None, None]
    first = rows[0]
    assert first["ID rekomendasi"].data_type == "n" and isinstance(first["ID rekomendasi"].value, int)
    assert (first["Tingkat"].value, first["Status tenggat"].value) == ("Kabupaten/Kota", "Lewat tenggat")
    assert first["Penjelasan"].value.endswith("(Tahun Baru Islam); jatuh tempo 20 September 2018")
    assert first["Penjelasan"].data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O11"
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    assert len(widths) == len(reports.EXPORT_HEADER)
    assert widths["A"] < widths["C"] <= 60 and widths["G"] == 60  # id, authority name, recommendation text


def test_exports_neutralise_formulas_in_user_text(demo, started, login):
    ids = _with_texts(demo, HOSTILE)
    b = login("viewer@demo.test")
    url = f"/deadlines/export.{{}}?authority_id={demo.ditjen.id}&state=open"

    csv_rows = {int(r["ID rekomendasi"]): r for r in _csv(b.get(url.format("csv"), buffered=True))}
    xlsx_rows = {r["ID rekomendasi"].value: r for r in _by_header(_xlsx(b.get(url.format("xlsx"))))}

    assert [csv_rows[i]["Isi rekomendasi"] for i in ids] == IN_CSV
    for rid, text in zip(ids, STORED, strict=True):
        cell = xlsx_rows[rid]["Isi rekomendasi"]
        assert (cell.value, cell.data_type) == (text, "s")
    sheet_cells = [c for r in xlsx_rows.values() for c in r.values()]
    assert not [c for c in sheet_cells if c.data_type == "f"]


def test_labels_follow_the_readers_language(demo, started, login):
    b = login("viewer@demo.test")
    assert b.get("/lang/en").status_code in (302, 303)

    [first, *_] = _csv(b.get("/deadlines/export.csv?state=overdue", buffered=True))
    sheet = _xlsx(b.get("/deadlines/export.xlsx?state=overdue"))

    assert (first["Due"], first["Letter number"]) == ("2018-09-20", "")
    assert {"Regency/City", "Overdue"} <= set(first.values())
    assert not {"Kabupaten/Kota", "Lewat tenggat"} & set(first.values())
    assert sheet.title == "Deadlines"
    values = {c.value for c in sheet[2]}
    assert {"Regency/City", "Overdue"} <= values and "Lewat tenggat" not in values


def _issue_and_receive(demo) -> Letter:
    """The demo letter to the Wali Kota Kupang issued on 31 July and received on 6 August 2018."""
    letter = db.session.scalar(
        select(Letter).where(Letter.authority_id == demo.pemkot.id, Letter.escalation_step.is_(None))
    )
    letters.submit(letter, demo.users["inspector"])
    letters.approve(letter, demo.users["supervisor"])
    issued = letters.issue(
        letter,
        demo.users["head"],
        today=date(2018, 7, 31),
        base_url="http://test",
        evidence_root=None,
        render=lambda doc, **kw: b"%PDF-1.7 " + doc.hal.encode(),
    )
    cmd = RecordDelivery(delivered_on=date(2018, 7, 31), received_on=date(2018, 8, 6))
    letters.record_delivery(issued, demo.users["inspector"], cmd, today=date(2018, 8, 10))
    db.session.commit()
    return issued


def test_the_letter_number_is_a_column(demo, login):
    issued = _issue_and_receive(demo)
    carried = {r.id for r in issued.recommendations}
    b = login("viewer@demo.test")

    rows = _csv(b.get("/deadlines/export.csv", buffered=True))
    sheet_rows = _by_header(_xlsx(b.get("/deadlines/export.xlsx")))

    numbers = {int(r["ID rekomendasi"]): r["Nomor surat"] for r in rows}
    assert issued.number and {numbers[i] for i in carried} == {issued.number}
    assert {n for i, n in numbers.items() if i not in carried} == {""}  # the Ditjen letter is still a draft
    in_sheet = {r["ID rekomendasi"].value: r["Nomor surat"] for r in sheet_rows}
    assert {in_sheet[i].value for i in carried} == {issued.number}
    assert {in_sheet[i].data_type for i in carried} == {"s"}
