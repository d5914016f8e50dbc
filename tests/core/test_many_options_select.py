"""`ManyOptionsSelect` renders what WTForms' select widget renders; options built once per choices list."""

import pytest
from flask import g
from wtforms import SelectField, widgets
from wtforms.fields.choices import SelectChoice

from ombudsman.forms_common import ManyOptionsSelect, OptionalIdSelectField, SubForm

CHOICES = [("", "\u2014"), ("1", "Wali Kota Kupang"), ("2", 'Dinas "Dukcapil" <Kota> & Co'), ("30", "")]


class _Form(SubForm):
    authority_id = OptionalIdSelectField("Instansi")
    other = OptionalIdSelectField("Tembusan", render_kw={"aria-label": "Tembusan 1"})


def _stock(field, **kwargs):
    """The field rendered through its own call (render_kw and all) by WTForms' select widget."""
    field.widget = widgets.Select()
    try:
        return field(**kwargs)
    finally:
        del field.widget  # back to the class's widget


def _form(**data) -> _Form:
    form = _Form(data=data)
    for field in form:
        field.choices = CHOICES
    return form


@pytest.mark.parametrize("value", [None, 1, 2, 30, 999])
def test_the_html_is_wtforms_own(app, value):
    with app.test_request_context():
        form = _form(authority_id=value, other=value)
        for field in form:
            assert field() == _stock(field), (field.name, value)
            assert field(class_="wide", required=True) == _stock(field, class_="wide", required=True)
            assert field().count("selected") == (0 if value == 999 else 1)


def test_labels_and_values_are_escaped(app):
    with app.test_request_context():
        html = str(_form(authority_id=2).authority_id())
    assert '<option selected value="2">Dinas &#34;Dukcapil&#34; &lt;Kota&gt; &amp; Co</option>' in html
    assert "<Kota>" not in html


def test_options_are_built_once_per_choices_list_and_request(app):
    with app.test_request_context():
        form = _form(authority_id=1, other=2)
        form.authority_id()
        form.other()
        assert len(g._select_options) == 1  # one list, two selects: built once
        changed = [*CHOICES, ("31", "Ditjen Dukcapil")]
        form.other.choices = changed
        assert '<option value="31">Ditjen Dukcapil</option>' in form.other()
        assert len(g._select_options) == 2  # noqa: PLR2004


def test_other_choices_render_as_wtforms_renders_them(app):
    """Choices with attributes or groups take WTForms' own path."""

    class Grouped(SubForm):
        plain = SelectField("x", widget=ManyOptionsSelect())

    with app.test_request_context():
        form = Grouped(data={"plain": "b"})
        form.plain.choices = [SelectChoice("a", "A", render_kw={"disabled": True}), SelectChoice("b", "B")]
        assert form.plain() == _stock(form.plain)
        form.plain.choices = {"Kota": [("a", "A")], "Pusat": [("b", "B")]}
        assert form.plain() == _stock(form.plain)
        assert "<optgroup" in form.plain()
