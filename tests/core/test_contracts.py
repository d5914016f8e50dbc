"""Input contracts: bounds declared once; the form, the API schema and the command agree on every field."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import date, timedelta

import marshmallow as ma
import pytest
from flask_wtf import FlaskForm
from marshmallow import validate as ma_validate
from wtforms.validators import Length, NumberRange

import ombudsman
from ombudsman import clock, contracts
from ombudsman.contracts import DateRule, Day, Number, Text
from ombudsman.errors import Invalid


def _import_all() -> None:
    for module in pkgutil.walk_packages(ombudsman.__path__, "ombudsman."):
        importlib.import_module(module.name)


def _subclasses(cls: type) -> list[type]:
    found, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _bound_of_validators(validators) -> object | None:
    """The bound a list of WTForms or marshmallow validators enforces, whatever way it was written."""
    for validator in validators:
        if isinstance(validator, contracts.FormBound | contracts.SchemaText | contracts.SchemaNumber):
            return validator.bound
        if isinstance(validator, contracts.SchemaDay):
            return validator.bound
    for validator in validators:  # hand-written bounds: they must still equal the contract's
        if isinstance(validator, Length | ma_validate.Length):
            low = validator.min if validator.min not in (None, -1) else 0
            return Text(max=validator.max, min=low)
        if isinstance(validator, NumberRange | ma_validate.Range):
            if isinstance(validator.min, date) or isinstance(validator.max, date):
                return ("static date range", validator.min, validator.max)
            return Number(validator.min, validator.max)
    return None


def _schema_field_validators(field: ma.fields.Field) -> list:
    inner = getattr(field, "inner", None)
    return list(field.validators) + (list(inner.validators) if inner is not None else [])


def _contract_pairs(app):
    _import_all()
    forms = [f for f in _subclasses(FlaskForm) if getattr(f, "contract", None)]
    schemas = [s for s in _subclasses(ma.Schema) if "contract" in vars(s)]
    return forms, schemas


def test_every_contract_has_a_form_or_schema_and_they_agree(app):
    """Each command's bounded fields have the same bound in every form and schema that adapts it."""
    forms, schemas = _contract_pairs(app)
    assert forms and schemas, "no form or schema declares its contract"
    compared = 0
    with app.test_request_context():
        for form_cls in forms:
            form = form_cls(meta={"csrf": False})
            aliases = getattr(form_cls, "contract_aliases", {})
            for name, bound in contracts.bounds(form_cls.contract).items():
                field = getattr(form, aliases.get(name, name), None)
                if field is None:
                    continue
                assert _bound_of_validators(field.validators) == bound, (form_cls.__name__, name)
                compared += 1
        for schema_cls in schemas:
            schema = schema_cls()
            aliases = getattr(schema_cls, "contract_aliases", {})
            for name, bound in contracts.bounds(schema_cls.contract).items():
                field = schema.fields.get(aliases.get(name, name))
                if field is None:
                    continue
                assert _bound_of_validators(_schema_field_validators(field)) == bound, (
                    schema_cls.__name__,
                    name,
                )
                compared += 1
    assert compared > 0


def test_forms_and_schemas_of_one_contract_bound_the_same_fields(app):
    """A field the form bounds and the schema leaves open (or the other way round) is drift too."""
    forms, schemas = _contract_pairs(app)
    with app.test_request_context():
        for form_cls in forms:
            for schema_cls in (s for s in schemas if s.contract is form_cls.contract):
                form, schema = form_cls(meta={"csrf": False}), schema_cls()
                form_aliases = getattr(form_cls, "contract_aliases", {})
                schema_aliases = getattr(schema_cls, "contract_aliases", {})
                for item in dataclasses.fields(form_cls.contract):
                    field = getattr(form, form_aliases.get(item.name, item.name), None)
                    schema_field = schema.fields.get(schema_aliases.get(item.name, item.name))
                    if field is None or schema_field is None:
                        continue
                    assert _bound_of_validators(field.validators) == _bound_of_validators(
                        _schema_field_validators(schema_field)
                    ), (form_cls.__name__, schema_cls.__name__, item.name)


