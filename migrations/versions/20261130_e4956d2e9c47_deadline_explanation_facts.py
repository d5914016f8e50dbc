"""due-date explanations stored as facts (JSON) so that they can be said in the reader's language

Deadlines and follow-up events gain `explanation_facts`. Every stored Indonesian sentence is read back into
facts (count, unit, start, skipped days with their names, extensions, stops and restarts); a sentence is
converted only when the facts say it again word for word, and then its text is cleared. Sentences that
cannot be read back (a closure reason with brackets, a note spanning lines) keep their text in the old
`explanation` column and are shown as they are. downgrade() writes the Indonesian sentence of every row
that has facts back into `explanation` and drops the facts.

The reading and the Indonesian wording are copied here on purpose: a migration never imports the app.

Revision ID: e4956d2e9c47
Revises: c3923e71e2e6
Create Date: 2026-11-30 11:10:00

"""

import re
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e4956d2e9c47"
down_revision = "c3923e71e2e6"
branch_labels = None
depends_on = None

TABLES = ("deadlines", "follow_up_events")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
UNITS = {"kerja": "working", "kalender": "calendar"}
UNIT_WORDS = {"working": "hari kerja", "calendar": "hari kalender"}
DASH = "\u2013"

_MONTH = "(?:" + "|".join(MONTHS) + ")"
_DATE = rf"\d{{1,2}} {_MONTH} \d{{4}}"
_PERIOD = (
    rf"(?P<count>\d+) hari (?P<unit>kerja|kalender) SINCE (?P<start>{_DATE})"
    rf"(?:; tidak dihitung: (?P<skipped>.+))? = (?P<due>{_DATE})$"
)
START = re.compile("^" + _PERIOD.replace("SINCE", "(?P<since>sejak diterima|sejak diterbitkan)"))
EXTENDED = re.compile(
    rf"^Perpanjangan (?P<on>{_DATE})(?: \((?P<note>.*)\))?: " + _PERIOD.replace("SINCE", "sejak tenggat")
)
STOPPED = re.compile(
    rf"^Jam dihentikan (?P<on>{_DATE})(?: \((?P<note>.*)\))?; sisa (?P<remaining>\d+) hari "
    r"(?P<unit>kerja|kalender)\.$"
)
RESTARTED = re.compile(
    r"^Jam dijalankan kembali(?: \((?P<note>.*)\))?: " + _PERIOD.replace("SINCE", "tersisa sejak")
)
SKIPPED = re.compile(rf"(\d{{1,2}})(?:{DASH}(\d{{1,2}}))? ({_MONTH})(?: (\d{{4}}))? \(([^()]*)\)(?:, |$)")


def _day(text: str) -> date:
    day, month, year = text.split(" ")
    return date(int(year), MONTHS.index(month) + 1, int(day))


def _say_day(d: date, with_year: bool = True) -> str:
    text = f"{d.day} {MONTHS[d.month - 1]}"
    return f"{text} {d.year}" if with_year else text


def _read_skipped(text: str, start: date) -> list[dict] | None:
    days, at = [], 0
    while at < len(text):
        match = SKIPPED.match(text, at)
        if match is None:
            return None
        first, last, month, year, name = match.groups()
        month_no, year_no = MONTHS.index(month) + 1, int(year) if year else start.year
        for day in range(int(first), int(last or first) + 1):
            days.append({"on": date(year_no, month_no, day).isoformat(), "name": name})
        at = match.end()
    return days


def _read_period(match: re.Match) -> dict | None:
    start = _day(match["start"])
    skipped = _read_skipped(match["skipped"], start) if match["skipped"] else []
    if skipped is None:
        return None
    return {
        "count": int(match["count"]),
        "unit": UNITS[match["unit"]],
        "from": start.isoformat(),
        "due_on": _day(match["due"]).isoformat(),
        "skipped": skipped,
    }


