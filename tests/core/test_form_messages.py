"""WTForms' own messages reach the user in the interface's language (WTForms has no Indonesian catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

import flask_wtf
import pytest
import wtforms
from flask import session
from wtforms import FormField, IntegerField, StringField
from wtforms.validators import DataRequired, Length

from ombudsman.form_messages import MESSAGES
from ombudsman.forms_common import AppForm, SubForm

# A message for the programmer, never shown to a user of a working form.
NOT_FOR_USERS = {"Invalid field name '%s'."}
_LITERAL = re.compile(r'gettext\(\s*"((?:[^"\\]|\\.)+)"', re.S)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _library_messages() -> set[str]:
    found = set()
    for package in (wtforms, flask_wtf):
        for source in Path(package.__file__).parent.rglob("*.py"):
            found.update(_LITERAL.findall(source.read_text(encoding="utf-8")))
    return found - NOT_FOR_USERS


def test_every_message_the_libraries_can_show_has_ours():
    missing = sorted(message for message in _library_messages() if message not in MESSAGES)
    assert not missing, f"add these to ombudsman/form_messages.MESSAGES: {missing}"


@pytest.mark.parametrize("library", sorted(MESSAGES))
def test_ours_keeps_the_library_placeholders(library):
    assert set(_PLACEHOLDER.findall(MESSAGES[library]._args[0])) == set(_PLACEHOLDER.findall(library))


class _Row(SubForm):
    code = StringField("code", validators=[DataRequired()])


class _Sample(AppForm):
    title = StringField("title", validators=[DataRequired(), Length(min=3)])
    count = IntegerField("count")
    row = FormField(_Row)


@pytest.mark.parametrize(
    ("lang", "required", "too_short", "not_a_number"),
    [
        (
            "id",
            "Kolom ini wajib diisi.",
            "Isian paling sedikit 3 karakter.",
            "Bukan bilangan bulat yang sah.",
        ),  # noqa: E501
        ("en", "This field is required.", "At least 3 characters.", "Not a valid whole number."),
    ],
)
def test_a_refused_form_speaks_the_interface_language(app, lang, required, too_short, not_a_number):
    with app.test_request_context(method="POST", data={"title": "ab", "count": "tiga"}):
        session["lang"] = lang
        form = _Sample(meta={"csrf": False})
        assert not form.validate()
        assert form.title.errors == [too_short]
        assert form.count.errors == [not_a_number]
        assert form.row.code.errors == [required]

    with app.test_request_context(method="POST", data={"count": "3"}):
        session["lang"] = lang
        form = _Sample(meta={"csrf": False})
        assert not form.validate()
        assert form.title.errors == [required]


def _all_subclasses(cls) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_form_of_the_application_uses_our_messages(app):
    # The app is built, so every view module (and its forms) is imported.
    forms = {
        form
        for form in _all_subclasses(wtforms.Form)
        if form.__module__.startswith("ombudsman.") and form not in (AppForm, SubForm)
    }
    assert len(forms) > 20
    strays = sorted(
        f"{form.__module__}.{form.__qualname__}" for form in forms if not issubclass(form, (AppForm, SubForm))
    )
    assert not strays, "derive these from ombudsman.forms_common.AppForm (or SubForm for FormField rows)"
