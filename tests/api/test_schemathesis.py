"""Property-based run of the OpenAPI contract: schemathesis drives the WSGI app from /api/v1/openapi.json.

Bounded and deterministic (few examples per operation, derandomized, no example database), so it runs in
CI on every push. Each operation is tried with generated valid data against random ids, against the demo
case's real records, and with invalid data: no answer may be a 5xx, every answer must match the document
(status, content type, body), and invalid data must be refused.

schemathesis' own pytest plugin (`from_fixture`) does not run under this pytest, so the strategies are
driven with plain Hypothesis.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import issue

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Per operation and generation mode; with three modes and the no-5xx walk of tests/input, about a
# thousand generated requests per run (data generation, not the app, is most of the cost).
EXAMPLES = 8
# Each example of these renders a letter PDF (half a second): a few examples try their parameters, and the
# letter tests check the PDF itself.
EXAMPLES_FOR = {"GET /api/v1/letters/{letter_id}/pdf": 3}
RANDOM_ID_EXAMPLES = 3
# Revoking the token in use would turn every later example into a 401.
SKIPPED = {"DELETE /api/v1/tokens/current"}


def test_openapi_document_is_valid(client):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", client.application)
    schema.validate()  # raises on a document that breaks the OpenAPI 3 meta-schema
    assert schema.raw_schema["openapi"].startswith("3.")
    assert len(schema.raw_schema["paths"]) >= 15


def _run(
    operation, headers: dict, mode: GenerationMode, path_parameters: dict | None, examples: int = EXAMPLES
) -> None:
    params = {k: v for k, v in (path_parameters or {}).items() if f"{{{k}}}" in operation.path}

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=params or None))
    @settings(
        max_examples=min(examples, EXAMPLES_FOR.get(operation.label, examples)),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


# The contract run is split into parts (operations dealt round-robin) so that parallel workers share it; an
# operation's three runs stay together, as the later ones reuse the schemas the first one prepared.
PARTS = 7


def _operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_in_the_contract_run(app):
    tried = [op.label for op in _operations(app) if op.label not in SKIPPED]
    assert "POST /api/v1/inspections/{inspection_id}/findings" in tried
    assert {"POST /api/v1/letters/{letter_id}/delivery", "GET /api/v1/deadlines"} <= set(tried)
    assert len(tried) >= 37


@pytest.mark.parametrize("part", range(PARTS))
def test_api_conforms_to_its_contract(app, demo, jpeg_bytes, part):
    headers = {"Authorization": f"Bearer {issue(demo.users['supervisor'])}"}
    real_ids = {
        "inspection_id": demo.inspection.id,
        "finding_id": demo.findings[1].id,
        "authority_id": demo.dinas.id,
        "recommendation_id": 1,
        "letter_id": 1,  # the demo's draft to the Wali Kota Kupang
    }
    tried = []
    for index, operation in enumerate(_operations(app)):
        if operation.label in SKIPPED or index % PARTS != part:
            continue
        # Generated ids name records that do not exist: a few examples show every route's 404 holds its shape.
        _run(operation, headers, GenerationMode.POSITIVE, None, examples=RANDOM_ID_EXAMPLES)
        _run(operation, headers, GenerationMode.POSITIVE, real_ids)
        _run(operation, headers, GenerationMode.NEGATIVE, real_ids)
        tried.append(operation.label)
    assert tried
