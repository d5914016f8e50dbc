"""What the accounts take as input: signing in, API tokens, users and the office's details.

Each bound is declared once here; the forms, the API's token schema and the services read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ombudsman.accounts.models import Role
from ombudsman.contracts import Text, bounded

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


OFFICE_NAME = Text(200, 1)
OFFICE_SHORT_NAME = Text(60)
PROVINCE = Text(120, 1)
CITY = Text(120, 1)
ADDRESS = Text(2000)
PHONE = Text(60)
OFFICE_EMAIL = Text(200)
WEBSITE = Text(200)
HEAD_NAME = Text(200, 1)
HEAD_TITLE = Text(200, 1)
TIMEZONE = Text(64, 1)


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
