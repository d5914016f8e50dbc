"""What a request may carry before any view reads it: the one place where unreadable input is refused.

Every request passes `refuse_unreadable_input` (the first `before_request` hook) and is an `InputRequest`:

- **Text**: query strings, form fields (names and values), the names of upload fields, JSON keys and
  strings, and the URL path must be valid UTF-8 without lone surrogates and without control characters
  (C0 and DEL; tab, line feed and carriage return are allowed in form bodies and JSON strings, where
  multi-line text lives). Anything else is a 400 naming the field, before it can reach a database
  (PostgreSQL refuses NUL in text), a header or a file system. One exception: a control character in the
  value of a page's form field (not the API's) is left to the form, which refuses it under the field like
  any other bad input and redisplays the rest (`forms_common.AppForm`); the services refuse it too
  (`contracts.Text`). Likewise the query string of a page marked `@filter_page` (a list and its filter
  form): each control character in a value becomes a space before the view reads `request.args`, and the
  page shows the list with a message beside the search box or filter (`cleaned_parameters`), not a 400.
  Bidi characters (RTL override, ...) are ordinary text here: they are legitimate in names. Uploaded
  files' own names are not refused: storage keeps them (NUL as U+FFFD) and shows them cleaned
  (`ombudsman.filenames`).
- **JSON bodies**: at most `MAX_JSON_BYTES` (413) and `MAX_JSON_DEPTH` levels of nesting, measured on the
  raw bytes before anything parses them (Python's parser raises RecursionError near 1,000 levels).
- **Integers in the query string**: `request.args.get(name, type=int)` refuses (400) a number outside the
  database's integer range instead of letting `?page=99999999999999999999` reach SQL; text that is not a
  number still gives the default, as Werkzeug documents.
- **HEAD** is answered exactly as GET: the application sees GET, and the server drops the body because the
  WSGI environment still says HEAD. So no view can mistake a HEAD for a form submission.

Path segments declared `<int:...>` are bounded the same way by `BoundedIntConverter` (a number beyond
the database's integer is a 404, like any other record that does not exist).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, current_app, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from ombudsman.contracts import MAX_ID

#: Nesting deeper than this is refused; the API's deepest real body (a checklist's answers) has 3 levels.
MAX_JSON_DEPTH = 64
#: The largest JSON body (bytes) when the configuration does not say (`MAX_JSON_BYTES`).
DEFAULT_MAX_JSON_BYTES = 1024 * 1024
#: The database's integer range (PostgreSQL `integer`): query integers outside it are refused.
MIN_INT = -MAX_ID - 1

# Control characters a single-line value may not hold (C0 and DEL), and the subset still refused in
# multi-line text (tab, line feed and carriage return allowed); lone surrogates stand for invalid UTF-8
# (decoded with "surrogateescape") or a JSON "\ud800" escape.
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What a page's form field or filter may not hold even so: invalid UTF-8, which no browser sends and the
# parsers would silently turn into U+FFFD.
_UNDECODABLE = re.compile(r"[\ud800-\udfff]")

# A JSON string (terminated or not, so the scan stays linear) and the bytes that are not brackets.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.S)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class UnreadableInput(BadRequest):
    """400: the request carries something no field may hold; `field` names where (None: the request)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(description=message)
        # The shape webargs gives its errors, which the API's error body turns into `fields`.
        self.data = {"message": message, "messages": {field or "_schema": [message]}}


class BoundedArgs(ImmutableMultiDict):
    """Query arguments whose integer lookups stay within the database's integer range."""

    def get(self, key, default=None, type=None):  # noqa: A002 (Werkzeug's signature)
        """As `MultiDict.get`; with `type=int`, a number outside the integer range is a 400 naming `key`."""
        if type is not int:
            return super().get(key, default, type)
        try:
            value = int(self[key])
        except (KeyError, ValueError, TypeError):
            return default
        if not MIN_INT <= value <= MAX_ID:
            raise UnreadableInput(
                _(
                    "Parameter %(name)s harus bilangan bulat dari %(min)d sampai %(max)d.",
                    name=key,
                    min=MIN_INT,
                    max=MAX_ID,
                ),
                key,
            )
        return value


class InputRequest(Request):
    """Flask's request with bounded integer query arguments, HEAD seen as GET, and a clear JSON error."""

    parameter_storage_class = BoundedArgs

    def __init__(self, environ, *args, **kwargs):
        super().__init__(environ, *args, **kwargs)
        if self.method == "HEAD":
            # HEAD means GET without the body (RFC 9110 9.3.2): views that tell a form submission from a page
            # view by `request.method == "GET"` must answer HEAD like GET, not 422. The response body is
            # dropped by Werkzeug, which reads the method from the WSGI environment.
            self.method = "GET"

    def on_json_loading_failed(self, e: ValueError | None):
        """`get_json()` on a body that is not JSON: a 400 that says so."""
        raise UnreadableInput(_("Isi permintaan bukan JSON yang sah."), "body")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in a URL: at most the database's integer, so a longer number is a 404, never a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def install(app: Flask) -> None:
    """Use `InputRequest` and `BoundedIntConverter`; run the check before every other request hook.

    Call before extensions and blueprints are registered: the converter applies to rules added later, and
    the hook must run before CSRF and login checks read the form.
    """
    app.request_class = InputRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_unreadable_input)


# --- the check ---------------------------------------------------------------------------------------------


def is_api_request() -> bool:
    """Whether the request is for the JSON API (whose errors are JSON), not for a page."""
    return request.path.startswith("/api/")


