"""Small form helpers shared by the domain packages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Regexp

# A plain syntax check: the office also uses reserved test domains (demo.test) that strict validators refuse.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Alamat e-mail tidak sah."))


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
