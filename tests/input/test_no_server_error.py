"""Property: no input makes any HTML route answer 5xx, and every 4xx says why.

The pages and their forms are discovered, not listed: the test signs in as each role, follows the links of
the site from the dashboard and parses every `<form>` it meets. Hypothesis then sends hostile values
(control characters, invalid UTF-8 and encoded lone surrogates, RTL overrides, 100,000 characters, huge
and negative integers) into one field of a form at a time, into every query parameter the views read (found
in the source, plus common names), into integer path segments, as deep JSON and as bodies of the wrong
type; and every discovered page is asked for with HEAD. Bounded and deterministic (fixed seed, no example
database), so it runs with the suite. The API has its own run over the OpenAPI document
(tests/api/test_schemathesis.py) and a hostile-strings run below.
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.api.conftest import issue

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("supervisor", "admin", "inspector", "head")
PAGES_PER_ROLE = 40
EXAMPLES = 120
SEED = 20_261_130

# Links not worth following: binary answers (slow to render or not HTML), leaving the session or the
# language, and the API (driven from its own document).
SKIP_LINK = re.compile(r"logout|/lang/|\.pdf|\.csv|\.xlsx|\.ics|/file|thumbnail|/static/|/api/|/capture/sw")
# Forms that end the session we test with, or render PDFs (seconds each), are left out of the walk.
SKIP_FORM = re.compile(r"logout|/sessions/end|/revoke|/issue$|/preview$|/lang/")
# Query parameters every list might read, beside those the views read by name (found in the source).
COMMON_PARAMETERS = {
    "q",
    "page",
    "per_page",
    "year",
    "status",
    "state",
    "authority_id",
    "level",
    "inspector_id",
    "kind",
    "sort",
}
FORM_FIELD = re.compile(r"^\s+(\w+) = \w*Field\(", re.M)
SOURCE_PARAMETER = re.compile(r'args\.get\(\s*"(\w+)"|args\["(\w+)"\]|pick\(\w+, "(\w+)"\)|day\("(\w+)"\)')

HOSTILE_TEXT = [
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "line\x0bbreak",
    "\ud800",  # a lone surrogate: sent as its (invalid) UTF-8 bytes
    "\udfff\ud800",
    "\u202egnp.exe",
    "\u200f\u2066\u2069",
    "x" * 100_000,
    "\U0001f4a9" * 1000,
    "",
    " ",
    "%00",
    "'; DROP TABLE findings; --",
    "<script>alert(1)</script>",
    "../../../etc/passwd",
    "null",
    "true",
    "[]",
    "{}",
    "2024-02-30",
    "99999-01-01",
    "NaN",
    "1e309",
    "٣",
    "１２",
]
HOSTILE_NUMBERS = [
    "0",
    "-1",
    "-2147483649",
    "2147483647",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999",
    "-99999999999999999999",
    "1_000",
    "+7",
    " 7 ",
    "7.5",
]
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_TEXT + HOSTILE_NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=12),
)
DEEP_JSON = "[" * 5000 + "]" * 5000


def _settings(examples: int = EXAMPLES):
    return settings(
        max_examples=examples,
        derandomize=False,  # the seed is fixed with @seed(SEED) on each property
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# --- discovering the site ----------------------------------------------------------------------------------


@dataclass
class Form:
    """A form as a browser sees it: where it goes and the fields it would send with their values."""

    action: str
    method: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Links and forms of one page (with each field's current value, or its first option for a select)."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            action = urljoin(self.url, a.get("action") or self.url)
            self.forms.append(Form(action, method, "multipart" in (a.get("enctype") or "")))
        elif not self.forms or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.forms[-1].files.append(a["name"])
            elif kind in ("checkbox", "radio") and "checked" not in a:
                return
            elif kind not in ("submit", "button", "image", "reset"):
                self.forms[-1].fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._select_chosen = a["name"], False
        elif tag == "option" and self._select and not self._select_chosen:
            self.forms[-1].fields.append((self._select, a.get("value") or ""))
            self._select_chosen = True
        elif tag == "textarea":
            self._textarea = a["name"]
            self.forms[-1].fields.append((a["name"], ""))

    def handle_data(self, data):
        if self._textarea and self.forms and self.forms[-1].fields:
            name, value = self.forms[-1].fields[-1]
            self.forms[-1].fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or SKIP_LINK.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def route_of(path: str) -> str:
    """The route a path belongs to, for telling pages apart: record ids replaced by N."""
    return re.sub(r"/\d+", "/N", path.split("?")[0])


def crawl(browser, start: str = "/", limit: int = PAGES_PER_ROLE) -> tuple[list[str], list[Form]]:
    """One page of each route reachable from `start` (up to `limit` pages) and the forms on them."""
    seen, pages, forms = {route_of(start)}, [], []
    queue = deque([start])
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = browser.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.append(url)
        parser = _PageParser("http://localhost" + url)
        parser.feed(response.get_data(as_text=True))
        forms.extend(parser.forms)
        for link in parser.links:
            target = _local(link)
            # One page of each route: other records and filters are the hostile walk's business.
            if target and route_of(target) not in seen:
                seen.add(route_of(target))
                queue.append(target)
    return pages, forms


@dataclass
class Site:
    """What the walk found: per role its browser, pages and forms; the record ids seen in the URLs."""

    browsers: dict
    pages: list[tuple[str, str]]
    forms: list[tuple[str, Form]]
    ids: dict[str, int]


@pytest.fixture
def site(app, demo, login) -> Site:
    """Every role signed in, the site crawled as each of them."""
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer to assert on, as in production
    adapter = app.url_map.bind("localhost")
    browsers, pages, forms, ids = {}, [], [], {}
    for role in ROLES:
        browsers[role] = login(demo.users[role].email)
        role_pages, role_forms = crawl(browsers[role])
        pages += [(role, page) for page in role_pages]
        forms += [(role, f) for f in role_forms if not SKIP_FORM.search(urlsplit(f.action).path)]
        for page in role_pages:
            ids.update(adapter.match(page.split("?")[0], method="GET")[1])
    return Site(browsers, pages, forms, ids)


# --- sending hostile requests ------------------------------------------------------------------------------


def _encode(value: str) -> str:
    # surrogatepass: a lone surrogate goes out as the invalid UTF-8 a hostile client would send.
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


def _urlencoded(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


def _is_text(value: str) -> bool:
    return not re.search(r"[\ud800-\udfff]", value)


# The error page (errors.html) or a page of its own saying what went wrong: a heading and a sentence.
ERROR_PAGE = re.compile(r"<h1>[^<]+</h1>\s*<p>\s*[^<\s]")


def assert_no_server_error(response, what: str) -> None:
    """Below 500; a 4xx carries a message a person (HTML) or a program (JSON) can read."""
    assert response.status_code < 500, (
        f"{what}: {response.status_code}\n{response.get_data(as_text=True)[:800]}"
    )
    if 400 <= response.status_code < 500 and response.request.method != "HEAD":
        body = response.get_data(as_text=True)
        if response.is_json:
            assert response.get_json().get("error"), f"{what}: {body[:300]}"
        else:
            assert ERROR_PAGE.search(body) or 'role="alert"' in body, f"{what}: {body[:800]}"


def _source_names(pattern: re.Pattern, glob: str) -> set[str]:
    """Every name the pattern captures in the application's source files matching `glob`."""
    names = set()
    for source in (ROOT / "ombudsman").rglob(glob):
        for match in pattern.finditer(source.read_text(encoding="utf-8")):
            names.add(next(g for g in match.groups() if g))
    return names


