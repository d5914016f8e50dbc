"""Failing closed: without OMBUDSMAN_ENV the app is production and refuses an unsafe configuration."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from gunicorn_testing import ROOT, clean_environment, fetch, gunicorn, run_gunicorn

from config import DEFAULT_SECRET_KEY, config_class
from ombudsman import create_app
from ombudsman.deploy import UnsafeConfiguration, catalogue_problems, unsafe_settings
from ombudsman.prefork import TEMPLATE_SUFFIXES

PUBLIC = "https://tracker.ombudsman.example"
SAFE = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "k" * 64,
    "PUBLIC_BASE_URL": PUBLIC,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://ombudsman@db.internal/ombudsman",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "EVIDENCE_DIR": tempfile.gettempdir(),
}


def _names(problems: list[str]) -> str:
    return "\n".join(problems)


def test_no_environment_means_production(monkeypatch):
    monkeypatch.delenv("OMBUDSMAN_ENV", raising=False)
    assert config_class().ENVIRONMENT == "production"
    assert config_class().DEBUG is False


def test_an_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("OMBUDSMAN_ENV", "prod")
    with pytest.raises(ValueError, match="OMBUDSMAN_ENV='prod'"):
        config_class()


def test_a_safe_configuration_has_no_problems():
    assert unsafe_settings(SAFE) == []


def test_every_problem_is_listed_at_once():
    problems = unsafe_settings({"ENVIRONMENT": "production", "RATELIMIT_STORAGE_URI": "memory://"})
    text = _names(problems)
    for setting in (
        "OMBUDSMAN_SECRET_KEY",
        "OMBUDSMAN_PUBLIC_BASE_URL",
        "DATABASE_URL",
        "REDIS_URL",
        "OMBUDSMAN_EVIDENCE_DIR",
    ):
        assert setting in text
    assert len(problems) == 7  # the five above and both cookies without Secure


@pytest.mark.parametrize(
    ("key", "words"),
    [
        (DEFAULT_SECRET_KEY, "public development default"),
        ("short-but-not-default", "shorter than 32"),
        ("", "not set"),
    ],
)
def test_secret_key_must_be_real(key, words):
    assert words in _names(unsafe_settings({**SAFE, "SECRET_KEY": key}))


@pytest.mark.parametrize(
    "url",
    [
        "http://tracker.ombudsman.example",
        "https://localhost",
        "https://app.localhost:8443",
        "https://127.0.0.1",
        "https://10.1.2.3",
        "https://192.168.0.10",
        "https://172.16.5.4",
        "https://169.254.1.1",
        "https://[::1]",
        "https://[fe80::1]",
        "https://[fd00::5]",
        "https://0.0.0.0",
        "https://",
    ],
)
def test_public_base_url_must_be_https_and_public(url):
    problems = unsafe_settings({**SAFE, "PUBLIC_BASE_URL": url})
    assert len(problems) >= 1 and "OMBUDSMAN_PUBLIC_BASE_URL" in problems[0]


@pytest.mark.parametrize(
    "url", ["https://tracker.ombudsman.example/", "https://36.66.1.2", "https://[2400:cb00::1]"]
)
def test_public_addresses_are_accepted(url):
    assert unsafe_settings({**SAFE, "PUBLIC_BASE_URL": url}) == []


def test_sqlite_only_when_explicitly_allowed():
    sqlite = {**SAFE, "SQLALCHEMY_DATABASE_URI": "sqlite:////var/lib/ombudsman.sqlite"}
    assert "SQLite" in _names(unsafe_settings(sqlite))
    assert unsafe_settings({**sqlite, "ALLOW_SQLITE": 1}) == []


def test_development_and_debug_are_reported():
    text = _names(unsafe_settings({**SAFE, "ENVIRONMENT": "development", "DEBUG": True}))
    assert "OMBUDSMAN_ENV is 'development'" in text and "Debug mode is on" in text


def test_create_app_in_production_raises_with_the_same_list(monkeypatch):
    for name in (
        "OMBUDSMAN_ENV",
        "OMBUDSMAN_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "OMBUDSMAN_PUBLIC_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app()
    assert len(refused.value.problems) == 4
    for problem in refused.value.problems:
        assert problem in str(refused.value)


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def _deploy_settings(database_url: str, tmp_path, **more: str) -> dict[str, str]:
    return {
        "OMBUDSMAN_SECRET_KEY": secrets.token_hex(32),
        "OMBUDSMAN_PUBLIC_BASE_URL": PUBLIC,
        "DATABASE_URL": database_url,
        "OMBUDSMAN_ALLOW_SQLITE": "1",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "OMBUDSMAN_RATELIMIT_KEY_PREFIX": f"test-deploy-{uuid.uuid4().hex}",
        "OMBUDSMAN_EVIDENCE_DIR": str(tmp_path / "evidence"),
        **more,
    }


def test_check_deploy_lists_every_problem_and_fails(tmp_path):
    result = _flask(clean_environment(), "check-deploy")
    assert result.returncode == 1, result.stderr
    assert "4 unsafe setting(s)" in result.stdout
    for setting in ("OMBUDSMAN_SECRET_KEY", "OMBUDSMAN_PUBLIC_BASE_URL", "DATABASE_URL", "REDIS_URL"):
        assert setting in result.stdout


def test_check_deploy_passes_a_safe_configuration(tmp_path):
    result = _flask(
        clean_environment(**_deploy_settings("sqlite:///" + str(tmp_path / "x.sqlite"), tmp_path)),
        "check-deploy",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "safe to deploy" in result.stdout


def test_gunicorn_with_an_empty_environment_refuses_to_start():
    result = run_gunicorn(clean_environment())
    assert result.returncode != 0
    for setting in ("OMBUDSMAN_SECRET_KEY", "OMBUDSMAN_PUBLIC_BASE_URL", "DATABASE_URL", "REDIS_URL"):
        assert setting in result.stderr
    # gunicorn.conf.py preloads the app: the master itself refuses, before any worker is forked.
    assert "Refusing to start" in result.stderr
    assert "Booting worker" not in result.stderr


def _forged_admin_session(user_id: str) -> str:
    """A session cookie for the admin, signed with the old public default key."""
    forger = Flask("forger")
    forger.secret_key = DEFAULT_SECRET_KEY
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": user_id, "_fresh": True})


def test_the_old_default_key_forged_an_admin_session(demo, app):
    """The attack this guards against, shown on the testing configuration (it still has the default key)."""
    admin = demo.users["admin"]
    forged = _forged_admin_session(admin.get_id())
    client = app.test_client()
    client.set_cookie("session", forged)
    assert client.get("/users/").status_code == 200


def test_gunicorn_with_the_settings_runs_production_with_debug_off(demo, database_url, tmp_path, monkeypatch):
    settings = _deploy_settings(database_url, tmp_path)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OMBUDSMAN_ENV", raising=False)
    in_process = create_app()
    assert in_process.config["ENVIRONMENT"] == "production" and in_process.debug is False

    forged = _forged_admin_session(demo.users["admin"].get_id())
    with gunicorn(clean_environment(**settings)) as url:
        login = fetch(f"{url}/login")
        assert login.status == 200
        assert login.headers["Strict-Transport-Security"].startswith("max-age=")  # production only
        users = fetch(f"{url}/users/", headers={"Cookie": f"session={forged}"})
        assert users.status == 302 and users.headers["Location"].startswith("/login")
        missing = fetch(f"{url}/no-such-page")
        assert missing.status == 404 and "Traceback" not in missing.text


def test_the_master_readies_the_app_before_it_forks_a_worker(app, demo, database_url, tmp_path):
    """`when_ready` (gunicorn.conf.py) runs `ombudsman.prefork.warm` in the master, before the first fork."""
    output: list[str] = []
    with gunicorn(clean_environment(**_deploy_settings(database_url, tmp_path)), log_into=output) as url:
        assert fetch(f"{url}/login").status == 200
    [log] = output
    templates = len(app.jinja_env.list_templates(filter_func=lambda name: name.endswith(TEMPLATE_SUFFIXES)))
    ready = log.index(f"workers fork ready: {templates} templates, 2 languages")
    assert ready < log.index("Booting worker with pid")


def test_development_links_follow_the_port_the_demo_serves_on(monkeypatch):
    # `make run` passes PORT: QR codes and e-mail links of the demo then point at the server it starts.
    monkeypatch.delenv("OMBUDSMAN_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5142")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5142"
    monkeypatch.setenv("PORT", "not-a-port")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("PORT", "5142")
    monkeypatch.setenv("OMBUDSMAN_PUBLIC_BASE_URL", "https://demo.example.go.id")
    assert create_app("development").config["PUBLIC_BASE_URL"] == "https://demo.example.go.id"
    monkeypatch.delenv("OMBUDSMAN_PUBLIC_BASE_URL")
    assert create_app("testing").config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"  # tests: unchanged


# The evidence directory: evidence, follow-up files and exports are written there, in every environment.

INSIDE_THE_CODE = str(ROOT / "ombudsman" / "evidence")


def _unwritable_directory(tmp_path: Path) -> str:
    """A directory this process cannot write into (root ignores permission bits, not a kernel file system)."""
    if os.geteuid() == 0:
        return "/sys"
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    return str(locked)


def _evidence_problem(directory: str) -> str:
    [problem] = unsafe_settings({**SAFE, "EVIDENCE_DIR": directory})
    assert problem.startswith("OMBUDSMAN_EVIDENCE_DIR")
    return problem


@pytest.mark.parametrize("inside", [INSIDE_THE_CODE, str(ROOT / "templates" / "evidence"), str(ROOT)])
def test_an_evidence_dir_inside_the_code_tree_is_unsafe_and_not_created(inside):
    existed = Path(inside).exists()
    assert "inside the code tree" in _evidence_problem(inside)
    assert Path(inside).exists() == existed


def test_the_instance_folder_of_the_checkout_may_hold_evidence():
    assert unsafe_settings({**SAFE, "EVIDENCE_DIR": str(ROOT / "instance" / "evidence")}) == []


def test_an_evidence_dir_that_cannot_be_created_is_unsafe(tmp_path):
    (tmp_path / "a-file").write_text("")
    for directory in ("/proc/nonexistent/evidence", str(tmp_path / "a-file" / "evidence")):
        assert "cannot be created by this process" in _evidence_problem(directory)


def test_an_evidence_dir_that_is_a_file_or_read_only_is_unsafe(tmp_path):
    (tmp_path / "a-file").write_text("")
    assert "exists but is not a directory" in _evidence_problem(str(tmp_path / "a-file"))
    assert "is not writable by this process" in _evidence_problem(_unwritable_directory(tmp_path))


def test_a_missing_evidence_dir_is_created_with_its_parents_and_left_empty(tmp_path):
    directory = tmp_path / "var" / "lib" / "evidence"
    assert unsafe_settings({**SAFE, "EVIDENCE_DIR": str(directory)}) == []
    assert directory.is_dir() and list(directory.iterdir()) == []


def test_an_empty_evidence_dir_setting_is_unsafe():
    assert "OMBUDSMAN_EVIDENCE_DIR is empty" in _evidence_problem("")


def _production(evidence_dir: str, **more) -> dict:
    return {
        "SECRET_KEY": "k" * 64,
        "PUBLIC_BASE_URL": PUBLIC,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "ALLOW_SQLITE": True,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EVIDENCE_DIR": evidence_dir,
        **more,
    }


@pytest.mark.parametrize("case", ["inside the code tree", "cannot be created", "not a directory"])
@pytest.mark.parametrize("environment", ["production", "development"])
def test_start_up_refuses_an_unusable_evidence_dir(tmp_path, case, environment):
    (tmp_path / "a-file").write_text("")
    directory = {
        "inside the code tree": INSIDE_THE_CODE,
        "cannot be created": str(tmp_path / "a-file" / "evidence"),
        "not a directory": str(tmp_path / "a-file"),
    }[case]
    with pytest.raises(UnsafeConfiguration) as refused:
        create_app(environment, _production(directory))
    [problem] = refused.value.problems
    assert case in problem and problem == _evidence_problem(directory)  # the list check-deploy prints


def test_check_deploy_lists_an_evidence_dir_inside_the_code_tree(tmp_path):
    """It used to stop with a RuntimeError traceback before it could print anything."""
    settings = _deploy_settings("sqlite:///" + str(tmp_path / "x.sqlite"), tmp_path)
    result = _flask(
        clean_environment(**{**settings, "OMBUDSMAN_EVIDENCE_DIR": INSIDE_THE_CODE}), "check-deploy"
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "1 unsafe setting(s)" in result.stdout
    assert f"OMBUDSMAN_EVIDENCE_DIR {INSIDE_THE_CODE!r} is inside the code tree" in result.stdout


def test_check_deploy_lists_an_evidence_dir_it_cannot_create(tmp_path):
    """It used to call this configuration safe: the app could never write evidence there."""
    settings = _deploy_settings("sqlite:///" + str(tmp_path / "x.sqlite"), tmp_path)
    uncreatable = "/proc/nonexistent/evidence"
    result = _flask(clean_environment(**{**settings, "OMBUDSMAN_EVIDENCE_DIR": uncreatable}), "check-deploy")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 unsafe setting(s)" in result.stdout and "safe to deploy" not in result.stdout
    assert f"OMBUDSMAN_EVIDENCE_DIR {uncreatable!r} does not exist and cannot be created" in result.stdout


# The compiled interface catalogues: check-deploy reports them; production starts without them.


@pytest.fixture
def translations(tmp_path) -> Path:
    """A copy of the English catalogue's source in a translations directory of its own, not yet compiled."""
    directory = tmp_path / "translations"
    (directory / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(ROOT / "ombudsman/translations/en/LC_MESSAGES/messages.po", directory / "en/LC_MESSAGES")
    return directory


def _compile(translations: Path, seconds_after_the_po: float) -> Path:
    po = translations / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "-q", "compile", "-d", translations], check=True
    )
    when = po.stat().st_mtime + seconds_after_the_po
    os.utime(mo, (when, when))
    return mo


