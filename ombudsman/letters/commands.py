"""What each letters use case takes as input, with every bound declared once.

The web forms (`forms.py`) and the API schemas (`ombudsman.api.letter_schemas`) are built from these
constants and name the command they adapt (`contract = ...`), so the page and the API cannot disagree on a
length or a date; the services check the command itself with `contracts.validate()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ombudsman.contracts import RECORD_ID, DateRule, Day, Text, bounded
from ombudsman.letters.models import DeliveryMethod, LetterKind
from ombudsman.letters.numbering import MAX_TEMPLATE_LENGTH

# --- a letter's texts -------------------------------------------------------------------------------------

SIFAT_CHOICES = ("Biasa", "Segera", "Penting", "Rahasia")
HAL = Text(2000, min=1)
RECIPIENT_LINES = Text(2000)
LAMPIRAN = Text(120)
PLACE = Text(120)
# Opening and closing paragraphs; an escalation letter's opening holds the whole follow-up history.
BODY_TEXT = Text(50_000)
SIGNATORY_NAME = Text(200, min=1)
SIGNATORY_TITLE = Text(250, min=1)
COPY_TEXT = Text(300)
#: Tembusan lines a letter may have (the form offers the letter's lines plus a few blank ones).
MAX_COPIES = 30
NOTE = Text(2000)

# --- delivery ---------------------------------------------------------------------------------------------

DELIVERY_NOTE = Text(5000)
CORRECTION_REASON = Text(2000)
# Sending and receipt happened already: never in the future (and never before the letter's date: the service).
SENT_OR_RECEIVED = Day(DateRule.PAST)

# --- issuing ----------------------------------------------------------------------------------------------

# The date printed on the letter, chosen at issue: never in the future (and never before the last inspection
# the letter reports on: the service, `issuing.letter_date_for`).
LETTER_DATE = Day(DateRule.PAST)
# The passphrase of the head's signing key (electronic-signature mode): typed at issue, never stored. It is
# not part of `IssueLetter` (commands are logged and trimmed; a passphrase is neither), but its bound is one.
SIGNING_PASSPHRASE = Text(1024)
SIGNING_PASSPHRASE_FIELD = "signing_passphrase"

# --- office settings --------------------------------------------------------------------------------------

NUMBER_TEMPLATE = Text(MAX_TEMPLATE_LENGTH, min=1)
CODE = Text(60)
HEADER = Text(1000)
DEFAULT_SIGNATORY_TITLE = Text(250)
# Font size in points and page margins in millimetres (decimals allowed: the contracts' Number is integers).
FONT_SIZE_RANGE = (8.0, 16.0)
MARGIN_RANGE = (5.0, 60.0)


@dataclass(frozen=True)
class CopyLine:
    """One Tembusan line: an authority of the register (its line is built from the register) or free text."""

    authority_id: int | None = bounded(RECORD_ID, default=None)
    text: str = bounded(COPY_TEXT, default="")


@dataclass(frozen=True)
class LetterDraft:
    """The texts, addressee and contents of a draft letter; `None` leaves a field as it is.

    Creating a letter, `None` means the office's default (the register's lines for the addressee, the head
    as signatory, the office's city). `copies` and `recommendation_ids` are in printing order.
    """

    kind: LetterKind | None = None
    authority_id: int | None = bounded(RECORD_ID, default=None)
    recipient_lines: str | None = bounded(RECIPIENT_LINES, default=None)
    hal: str | None = bounded(HAL, default=None)
    sifat: str | None = None
    lampiran: str | None = bounded(LAMPIRAN, default=None)
    place: str | None = bounded(PLACE, default=None)
    opening: str | None = bounded(BODY_TEXT, default=None)
    closing: str | None = bounded(BODY_TEXT, default=None)
    signatory_name: str | None = bounded(SIGNATORY_NAME, default=None)
    signatory_title: str | None = bounded(SIGNATORY_TITLE, default=None)
    annex: bool | None = None
    recommendation_ids: tuple[int, ...] | None = bounded(RECORD_ID, default=None)
    copies: tuple[CopyLine, ...] | None = None


@dataclass(frozen=True)
class NewLetter(LetterDraft):
    """A new draft letter: a `LetterDraft` that may follow up an inspection of the office."""

    inspection_id: int | None = bounded(RECORD_ID, default=None)


@dataclass(frozen=True)
class ReturnLetter:
    """A reviewer sends a letter back to its drafters, saying why."""

    note: str = bounded(NOTE, default="")


@dataclass(frozen=True)
class RecordDelivery:
    """How and when an issued letter was sent and when the authority received it.

    Changing a recorded receipt date is a supervisor's correction and needs `correction_reason`.
    """

    delivery_method: DeliveryMethod | None = None
    delivered_on: date | None = bounded(SENT_OR_RECEIVED, default=None)
    received_on: date | None = bounded(SENT_OR_RECEIVED, default=None)
    delivery_note: str = bounded(DELIVERY_NOTE, default="")
    correction_reason: str = bounded(CORRECTION_REASON, default="")


@dataclass(frozen=True)
class IssueLetter:
    """The head issues an approved letter; `letter_date` None means today in the office's zone."""

    letter_date: date | None = bounded(LETTER_DATE, default=None)


@dataclass(frozen=True)
class UpdateLetterSettings:
    """The office's letter settings (see `models.LetterSettings`); texts may be empty except the template."""

    number_template: str = bounded(NUMBER_TEMPLATE)
    classification: str = bounded(CODE, default="")
    unit_code: str = bounded(CODE, default="")
    header: str = bounded(HEADER, default="")
    signatory_title: str = bounded(DEFAULT_SIGNATORY_TITLE, default="")
    paper: str = "A4"
    font: str = "arimo"
    font_size: float = 12.0
    margin_top: float = 25.0
    margin_right: float = 25.0
    margin_bottom: float = 30.0
    margin_left: float = 30.0
