"""What the accounts take as input: signing in, API tokens, users and the office's details.

Each bound is declared once here; the forms, the API's token schema and the services read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ombudsman.accounts.models import Role
from ombudsman.contracts import EMAIL_FORMAT, Format, Text, bounded

EMAIL = Text(254, 1)
# A password is whatever the user typed (spaces included, never trimmed), up to this length.
PASSWORD = Text(1000, 1)
# A new password (the users page, the account page, the reset page, the CLI): besides this bound it must
# pass `ombudsman.accounts.passwords.check_policy` (length, breached list, not the e-mail or name).
NEW_PASSWORD = Text(200)
# The secret of a password-reset link, as it comes back from the e-mail.
RESET_TOKEN = Text(200, 1)
TOKEN_LABEL = Text(100)
USER_NAME = Text(200, 1)


@dataclass(frozen=True)
class Login:
    """E-mail and password, from the sign-in page."""

    email: str = bounded(EMAIL)
    password: str = bounded(PASSWORD)


@dataclass(frozen=True)
class NewApiToken:
    """E-mail and password exchanged for a bearer token, with a label to recognise it by."""

    email: str = bounded(EMAIL)
    password: str = bounded(PASSWORD)
    label: str = bounded(TOKEN_LABEL, default="")


@dataclass(frozen=True)
class UserDetails:
    """A user of the office as an admin creates or edits them.

    `password`: a new password, or "" to keep the current one (a new user needs one).
    """

    email: str = bounded(EMAIL)
    name: str = bounded(USER_NAME)
    role: Role | str = Role.VIEWER
    password: str = bounded(NEW_PASSWORD, default="")
    active: bool = True


@dataclass(frozen=True)
class ChangePassword:
    """A signed-in user changes their own password: the current one, then the new one twice."""

    current_password: str = bounded(PASSWORD)
    new_password: str = bounded(NEW_PASSWORD)
    confirm: str = bounded(NEW_PASSWORD, default="")


@dataclass(frozen=True)
class RequestPasswordReset:
    """ "Lupa kata sandi?": the e-mail address a reset link should go to (if it belongs to a user)."""

    email: str = bounded(EMAIL)


@dataclass(frozen=True)
class ResetPassword:
    """A new password set through the link of a reset e-mail."""

    token: str = bounded(RESET_TOKEN)
    new_password: str = bounded(NEW_PASSWORD)
    confirm: str = bounded(NEW_PASSWORD, default="")


#: A website as the letterhead prints it: a host name, optionally with http(s)://, a port and a path.
WEBSITE_FORMAT = Format(
    r"(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?(/\S*)?",
    _l("Alamat situs web tidak sah (contoh: ombudsman.go.id)."),
)
#: The zones of Indonesia (WIB: Asia/Jakarta, Asia/Pontianak; WITA: Asia/Makassar; WIT: Asia/Jayapura), in
#: which an office's dates, working days and deadlines are counted (its own zone, not the server's).
OFFICE_TIMEZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
TIMEZONE_FORMAT = Format(
    "|".join(OFFICE_TIMEZONES),
    _l(
        "Zona waktu harus salah satu zona Indonesia: Asia/Jakarta atau Asia/Pontianak (WIB), "
        "Asia/Makassar (WITA), Asia/Jayapura (WIT)."
    ),
)

# The office's details are printed on one line each in the letterhead, except the address.
OFFICE_NAME = Text(200, 1, single_line=True)
OFFICE_SHORT_NAME = Text(60, single_line=True)
PROVINCE = Text(120, 1, single_line=True)
CITY = Text(120, 1, single_line=True)
ADDRESS = Text(2000)
PHONE = Text(60, single_line=True)
OFFICE_EMAIL = Text(200, single_line=True, format=EMAIL_FORMAT)
WEBSITE = Text(200, single_line=True, format=WEBSITE_FORMAT)
HEAD_NAME = Text(200, 1, single_line=True)
HEAD_TITLE = Text(200, 1, single_line=True)
TIMEZONE = Text(64, 1, single_line=True, format=TIMEZONE_FORMAT)


@dataclass(frozen=True)
class OfficeDetails:
    """The office's own details, shown in the UI and the letterhead; `timezone` is an IANA zone name."""

    name: str = bounded(OFFICE_NAME)
    province: str = bounded(PROVINCE)
    city: str = bounded(CITY)
    head_name: str = bounded(HEAD_NAME)
    head_title: str = bounded(HEAD_TITLE)
    timezone: str = bounded(TIMEZONE)
    short_name: str = bounded(OFFICE_SHORT_NAME, default="")
    address: str = bounded(ADDRESS, default="")
    phone: str = bounded(PHONE, default="")
    email: str = bounded(OFFICE_EMAIL, default="")
    website: str = bounded(WEBSITE, default="")


OFFICE_FIELDS = (
    "name",
    "short_name",
    "province",
    "city",
    "address",
    "phone",
    "email",
    "website",
    "head_name",
    "head_title",
    "timezone",
)