def filter_page(view: Callable) -> Callable:
    """Mark a page view whose query string is its filter form (a list's search box and filters).

    A control character in a value there is replaced with a space before the view reads `request.args`,
    and `cleaned_parameters()` names the parameter, for the page to say so beside its field; the list is
    shown with the rest of the filters kept, instead of a 400 that loses them. Names of parameters and
    invalid UTF-8 are still refused (400). Put it directly below the route decorator.
    """
    view.filter_page = True  # type: ignore[attr-defined]
    return view


def cleaned_parameters() -> frozenset[str]:
    """The query parameters of this request whose control characters were replaced (`filter_page`)."""
    return g.get("cleaned_parameters", frozenset())


def refuse_unreadable_input() -> None:
    """before_request: raise `UnreadableInput` (400) or `RequestEntityTooLarge` (413) for unreadable input."""
    _check_path()
    if _is_filter_page():
        _clean_filters()
    else:
        _check_pairs(_decoded_pairs(request.query_string), _CONTROL_LINE)
    # A page's form says what is wrong with a value under its field; an API client gets the 400 here.
    values = _CONTROL_TEXT if is_api_request() else _UNDECODABLE
    if request.mimetype == "application/x-www-form-urlencoded":
        # Read raw (the form parser would turn invalid UTF-8 into U+FFFD), after the form parser's own limit.
        limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
        if limit and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        _check_pairs(_decoded_pairs(request.get_data(cache=True)), values)
    elif request.mimetype == "multipart/form-data":
        _check_pairs(request.form.items(multi=True), values)
        # File names come from the sender's file system, not from typing: storage keeps them (NUL as U+FFFD)
        # and shows them cleaned (ombudsman.filenames), so a photo is never lost over its name.
        for name, _upload in request.files.items(multi=True):
            _check_text(name, name, _CONTROL_LINE)
    elif request.is_json:
        _check_json()


def _check_path() -> None:
    raw = request.environ.get("PATH_INFO", "")
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        path = "\ud800"  # not UTF-8: refused below like a lone surrogate
    if _CONTROL_LINE.search(path):
        raise UnreadableInput(_("Alamat halaman berisi karakter yang tidak sah."))


def _is_filter_page() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "filter_page", False) and not is_api_request()


def _clean_filters() -> None:
    """A filter page's query string: checked as any other, except that control characters in values
    become spaces (in `request.args`, which every view and link helper reads) instead of a 400."""
    cleaned = set()
    for name, value in _decoded_pairs(request.query_string):
        _check_text(name, name, _CONTROL_LINE)
        _check_text(value, name, _UNDECODABLE)
        if _CONTROL_LINE.search(value):
            cleaned.add(name)
    if cleaned:
        # The query string itself stays as sent: it only keys the page cache (ombudsman.page_cache).
        request.args = BoundedArgs(
            (name, _CONTROL_LINE.sub(" ", value)) for name, value in request.args.items(multi=True)
        )
        g.cleaned_parameters = frozenset(cleaned)


def _decoded_pairs(raw: bytes) -> Iterator[tuple[str, str]]:
    """Name/value pairs of a query string or URL-encoded body; invalid UTF-8 bytes become lone surrogates."""
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _sep, value = part.partition(b"=")
        yield tuple(
            unquote_to_bytes(item.replace(b"+", b" ")).decode("utf-8", "surrogateescape")
            for item in (name, value)
        )


def _check_pairs(pairs, pattern: re.Pattern) -> None:
    for name, value in pairs:
        _check_text(name, name, _CONTROL_LINE)
        _check_text(value, name, pattern)


def _check_text(value: str, field: str, pattern: re.Pattern) -> None:
    if pattern.search(value):
        # The field's name is shown only when it is itself readable.
        shown = field if not _CONTROL_LINE.search(field) else None
        message = _("Tidak boleh berisi karakter kontrol (misalnya NUL) atau UTF-8 yang rusak.")
        raise UnreadableInput(message, shown)


def _check_json() -> None:
    limit = int(current_app.config.get("MAX_JSON_BYTES") or DEFAULT_MAX_JSON_BYTES)
    if (request.content_length or 0) > limit:
        raise _json_too_large(limit)
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise _json_too_large(limit)
    if json_depth(data) > MAX_JSON_DEPTH:
        raise UnreadableInput(
            _("JSON bersarang terlalu dalam (paling banyak %(depth)d tingkat).", depth=MAX_JSON_DEPTH), "body"
        )
    try:
        document = json.loads(data)
    except ValueError:
        return  # not JSON at all: the route's parser answers 400 "not valid JSON" in its own words
    for path, text in _json_strings(document):
        _check_text(text, path or "body", _CONTROL_TEXT)


def _json_too_large(limit: int) -> RequestEntityTooLarge:
    message = _("JSON terlalu besar (batas %(kb)d KB). Tidak ada yang disimpan.", kb=limit // 1024)
    exc = RequestEntityTooLarge(description=message)
    exc.data = {"message": message, "messages": {"body": [message]}}
    return exc


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar), without parsing it.

    Linear in the length of `data`: strings are skipped first (brackets inside them do not count), then
    the running count of the remaining brackets gives the depth.
    """
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _json_strings(document: Any) -> Iterator[tuple[str, str]]:
    """Every object key and string of a parsed JSON document, with its dotted path ("answers.0.note")."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, inner in value.items():
                inner_path = f"{path}.{key}" if path else key
                yield inner_path, key
                stack.append((inner_path, inner))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), inner) for i, inner in enumerate(value))
