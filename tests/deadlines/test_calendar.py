"""Tests for the working-day calendar: holidays, cuti bersama, office overrides and explanations."""

from datetime import date, timedelta

import pytest

from ombudsman.deadlines import explanations
from ombudsman.deadlines.calendar import (
    DueDate,
    WorkingCalendar,
    format_date_id,
    short_holiday_name,
)

DEFAULT = WorkingCalendar()
CUTI_BERSAMA_WORKING = WorkingCalendar(cuti_bersama_is_working=True)
FRIDAY_SATURDAY_WEEKEND = WorkingCalendar(weekend=frozenset({4, 5}))


def _explain(due: DueDate, starts: str = "on_receipt", calendar: WorkingCalendar = DEFAULT) -> str:
    """The Indonesian explanation of a first due date, as stored facts say it."""
    return explanations.render([explanations.start_step(calendar, due, due.unit, starts)], "id")


def test_thirty_working_days_after_the_2018_inspection_skip_three_holidays():
    due = DEFAULT.add_working_days(date(2018, 7, 30), 30)

    assert due.due_on == date(2018, 9, 13)
    assert due.skipped == [
        (date(2018, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
        (date(2018, 8, 22), "Hari Raya Idul Adha"),
        (date(2018, 9, 11), "Tahun Baru Islam"),
    ]
    assert due.warnings == []


def test_explanation_of_thirty_working_days_from_receipt():
    due = DEFAULT.add_working_days(date(2018, 8, 6), 30)

    assert _explain(due, "on_receipt") == (
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
        "22 Agustus (Iduladha), 11 September (Tahun Baru Islam); jatuh tempo 20 September 2018"
    )


def test_sixty_calendar_days_ignore_holidays():
    due = DEFAULT.add_calendar_days(date(2018, 8, 6), 60)

    assert due.due_on == date(2018, 10, 5)
    assert due.skipped == []
    assert _explain(due, "on_receipt") == (
        "60 hari kalender sejak diterima 6 Agustus 2018; jatuh tempo 5 Oktober 2018"
    )


def test_explanation_from_issue_date():
    due = DEFAULT.add_calendar_days(date(2018, 8, 6), 60)

    assert _explain(due, "on_issue").startswith("60 hari kalender sejak diterbitkan 6 Agustus 2018")


def test_explain_rejects_unknown_unit():
    due = DEFAULT.add_calendar_days(date(2018, 8, 6), 60)

    with pytest.raises(ValueError, match="unit"):
        explanations.start_step(DEFAULT, due, "fortnights", "on_receipt")


def test_cuti_bersama_around_idul_fitri_2018_are_days_off_by_default():
    # The package's 2018 cuti bersama: 11-14 and 18-20 June (Idul Fitri 15-16 June) and 24 December.
    due = DEFAULT.add_working_days(date(2018, 6, 8), 5)

    assert due.due_on == date(2018, 6, 28)
    assert [d for d, _ in due.skipped] == [
        date(2018, 6, 11),
        date(2018, 6, 12),
        date(2018, 6, 13),
        date(2018, 6, 14),
        date(2018, 6, 15),
        date(2018, 6, 18),
        date(2018, 6, 19),
        date(2018, 6, 20),
        date(2018, 6, 27),
    ]
    assert _explain(due) == (
        "5 hari kerja sejak diterima 8 Juni 2018; tidak dihitung: 11–14 Juni (Cuti Bersama Idulfitri), "
        "15 Juni (Idulfitri), 18–20 Juni (Cuti Bersama Idulfitri), 27 Juni (Pemilihan Kepala Daerah); "
        "jatuh tempo 28 Juni 2018"
    )


def test_cuti_bersama_counted_as_working_days_when_the_office_says_so():
    due = CUTI_BERSAMA_WORKING.add_working_days(date(2018, 6, 8), 5)

    assert due.due_on == date(2018, 6, 18)
    assert due.skipped == [(date(2018, 6, 15), "Hari Raya Idul Fitri")]
    assert CUTI_BERSAMA_WORKING.is_working_day(date(2018, 6, 11))
    assert not DEFAULT.is_working_day(date(2018, 6, 11))


def test_closure_pushes_the_due_date_and_is_listed_with_its_reason():
    calendar = WorkingCalendar(closures={date(2018, 8, 20): "Libur daerah"})

    due = calendar.add_working_days(date(2018, 7, 30), 30)

    assert due.due_on == date(2018, 9, 14)
    assert (date(2018, 8, 20), "Libur daerah") in due.skipped
    assert [d for d, _ in due.skipped] == sorted(d for d, _ in due.skipped)
    assert "20 Agustus (Libur daerah)" in _explain(due, calendar=calendar)


def test_closure_reason_replaces_the_holiday_name():
    calendar = WorkingCalendar(closures={date(2018, 8, 17): "Upacara dan libur kantor"})

    assert calendar.non_working_reason(date(2018, 8, 17)) == "Upacara dan libur kantor"


def test_reopened_holiday_counts_as_a_working_day():
    calendar = WorkingCalendar(reopened={date(2018, 8, 22): "Tetap masuk kerja"})

    due = calendar.add_working_days(date(2018, 7, 30), 30)

    assert due.due_on == date(2018, 9, 12)
    assert date(2018, 8, 22) not in [d for d, _ in due.skipped]


def test_reopened_saturday_counts_as_a_working_day():
    calendar = WorkingCalendar(reopened={date(2018, 8, 18): "Kerja bakti"})

    assert calendar.add_working_days(date(2018, 8, 16), 1).due_on == date(2018, 8, 18)
    assert calendar.non_working_reason(date(2018, 8, 18)) is None


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2018, 8, 17), date(2018, 8, 20)),  # a Friday holiday
        (date(2018, 8, 18), date(2018, 8, 20)),  # a Saturday
        (date(2018, 8, 19), date(2018, 8, 20)),  # a Sunday
        (date(2018, 8, 20), date(2018, 8, 21)),  # a plain Monday: start itself never counts
        (date(2018, 8, 21), date(2018, 8, 23)),  # the next day is Idul Adha
    ],
)
def test_one_working_day_after_any_start(start, expected):
    assert DEFAULT.add_working_days(start, 1).due_on == expected


