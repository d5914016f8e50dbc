"""The deadline sentence of a letter uses the rule the clock will count with, and says so when a rule change
is already scheduled before the letter could be received."""

from datetime import date

from sqlalchemy import select

from ombudsman.deadlines import rules, services
from ombudsman.deadlines.commands import SaveRule
from ombudsman.deadlines.models import DeadlineRule
from ombudsman.extensions import db
from ombudsman.recommendations.models import RecommendationKind

LETTER_DATE = date(2018, 12, 20)
SARAN_30 = (
    "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat "
    "30 (tiga puluh) hari kerja sejak surat ini diterima."
)


def _rule(kind: str) -> DeadlineRule:
    return db.session.scalar(select(DeadlineRule).where(DeadlineRule.kind == kind))


def _save(rule: DeadlineRule | None, **values) -> DeadlineRule:
    current = {
        "kind": rule.kind.value if rule else "saran",
        "count": rule.count if rule else 30,
        "unit": rule.unit.value if rule else "working",
        "starts": rule.starts.value if rule else "on_receipt",
        "next_working_day": rule.next_working_day if rule else True,
        "legal_basis": rule.legal_basis if rule else "",
        "valid_from": rule.valid_from if rule else None,
        "valid_to": rule.valid_to if rule else None,
    }
    return rules.save_rule(rule, SaveRule(**{**current, **values}), user=None)


def _saran_changes_on_new_year() -> None:
    """The seeded saran rule ends on 31 December 2018; 14 working days from 1 January 2019."""
    _save(_rule("saran"), valid_to=date(2018, 12, 31))
    _save(None, count=14, valid_from=date(2019, 1, 1))


def test_the_seeded_rules_are_stated_as_before(demo):
    assert services.letter_deadline_sentence("saran", LETTER_DATE) == SARAN_30


def test_a_calendar_day_rule_states_the_move_to_the_next_working_day(demo):
    assert services.letter_deadline_sentence(RecommendationKind.REKOMENDASI, LETTER_DATE) == (
        "Atasan terlapor wajib melaporkan pelaksanaan Rekomendasi kepada Ombudsman paling lambat "
        "60 (enam puluh) hari sejak Rekomendasi diterima; apabila hari terakhir bukan hari kerja, tenggat "
        "jatuh pada hari kerja berikutnya."
    )
    _save(_rule("rekomendasi"), next_working_day=False)
    assert services.letter_deadline_sentence("rekomendasi", LETTER_DATE).endswith(
        "60 (enam puluh) hari sejak Rekomendasi diterima."
    )


def test_a_change_scheduled_before_receipt_is_stated_and_the_clock_agrees(demo, recs):
    _saran_changes_on_new_year()

    sentence = services.letter_deadline_sentence("saran", LETTER_DATE)

    assert sentence == (
        f"{SARAN_30} Apabila surat ini diterima pada atau setelah 1 Januari 2019, tenggat tersebut menjadi "
        "14 (empat belas) hari kerja sejak surat ini diterima."
    )
    # The clock counts exactly what the letter said: 30 working days when received in 2018, 14 in 2019.
    before, after = recs["pemkot"][:2]
    for rec, received in ((before, date(2018, 12, 31)), (after, date(2019, 1, 2))):
        services.start_clock(
            rec, received_on=received, issued_on=LETTER_DATE, user=None, today=date(2019, 1, 3)
        )
    assert (before.deadline.count, after.deadline.count) == (30, 14)
    # A letter dated after the change states the new rule alone.
    assert services.letter_deadline_sentence("saran", date(2019, 1, 2)) == (
        "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat "
        "14 (empat belas) hari kerja sejak surat ini diterima."
    )


def test_a_rule_that_ends_without_a_successor_says_until_when(demo):
    _save(_rule("saran"), valid_to=date(2018, 12, 31))

    assert services.letter_deadline_sentence("saran", LETTER_DATE) == (
        f"{SARAN_30} Ketentuan tenggat tersebut berlaku apabila surat ini diterima paling lambat "
        "31 Desember 2018."
    )


def test_no_rule_yet_but_one_scheduled_states_when_it_applies(demo):
    _save(_rule("saran"), valid_from=date(2019, 1, 1))

    assert services.letter_deadline_sentence("saran", LETTER_DATE) == (
        "Apabila surat ini diterima pada atau setelah 1 Januari 2019, tindak lanjut atas saran tersebut kami "
        "harapkan disampaikan kepada Ombudsman paling lambat 30 (tiga puluh) hari kerja sejak surat ini "
        "diterima."
    )


def test_a_rule_counted_from_the_letter_date_cannot_change_after_it(demo):
    # Counted from issue: the clock takes the rule in force on the letter's date, whatever comes later.
    _save(_rule("saran"), count=45, unit="calendar", starts="on_issue", valid_to=date(2018, 12, 31))
    _save(None, count=20, unit="calendar", starts="on_issue", valid_from=date(2019, 1, 1))

    assert services.letter_deadline_sentence("saran", LETTER_DATE) == (
        "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman paling lambat "
        "45 (empat puluh lima) hari sejak tanggal surat ini; apabila hari terakhir bukan hari kerja, tenggat "
        "jatuh pada hari kerja berikutnya."
    )


def test_no_rule_at_all_gives_no_sentence(demo):
    db.session.execute(DeadlineRule.__table__.delete().where(DeadlineRule.kind == "saran"))

    assert services.letter_deadline_sentence("saran", LETTER_DATE) == ""
