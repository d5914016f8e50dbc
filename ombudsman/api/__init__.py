"""The JSON API under /api/v1: thin views over the same services as the HTML pages.

The contract is generated from this code (flask-smorest + marshmallow) and served at
`/api/v1/openapi.json`; interactive docs at `/api/v1/docs` use Swagger UI files shipped by the
`flask-swagger-ui` package and served from here (no CDN).

Conventions, for whoever adds a resource (letters, deadlines, ...):

1. One module per resource in this package. Make its blueprint with
   `common.api_blueprint("api_<things>", __name__, description=...)` and add the module to `RESOURCES`
   below; nothing else is needed (authentication, CSRF exemption and the login-redirect bypass follow
   from being listed there).
2. Paths are plural nouns under /api/v1 (`/letters`, `f"/letters/<{ID}:letter_id>"` with `common.ID`,
   which keeps ids within PostgreSQL's integer); actions are POST to a verb below the record
   (`/letters/{id}/issue`). Field names are the model's column names. A binary answer (a PDF) documents
   its media types like `evidence.FILE_RESPONSE_DOC`.
3. Guard every view like the HTML one: `@roles_required(<role set from accounts.permissions>)` and
   `office_record_or_404(Model, id)` (another office's record is a 404), plus `can_edit_inspection` where
   the page checks it. Never re-implement a rule: call the domain's `services` and let its
   `ombudsman.errors.DomainError` through: `common.domain_error` answers it with its status (`Invalid` 422,
   `NotFound` 404, `Forbidden` 403, `Conflict` 409, e.g. issuing an issued letter) and its field messages.
4. Input schemas derive from `schemas.StrictSchema` (unknown fields are refused) and bound every value with
   the use case's command bounds (`text_field(BOUND)`, `ref`, `day(rule)`, ...), declaring
   `contract = Command`. `*In` for creates, `*Patch` for changes, `*Out` for
   responses (nullable columns `allow_none=True`), `*Args` for list filters (derive from `PageArgs`).
5. Lists return `{"items", "page", "per_page", "total", "pages"}` (`common.page(select, args)`), in a
   stable order (the service's order plus the id).
6. Creates and uploads are idempotent: accept `client_id` (`schemas.client_id_field()`), document the
   header with `@blp.doc(**common.IDEMPOTENCY_HEADER_DOC)`, and go through `idempotency.create_once(...)`,
   which commits. Other writes commit once at the end of the view.
7. Errors are `{"error": message, "fields": {name: [problems]}}` for every status (`errors.py`).
8. Tests go in tests/api: add the new endpoints to the role matrix and to `SAME_AS_WEB` in
   test_permissions.py; tests/api/test_schemathesis.py picks every new operation up by itself.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api

from ombudsman.accounts.permissions import public
from ombudsman.api.portal_auth import SECURITY_SCHEME as PORTAL_SECURITY_SCHEME
from ombudsman.api.schemas import ErrorSchema

# Resource modules, in the order their sections appear in the docs.
RESOURCES = (
    "tokens",
    "authorities",
    "inspections",
    "findings",
    "evidence",
    "sync",
    "recommendations",
    "letters",
    "deadlines",
    "portal_admin",
    "portal_tokens",
    "portal",
)


class OmbudsmanApi(Api):
    """flask-smorest's Api, documenting our error body and leaving error handling to `ombudsman.errors`."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # ombudsman.errors answers every HTTP error, as JSON under /api/ (see api.errors.http_error).
        pass

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        """Register the blueprint and document its views under the resource's tag (`ApiBlueprint.tag`)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        self.spec.tag({"name": getattr(blp, "tag", name), "description": blp.description})


SPEC_OPTIONS = {
    "info": {
        "description": (
            "Inspections, findings, evidence and recommendations of an Ombudsman RI representative office. "
            "Authenticate with `POST /api/v1/tokens` and send `Authorization: Bearer <token>`. "
            "Every create accepts a client UUID (`client_id` or the `Idempotency-Key` header): "
            "repeating it returns the same record, a different body with the same key is a 409. "
            'Errors are `{"error": message, "fields": {field: [problems]}}`. '
            "Authorities' systems use the portal routes (`/api/v1/portal/...`) with a portal token from "
            "`POST /api/v1/portal/tokens` (or made by an admin); portal tokens work nowhere else."
        )
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "portal_bearer": PORTAL_SECURITY_SCHEME,
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "session",
                "description": "The web session; unsafe methods also need the X-CSRFToken header.",
            },
        }
    },
    "security": [{"bearer": []}, {"session": []}],
}


def _swagger_assets() -> Path:
    import flask_swagger_ui

    return Path(flask_swagger_ui.__file__).resolve().parent / "dist"


assets_bp = Blueprint("api_assets", __name__, url_prefix="/api/v1/assets")


@assets_bp.get("/swagger-ui/<path:filename>")
@public
def swagger_asset(filename: str):
    """Swagger UI's own files, served locally."""
    return send_from_directory(_swagger_assets(), filename, max_age=86400)


def init_app(app: Flask) -> Api:
    """Create the Api for this app and register every resource blueprint."""
    from ombudsman.extensions import csrf

    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api = OmbudsmanApi(app)
    names = [api._make_doc_blueprint_name(), assets_bp.name]
    app.register_blueprint(assets_bp)
    for module_name in RESOURCES:
        blp = import_module(f"ombudsman.api.{module_name}").blp
        api.register_blueprint(blp)
        csrf.exempt(blp)  # auth.authenticate checks X-CSRFToken for session callers
        names.append(blp.name)
    app.config["SELF_AUTH_BLUEPRINTS"] = (*app.config.get("SELF_AUTH_BLUEPRINTS", ()), *names)
    app.extensions["ombudsman-api"] = api
    return api
