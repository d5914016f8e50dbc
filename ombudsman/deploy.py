"""Is this configuration safe to serve? One list of every unsafe setting, in plain words.

Production (the default when OMBUDSMAN_ENV is unset) refuses to start while the list is not empty;
`flask --app wsgi check-deploy` prints it and exits non-zero, so a deploy script can stop before serving.
Every environment refuses to start without a usable evidence directory (`evidence_dir_problems`, part of
the list): no environment can store evidence, follow-up files or exports without one.

check-deploy also lists the installation steps left undone (`catalogue_problems`: a compiled interface
catalogue missing or older than its source) and exits non-zero for them too, but production starts without
them: an uncompiled English catalogue shows English pages in Indonesian, which is wrong but neither unsafe
nor worth taking the service down for after an update that forgot `pybabel compile`.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import struct
import sys
import tempfile
from collections.abc import Mapping
from gettext import GNUTranslations
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from babel import Locale, UnknownLocaleError
from flask import current_app
from flask.cli import with_appcontext

from config import DEFAULT_SECRET_KEY

#: Shortest accepted SECRET_KEY (`python3 -c 'import secrets; print(secrets.token_hex(32))'` makes 64).
MIN_SECRET_KEY_LENGTH = 32
#: The name of the command; wsgi.py lets this one command load an unsafe configuration to report on it.
CHECK_COMMAND = "check-deploy"
#: The application's own files, the whole checkout (code, templates, migrations; static/ is served to anyone),
#: replaced by each release: never evidence, except in its `instance/` folder (Flask's place for what belongs
#: to one installation, git-ignored; the development default keeps evidence there).
CODE_TREE = Path(__file__).resolve().parent.parent
INSTANCE = CODE_TREE / "instance"
_UNSTORABLE = "evidence, follow-up files and exports could not be stored."
#: The setting each evidence-directory problem begins with (`refuse_unsafe` picks them out by it).
EVIDENCE_SETTING = "OMBUDSMAN_EVIDENCE_DIR"


class UnsafeConfiguration(RuntimeError):
    """The app refused to start (see `refuse_unsafe`); `problems` lists every reason (the message too)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Refusing to start: {len(problems)} unsafe setting(s).\n{lines}")


def unsafe_settings(config: Mapping[str, Any]) -> list[str]:
    """Every setting that makes `config` unsafe to serve to the public, each in one sentence; [] when safe.

    Judged by production's rules whatever the environment, so development and testing are reported as such.
    Creates the evidence directory when it is missing (see `evidence_dir_problems`).
    """
    problems: list[str] = []
    environment = config.get("ENVIRONMENT", "production")
    if environment != "production":
        problems.append(
            f"OMBUDSMAN_ENV is {environment!r}: development defaults are in use; "
            "set OMBUDSMAN_ENV=production or leave it unset."
        )
    if config.get("DEBUG"):
        problems.append("Debug mode is on: anyone who triggers an error can read the server's internals.")
    if config.get("TESTING"):
        problems.append("TESTING is on: errors are not handled as in production.")
    problems += _secret_key_problems(config.get("SECRET_KEY"))
    problems += _public_url_problems(config.get("PUBLIC_BASE_URL") or "")
    problems += _database_problems(config.get("SQLALCHEMY_DATABASE_URI") or "", config.get("ALLOW_SQLITE"))
    problems += evidence_dir_problems(config.get("EVIDENCE_DIR"))
    if not config.get("REDIS_URL") and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        problems.append(
            "REDIS_URL is not set: login rate limits would be counted separately by each worker "
            "(set REDIS_URL=redis://host:6379/0)."
        )
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not config.get(name):
            problems.append(f"{name} is off: the login cookie would also travel over plain HTTP.")
    return problems


