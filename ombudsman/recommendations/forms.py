"""Forms for recommendations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from ombudsman.forms_common import OptionalIdSelectField, options
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


class RecommendationForm(FlaskForm):
    """Write or edit a recommendation."""

    finding_ids = SelectMultipleField(
        _l("Temuan yang dijawab"),
        coerce=int,
        validators=[DataRequired()],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    authority_id = OptionalIdSelectField(_l("Ditujukan kepada"), validators=[DataRequired()])
    kind = SelectField(_l("Jenis"), choices=options([(k.value, v) for k, v in KIND_LABELS.items()]))
    text = TextAreaField(_l("Isi"), validators=[DataRequired(), Length(max=20000)])
    status = SelectField(
        _l("Status"),
        choices=options([(k.value, v) for k, v in STATUS_LABELS.items()]),
        default=RecommendationStatus.OPEN.value,
    )
    outcome_note = TextAreaField(
        _l("Bukti atau alasan (wajib saat ditutup)"), validators=[Optional(), Length(max=20000)]
    )