def _send_form(browser, form: Form, name: str, value: str, as_file: bool, photo: bytes):
    """The form as a browser would send it, with `value` in field `name` (or as a file's name)."""
    pairs = [(n, v) for n, v in form.fields if n not in (name, "csrf_token")]
    pairs.append(("csrf_token", browser.token()))
    url = urlsplit(form.action)
    path = url.path + (f"?{url.query}" if url.query else "")
    if form.method == "get":
        return browser.client.get(url.path, query_string=_urlencoded([*pairs, (name, value)]))
    if form.multipart and _is_text(value):
        data = dict(pairs)
        files = {f: (io.BytesIO(photo), "foto.png") for f in form.files}
        if name in form.files or (as_file and form.files):
            files[name if name in form.files else form.files[0]] = (io.BytesIO(photo), value)
        else:
            data[name] = value
        return browser.client.post(path, data={**data, **files}, content_type="multipart/form-data")
    body = _urlencoded([*pairs, (name, value)])
    return browser.client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def test_no_input_makes_an_html_route_answer_5xx(app, site, png_bytes):
    """Hostile values in every discovered form field, every POST route, every query parameter and id."""
    form_targets = [
        (role, form, name)
        for role, form in site.forms
        for name in [n for n, _v in form.fields if n != "csrf_token"] + form.files
    ]
    assert len({route_of(f.action) for _r, f, _n in form_targets}) >= 25, "the walk found too few forms"

    @seed(SEED)
    @_settings()
    @given(target=st.sampled_from(form_targets), value=HOSTILE, as_file=st.booleans())
    def discovered_forms(target, value, as_file):
        role, form, name = target
        response = _send_form(site.browsers[role], form, name, value, as_file, png_bytes)
        assert_no_server_error(response, f"{role} {form.method.upper()} {form.action} {name}={value[:40]!r}")

    # POST routes no crawled page offered a form for (a letter in another state, ...): any field name the
    # forms declare, with the ids seen while crawling.
    adapter = app.url_map.bind("localhost")
    posts = sorted(
        {
            adapter.build(rule.endpoint, {a: site.ids.get(a, 1) for a in rule.arguments}, method="POST")
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods
            and not rule.rule.startswith("/api/")
            and not SKIP_FORM.search(rule.rule)
        }
    )
    fields = sorted(_source_names(FORM_FIELD, "forms.py"))

    @seed(SEED)
    @_settings()
    @given(
        path=st.sampled_from(posts), role=st.sampled_from(ROLES), name=st.sampled_from(fields), value=HOSTILE
    )
    def every_post_route(path, role, name, value):
        browser = site.browsers[role]
        body = _urlencoded([("csrf_token", browser.token()), (name, value)])
        response = browser.client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        assert_no_server_error(response, f"{role} POST {path} {name}={value[:40]!r}")

    names = COMMON_PARAMETERS | _source_names(SOURCE_PARAMETER, "*.py")
    assert {"inspection_id", "date_from", "code", "next"} <= names
    pages = sorted({(role, page.split("?")[0]) for role, page in site.pages})

    @seed(SEED)
    @_settings()
    @given(target=st.sampled_from(pages), name=st.sampled_from(sorted(names)), value=HOSTILE)
    def query_parameters(target, name, value):
        role, path = target
        response = site.browsers[role].client.get(path, query_string=_urlencoded([(name, value)]))
        assert_no_server_error(response, f"{role} GET {path}?{name}={value[:40]!r}")

    @seed(SEED)
    @_settings(EXAMPLES // 2)
    @given(target=st.sampled_from([p for p in pages if re.search(r"/\d+", p[1])]), value=HOSTILE)
    def path_segments(target, value):
        role, path = target
        hostile = re.sub(r"/\d+", "/" + _encode(value), path, count=1)
        response = site.browsers[role].client.get(hostile)
        assert_no_server_error(response, f"{role} GET {hostile[:120]}")

    discovered_forms()
    every_post_route()
    query_parameters()
    path_segments()


def test_every_page_answers_head_like_get_and_odd_bodies_with_4xx(app, site):
    for role, page in site.pages:
        head = site.browsers[role].client.head(page)
        assert head.status_code == 200, f"{role} HEAD {page}"  # the crawl read it with GET: 200
        assert head.data == b""
    done = set()
    for role, form in site.forms:
        path = urlsplit(form.action).path
        if form.method != "post" or route_of(path) in done:
            continue
        done.add(route_of(path))
        browser = site.browsers[role]
        for body, content_type in [
            (DEEP_JSON, "application/json"),
            ('{"title": "\\u0000"}', "application/json"),
            ("\x00\xff garbage", "text/plain"),
            (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x"),
        ]:
            response = browser.client.post(
                path, data=body, content_type=content_type, headers={"X-CSRFToken": browser.token()}
            )
            assert_no_server_error(response, f"{role} POST {path} as {content_type}")


# --- the API: hostile strings in every declared parameter and body property --------------------------------


def _api_targets(document: dict) -> list[tuple[str, str, str, str]]:
    """(method, path, location, name) for every query parameter and JSON/multipart property."""
    schemas = document["components"]["schemas"]
    targets = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    targets.append((method, path, "query", parameter["name"]))
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                ref = content["schema"].get("$ref", "")
                properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
                location = "json" if media == "application/json" else "multipart"
                targets.extend((method, path, location, name) for name in properties)
    return targets


def test_every_api_field_survives_hostile_values(app, demo, jpeg_bytes):
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issue(demo.users['supervisor'])}"}
    ids = {
        "inspection_id": demo.inspection.id,
        "finding_id": demo.findings[1].id,
        "authority_id": demo.dinas.id,
    }
    document = client.get("/api/v1/openapi.json").get_json()
    targets = [t for t in _api_targets(document) if t[1] != "/tokens/current"]
    assert len(targets) >= 60

    @seed(SEED)
    @_settings()
    @given(target=st.sampled_from(targets), value=HOSTILE, as_number=st.booleans())
    def send(target, value, as_number):
        method, path, location, name = target
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
        if location == "query":
            query = _urlencoded([(name, value)])
            response = client.open(url, method=method.upper(), query_string=query, headers=headers)
        elif location == "multipart" and _is_text(value):
            response = client.open(
                url,
                method=method.upper(),
                data={"file": (io.BytesIO(jpeg_bytes), "foto.jpg"), name: value},
                content_type="multipart/form-data",
                headers=headers,
            )
        else:
            # A number as a JSON number when asked; strings escaped by json.dumps ("\\u0000", "\\ud800").
            literal = value if as_number and re.fullmatch(r"-?\d+", value) else json.dumps(value)
            response = client.open(
                url,
                method=method.upper(),
                data=f'{{"{name}": {literal}}}',
                content_type="application/json",
                headers=headers,
            )
        assert_no_server_error(response, f"API {method.upper()} {url} {location}:{name}={value[:40]!r}")

    send()


def test_every_api_body_refuses_deep_json_and_other_content_types(app, demo):
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issue(demo.users['supervisor'])}"}
    document = client.get("/api/v1/openapi.json").get_json()
    operations = sorted({(m, p) for m, p, location, _n in _api_targets(document) if location == "json"})
    assert len(operations) >= 10
    for method, path in operations:
        url = "/api/v1" + re.sub(r"\{(\w+)\}", str(demo.inspection.id), path)
        for body, content_type, status in [
            (DEEP_JSON, "application/json", 400),
            ('{"a": "\\u0000"}', "application/json", 400),
            ("title=x", "application/x-www-form-urlencoded", 415),
            ("\x00\xff", "text/plain", 415),
        ]:
            response = client.open(
                url, method=method.upper(), data=body, content_type=content_type, headers=headers
            )
            assert_no_server_error(response, f"API {method.upper()} {url} as {content_type}")
            assert response.status_code in (status, 404), (
                f"{method} {url} {content_type}: {response.status_code}"
            )
