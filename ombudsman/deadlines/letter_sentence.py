"""The deadline sentence of a letter: the rule the clock will count with, stated before the letter arrives.

A clock counts with the rule in force on the date the letter is received (or, for a rule counted from the
issue, on the letter's date): `rules.applicable_rule`. The letter is written before anyone knows the receipt
date, so the sentence states the rule that applies to a letter received on its own date, and when a change
is already scheduled (that rule's validity ends, or a newer rule starts, after the letter's date) it says
from which receipt date what applies instead. Letters are always Indonesian: no translation here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from ombudsman.dates import format_date_id
from ombudsman.deadlines.models import DeadlineRule, Start, Unit
from ombudsman.deadlines.rules import applicable_rule, rules_of_kind
from ombudsman.recommendations.models import RecommendationKind
from ombudsman.spelling import number_words

# Who reports what, and what "received" means, per kind; the count, unit and start come from the rule.
DEADLINE_SUBJECT = {
    RecommendationKind.SARAN: "Tindak lanjut atas saran tersebut kami harapkan disampaikan kepada Ombudsman",
    RecommendationKind.TINDAKAN_KOREKTIF: (
        "Pelaksanaan tindakan korektif tersebut kami harapkan dilaporkan kepada Ombudsman"
    ),
    RecommendationKind.REKOMENDASI: (
        "Atasan terlapor wajib melaporkan pelaksanaan Rekomendasi kepada Ombudsman"
    ),
}
RECEIVED_WHAT = {
    RecommendationKind.SARAN: "surat ini",
    RecommendationKind.TINDAKAN_KOREKTIF: "Laporan Hasil Pemeriksaan",
    RecommendationKind.REKOMENDASI: "Rekomendasi",
}
NEXT_WORKING_DAY = "apabila hari terakhir bukan hari kerja, tenggat jatuh pada hari kerja berikutnya"


def _period(rule: DeadlineRule, kind: RecommendationKind) -> str:
    """ "30 (tiga puluh) hari kerja sejak surat ini diterima", with the move of a calendar-day end."""
    unit = "hari kerja" if rule.unit is Unit.WORKING else "hari"
    since = (
        "sejak tanggal surat ini"
        if rule.starts is Start.ON_ISSUE
        else f"sejak {RECEIVED_WHAT[kind]} diterima"
    )
    text = f"{rule.count} ({number_words(rule.count)}) {unit} {since}"
    if rule.unit is Unit.CALENDAR and rule.next_working_day:
        text += f"; {NEXT_WORKING_DAY}"
    return text


def _scheduled_change(
    rules: Sequence[DeadlineRule], letter_date: date, current: DeadlineRule | None
) -> tuple[date, DeadlineRule | None] | None:
    """The first receipt date after `letter_date` from which another rule (or none) would apply."""
    points = {r.valid_from for r in rules if r.valid_from is not None and r.valid_from > letter_date}
    points |= {
        r.valid_to + timedelta(days=1) for r in rules if r.valid_to is not None and r.valid_to >= letter_date
    }
    for point in sorted(points):
        later = applicable_rule(rules, point, letter_date)
        if later is not current:
            return point, later
    return None


def letter_deadline_sentence(kind: RecommendationKind | str, letter_date: date) -> str:
    """The sentence of a letter dated `letter_date` that states the follow-up deadline of `kind`.

    Phrased from the rule the clock will use (`rules.applicable_rule`) for a letter received on its own
    date; when that rule ends or another starts after `letter_date` and before the letter could be received,
    a second sentence says from which receipt date the other rule applies (or that none does yet). Empty when
    no rule applies on any receipt date ahead: the letter then promises nothing it could not keep.
    Raises nothing; reads the rules of `kind` (one query).
    """
    kind = RecommendationKind(kind)
    rules = rules_of_kind(kind)
    current = applicable_rule(rules, letter_date, letter_date)
    change = _scheduled_change(rules, letter_date, current)
    subject, received = DEADLINE_SUBJECT[kind], RECEIVED_WHAT[kind]
    sentences = [f"{subject} paling lambat {_period(current, kind)}."] if current else []
    if change is not None:
        point, later = change
        when = f"Apabila {received} diterima pada atau setelah {format_date_id(point)}"
        if later is None and current is not None:
            sentences.append(
                f"Ketentuan tenggat tersebut berlaku apabila {received} diterima paling lambat "
                f"{format_date_id(point - timedelta(days=1))}."
            )
        elif later is not None and current is None:
            sentences.append(
                f"{when}, {subject[0].lower()}{subject[1:]} paling lambat {_period(later, kind)}."
            )
        elif later is not None:
            sentences.append(f"{when}, tenggat tersebut menjadi {_period(later, kind)}.")
    return " ".join(sentences)
