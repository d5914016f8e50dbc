"""Recommendations: what the office asks an authority to do about findings, and its outcome."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm import selectinload

from ombudsman import contracts
from ombudsman.accounts.permissions import EVERYONE, RECOMMEND, office_record_or_404, roles_required
from ombudsman.api import schemas
from ombudsman.api.common import ID, IDEMPOTENCY_HEADER_DOC, api_blueprint, page
from ombudsman.api.idempotency import create_once, request_key
from ombudsman.extensions import db
from ombudsman.recommendations import commands, services
from ombudsman.recommendations.commands import RecommendationDetails
from ombudsman.recommendations.models import Recommendation

blp = api_blueprint(
    "api_recommendations", __name__, description="Recommendations (saran, tindakan korektif) and outcomes."
)


@blp.route("/recommendations", methods=["GET"])
@roles_required(EVERYONE)
@blp.arguments(schemas.RecommendationArgs, location="query")
@blp.response(200, schemas.RecommendationPage)
def list_recommendations(args):
    """The office's recommendations in their order."""
    stmt = services.query(
        current_user.office_id,
        inspection_id=args.get("inspection_id"),
        authority_id=args.get("authority_id"),
        status=args.get("status"),
    )
    # Each item carries its deadline and state: loaded with the page, not one query per item.
    return page(stmt.options(selectinload(Recommendation.deadline)), args)


@blp.route("/recommendations", methods=["POST"])
@roles_required(RECOMMEND)
@blp.arguments(schemas.RecommendationIn)
@blp.response(201, schemas.RecommendationOut)
@blp.doc(**IDEMPOTENCY_HEADER_DOC)
def create_recommendation(data):
    """Write a recommendation answering one or more of the office's findings."""
    key = request_key(data.pop("client_id"))

    details = contracts.build(
        RecommendationDetails, data, client_id=key, finding_ids=tuple(data["finding_ids"])
    )

    def create() -> Recommendation:
        return services.create(current_user.office_id, current_user, details)

    payload = {**data, "finding_ids": sorted(set(data["finding_ids"]))}
    return create_once(
        resource_type="recommendation", model=Recommendation, key=key, payload=payload, create=create
    )


@blp.route(f"/recommendations/<{ID}:recommendation_id>", methods=["GET"])
@roles_required(EVERYONE)
@blp.response(200, schemas.RecommendationOut)
def get_recommendation(recommendation_id: int):
    """One recommendation."""
    return office_record_or_404(Recommendation, recommendation_id)


@blp.route(f"/recommendations/<{ID}:recommendation_id>", methods=["PATCH"])
@roles_required(RECOMMEND)
@blp.arguments(schemas.RecommendationPatch)
@blp.response(200, schemas.RecommendationOut)
def update_recommendation(data, recommendation_id: int):
    """Change a recommendation or record its outcome (closing needs `outcome_note`)."""
    rec = office_record_or_404(Recommendation, recommendation_id)
    services.update(rec, current_user, commands.recommendation_change(rec, data))
    db.session.commit()
    return rec
