"""What a recommendation takes as input: one command, each bound declared once (see `ombudsman.contracts`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ombudsman import contracts
from ombudsman.contracts import RECORD_ID, Text, bounded
from ombudsman.recommendations.models import Recommendation, RecommendationKind, RecommendationStatus

TEXT = Text(50_000, 1)
OUTCOME_NOTE = Text(50_000)
FINDINGS_MAX = 200


@dataclass(frozen=True)
class RecommendationDetails:
    """Write a recommendation answering findings, or its details (and outcome) after a change.

    `finding_ids`: findings of the office it answers (at least one). Closing (`status` implemented, partly
    or not implemented) needs an `outcome_note`. `position`: its place in the office's order (None: last).
    """

    finding_ids: tuple[int, ...] = bounded(RECORD_ID)
    authority_id: int | None = bounded(RECORD_ID)
    text: str = bounded(TEXT)
    kind: RecommendationKind | str = RecommendationKind.SARAN
    status: RecommendationStatus | str = RecommendationStatus.OPEN
    outcome_note: str = bounded(OUTCOME_NOTE, default="")
    position: int | None = None
    client_id: str | None = None


def recommendation_change(rec: Recommendation, changes: Mapping[str, Any]) -> RecommendationDetails:
    """The recommendation's current details with `changes` applied (the fields a PATCH sent)."""
    current = {
        "finding_ids": tuple(rec.finding_ids),
        "authority_id": rec.authority_id,
        "text": rec.text,
        "kind": rec.kind,
        "status": rec.status,
        "outcome_note": rec.outcome_note,
        "position": rec.position,
    }
    return contracts.build(RecommendationDetails, {**current, **changes})