def _check_deploy(tmp_path, translations: Path):
    app = create_app(
        "production", _production(str(tmp_path / "evidence"), BABEL_TRANSLATION_DIRECTORIES=str(translations))
    )
    return app.test_cli_runner().invoke(args=["check-deploy"])


def test_check_deploy_lists_an_uncompiled_catalogue_with_the_command(tmp_path, translations):
    result = _check_deploy(tmp_path, translations)  # production started: no refusal for a catalogue
    assert result.exit_code == 1
    assert "1 installation step(s) left undone" in result.output and "unsafe" not in result.output
    assert "The English catalogue is not compiled" in result.output
    assert "pages asked for in English are shown in Indonesian" in result.output
    assert f"pybabel compile -d {translations}" in result.output

    subprocess.run(result.output.split("catalogues: ")[1].split(), check=True, capture_output=True)
    assert _check_deploy(tmp_path, translations).output == "Configuration is safe to deploy.\n"


def test_check_deploy_lists_a_catalogue_older_than_its_source(tmp_path, translations):
    mo = _compile(translations, seconds_after_the_po=-60)
    result = _check_deploy(tmp_path, translations)
    assert result.exit_code == 1
    assert f"The English catalogue {mo} is older than messages.po" in result.output

    _compile(translations, seconds_after_the_po=0)  # as new as its source, as make leaves it
    result = _check_deploy(tmp_path, translations)
    assert result.exit_code == 0 and "safe to deploy" in result.output