@dataclasses.dataclass(frozen=True)
class _Visit:
    title: str = contracts.bounded(Text(max=10, min=1))
    visited_on: date | None = contracts.bounded(Day(DateRule.VISIT), default=None)
    counters: int | None = contracts.bounded(Number(0, 99), default=None)


def test_validate_collects_a_message_per_field(app):
    with app.test_request_context():
        with pytest.raises(Invalid) as caught:
            contracts.validate(_Visit(title=" ", visited_on=date(1, 1, 1), counters=100))
        fields = caught.value.field_messages()
        assert fields["title"] == ["Wajib diisi."]
        assert fields["visited_on"][0].startswith("Tanggal harus antara 1 Januari 2000 dan ")
        assert fields["counters"] == ["Harus bilangan bulat dari 0 sampai 99."]
        contracts.validate(_Visit(title="Loket", visited_on=date(2018, 7, 30), counters=4))


def test_the_date_range_reads_day_first_in_english_too(app):
    """As every date of the English interface: "1 January 2000", not Babel's "long" "January 1, 2000"."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(Invalid) as caught:
            contracts.validate(_Visit(title="Loket", visited_on=date(1, 1, 1)))
        message = str(caught.value.field_messages()["visited_on"][0])
    assert message.startswith("The date must be between 1 January 2000 and "), message


def test_visit_dates_follow_today_plus_the_margin(app, monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_TODAY", "2018-07-30")
    today = clock.today()
    margin = app.config["PLAUSIBLE_DATE_MARGIN_DAYS"]
    with app.test_request_context():
        assert contracts.check(Day(DateRule.VISIT), today + timedelta(days=margin)) is None
        assert contracts.check(Day(DateRule.VISIT), today + timedelta(days=margin + 1)) is not None
        assert contracts.check(Day(DateRule.PAST), today + timedelta(days=1)) is not None
        assert contracts.check(Day(DateRule.FUTURE), date(2100, 12, 31)) is None
        assert contracts.check(Day(DateRule.FUTURE), date(1999, 12, 31)) is not None


@pytest.mark.parametrize("value", ["a\x00b", "a\x07", "\ud800", "x" * 11])
def test_text_refuses_control_characters_and_overlong_values(app, value):
    with app.test_request_context():
        assert contracts.check(Text(max=10), value) is not None


def test_text_keeps_line_breaks_and_tabs(app):
    with app.test_request_context():
        assert contracts.check(Text(max=20), "satu\r\ndua\tiga") is None


@pytest.mark.parametrize("value", ["satu\ndua", "satu\tdua", "satu\u2028dua", "nama \u202eabc", "\u2066x"])
def test_single_line_text_refuses_breaks_tabs_and_direction_overrides(app, value):
    with app.test_request_context():
        assert str(contracts.check(Text(max=20, single_line=True), value)).startswith("Harus satu baris")
        assert contracts.check(Text(max=20), value) is None


def test_a_format_judges_the_whole_non_empty_value(app):
    shape = contracts.Format(r"[a-z]+\.go\.id", "bukan alamat")
    with app.test_request_context():
        assert contracts.check(Text(max=40, format=shape), "ombudsman.go.id") is None
        assert (
            contracts.check(Text(max=40, format=shape), "") is None
        )  # whether it is required is not the format's
        assert contracts.check(Text(max=40, format=shape), "x.ombudsman.go.id.evil") == "bukan alamat"
        assert contracts.check(Text(max=5, format=shape), "ombudsman.go.id") != "bukan alamat"  # length first


def test_messages_follow_the_reader_language(app):
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session

        session["lang"] = "en"
        from flask_babel import refresh

        refresh()
        message = contracts.check(Text(max=3), "abcd")
        assert str(message) == "At most 3 characters."


def test_schema_and_form_adapters_say_the_same(app):
    bound = Text(max=5, min=1)
    with app.test_request_context():
        with pytest.raises(ma.ValidationError) as caught:
            for validator in contracts.schema_validators(bound):
                validator("abcdefgh")
        assert caught.value.messages == [str(contracts.check(bound, "abcdefgh"))]
