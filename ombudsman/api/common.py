"""What every resource module of the API shares: its blueprint class, id paths, lists, domain errors."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import UnsupportedMediaType

from ombudsman import clock
from ombudsman.api import auth
from ombudsman.api.errors import error_response
from ombudsman.deadlines.services import state_cutoffs
from ombudsman.deadlines.states import StateCutoffs
from ombudsman.errors import DomainError
from ombudsman.extensions import db

# A record id in a path: positive and within PostgreSQL's integer, so no id reaches the database as an error.
ID = "int(min=1, max=2147483647)"
PREFIX = "/api/v1"


class Parser(FlaskParser):
    """webargs parser with a `multipart` location: form fields and files read as one body."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        """Form fields and files of a multipart/form-data request together."""
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)

    def _raw_load_json(self, req):
        """The JSON body; a body of another type is a 415 (webargs would read it as an empty body: 422)."""
        if req.mimetype and not is_json_request(req) and req.get_data(cache=True):
            raise UnsupportedMediaType()  # answered with the API's 415 message (api.errors)
        return super()._raw_load_json(req)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint that knows the `multipart` location and tags its operations by resource.

    Flask needs blueprint names unique across the app ("api_findings" beside the pages' "findings"); the
    docs group operations under the plain resource name instead (`tag`).
    """

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def __init__(self, *args, tag: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag

    def route(self, rule, *, parameters=None, tags=None, **options):
        """Register a view, tagged with the resource name unless told otherwise."""
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)


# Where a service names a form field differently from the API's field.
FIELD_ALIASES = {"team": "team_ids"}


def domain_error(exc: DomainError):
    """A service refused: its status (422, 404, 403 or 409) with the message and the fields; nothing kept."""
    db.session.rollback()
    fields = {FIELD_ALIASES.get(name, name): messages for name, messages in exc.field_messages().items()}
    return error_response(exc.status, str(exc), fields)


def _integrity_error(exc: IntegrityError):
    """A constraint the checks before it did not foresee (usually a concurrent change): 409, nothing kept."""
    db.session.rollback()
    return error_response(409)


# Documents the header on every create; `client_id` in the body does the same.
IDEMPOTENCY_HEADER_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "format": "uuid"},
            "description": "Alternative to the body's client_id (they must agree when both are sent).",
        }
    ]
}


def api_blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A resource blueprint under /api/v1: authenticates callers, turns service errors into JSON.

    Every `DomainError` a service raises is answered in one place (`domain_error`), so views never catch
    them; a constraint violation nobody foresaw is a 409.
    """
    tag = name.removeprefix("api_")
    blp = ApiBlueprint(name, import_name, url_prefix=PREFIX, description=description, tag=tag)
    blp.before_request(auth.authenticate)
    blp.register_error_handler(DomainError, domain_error)
    blp.register_error_handler(IntegrityError, _integrity_error)
    return blp


def page(stmt, args: dict[str, Any], pagination=None) -> dict[str, Any]:
    """One page of a select() as the list body: items, page, per_page, total, pages, total_capped.

    `pagination` is a page already read with a cheaper count (e.g. `inspections.queries.findings_page`,
    whose total may be capped: `total_capped` then says there are more than `total`); without it the
    select() is paginated here with an exact count.
    """
    if pagination is None:
        pagination = db.paginate(stmt, page=args["page"], per_page=args["per_page"], error_out=False)
    return {
        "items": list(pagination.items),
        "page": pagination.page,
        "per_page": pagination.per_page,
        "total": pagination.total or 0,
        "pages": pagination.pages,
        "total_capped": bool(getattr(pagination, "capped", False)),
    }


def cutoffs() -> StateCutoffs:
    """Today's deadline state boundaries for the caller's office, computed once per request."""
    if "deadline_cutoffs" not in g:
        office = current_user.office
        g.deadline_cutoffs = state_cutoffs(office, clock.today(office.timezone))
    return g.deadline_cutoffs