def test_check_deploy_lists_an_empty_or_damaged_catalogue(tmp_path, translations):
    mo = _compile(translations, seconds_after_the_po=0)
    for damage in (b"", b"\xde\x12\x04\x95" + b"\x00" * 3):  # empty; the magic number and nothing after
        mo.write_bytes(damage)
        os.utime(mo, (mo.stat().st_mtime + 60,) * 2)  # newer than its source: only reading it tells
        result = _check_deploy(tmp_path, translations)
        assert result.exit_code == 1
        assert f"The English catalogue {mo} cannot be read (empty or damaged)" in result.output


def test_a_language_without_any_catalogue_is_listed(tmp_path):
    config = {
        "LANGUAGES": ("id", "en"),
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_TRANSLATION_DIRECTORIES": "none",
    }
    [problem] = catalogue_problems(config, tmp_path)
    assert problem.startswith("There is no English catalogue in ")
    assert catalogue_problems({**config, "LANGUAGES": ("id",)}, tmp_path) == []


def test_check_deploy_lists_unsafe_settings_and_undone_steps_apart(tmp_path, translations):
    overrides = _production(INSIDE_THE_CODE, BABEL_TRANSLATION_DIRECTORIES=str(translations))
    result = (
        create_app("production", overrides, refuse_unsafe=False)
        .test_cli_runner()
        .invoke(args=["check-deploy"])
    )
    assert result.exit_code == 1
    unsafe, undone = result.output.split("installation step(s) left undone")
    assert "1 unsafe setting(s) (production refuses to start)" in unsafe and "inside the code tree" in unsafe
    assert "English catalogue is not compiled" in undone
