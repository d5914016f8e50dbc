"""Due-date explanations are stored as facts and said in the reader's language (Indonesian as before)."""

from datetime import date

from flask import session
from flask_babel import refresh

from ombudsman.deadlines import explanations
from ombudsman.deadlines.calendar import WorkingCalendar
from ombudsman.deadlines.computation import Adjustment, apply_adjustment, compute_start
from ombudsman.deadlines.models import EventKind, Unit

CALENDAR = WorkingCalendar(closures={date(2018, 8, 20): "Libur daerah"})


def _steps():
    start = compute_start(CALENDAR, 30, Unit.WORKING, "on_receipt", date(2018, 8, 6))
    extended = apply_adjustment(
        CALENDAR, Unit.WORKING, start, Adjustment(EventKind.EXTENDED, date(2018, 9, 18), 10, "Diminta")
    )
    return extended.steps


def test_the_facts_hold_count_unit_start_and_the_skipped_days_with_both_names():
    start, extension = _steps()

    assert {k: start[k] for k in ("step", "count", "unit", "starts", "from", "due_on")} == {
        "step": "start",
        "count": 30,
        "unit": "working",
        "starts": "on_receipt",
        "from": "2018-08-06",
        "due_on": "2018-09-21",
    }
    assert start["skipped"][:2] == [
        {"on": "2018-08-17", "name": "Hari Kemerdekaan", "name_en": "Independence Day"},
        {"on": "2018-08-20", "name": "Libur daerah", "name_en": None},  # a closure: its reason as typed
    ]
    assert (extension["step"], extension["note"], extension["from"]) == ("extended", "Diminta", "2018-09-21")


def test_indonesian_keeps_the_sentence_letters_and_older_pages_used():
    assert explanations.render(_steps(), "id").split("\n") == [
        "30 hari kerja sejak diterima 6 Agustus 2018; tidak dihitung: 17 Agustus (Hari Kemerdekaan), "
        "20 Agustus (Libur daerah), 22 Agustus (Iduladha), 11 September (Tahun Baru Islam); "
        "jatuh tempo 21 September 2018",
        "Perpanjangan 18 September 2018 (Diminta): 10 hari kerja sejak tenggat 21 September 2018; "
        "jatuh tempo 5 Oktober 2018",
    ]


def test_english_readers_get_english_dates_and_holiday_names(app):
    with app.test_request_context():
        session["lang"] = "en"
        refresh()
        text = explanations.render(_steps())

    assert "6 August 2018" in text and "21 September 2018" in text and "=" not in text
    assert "17 August (Independence Day)" in text and "22 August (Eid al-Adha)" in text
    assert "20 August (Libur daerah)" in text  # an admin's reason is shown as typed
    assert "30 working days from receipt" in text
    assert "Agustus" not in text and "Hari Kemerdekaan" not in text


def test_facts_read_back_from_old_sentences_still_get_english_holiday_names(app):
    # Migrated facts know only the Indonesian short name: the package's English name stands in for it.
    steps = [
        {
            "step": "start",
            "count": 30,
            "unit": "working",
            "starts": "on_receipt",
            "from": "2018-08-06",
            "due_on": "2018-09-20",
            "skipped": [{"on": "2018-08-17", "name": "Hari Kemerdekaan"}],
        }
    ]
    with app.test_request_context():
        session["lang"] = "en"
        refresh()
        assert "17 August (Independence Day)" in explanations.render(steps)
    assert "17 Agustus (Hari Kemerdekaan)" in explanations.render(steps, "id")


def test_text_steps_are_said_as_kept():
    steps = explanations.text_steps("Baris lama satu\nBaris lama dua")

    assert explanations.render(steps, "en") == "Baris lama satu\nBaris lama dua"


def test_facts_stored_in_the_old_spelling_are_said_in_the_decree_words():
    stored = [
        {
            "step": "start",
            "count": 30,
            "unit": "working",
            "starts": "on_receipt",
            "from": "2018-08-06",
            "due_on": "2018-09-21",
            "skipped": [
                {"on": "2018-08-20", "name": "Idul Adha kantor", "name_en": None},  # a closure, as typed
                {"on": "2018-08-22", "name": "Idul Adha"},  # read back from an old sentence
                {"on": "2018-03-30", "name": "Wafat Yesus Kristus", "name_en": "Good Friday"},
            ],
        },
        {"step": "stopped", "on": "2018-09-01", "note": "", "remaining": 5, "unit": "working"},
    ]

    lines = explanations.render_lines(stored, "id")

    assert "20 Agustus (Idul Adha kantor), 22 Agustus (Iduladha), 30 Maret (Wafat Isa Almasih)" in lines[0]
    assert "=" not in lines[0] and lines[0].endswith("; jatuh tempo 21 September 2018")
    assert lines[1] == "Penghentian sementara 1 September 2018; sisa 5 hari kerja."
