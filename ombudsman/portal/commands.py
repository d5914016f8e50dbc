"""What the portal takes as input: contact persons, sign-in, responses, extension requests and decisions.

Each bound is declared once here (or reused from the package whose rule it is); the forms read it from here
and the services check the commands with `contracts.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ombudsman.accounts.commands import EMAIL, NEW_PASSWORD, PASSWORD
from ombudsman.contracts import DateRule, Day, Text, bounded
from ombudsman.deadlines.commands import EXTENSION_DAYS, REASON

CONTACT_NAME = Text(200, 1)
CONTACT_POSITION = Text(250)
# The secret of a sign-in link, as it comes back from the e-mail.
LINK_TOKEN = Text(200, 1)
# The text leaves room, within the follow-up event's SUMMARY, for the line that says who answered and how.
RESPONSE_TEXT = Text(19000)
EXTENSION_REASON = REASON
PROPOSED_DAY = Day(DateRule.FUTURE)
DECISION_NOTE = REASON


@dataclass(frozen=True)
class ContactDetails:
    """A contact person of an authority, as the admin adds or edits them."""

    name: str = bounded(CONTACT_NAME)
    email: str = bounded(EMAIL)
    position: str = bounded(CONTACT_POSITION, default="")
    includes_sub_units: bool = True
    active: bool = True


@dataclass(frozen=True)
class PortalSignIn:
    """E-mail and password on the portal's sign-in page."""

    email: str = bounded(EMAIL)
    password: str = bounded(PASSWORD)


@dataclass(frozen=True)
class RequestSignInLink:
    """ "Kirim tautan masuk": the address a single-use sign-in link should go to (if it has an account)."""

    email: str = bounded(EMAIL)


@dataclass(frozen=True)
class SetPortalPassword:
    """A portal user chooses a password (the staff policy), after signing in with a link."""

    new_password: str = bounded(NEW_PASSWORD)
    confirm: str = bounded(NEW_PASSWORD, default="")


@dataclass(frozen=True)
class Respond:
    """The authority's answer to one recommendation (its files travel beside the command, checked).

    `status`: a `ResponseStatus` code (implemented, partly, not_yet).
    """

    status: str = ""
    text: str = bounded(RESPONSE_TEXT, default="")


@dataclass(frozen=True)
class AskForExtension:
    """The authority asks for more time on one recommendation: until when, and why."""

    proposed_due_on: date | None = bounded(PROPOSED_DAY, default=None)
    reason: str = bounded(EXTENSION_REASON, default="")


@dataclass(frozen=True)
class DecideExtension:
    """The office grants (`days` in the deadline's unit, proposed from the requested date) or refuses a
    request; the note is the reason of the extension, or why it was refused."""

    grant: bool = False
    days: int | None = bounded(EXTENSION_DAYS, default=None)
    note: str = bounded(DECISION_NOTE, default="")
