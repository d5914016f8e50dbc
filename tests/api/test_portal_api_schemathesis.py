"""Property-based run of the portal's part of the OpenAPI contract, with a portal token (the contract run of
tests/api/test_schemathesis.py calls these routes with a staff token, which they refuse).

Each portal operation is tried with generated valid data against random ids, against the token's own
letter and recommendation, and with invalid data: no 5xx, every answer as documented, invalid data refused.
The admin's token routes run the same way with an admin's staff token.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from schemathesis import GenerationMode
from sqlalchemy import select

from ombudsman.clock import utcnow
from ombudsman.extensions import db
from ombudsman.portal import api_tokens
from ombudsman.portal.api_models import PortalApiToken
from tests.api.conftest import issue
from tests.api.portal_api_fixtures import pinned_today_fixture, portal_case_fixture  # noqa: F401  (fixtures)
from tests.api.test_schemathesis import RANDOM_ID_EXAMPLES, _run

# Revoking the token in use would turn every later example into a 401.
SKIPPED = {"DELETE /api/v1/portal/tokens/current"}
PORTAL_PREFIX = "/api/v1/portal/"
ADMIN_PREFIXES = ("/api/v1/portal-users/", "/api/v1/portal-tokens/")


def _operations(app, prefixes: tuple[str, ...]) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if op.path.startswith(prefixes) and op.label not in SKIPPED]


def test_the_portal_operations_are_in_the_contract(app):
    labels = {op.label for op in _operations(app, (PORTAL_PREFIX, *ADMIN_PREFIXES))}
    assert {
        "GET /api/v1/portal/letters",
        "GET /api/v1/portal/letters/{letter_id}/pdf",
        "POST /api/v1/portal/recommendations/{recommendation_id}/responses",
        "POST /api/v1/portal/recommendations/{recommendation_id}/extension-requests",
        "GET /api/v1/portal/extension-requests",
        "POST /api/v1/portal-users/{portal_user_id}/tokens",
    } <= labels
    assert len(labels) >= 15


def _real_ids(portal_case) -> dict:
    letter = portal_case.letters["kota"]
    return {
        "letter_id": letter.id,
        "recommendation_id": letter.links[0].recommendation_id,
        "portal_user_id": portal_case.accounts["kota"].id,
    }


PARTS = 3


@pytest.mark.parametrize("part", range(PARTS))
def test_portal_api_conforms_to_its_contract(app, portal_case, part):
    headers = {"Authorization": f"Bearer {portal_case.clients['kota'].token}"}
    real_ids = _real_ids(portal_case)
    tried = []
    for index, operation in enumerate(_operations(app, (PORTAL_PREFIX,))):
        if index % PARTS != part:
            continue
        _run(operation, headers, GenerationMode.POSITIVE, None, examples=RANDOM_ID_EXAMPLES)
        _run(operation, headers, GenerationMode.POSITIVE, real_ids)
        _run(operation, headers, GenerationMode.NEGATIVE, real_ids)
        tried.append(operation.label)
    assert tried


def test_portal_token_admin_api_conforms_to_its_contract(app, demo, portal_case):
    headers = {"Authorization": f"Bearer {issue(demo.users['admin'])}"}
    spare, _secret = api_tokens.issue_token(
        portal_case.accounts["ditjen"], lifetime=timedelta(days=1), now=utcnow()
    )
    db.session.commit()
    real_ids = {**_real_ids(portal_case), "token_id": spare.id}
    for operation in _operations(app, ADMIN_PREFIXES):
        _run(operation, headers, GenerationMode.POSITIVE, None, examples=RANDOM_ID_EXAMPLES)
        _run(operation, headers, GenerationMode.POSITIVE, real_ids)
        _run(operation, headers, GenerationMode.NEGATIVE, real_ids)
    # The portal's own token kept working throughout: nothing above revoked it.
    kota_token = db.session.scalar(
        select(PortalApiToken).where(PortalApiToken.portal_user_id == portal_case.accounts["kota"].id)
    )
    assert kota_token.revoked_at is None