def _secret_key_problems(key: Any) -> list[str]:
    if not key:
        return ["OMBUDSMAN_SECRET_KEY is not set: sessions cannot be signed safely."]
    if key == DEFAULT_SECRET_KEY:
        return [
            "OMBUDSMAN_SECRET_KEY is the public development default: anyone could forge a session cookie."
        ]
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return [
            f"OMBUDSMAN_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters "
            "(generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))')."
        ]
    return []


def _public_url_problems(url: str) -> list[str]:
    if not url:
        return [
            "OMBUDSMAN_PUBLIC_BASE_URL is not set: links in QR codes, e-mails and calendars need the "
            "public https address (e.g. https://tracker.example.go.id)."
        ]
    parts = urlsplit(url)
    problems = []
    if parts.scheme != "https":
        problems.append(f"OMBUDSMAN_PUBLIC_BASE_URL {url!r} is not https.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        problems.append(f"OMBUDSMAN_PUBLIC_BASE_URL {url!r} has no host name.")
    elif host == "localhost" or host.endswith(".localhost"):
        problems.append(f"OMBUDSMAN_PUBLIC_BASE_URL {url!r} points at this machine (localhost).")
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None  # a host name: nothing more to check without a network lookup
        if address is not None and (
            address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified
        ):
            problems.append(
                f"OMBUDSMAN_PUBLIC_BASE_URL {url!r} is a loopback, private or link-local address "
                "that people outside this network cannot open."
            )
    return problems


def _database_problems(url: str, allow_sqlite: Any) -> list[str]:
    if not url:
        return ["DATABASE_URL is not set (e.g. postgresql://ombudsman@db.internal/ombudsman)."]
    if url.startswith("sqlite") and not allow_sqlite:
        return [
            "DATABASE_URL is SQLite: use PostgreSQL, or set OMBUDSMAN_ALLOW_SQLITE=1 for a single small "
            "office on one server."
        ]
    return []


def evidence_dir_problems(path: str | os.PathLike[str] | None) -> list[str]:
    """What stops this process storing evidence, follow-up files and exports in the directory `path`, each in
    one sentence (empty, inside the code tree, not a directory, cannot be created, not writable); [] when
    it can. Never raises.

    Creates the directory and its parents when missing, and creates and removes one nameless temporary file
    in it: only a write proves the directory writable (permission bits say nothing of a read-only mount,
    a kernel file system, or root).
    """
    if not path or not str(path).strip():
        return [
            f"{EVIDENCE_SETTING} is empty: evidence, follow-up files and exports need a directory outside "
            "the code tree (e.g. /var/lib/ombudsman/evidence)."
        ]
    directory = Path(path).absolute()
    # realpath, not Path.resolve: a symlink into the code tree counts, and a symlink loop must not raise.
    real = Path(os.path.realpath(directory))
    if real.is_relative_to(CODE_TREE) and not real.is_relative_to(os.path.realpath(INSTANCE)):
        return [
            f"{EVIDENCE_SETTING} {str(directory)!r} is inside the code tree ({CODE_TREE}, outside its "
            "instance/ folder): uploaded files would sit among the application's own, lost with the next "
            "release; use a directory outside it (e.g. /var/lib/ombudsman/evidence)."
        ]
    try:
        if directory.exists() and not directory.is_dir():
            return [f"{EVIDENCE_SETTING} {str(directory)!r} exists but is not a directory: {_UNSTORABLE}"]
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return [
            f"{EVIDENCE_SETTING} {str(directory)!r} does not exist and cannot be created by this process "
            f"({_process_user()}: {error.strerror}): {_UNSTORABLE}"
        ]
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        return [
            f"{EVIDENCE_SETTING} {str(directory)!r} is not writable by this process "
            f"({_process_user()}: {error.strerror}): {_UNSTORABLE}"
        ]
    return []


def _process_user() -> str:
    uid = os.geteuid()
    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"uid {uid}"


def refuse_unsafe(config: Mapping[str, Any], problems: list[str]) -> None:
    """Raise UnsafeConfiguration listing what of `problems` (`unsafe_settings(config)`, computed once by the
    caller: its evidence-directory check writes a file) stops this environment: in production all of them,
    in the others those of the evidence directory (`evidence_dir_problems`)."""
    if config.get("ENVIRONMENT") != "production":
        problems = [problem for problem in problems if problem.startswith(EVIDENCE_SETTING)]
    if problems:
        raise UnsafeConfiguration(problems)


def catalogue_problems(config: Mapping[str, Any], root_path: str | os.PathLike[str]) -> list[str]:
    """Each interface language (LANGUAGES but the default locale, whose words are the msgids) whose compiled
    catalogue is missing or older than its .po, in one sentence with the command that compiles it; [] when
    every one is current. Looks where Flask-Babel does: BABEL_TRANSLATION_DIRECTORIES (";"-separated,
    relative to `root_path`), default `translations`. Not a reason to refuse start-up (see the module's doc).
    """
    names = config.get("BABEL_TRANSLATION_DIRECTORIES") or "translations"
    directories = [Path(root_path, name) for name in names.split(";")]
    default = config.get("BABEL_DEFAULT_LOCALE", "en")
    problems = []
    for language in config.get("LANGUAGES", ()):
        if language == default:
            continue
        name = _language_name(language)
        shown_in = f"pages asked for in {name} are shown in {_language_name(default)}"
        sources = [directory / language / "LC_MESSAGES" / "messages.po" for directory in directories]
        if not any(po.exists() or po.with_suffix(".mo").exists() for po in sources):
            where = ", ".join(_shown(directory) for directory in directories)
            problems.append(
                f"There is no {name} catalogue in {where}: {shown_in}; the code tree is incomplete."
            )
        for directory, po in zip(directories, sources, strict=True):
            mo = po.with_suffix(".mo")
            if not po.exists():
                continue  # compiled elsewhere, or the language lives in another directory
            if not mo.exists():
                state = f"is not compiled ({_shown(mo)} is missing): {shown_in}"
            elif mo.stat().st_mtime < po.stat().st_mtime:
                state = f"{_shown(mo)} is older than {po.name}: its newest translations are missing"
            elif not _readable_catalogue(mo):
                state = f"{_shown(mo)} cannot be read (empty or damaged): pages in {name} would fail"
            else:
                continue
            problems.append(
                f"The {name} catalogue {state}; compile the catalogues: {_compile_command(directory)}"
            )
    return problems


def _readable_catalogue(mo: Path) -> bool:
    """Whether `mo` is a compiled catalogue gettext can load (an empty file makes every page in its
    language fail, not fall back)."""
    try:
        with mo.open("rb") as handle:
            GNUTranslations(handle)
    except (OSError, UnicodeDecodeError, ValueError, struct.error):
        return False
    return True


def _language_name(code: str) -> str:
    try:
        return Locale.parse(code).english_name or code
    except (ValueError, UnknownLocaleError):
        return code


def _compile_command(directory: Path) -> str:
    """The command `make translations` amounts to, as paths an operator standing in the current directory
    can paste (this interpreter's pybabel)."""
    return f"{_shown(Path(sys.executable).with_name('pybabel'))} compile -d {_shown(directory)}"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


@click.command(CHECK_COMMAND)
@with_appcontext
def check_deploy_command() -> None:
    """List every unsafe setting and every installation step left undone; exit 1 when there is any."""
    unsafe = current_app.extensions["unsafe_settings"]
    undone = catalogue_problems(current_app.config, current_app.root_path)
    if not unsafe and not undone:
        click.echo("Configuration is safe to deploy.")
        return
    if unsafe:
        click.echo(f"{len(unsafe)} unsafe setting(s) (production refuses to start):")
        click.echo("".join(f"  - {problem}\n" for problem in unsafe), nl=False)
    if undone:
        click.echo(
            f"{len(undone)} installation step(s) left undone (production starts, but not as it should):"
        )
        click.echo("".join(f"  - {problem}\n" for problem in undone), nl=False)
    raise SystemExit(1)
