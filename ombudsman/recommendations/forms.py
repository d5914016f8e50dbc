"""Forms for recommendations: adapters over `commands`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import InputRequired, Optional

from ombudsman.contracts import RECORD_ID, form_validators
from ombudsman.forms_common import AppForm, OptionalIdSelectField, options
from ombudsman.recommendations import commands as c
from ombudsman.recommendations.models import RecommendationKind, RecommendationStatus

KIND_LABELS = {
    RecommendationKind.SARAN: _l("Saran perbaikan"),
    RecommendationKind.TINDAKAN_KOREKTIF: _l("Tindakan korektif"),
    RecommendationKind.REKOMENDASI: _l("Rekomendasi (draf untuk Ombudsman RI)"),
}
STATUS_LABELS = {
    RecommendationStatus.OPEN: _l("Terbuka"),
    RecommendationStatus.IN_PROGRESS: _l("Sedang dilaksanakan"),
    RecommendationStatus.IMPLEMENTED: _l("Dilaksanakan"),
    RecommendationStatus.PARTIALLY_IMPLEMENTED: _l("Dilaksanakan sebagian"),
    RecommendationStatus.NOT_IMPLEMENTED: _l("Tidak dilaksanakan"),
}


class RecommendationForm(AppForm):
    """Write or edit a recommendation (`commands.RecommendationDetails`)."""

    contract = c.RecommendationDetails

    finding_ids = SelectMultipleField(
        _l("Temuan yang dijawab"),
        coerce=int,
        validators=[InputRequired(), *form_validators(RECORD_ID)],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    authority_id = OptionalIdSelectField(
        _l("Ditujukan kepada"), validators=[InputRequired(), *form_validators(RECORD_ID)]
    )
    kind = SelectField(_l("Jenis"), choices=options([(k.value, v) for k, v in KIND_LABELS.items()]))
    text = TextAreaField(_l("Isi"), validators=[InputRequired(), *form_validators(c.TEXT)])
    status = SelectField(
        _l("Status"),
        choices=options([(k.value, v) for k, v in STATUS_LABELS.items()]),
        default=RecommendationStatus.OPEN.value,
    )
    outcome_note = TextAreaField(
        _l("Bukti atau alasan (wajib saat ditutup)"),
        validators=[Optional(), *form_validators(c.OUTCOME_NOTE)],
    )
