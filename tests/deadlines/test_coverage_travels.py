"""The warning that the holiday data of a year is not available yet travels with the due date: on the pages as
before, and in the CSV/XLSX exports, the iCalendar event and the reminder e-mail (the API: tests/api)."""

import csv
import io
import re
from datetime import date, timedelta

import icalendar
import pytest
from flask import session
from flask_babel import refresh
from openpyxl import load_workbook

from ombudsman.deadlines import services
from ombudsman.deadlines.calendar import coverage_warning
from ombudsman.deadlines.labels import uncovered_years, warning_texts
from ombudsman.deadlines.settings import office_calendar
from ombudsman.extensions import db

WARNING_ID = "Data hari libur tahun {year} belum tersedia; tanggal jatuh tempo mungkin keliru."
WARNING_EN = "Holiday data for {year} is not yet available; due dates may be wrong."


@pytest.fixture
def uncertain(demo, recs):
    """Clocks started for the letter to the Wali Kota Kupang received on the first Monday of the first year
    the holiday data does not cover yet (for the office's settings); committed."""
    calendar = office_calendar(demo.office)
    year = next(y for y in range(2020, 2100) if not calendar.covers(y))
    received = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 0)
    deadlines = [
        services.start_clock(
            rec,
            received_on=received,
            issued_on=None,
            user=demo.users["head"],
            today=received + timedelta(days=3),
        )
        for rec in recs["pemkot"]
    ]
    db.session.commit()
    return year, deadlines


def test_the_stored_warning_names_the_year_in_both_languages(app, uncertain):
    year, deadlines = uncertain

    assert deadlines[0].warnings == [coverage_warning(year)]
    assert uncovered_years(deadlines[0].warnings) == [year]
    with app.test_request_context():
        session["lang"] = "en"
        refresh()
        assert warning_texts(deadlines[0].warnings) == [WARNING_EN.format(year=year)]
    assert uncovered_years(["Peringatan lain"]) == [] and warning_texts(None) == []


def test_the_follow_up_page_shows_it(demo, uncertain, login):
    year, deadlines = uncertain

    page = login("viewer@demo.test").get(f"/deadlines/recommendations/{deadlines[0].recommendation_id}")

    assert WARNING_ID.format(year=year) in page.get_data(as_text=True)


def test_the_exports_carry_it_beside_the_due_date(demo, uncertain, login, monkeypatch):
    year, deadlines = uncertain
    monkeypatch.setenv("OMBUDSMAN_TODAY", deadlines[0].received_on.isoformat())
    viewer = login("viewer@demo.test")

    text = viewer.get("/deadlines/export.csv", buffered=True).get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(text[1:]))
    sheet = load_workbook(io.BytesIO(viewer.get("/deadlines/export.xlsx").data)).active

    column = header.index("Peringatan jatuh tempo")
    assert header[column - 1] == "Jatuh tempo"
    by_id = {int(r[0]): r[column] for r in rows}
    assert {by_id[d.recommendation_id] for d in deadlines} == {WARNING_ID.format(year=year)}
    assert {v for k, v in by_id.items() if k not in {d.recommendation_id for d in deadlines}} == {""}
    cells = {r[0].value: r[column].value for r in sheet.iter_rows(min_row=2)}
    assert cells[deadlines[0].recommendation_id] == WARNING_ID.format(year=year)
    assert [c.value for c in sheet[1]][column] == "Peringatan jatuh tempo"


def _feed(client, login, email: str) -> list:
    browser = login(email)
    browser.post("/deadlines/calendar")
    page = browser.get("/deadlines/calendar").get_data(as_text=True)
    url = re.search(r'value="([^"]+/deadlines/calendar/[^"]+\.ics)"', page)[1]
    response = client.get(url[url.index("/deadlines/calendar/") :])
    return list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))


def test_the_calendar_event_says_it_in_its_description(demo, uncertain, login, client):
    year, deadlines = uncertain
    demo.users["supervisor"].locale = "en"
    db.session.commit()

    events = _feed(client, login, "inspector@demo.test")
    english = _feed(client, login, "supervisor@demo.test")

    assert len(events) == 7
    assert all(WARNING_ID.format(year=year) in str(e["description"]) for e in events)
    assert all(WARNING_EN.format(year=year) in str(e["description"]) for e in english)


def test_the_reminder_e_mail_says_it_under_the_due_date(demo, uncertain, runner, smtp, monkeypatch):
    year, deadlines = uncertain
    demo.users["supervisor"].locale = "en"
    db.session.commit()
    monkeypatch.setenv("OMBUDSMAN_TODAY", (deadlines[0].due_on - timedelta(days=1)).isoformat())

    result = runner.invoke(args=["deadlines", "remind"])

    assert result.exit_code == 0, result.output
    mails = {m["To"]: m.get_content() for m in smtp.inbox.messages}
    indonesian, english = mails["inspector@demo.test"], mails["supervisor@demo.test"]
    assert indonesian.count(WARNING_ID.format(year=year)) == 7
    lines = indonesian.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("Jatuh tempo"))
    assert WARNING_ID.format(year=year) in lines[first + 1]
    assert english.count(WARNING_EN.format(year=year)) == 7
