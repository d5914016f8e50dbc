"""Small form helpers shared by the domain packages."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form as WTFormsForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Regexp

from ombudsman.errors import GENERAL, DomainError
from ombudsman.form_messages import TRANSLATIONS

# A plain syntax check: the office also uses reserved test domains (demo.test) that strict validators refuse.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Alamat e-mail tidak sah."))


class _OfficeMeta:
    def get_translations(self, form):
        return TRANSLATIONS


class AppForm(FlaskForm):
    """Every form of the application: Flask-WTF's (CSRF, files), with the libraries' own messages in the
    user's language (WTForms has no Indonesian catalogue: `ombudsman.form_messages` maps them to ours).
    """

    class Meta(_OfficeMeta):
        pass


class SubForm(WTFormsForm):
    """A repeated row inside an `AppForm` (a `FormField`), with the same messages."""

    class Meta(_OfficeMeta):
        pass


def options(pairs) -> list[SelectChoice]:
    """Choices for a select from (value, label) pairs; values become strings as browsers send them."""
    return [SelectChoice(value="" if value is None else str(value), label=label) for value, label in pairs]


def coerce_optional_int(value) -> int | None:
    """Select values: '' means none, anything else an id."""
    if value in (None, "", "None"):
        return None
    return int(value)


class OptionalIdSelectField(SelectField):
    """A select of record ids where the first option is 'none'."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", coerce_optional_int)
        kwargs.setdefault("validate_choice", True)
        super().__init__(*args, **kwargs)


def filled(form) -> dict:
    """The form's values by field name, without the fields left empty (None): the command's default applies.

    Feed it to `contracts.build(Command, filled(form), ...)`, which keeps the command's fields only.
    """
    return {name: field.data for name, field in form._fields.items() if field.data is not None}


def show_error(form, exc: DomainError, *, default_field: str | None = None) -> None:
    """Put a service's refusal where the user looks: under each field it names, else flashed above the form.

    Messages the form has no field for (or `_schema`) go under `default_field` when given, else to a flash.
    """
    for name, messages in exc.field_messages().items():
        target = getattr(form, name, None) if form is not None and name != GENERAL else None
        if target is None and default_field and form is not None:
            target = getattr(form, default_field, None)
        if target is not None and hasattr(target, "errors"):
            if not isinstance(target.errors, list):
                target.errors = list(target.errors)
            target.errors.extend(messages)
        else:
            for message in messages:
                flash(message, "error")


def flash_errors(form) -> None:
    """Flash every field error of `form` as "Label: message".

    For a refused form the page does not show (its record is in a state that offers no such form), whose
    errors would otherwise be nowhere to see on a 422 page.
    """
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "error")
