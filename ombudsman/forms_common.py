"""Small form helpers shared by the domain packages."""

from __future__ import annotations

from contextlib import suppress

from flask import flash, g, has_request_context
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import FieldList, FormField, SelectField, widgets
from wtforms import Form as WTFormsForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Regexp

from ombudsman.contracts import EMAIL_FORMAT, MAX_ID, NoControlCharacters
from ombudsman.errors import GENERAL, DomainError
from ombudsman.form_messages import TRANSLATIONS

#: The e-mail syntax check of forms whose bound has no format of its own (`contracts.EMAIL_FORMAT`).
EMAIL = Regexp(rf"^{EMAIL_FORMAT.pattern}$", message=EMAIL_FORMAT.message)


#: Shared by every field of every form: no form stores a NUL, and each says so under the field.
NO_CONTROL_CHARACTERS = NoControlCharacters()


class _OfficeMeta:
    def get_translations(self, form):
        return TRANSLATIONS

    def bind_field(self, form, unbound_field, options):
        """Each field refuses control characters before its own validators run (`NoControlCharacters`).

        `ombudsman.request_input` leaves them in a browser's form fields to the form, so a NUL pasted into
        any field redisplays the page (422) with the message under that field and the rest of the input kept.
        The rows of a `FormField` (or of a `FieldList` of them) are `SubForm`s, whose fields get the check
        when bound; no form has a `FieldList` of plain fields, which would need it too.
        """
        field = super().bind_field(form, unbound_field, options)
        if not isinstance(field, FormField | FieldList):
            field.validators = [NO_CONTROL_CHARACTERS, *field.validators]
        return field


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
    """Select values: '' means none, anything else a record id (1 to `MAX_ID`).

    Raises ValueError for anything else, which WTForms reports as "Pilihan tidak sah." and leaves the field
    empty: a tampered id larger than the database's integer never reaches a query.
    """
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


class ManyOptionsSelect(widgets.Select):
    """WTForms' select widget, same HTML, with the options of a choices list built once per request.

    A form with several selects over one long list (a letter's addressee and its five tembusan lines over
    every authority of the register: 1,171 at national scale, 7,000 options) otherwise escapes and formats
    every option of every select through WTForms' per-option path, a quarter of a second of CPU. Only plain
    (value, label) pairs take this path; other choices (groups, `SelectChoice` with attributes, several
    values) render as WTForms renders them.
    """

    def __call__(self, field, **kwargs):
        # Plain pairs carry no optgroup: WTForms' has_groups(), which reads every choice, is not needed.
        built = None if self.multiple else _built_options(field)
        if built is None:
            return super().__call__(field, **kwargs)
        options, values_of = built
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        try:
            chosen = values_of.get(field.data, ())
        except TypeError:  # data that cannot be a key (a list) matches no option
            chosen = ()
        for value in chosen:
            plain = f'<option value="{escape(value)}">'
            options = options.replace(plain, f'<option selected value="{escape(value)}">', 1)
        # Every value and label was escaped when the options were built; html_params escapes the attributes.
        return Markup(f"<select {widgets.html_params(name=field.name, **kwargs)}>{options}</select>")  # noqa: S704


def _built_options(field) -> tuple[str, dict] | None:
    """(options HTML, {coerced value: [values]}) of `field.choices`, kept in `flask.g` for the request while
    the same list object is the choices (a view assigns a new list to change them, never edits one in place
    after rendering); None when the choices are not a list of (value, label) pairs."""
    choices = field.choices
    if not isinstance(choices, list):
        return None
    store = g.setdefault("_select_options", {}) if has_request_context() else {}
    kept = store.get(id(choices))
    if kept is not None and kept[0] is choices and kept[1] is field.coerce:
        return kept[2]
    parts, values_of = [], {}
    for choice in choices:
        if not isinstance(choice, tuple) or len(choice) != 2:  # noqa: PLR2004
            return None
        value, label = choice
        if isinstance(value, bool):
            value = str(value)
        parts.append(f'<option value="{escape(value)}">{escape(label or value)}</option>')
        # A value that does not coerce is never selected (WTForms compares the coerced value with the data).
        with suppress(TypeError, ValueError):
            values_of.setdefault(field.coerce(value), []).append(value)
    built = ("".join(parts), values_of)
    store[id(choices)] = (choices, field.coerce, built)
    return built


class OptionalIdSelectField(SelectField):
    """A select of record ids where the first option is 'none' (rendered by `ManyOptionsSelect`)."""

    widget = ManyOptionsSelect()

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
