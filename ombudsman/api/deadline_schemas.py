"""Schemas of the deadlines API: the list's filters (adapting `deadlines.commands.ListDeadlines`) and what
each item says (its explanation in the caller's language)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ombudsman.api.schemas import PageArgs, enum, page_of
from ombudsman.contracts import RECORD_ID, schema_validators
from ombudsman.deadlines.commands import ListDeadlines
from ombudsman.deadlines.models import DeadlineState, Unit
from ombudsman.deadlines.reports import LEVEL_GROUPS
from ombudsman.recommendations.models import RecommendationStatus


class DeadlineArgs(PageArgs):
    """Filters of the deadlines list."""

    contract = ListDeadlines

    state = enum(DeadlineState)
    authority_id = fields.Integer(validate=schema_validators(RECORD_ID))
    level = fields.String(
        validate=validate.OneOf(LEVEL_GROUPS),
        metadata={"description": "local (provincial and regency/city authorities) or central."},
    )
    inspector_id = fields.Integer(
        validate=schema_validators(RECORD_ID), metadata={"description": "Who wrote the recommendation."}
    )


class DeadlineOut(ma.Schema):
    """A recommendation's follow-up deadline on today's date (no clock yet: `not_started`, dates null)."""

    recommendation_id = fields.Integer(required=True)
    authority_id = fields.Integer(required=True)
    authority_name = fields.String(required=True)
    recommendation_status = enum(RecommendationStatus, required=True)
    state = enum(DeadlineState, required=True)
    due_on = fields.Date(allow_none=True, required=True)
    received_on = fields.Date(allow_none=True, required=True)
    start_on = fields.Date(allow_none=True, required=True)
    stopped_on = fields.Date(allow_none=True, required=True)
    closed_on = fields.Date(allow_none=True, required=True)
    count = fields.Integer(allow_none=True, required=True)
    unit = enum(Unit, allow_none=True, required=True)
    explanation = fields.String(
        required=True,
        metadata={"description": "How the due date was computed, in the language of the caller's account."},
    )
    warnings = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Warnings that travel with the due date, in the language of the caller's account: "
            "e.g. the holiday data of a year the count touches was not available yet, so the date may "
            "be wrong. Empty when none (and before the clock starts)."
        },
    )
    holiday_data_missing_years = fields.List(
        fields.Integer(),
        required=True,
        metadata={
            "description": "The years whose holiday data was missing when the due date was computed, "
            "ascending; empty when the date rests on complete data."
        },
    )


DeadlinePage = page_of(DeadlineOut, "DeadlinePage")