def test_zero_working_days_is_the_start_and_negative_is_an_error():
    assert DEFAULT.add_working_days(date(2018, 8, 18), 0).due_on == date(2018, 8, 18)
    with pytest.raises(ValueError, match="n must be"):
        DEFAULT.add_working_days(date(2018, 8, 18), -1)


@pytest.mark.parametrize("calendar", [DEFAULT, CUTI_BERSAMA_WORKING, FRIDAY_SATURDAY_WEEKEND])
def test_working_days_between_inverts_add_working_days(calendar):
    # Every start from May 2018 to January 2019 covers Idul Fitri, cuti bersama, August and year's end.
    first = date(2018, 5, 1)
    for offset in range(0, 275, 2):
        start = first + timedelta(days=offset)
        for n in (1, 2, 5, 30):
            due_on = calendar.add_working_days(start, n).due_on
            assert calendar.working_days_between(start, due_on) == n, (start, n)
            assert calendar.working_days_between(due_on, start) == -n, (start, n)


def test_working_days_between_conventions():
    assert DEFAULT.working_days_between(date(2018, 8, 6), date(2018, 8, 6)) == 0
    # Saturday to Sunday: no working day in (a, b].
    assert DEFAULT.working_days_between(date(2018, 8, 18), date(2018, 8, 19)) == 0
    # Friday 17 August (holiday) to Monday 20 August: only the Monday counts.
    assert DEFAULT.working_days_between(date(2018, 8, 17), date(2018, 8, 20)) == 1
    assert DEFAULT.working_days_between(date(2018, 8, 20), date(2018, 8, 17)) == -1


def test_friday_saturday_weekend():
    calendar = FRIDAY_SATURDAY_WEEKEND

    assert calendar.non_working_reason(date(2018, 8, 24)) == "Jumat"
    assert calendar.non_working_reason(date(2018, 8, 25)) == "Sabtu"
    assert calendar.is_working_day(date(2018, 8, 26))  # a Sunday
    due = calendar.add_working_days(date(2018, 8, 16), 1)
    assert due.due_on == date(2018, 8, 19)
    # 17 August falls on this office's weekend, so it is not listed as skipped.
    assert due.skipped == []


