"""An office's letter settings: the number template and codes, the letterhead, paper, font and margins.

The settings live in the letters package's own table (one row per office, `models.LetterSettings`), made
with the defaults the first time anything asks for them (`for_office`). Changes are checked here, so an
unusable template or layout never reaches an issued letter, and audited on the office.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ombudsman import contracts
from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.letters.commands import FONT_SIZE_RANGE, MARGIN_RANGE, UpdateLetterSettings
from ombudsman.letters.document import PAPER_SIZES
from ombudsman.letters.models import LetterSettings
from ombudsman.letters.numbering import placeholders_used, template_errors
from ombudsman.pdf import FONTS

FIELDS = (
    "number_template",
    "classification",
    "unit_code",
    "header",
    "signatory_title",
    "paper",
    "font",
    "font_size",
    "margin_top",
    "margin_right",
    "margin_bottom",
    "margin_left",
)
MARGINS = ("margin_top", "margin_right", "margin_bottom", "margin_left")


def for_office(office: Office) -> LetterSettings:
    """The office's letter settings; a row with the defaults is made (in this transaction) if none exists."""
    found = db.session.get(LetterSettings, office.id)
    if found is not None:
        return found
    # Two first requests may race to make the row: the loser's insert does nothing, and both read one row.
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    defaults = {c.name: c.default.arg for c in LetterSettings.__table__.columns if c.default is not None}
    insert = module.insert(LetterSettings).values(**defaults, office_id=office.id).on_conflict_do_nothing()
    db.session.execute(insert)
    return db.session.scalars(
        select(LetterSettings)
        .where(LetterSettings.office_id == office.id)
        .execution_options(populate_existing=True)
    ).one()


def as_command(settings: LetterSettings) -> UpdateLetterSettings:
    """The settings as they are, as the command that would set them (to pre-fill the settings form)."""
    return UpdateLetterSettings(**{name: getattr(settings, name) for name in FIELDS})


def number_settings_errors(settings: LetterSettings) -> list[LazyString]:
    """Why the office's numbering settings cannot number a letter now (an empty list when they can)."""
    errors = list(template_errors(settings.number_template))
    used = placeholders_used(settings.number_template)
    if "classification" in used and not settings.classification.strip():
        errors.append(_l("Kode klasifikasi surat belum diisi di pengaturan surat."))
    if "unit" in used and not settings.unit_code.strip():
        errors.append(_l("Kode unit pengolah belum diisi di pengaturan surat."))
    return errors


def joined(messages: list[Any]) -> LazyString:
    """Several messages as one, rendered in the reader's language when shown."""
    return LazyString(lambda: " ".join(str(m) for m in messages))


def _check(cmd: UpdateLetterSettings) -> None:
    contracts.validate(cmd)
    problems: dict[str, list[Any]] = {}
    if errors := template_errors(cmd.number_template):
        problems["number_template"] = list(errors)
    if cmd.paper not in PAPER_SIZES:
        problems["paper"] = [_l("Ukuran kertas tidak dikenal.")]
    if cmd.font not in FONTS:
        problems["font"] = [_l("Huruf tidak dikenal.")]
    low, high = FONT_SIZE_RANGE
    if not isinstance(cmd.font_size, int | float) or not low <= cmd.font_size <= high:
        problems["font_size"] = [_l("Ukuran huruf antara %(min)g dan %(max)g pt.", min=low, max=high)]
    low, high = MARGIN_RANGE
    for name in MARGINS:
        value = getattr(cmd, name)
        if not isinstance(value, int | float) or not low <= value <= high:
            problems[name] = [_l("Margin harus antara %(min)g dan %(max)g mm.", min=low, max=high)]
    if problems:
        raise Invalid(joined(next(iter(problems.values()))), fields=problems)


def update_settings(office: Office, user: User, cmd: UpdateLetterSettings) -> dict[str, Any]:
    """Change the office's letter settings; returns the audited changes as {field: [old, new]}.

    Raises `Invalid` (naming the fields) for an unusable number template, an unknown paper or font, a font
    size outside 8-16 pt or a margin outside 5-60 mm.
    """
    _check(cmd)
    settings = for_office(office)
    before = audit.snapshot(settings, FIELDS)
    for name in FIELDS:
        value = getattr(cmd, name)
        setattr(settings, name, value.strip() if isinstance(value, str) else float(value))
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(settings, FIELDS))
    if changes:
        audit.record(
            "office", office.id, "letter_settings", user_id=user.id, office_id=office.id, changes=changes
        )
    return changes
