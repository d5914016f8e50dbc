"""Serve the busiest pages from the page cache while nothing they show has changed (issue 12).

A page is kept per user, language and office-zone date, under the office's and the national data stamps
(`ombudsman.page_cache.stamps`: version numbers that the database's own triggers raise in the same
transaction as any change to what such a page shows). A request reads the stamps first, then looks the page
up: a hit costs the session, the user and one small query, whatever the size of the data. Any change to the
office's data (or to the national register) gives new stamps, so the next request renders afresh; pages of
older stamps are never asked for again and age out of the store.

What differs per request is never kept: the CSRF token is swapped for this request's own on every hit, and a
request with messages waiting to be shown (flash) is rendered and never kept. Only 200 answers without
cookies of their own are kept. `PAGE_CACHE_BYTES` (per worker process, bytes; 0 turns the cache off) bounds
the store; the `X-Page-Cache` header says `hit` or `miss`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ombudsman import clock
from ombudsman.page_cache import stamps
from ombudsman.page_cache.store import PageStore, StoredPage

#: Stands in for the CSRF token in a kept page; random per process, so no page text can forge it.
TOKEN_MARK = f"csrf-{secrets.token_hex(16)}".encode()
#: Media types a kept page may have.
KEPT_TYPES = frozenset({"text/html", "application/json"})
#: View headers never kept (the framework sets them per response).
UNKEPT_HEADERS = frozenset({"content-type", "content-length", "set-cookie"})
EXTENSION = "page_cache"


def init_app(app: Flask) -> None:
    """Create this process's store from `PAGE_CACHE_BYTES` (bytes; 0 or less: no cache)."""
    size = int(app.config.get("PAGE_CACHE_BYTES") or 0)
    app.extensions[EXTENSION] = PageStore(size) if size > 0 else None


def page_store(app: Flask | None = None) -> PageStore | None:
    """The app's page store, or None when the cache is off."""
    return (app or current_app).extensions.get(EXTENSION)


def cached_page(view: Callable) -> Callable:
    """Decorate a GET view that shows the signed-in user's office data (below its permission check).

    The view must read only stamped tables (`stamps.stamped_tables()`) and the signed-in user; its answer may
    depend on the path, the query string, the user, the language and today's date in the office's zone.
    """

    @wraps(view)
    def serve(*args, **kwargs):
        pages = page_store()
        if pages is None or request.method != "GET" or session.get("_flashes"):
            return view(*args, **kwargs)
        stamp = stamps.read(current_user.office_id)
        if stamp is None:
            return view(*args, **kwargs)
        key = page_key(stamp)
        page = pages.get(key)
        if page is not None:
            return _answer(page)
        response = current_app.make_response(view(*args, **kwargs))
        if _keepable(response):
            pages.put(key, _kept(response))
            response.headers["X-Page-Cache"] = "miss"
        return response

    return serve


def page_key(stamp: stamps.Stamp) -> tuple:
    """What a kept page depends on: the address, the user as loaded, the language, the day, the stamps.

    The user's own fields are part of the key (they were read before the stamps), so a page never shows a
    name or role other than the one it is kept under.
    """
    user = current_user._get_current_object()
    return (
        request.path,
        request.query_string,
        type(user).__name__,
        user.id,
        user.name,
        user.role,
        user.office_id,
        str(get_locale()),
        clock.today(stamp.timezone),
        clock.pinned_today(),
        stamp.national,
        stamp.office,
    )


def _keepable(response: Response) -> bool:
    return (
        response.status_code == 200  # noqa: PLR2004
        and not response.direct_passthrough
        and not response.is_streamed
        and response.mimetype in KEPT_TYPES
        and "Set-Cookie" not in response.headers
        and not session.get("_flashes")
    )


def _kept(response: Response) -> StoredPage:
    body = response.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), TOKEN_MARK)
    headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in UNKEPT_HEADERS)
    return StoredPage(body=body, mimetype=response.mimetype, headers=headers)


def _answer(page: StoredPage) -> Response:
    body = page.body
    if TOKEN_MARK in body:
        body = body.replace(TOKEN_MARK, generate_csrf().encode())
    response = Response(body, mimetype=page.mimetype, headers=list(page.headers))
    response.headers["X-Page-Cache"] = "hit"
    return response
