"""Shared fixtures: one app per session (per xdist worker) on SQLite (default) or PostgreSQL
(TEST_DATABASE_URL); each test in a transaction rolled back at its end (see `databases.py`).

Tests that need committed data seen from another connection (a live server, threads) are marked
`@pytest.mark.committed`, or use `live_server`: they commit for real and every table is emptied after them.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from databases import (
    IS_POSTGRES,
    TEST_DATABASE_URL,
    Databases,
    empty_all_tables,
    requests_beside_the_test_session,
    restart_identities,
    rolled_back,
    session_bound_to,
    transactional_engine,
)
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from ombudsman import create_app
from ombudsman.extensions import db, limiter
from ombudsman.page_cache.serving import page_store

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    The test body keeps an app context open (for db.session); without this, requests would reuse it and
    share `g` and the database session with the test, hiding bugs (and Flask-WTF's cached CSRF token).
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read and close file responses, as a browser would
        with requests_beside_the_test_session():
            response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # the test's own session must see what the request wrote
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def _databases(tmp_path_factory) -> Iterator[Databases]:
    """This worker's two databases (`empty`, `demo`), created for the session and dropped after it."""
    databases = Databases(tmp_path_factory.mktemp("db"))
    databases.create()
    yield databases
    databases.drop()


@pytest.fixture(scope="session")
def _session_app(_databases, tmp_path_factory) -> Iterator[Flask]:
    """The one application of the session (of each xdist worker), on the empty database with its schema.

    Building an app is slow (two thirds of it is the OpenAPI spec and the URL map): tests share this one,
    and the `app` fixture restores its config after each. Tests of another configuration build their own.
    """
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": _databases.empty,
            "EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
            "SERVER_NAME": None,
        },
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
    # The project's limiter is one object per process, and every `create_app` points it at that app's
    # storage: a test that builds a production app with REDIS_URL would leave this worker counting in
    # Redis under the default prefix, where another worker's `limiter.reset()` wipes its counts mid-test.
    # The `app` fixture puts back what this app set up.
    app.extensions["limiter_state"] = dict(limiter.__dict__)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _empty_engine(_session_app, _databases) -> Iterator[Engine]:
    """An engine on the empty database for tests inside a rolled-back transaction."""
    engine = transactional_engine(_databases.empty, _session_app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _demo_database(_session_app, _databases) -> Iterator[SimpleNamespace]:
    """The demo database: schema and the Kupang case, committed once; `.engine`, `.office_id`."""
    from ombudsman.seed import seed_demo

    engine = transactional_engine(_databases.demo, _session_app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    db.metadata.create_all(engine)
    with _session_app.app_context(), engine.connect() as connection, session_bound_to(connection):
        office_id = seed_demo().id
        db.session.commit()
    yield SimpleNamespace(engine=engine, office_id=office_id)
    engine.dispose()


# Fixtures whose users need committed data seen from other connections: they run the old, slow way.
COMMITTED_FIXTURES = frozenset({"live_server", "database_url"})


def commits_for_real(request: pytest.FixtureRequest) -> bool:
    """Whether the test is marked `committed` or uses a fixture that needs committed data."""
    return request.node.get_closest_marker("committed") is not None or not COMMITTED_FIXTURES.isdisjoint(
        request.fixturenames
    )


@pytest.fixture
def database(request, _session_app) -> Iterator[SimpleNamespace]:
    """The test's database, inside the session app's context for the test's duration.

    Most tests run inside a transaction rolled back at their end, on the demo database if they use `demo`,
    else on the empty one. Tests that `commits_for_real` commit on the empty database, which is emptied
    afterwards. Yields `.committed` (bool), `.bind` (the engine or connection the test's SQL goes through)
    and `.demo_office_id` (the seeded demo office's id, or None where the test seeds it).
    """
    if commits_for_real(request):
        with _session_app.app_context():
            restart_identities()
            try:
                yield SimpleNamespace(committed=True, bind=db.engine, demo_office_id=None)
            finally:
                db.session.rollback()
                empty_all_tables()
                db.session.remove()
        return
    if "demo" in request.fixturenames:
        demo_database = request.getfixturevalue("_demo_database")
        engine, office_id = demo_database.engine, demo_database.office_id
    else:
        engine, office_id = request.getfixturevalue("_empty_engine"), None
    with _session_app.app_context(), rolled_back(engine) as connection:
        yield SimpleNamespace(committed=False, bind=connection, demo_office_id=office_id)


@pytest.fixture
def app(_session_app, database, tmp_path) -> Iterator[Flask]:
    """The session's application, for one test: its own evidence folder and fresh rate limits.

    A test may change `app.config` freely: the config is restored when the test ends.
    """
    saved = _session_app.config.copy()
    _session_app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    limiter.__dict__.update(_session_app.extensions["limiter_state"])  # its storage, not the last app's
    limiter.reset()
    # Each test's transaction is rolled back, so the data stamps of the next test repeat earlier values
    # for other data: pages kept by one test must never be served in another.
    pages = page_store(_session_app)
    if pages is not None:
        pages.clear()
    try:
        yield _session_app
    finally:
        _session_app.config.clear()
        _session_app.config.update(saved)
        _session_app.extensions["page_cache"] = pages  # a test may have turned it off


@pytest.fixture
def client(app):
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def demo(app, database) -> SimpleNamespace:
    """The Kupang demo case, committed (seeded once per session, or by the test when it commits for real);
    its main records, in the test's session."""
    from sqlalchemy import select

    from ombudsman import seed_data
    from ombudsman.accounts.models import Office, User
    from ombudsman.authorities.models import Authority
    from ombudsman.inspections.models import Inspection
    from ombudsman.seed import seed_demo

    if database.committed:
        office = seed_demo()
        db.session.commit()
    else:
        office = db.session.get(Office, database.demo_office_id)
    by_name = {a.name: a for a in db.session.scalars(select(Authority))}
    users = {u.role.value: u for u in db.session.scalars(select(User))}
    inspection = db.session.scalar(select(Inspection))
    return SimpleNamespace(
        office=office,
        users=users,
        inspection=inspection,
        findings={f.number: f for f in inspection.findings},
        pemkot=by_name[seed_data.PEMKOT_KUPANG],
        dinas=by_name[seed_data.DINAS_KUPANG],
        ditjen=by_name[seed_data.DITJEN],
        kemendagri=by_name[seed_data.KEMENDAGRI],
        pemprov=by_name[seed_data.PEMPROV_NTT],
    )


class Browser:
    """A test client that logs in and sends the CSRF token like a real browser does."""

    def __init__(self, client):
        self.client = client
        self._token: str | None = None

    def token(self) -> str:
        """The session's CSRF token, read from a rendered page."""
        if self._token is None:
            page = self.client.get("/login").get_data(as_text=True)
            match = CSRF_RE.search(page)
            if match is None:  # logged in: /login redirects, so read it from the dashboard
                match = CSRF_RE.search(self.client.get("/").get_data(as_text=True))
            self._token = match.group(1)
        return self._token

    def login(self, email: str, password: str = "demo"):
        """Sign in through the login form."""
        response = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.token()}
        )
        self._token = None
        return response

    def get(self, url: str, **kwargs):
        """GET a page."""
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with the CSRF token added."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.token())
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def browser(client) -> Browser:
    """An anonymous browser-like client."""
    return Browser(client)


