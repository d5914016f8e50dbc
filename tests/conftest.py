"""Shared fixtures: a fresh app per test on SQLite (default) or PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import contextvars
import os
import re
from types import SimpleNamespace

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, text

from ombudsman import create_app
from ombudsman.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgres")
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database: the PostgreSQL of TEST_DATABASE_URL, or a SQLite file shared by threads."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def _schema(database_url) -> None:
    """Create the schema once per run from the models (the migration tests check they agree)."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
        if db.session.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first():
            db.session.execute(text("DELETE FROM sqlite_sequence"))
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    The test body keeps an app context open (for db.session); without this, requests would reuse it and
    share `g` and the database session with the test, hiding bugs (and Flask-WTF's cached CSRF token).
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read and close file responses, as a browser would
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # the test's own session must see what the request wrote
            db.session.expire_all()
        return response


@pytest.fixture
def app(_schema, database_url, tmp_path):
    """A fresh application for one test; every table is emptied afterwards."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
            "SERVER_NAME": None,
        },
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def demo(app) -> SimpleNamespace:
    """The Kupang demo case, committed; ids of its main records."""
    from sqlalchemy import select

    from ombudsman import seed_data
    from ombudsman.accounts.models import User
    from ombudsman.authorities.models import Authority
    from ombudsman.inspections.models import Inspection
    from ombudsman.seed import seed_demo

    office = seed_demo()
    db.session.commit()
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


@pytest.fixture
def count_queries(app):
    """Context: counts SQL statements sent to the database while active."""

    class Counter:
        def __init__(self):
            self.count = 0
            self.statements: list[str] = []

        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._hook)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._hook)

        def _hook(self, conn, cursor, statement, parameters, context, executemany):
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
    return [f"database: {'PostgreSQL ' + TEST_DATABASE_URL if IS_POSTGRES else 'SQLite'}"]


@pytest.fixture
def live_server(app):
    """The app served on a random loopback port in a background thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
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
    from playwright.sync_api import sync_playwright

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