def test_non_working_reasons():
    assert DEFAULT.non_working_reason(date(2018, 8, 18)) == "Sabtu"
    assert DEFAULT.non_working_reason(date(2018, 8, 19)) == "Minggu"
    assert DEFAULT.non_working_reason(date(2018, 8, 20)) is None
    assert DEFAULT.non_working_reason(date(2018, 6, 11)) == "Cuti Bersama Hari Raya Idul Fitri"
    assert CUTI_BERSAMA_WORKING.non_working_reason(date(2018, 6, 11)) is None
    # A holiday on a weekend is named, not just called Saturday (Nyepi 2018).
    assert DEFAULT.non_working_reason(date(2018, 3, 17)) == "Hari Suci Nyepi"


def test_two_holidays_on_one_day_are_both_named():
    # 13 May 2021: Idul Fitri and Ascension Day.
    assert DEFAULT.non_working_reason(date(2021, 5, 13)) == "Hari Raya Idul Fitri; Kenaikan Yesus Kristus"
    due = DEFAULT.add_working_days(date(2021, 5, 12), 1)
    # In the words of the 2021 decree: "Idulfitri", "Kenaikan Isa Almasih".
    assert "13 Mei (Idulfitri dan Kenaikan Isa Almasih)" in _explain(due)


def test_package_typo_in_replacement_cuti_bersama_is_fixed():
    # holidays 0.108 calls 31 December 2020 "Pegangti Cuti Bersama Hari Raya Idul Fitri".
    assert DEFAULT.non_working_reason(date(2020, 12, 31)) == "Pengganti Cuti Bersama Hari Raya Idul Fitri"


def test_span_across_years_shows_years_in_the_skipped_list():
    due = DEFAULT.add_working_days(date(2018, 12, 20), 10)

    assert _explain(due) == (
        "10 hari kerja sejak diterima 20 Desember 2018; tidak dihitung: "
        "24 Desember 2018 (Cuti Bersama Natal), "
        "25 Desember 2018 (Natal), 1 Januari 2019 (Tahun Baru); jatuh tempo 8 Januari 2019"
    )


def test_uncovered_year_gives_a_warning_not_an_error():
    due = DEFAULT.add_working_days(date(2031, 3, 3), 10)

    assert isinstance(due, DueDate)
    assert due.warnings == ["Data hari libur tahun 2031 belum tersedia; tanggal jatuh tempo mungkin keliru."]


def test_warning_for_each_uncovered_year_in_the_span():
    due = DEFAULT.add_working_days(date(2030, 12, 20), 10)

    assert [w.split()[4] for w in due.warnings] == ["2030", "2031"]


def test_coverage():
    assert DEFAULT.covers(2018)
    assert not DEFAULT.covers(2031)  # Islamic holidays only estimated ("perkiraan"), no cuti bersama
    assert not DEFAULT.covers(2101)  # past the package's end_year
    assert 2018 in DEFAULT.covered_years
    assert 2031 not in DEFAULT.covered_years
    assert list(DEFAULT.covered_years) == sorted(DEFAULT.covered_years)


def test_short_holiday_names():
    assert short_holiday_name("Hari Kemerdekaan Republik Indonesia") == "Hari Kemerdekaan"
    assert short_holiday_name("Hari Raya Idul Adha") == "Idul Adha"
    assert short_holiday_name("Cuti Bersama Hari Raya Idul Fitri") == "Cuti Bersama Idul Fitri"
    assert short_holiday_name("Hari Raya Idul Fitri (perkiraan)") == "Idul Fitri"
    assert short_holiday_name("Libur daerah") == "Libur daerah"


def test_format_date_id():
    assert format_date_id(date(2018, 8, 6)) == "6 Agustus 2018"
    assert format_date_id(date(2018, 5, 31)) == "31 Mei 2018"
    assert format_date_id(date(2018, 12, 1), with_year=False) == "1 Desember"


def test_invalid_calendars_are_rejected():
    with pytest.raises(ValueError, match="whole week"):
        WorkingCalendar(weekend=frozenset(range(7)))
    with pytest.raises(ValueError, match="0-6"):
        WorkingCalendar(weekend=frozenset({7}))
    with pytest.raises(ValueError, match="both closed and reopened"):
        WorkingCalendar(closures={date(2018, 8, 20): "a"}, reopened={date(2018, 8, 20): "b"})


def test_calendar_keeps_its_own_copy_of_overrides():
    closures = {date(2018, 8, 20): "Libur daerah"}
    calendar = WorkingCalendar(closures=closures)

    closures[date(2018, 8, 21)] = "Ditambahkan kemudian"

    assert calendar.is_working_day(date(2018, 8, 21))