@pytest.fixture
def login(app):
    """Factory: a new Browser signed in as the given e-mail (demo password by default)."""

    def _login(email: str, password: str = "demo") -> Browser:
        b = Browser(app.test_client())
        response = b.login(email, password)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return b

    return _login


# The sessions' own transaction control under a rolled-back test, not the app's queries.
SAVEPOINT_SQL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


@pytest.fixture
def count_queries(request, app, database):
    """Context: counts SQL statements sent to the database while active (savepoints not counted).

    What a page costs to render is counted: the page cache is off for the test, unless it is marked
    `page_cache` (the cache's own tests count what a kept page costs).
    """
    if request.node.get_closest_marker("page_cache") is None:
        app.extensions["page_cache"] = None

    class Counter:
        def __init__(self):
            self.count = 0
            self.statements: list[str] = []

        def __enter__(self):
            event.listen(database.bind, "before_cursor_execute", self._hook)
            return self

        def __exit__(self, *exc):
            event.remove(database.bind, "before_cursor_execute", self._hook)

        def _hook(self, conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(SAVEPOINT_SQL):
                return
            self.count += 1
            self.statements.append(statement)

    return Counter


@pytest.fixture
def png_bytes() -> bytes:
    """A small real PNG photo."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def jpeg_bytes() -> bytes:
    """A small real JPEG photo."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def pytest_report_header(config) -> list[str]:
    """Say which database the run uses."""
    where = f"PostgreSQL {TEST_DATABASE_URL} (a database pair per worker)" if IS_POSTGRES else "SQLite"
    return [f"database: {where}"]


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the app configured to send through it (`.inbox`, `.port`)."""
    from aiosmtpd.controller import Controller

    from tests.mail_testing import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_BASE_URL="https://pelacak.test"
    )
    try:
        yield SimpleNamespace(inbox=inbox, port=controller.port)
    finally:
        controller.stop()


@pytest.fixture
def database_url(app) -> str:
    """The URL of the database the test commits to, for another app, process or gunicorn to read."""
    return app.config["SQLALCHEMY_DATABASE_URI"]


def bali_user(role: str, name: str):
    """A committed user (password "demo", e-mail "<role>@bali.test") of a second office, Ombudsman RI
    Perwakilan Bali, made on first need: for checks that one office never reaches or manages another's."""
    from sqlalchemy import select

    from ombudsman.accounts import services as accounts
    from ombudsman.accounts.models import Office, Role

    name_of_office = "Ombudsman RI Perwakilan Bali"
    office = db.session.scalar(select(Office).where(Office.name == name_of_office))
    if office is None:
        office = Office(name=name_of_office, short_name="Bali", province="Bali")
        db.session.add(office)
        db.session.flush()
    user = accounts.create_user(
        email=f"{role}@bali.test", name=name, role=Role(role), office=office, password="demo"
    )
    db.session.commit()
    return user


def static_files_closed(app):
    """`app` for werkzeug's test server, with /static/ files read whole and closed before they are sent.

    The browser abandons some requests (Chromium's font loads end in cancelled range requests); werkzeug's
    development server then fails while draining the dropped connection, before it closes the response, and
    the open file surfaces as a ResourceWarning in a later test. gunicorn, which production runs, closes it.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        if not environ.get("PATH_INFO", "").startswith("/static/"):
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app):
    """The app served on a random loopback port in a background thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, static_files_closed(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium driven by Playwright; missing Chromium fails in CI and skips elsewhere."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; browser journeys cannot be skipped in CI")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # The same patience as the pages' own timeout: the suite runs beside other work on two cores.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, live_server):
    """A phone-sized browser tab (390×844, touch) pointed at the live server."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        base_url=live_server,
        locale="id-ID",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def browser_login():
    """Log a Playwright page in through the real login form."""

    def _login(page, email: str, password: str = "demo") -> None:
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/")

    return _login


@pytest.fixture(scope="session", autouse=True)
def english_mo():
    """The compiled English catalog, compiled in place (git-ignored) when missing or older than the .po.

    Used by every session: Flask-Babel keeps the catalog it first loads for the whole process, so a test that
    switches to English before the catalog exists would leave every later test without English.
    """
    import tempfile
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / "ombudsman/translations/en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as f:
            catalog = read_po(f, locale="en")
        # Write then rename, so a concurrent reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=mo.parent, suffix=".mo", delete=False) as f:
            write_mo(f, catalog)
        os.chmod(f.name, 0o644)  # NamedTemporaryFile makes it 0600; the app may run as another user
        os.replace(f.name, mo)
    return mo
