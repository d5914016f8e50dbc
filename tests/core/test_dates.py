"""Dates and times in words through Babel: Indonesian and English pages, Indonesian letters, WIB/WITA/WIT."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import session
from flask_babel import refresh

from ombudsman import dates
from ombudsman.templating import format_day, format_moment

MAKASSAR = ZoneInfo("Asia/Makassar")
JAKARTA = ZoneInfo("Asia/Jakarta")
JAYAPURA = ZoneInfo("Asia/Jayapura")
# 01:15 UTC on the day of the Kupang sidak: 09.15 in Kupang (WITA).
SIDAK_START = datetime(2018, 7, 30, 1, 15, tzinfo=UTC)


def test_babel_gives_the_indonesian_month_and_weekday_names_letters_have_always_used():
    assert dates.MONTHS_ID == (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    )  # fmt: skip
    assert dates.WEEKDAYS_ID == ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
    assert dates.WEEKDAYS_ID[date(2018, 7, 30).weekday()] == "Senin"


@pytest.mark.parametrize(
    ("locale", "with_year", "expected"),
    [
        ("id", True, "6 Agustus 2018"),
        ("id", False, "6 Agustus"),
        ("en", True, "6 August 2018"),
        ("en", False, "6 August"),
    ],
)
def test_long_date_in_each_language(locale, with_year, expected):
    assert dates.format_long_date(date(2018, 8, 6), locale, with_year=with_year) == expected


def test_letter_dates_are_indonesian_whatever_the_reader_speaks():
    assert dates.format_date_id(date(2018, 7, 31)) == "31 Juli 2018"
    assert dates.format_date_id(date(2018, 12, 1), with_year=False) == "1 Desember"


@pytest.mark.parametrize(("locale", "expected"), [("id", "Senin"), ("en", "Monday")])
def test_weekday_name(locale, expected):
    assert dates.weekday_name(date(2018, 7, 30), locale) == expected


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize(("zone", "expected"), [(JAKARTA, "WIB"), (MAKASSAR, "WITA"), (JAYAPURA, "WIT")])
def test_indonesian_zones_have_their_official_abbreviation_in_both_languages(zone, expected, locale):
    assert dates.zone_abbreviation(SIDAK_START, zone, locale) == expected


def test_other_zones_keep_babels_own_short_name():
    assert dates.zone_abbreviation(SIDAK_START, ZoneInfo("UTC"), "en") == "UTC"
    assert dates.zone_abbreviation(SIDAK_START, ZoneInfo("America/New_York"), "en") == "EDT"
    # Neither language abbreviates Singapore's zone: the offset is shown, not a borrowed or invented name.
    assert dates.zone_abbreviation(SIDAK_START, ZoneInfo("Asia/Singapore"), "en") == "+0800"


@pytest.mark.parametrize(
    ("zone", "locale", "expected"),
    [
        (MAKASSAR, "id", "30 Juli 2018 09.15 WITA"),
        (MAKASSAR, "en", "30 July 2018 09:15 WITA"),
        (JAKARTA, "id", "30 Juli 2018 08.15 WIB"),
        (JAKARTA, "en", "30 July 2018 08:15 WIB"),
        (JAYAPURA, "id", "30 Juli 2018 10.15 WIT"),
        (JAYAPURA, "en", "30 July 2018 10:15 WIT"),
    ],
)
def test_instant_in_the_office_zone_with_its_abbreviation(zone, locale, expected):
    assert dates.format_moment(SIDAK_START, zone, locale) == expected


def test_instant_takes_the_office_date_across_midnight_utc():
    evening_utc = datetime(2018, 7, 30, 17, 0, tzinfo=UTC)
    assert dates.format_moment(evening_utc, MAKASSAR, "id") == "31 Juli 2018 01.00 WITA"
    assert dates.format_moment(evening_utc, JAKARTA, "en", with_date=False) == "00:00 WIB"


def test_template_filters_follow_the_interface_language(app):
    with app.test_request_context():
        assert format_day(date(2018, 7, 31)) == "31 Juli 2018"
        assert format_moment(SIDAK_START) == "30 Juli 2018 01.15 UTC"  # anonymous: no office zone
        assert format_day(None) == format_moment(None) == "\u2014"
    with app.test_request_context():
        session["lang"] = "en"
        refresh()  # the app context outlives the first request, and Flask-Babel caches the locale on it
        assert format_day(date(2018, 7, 31)) == "31 July 2018"
        assert format_moment(SIDAK_START, with_date=False) == "01:15 UTC"


def test_pages_show_times_in_the_office_zone_in_each_language(demo, login):
    inspector = login("inspector@demo.test")
    inspection = f"/inspections/{demo.inspection.id}"
    page = inspector.get(inspection).get_data(as_text=True)
    # The demo sidak ran from 09:00 to 11:30 Kupang time.
    assert "30 Juli 2018, 09.00 WITA \u2013 11.30 WITA" in page
    assert inspector.get("/lang/en").status_code == 303
    page = inspector.get(inspection).get_data(as_text=True)
    assert "30 July 2018, 09:00 WITA \u2013 11:30 WITA" in page and "30 Juli 2018" not in page