def _read_line(line: str) -> dict | None:
    if match := START.match(line):
        period = _read_period(match)
        starts = "on_issue" if match["since"] == "sejak diterbitkan" else "on_receipt"
        return period and {"step": "start", "starts": starts, **period}
    if match := EXTENDED.match(line):
        period = _read_period(match)
        on = _day(match["on"]).isoformat()
        return period and {"step": "extended", "on": on, "note": match["note"] or "", **period}
    if match := STOPPED.match(line):
        return {
            "step": "stopped",
            "on": _day(match["on"]).isoformat(),
            "note": match["note"] or "",
            "remaining": int(match["remaining"]),
            "unit": UNITS[match["unit"]],
        }
    if match := RESTARTED.match(line):
        period = _read_period(match)
        return period and {"step": "restarted", "on": period["from"], "note": match["note"] or "", **period}
    return None


def read(text: str) -> list[dict] | None:
    """The facts of an Indonesian explanation, or None when they would not say it again word for word."""
    steps = [_read_line(line) for line in text.split("\n")]
    if not text or None in steps or say(steps) != text:
        return None
    return steps


def _say_skipped(days: list[dict], start: date, due_on: date) -> str:
    runs: list[list] = []
    for day in days:
        on, name = date.fromisoformat(day["on"]), day["name"]
        if (
            runs
            and name == runs[-1][2]
            and on == runs[-1][1] + timedelta(days=1)
            and on.month == runs[-1][1].month
        ):
            runs[-1][1] = on
        else:
            runs.append([on, on, name])
    with_year = start.year != due_on.year
    parts = []
    for first, last, name in runs:
        when = _say_day(first, with_year)
        if first != last:
            when = f"{first.day}{DASH}{_say_day(last, with_year)}"
        parts.append(f"{when} ({name})")
    return ", ".join(parts)


def _say_period(step: dict, since: str) -> str:
    start, due_on = date.fromisoformat(step["from"]), date.fromisoformat(step["due_on"])
    text = f"{step['count']} {UNIT_WORDS[step['unit']]} {since} {_say_day(start)}"
    if step["skipped"]:
        text += "; tidak dihitung: " + _say_skipped(step["skipped"], start, due_on)
    return f"{text} = {_say_day(due_on)}"


def _say_line(step: dict) -> str:
    note = f" ({step['note']})" if step.get("note") else ""
    if step["step"] == "start":
        return _say_period(step, "sejak diterbitkan" if step["starts"] == "on_issue" else "sejak diterima")
    if step["step"] == "extended":
        return f"Perpanjangan {_say_day(date.fromisoformat(step['on']))}{note}: " + _say_period(
            step, "sejak tenggat"
        )
    if step["step"] == "stopped":
        on = _say_day(date.fromisoformat(step["on"]))
        return f"Jam dihentikan {on}{note}; sisa {step['remaining']} {UNIT_WORDS[step['unit']]}."
    if step["step"] == "restarted":
        return f"Jam dijalankan kembali{note}: " + _say_period(step, "tersisa sejak")
    return step.get("text", "")


def say(steps: list[dict]) -> str:
    """The Indonesian explanation of the facts, one line per step."""
    return "\n".join(_say_line(step) for step in steps)


def _table(name: str) -> sa.Table:
    return sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column("explanation", sa.Text),
        sa.column("explanation_facts", sa.JSON),
    )


def upgrade():
    for name in TABLES:
        op.add_column(name, sa.Column("explanation_facts", sa.JSON(), nullable=True))
    bind = op.get_bind()
    for name in TABLES:
        table = _table(name)
        rows = bind.execute(sa.select(table.c.id, table.c.explanation).where(table.c.explanation != "")).all()
        for row_id, text in rows:
            facts = read(text)
            if facts is not None:
                bind.execute(
                    table.update().where(table.c.id == row_id).values(explanation_facts=facts, explanation="")
                )


def downgrade():
    bind = op.get_bind()
    for name in TABLES:
        table = _table(name)
        rows = bind.execute(
            sa.select(table.c.id, table.c.explanation_facts).where(table.c.explanation_facts.is_not(None))
        ).all()
        for row_id, facts in rows:
            if facts is not None:
                bind.execute(table.update().where(table.c.id == row_id).values(explanation=say(facts)))
    # Plain ALTER TABLE on every backend (SQLite 3.35+): a batch copy would trip the foreign keys that
    # point at these tables.
    for name in TABLES:
        op.execute(f"ALTER TABLE {name} DROP COLUMN explanation_facts")
