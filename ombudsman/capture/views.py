"""The capture page, its service worker and its web app manifest."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ombudsman.accounts.permissions import FIELD_WORK, public, roles_required
from ombudsman.capture import services
from ombudsman.inspections import storage
from ombudsman.inspections.forms import ANSWER_LABELS, KIND_LABELS, MALADMINISTRATION_LABELS, SEVERITY_LABELS

bp = Blueprint("capture", __name__, url_prefix="/capture")

# Static files the page needs offline, relative to the static folder; the service worker caches them.
STATIC_ASSETS = (
    "css/app.css",
    "js/app.js",
    "capture/capture.css",
    "capture/outbox.js",
    "capture/storage.js",
    "capture/sync.js",
    "capture/capture.js",
    "capture/icon.svg",
)
SERVICE_WORKER = "capture/sw.js"
# The page's own files, linked as `name?v=hash` (the rest of STATIC_ASSETS come from base.html unversioned).
VERSIONED_ASSETS = tuple(name for name in STATIC_ASSETS if name.startswith("capture/"))
# The response header naming the version of the page, so the worker never stores another version's page.
VERSION_HEADER = "X-Capture-Version"


def _static(name: str) -> Path:
    return Path(current_app.static_folder or "") / name


def asset_manifest() -> dict[str, str]:
    """`{name: hash}` of the capture files, read once when the app starts (on every request in debug)."""
    manifest = current_app.extensions.get("capture_assets")
    if manifest is None or current_app.debug:
        manifest = load_asset_manifest(current_app)
    return manifest


def load_asset_manifest(app) -> dict[str, str]:
    """Hash the capture files of `app`'s static folder and keep the manifest (a deploy restarts the app)."""
    manifest = services.asset_manifest(Path(app.static_folder or ""), VERSIONED_ASSETS)
    app.extensions["capture_assets"] = manifest
    return manifest


def asset_url(name: str) -> str:
    """The URL the page and the worker use for a static file: versioned for the capture files."""
    manifest = asset_manifest()
    if name in manifest:
        return url_for("static", filename=name, v=manifest[name])
    return url_for("static", filename=name)


def assets() -> tuple[list[str], str]:
    """The worker's URLs to keep and the version of that set (changes with any file and the worker)."""
    urls = [asset_url(name) for name in STATIC_ASSETS]
    urls.append(url_for("capture.manifest"))
    source = _static(SERVICE_WORKER).read_bytes()
    version = services.assets_version(
        [_static(name) for name in STATIC_ASSETS], extra=source + json.dumps(urls).encode()
    )
    return urls, version


@bp.record_once
def _hash_assets_at_start(state) -> None:
    load_asset_manifest(state.app)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@roles_required(FIELD_WORK)
def index():
    """The capture page: pick or open an inspection, record findings with photos, see the outbox."""
    labels = {
        "kind": KIND_LABELS,
        "maladministration": MALADMINISTRATION_LABELS,
        "severity": SEVERITY_LABELS,
        "answer": ANSWER_LABELS,
    }
    data = services.reference_data(current_user, labels)
    _urls, version = assets()
    data.update(
        limits_url=url_for("capture.limits"),
        user_id=current_user.id,
        api_base=request.script_root + "/api/v1",
        session_url=url_for("capture.session_info"),
        suggest_url=url_for("findings.suggest"),
        sw_url=url_for("capture.service_worker", v=version),
        scope=url_for("capture.index"),
        version=version,
        capture_limits=_capture_limits(),
    )
    response = Response(render_template("capture/index.html", data=data, asset_url=asset_url))
    # The service worker keeps its own copy; the HTTP cache must not serve a stale page or another user's.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers[VERSION_HEADER] = version
    return response


def _capture_limits() -> dict:
    return storage.capture_limits(current_app.config["EVIDENCE_MAX_BYTES"])


@bp.get("/limits.json")
@roles_required(FIELD_WORK)
def limits():
    """What the phone checks before it queues a file (types, bytes, pixels): `storage.capture_limits`."""
    return _no_store(jsonify(_capture_limits()))


@bp.get("/session")
@roles_required(FIELD_WORK)
def session_info():
    """Who is signed in and a fresh CSRF token, asked before each round of sending."""
    return _no_store(jsonify(user_id=current_user.id, csrf_token=generate_csrf()))


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, with the list of files to keep and a version that changes with them."""
    # Served from /capture/, its default (and largest allowed) scope is /capture/: exactly the page it
    # must control, so no Service-Worker-Allowed header is needed. The API and other pages stay outside.
    # The page registers it as sw.js?v=<version>; whatever `v` it asks for, it gets the current set.
    urls, version = assets()
    source = _static(SERVICE_WORKER).read_text(encoding="utf-8")
    prelude = (
        f"const CAPTURE_VERSION = {json.dumps(version)};\n"
        f"const CAPTURE_PAGE = {json.dumps(url_for('capture.index'))};\n"
        f"const CAPTURE_ASSETS = {json.dumps(urls)};\n"
        f"const CAPTURE_VERSION_HEADER = {json.dumps(VERSION_HEADER)};\n"
    )
    response = Response(prelude + source, mimetype="text/javascript")
    # Browsers check the worker for updates on each visit; an HTTP-cached copy would delay new versions.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest, so the page can be added to the phone's home screen."""
    body = {
        "name": _("Ombudsman · Pencatatan Lapangan"),
        "short_name": _("Catat Lapangan"),
        "lang": "id",
        "start_url": url_for("capture.index"),
        "scope": url_for("capture.index"),
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0b5394",
        "icons": [
            {
                "src": url_for("static", filename="capture/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            }
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
