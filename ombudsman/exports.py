"""Spreadsheet exports: every CSV and XLSX file the app hands out is written here.

Callers give a header (labels in the reader's language) and rows of plain typed values: `str` (or a lazy
label), `int`, `float`, `Decimal`, `date`, `datetime` or `None`. This module decides how each one reaches
the spreadsheet, so that no text a user typed can run as a formula in whoever opens the file.

CSV (no types, the spreadsheet guesses): numbers are written bare and stay numbers, so a real -2 is still
-2. Every text is quoted, and a protective apostrophe goes before each character that would start a
formula (`= + - @`, tab, carriage return, NUL, and their full-width or small forms, `FORMULA_LOOKALIKES`)
wherever a spreadsheet may start reading a cell: at the start of the text, and after any line break, tab,
comma, semicolon or pipe inside it, because a spreadsheet set to another separator (Excel in an Indonesian
locale splits on ";") or a line-based import splits the text there and reads the rest as a new cell.
Leading white space is skipped before the check, as importers that trim cells would. Files are UTF-8 with a
byte order mark, which is how Excel knows to read Indonesian text as UTF-8.

XLSX (typed cells): text is a text cell, even when it starts with "=" (openpyxl would otherwise store a
formula), and text that starts like a formula also gets the "quote prefix" style, Excel's own mark for
"typed with an apostrophe", so editing the cell does not turn it into a formula either. The apostrophe
itself is never written: Excel shows the text as typed. Numbers are numbers, dates are dates with a date
format. The sheet has a bold, frozen header row, an autofilter over the data and column widths from the
content (bounded).

Full-width and small forms (＝ ＋ － ＠, U+FE62 ...): spreadsheets with East Asian input (Excel converts a
full-width ＝ typed at the start of a cell into a formula) are reported to read some of them as the ASCII
sign. We cannot check every spreadsheet, the cost is one apostrophe in texts that almost never hold them,
so every character whose compatibility form (NFKC) is a formula sign counts as one, and so does the MINUS
SIGN U+2212, which LibreOffice takes as a minus in what it reads as a number or formula.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, stream_with_context

# openpyxl is imported by the XLSX functions themselves: it is a fifth of the application's import time,
# and only an XLSX export needs it (issue 12, fast start).

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel shows these as dates whatever its language; ISO order reads the same in Indonesian and English.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: Column widths in characters: wide enough for a date, never wider than a readable line.
MIN_WIDTH, MAX_WIDTH = 8, 60

# The characters that make a spreadsheet read a cell as a formula (OWASP CSV injection; NUL per ASVS 1.2.10).
FORMULA_SIGNS = "=+-@\t\r\0"
# Characters whose compatibility form (NFKC) is a formula sign (a test checks that none is missing), and
# the MINUS SIGN U+2212 with its superscript and subscript forms.
FORMULA_LOOKALIKES = (
    "\u207a\u207c\u208a\u208c\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20\u2212\u207b\u208b"
)
# Where a spreadsheet may start a new cell or row inside a text: line breaks and the usual separators.
SPLITS = "\n\r\t,;|\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_SIGN = f"[{re.escape(FORMULA_SIGNS + FORMULA_LOOKALIKES)}]"
_SPACE = f"[^\\S{re.escape(SPLITS)}]"  # white space an importer may trim, other than the splits
# A split and the white space after it, just before a formula sign: the apostrophe goes after them. (The
# pattern starts with a character class, which the regex engine scans for quickly; the text's start is
# matched apart for the same reason.)
_INNER_START = re.compile(rf"[{re.escape(SPLITS)}]{_SPACE}*(?={_SIGN})")
_FORMULA_START = re.compile(rf"{_SPACE}*(?={_SIGN})")
_CSV_CHUNK = 64_000

Number = int | float | Decimal


def _is_number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def _apostrophe_after(match: re.Match) -> str:
    # A function, not the template r"\g<0>'": Python expands templates slowly, once per match.
    return match.group() + "'"


def neutralise(text: str) -> str:
    """The text with an apostrophe before every formula sign that could start a cell (see the module text).

    "=1" -> "'=1", "a\\n=1" -> "a\\n'=1", "\\t=1" -> "'\\t'=1", "-2 hal" -> "'-2 hal"; other text unchanged.
    """
    text = _INNER_START.sub(_apostrophe_after, text)
    start = _FORMULA_START.match(text)
    return text if start is None else f"{text[: start.end()]}'{text[start.end() :]}"


def _text(value: Any) -> str:
    """Any non-number, non-date value (a lazy label included) as its text."""
    return "" if value is None else str(value)


def _begins_like_formula(text: str) -> bool:
    return _FORMULA_START.match(text) is not None


# ---- CSV ------------------------------------------------------------------------------------------------


def csv_value(value: Any) -> str | Number:
    """One cell as the CSV writer should get it: numbers as numbers, dates in ISO form, text neutralised."""
    if _is_number(value):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(_text(value))


def csv_chunks(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text in pieces of about 64 kB, starting with the byte order mark, then the header row.

    Texts are always quoted and numbers never (`csv.QUOTE_NONNUMERIC`), so a spreadsheet keeps numbers as
    numbers and reads every text, separators and line breaks included, as one cell.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([csv_value(h) for h in header])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
        if out.tell() > _CSV_CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """The whole CSV file as one string (byte order mark included)."""
    return "".join(csv_chunks(header, rows))


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Response:
    """A streamed CSV download (UTF-8 with BOM). `rows` is consumed while sending, inside the request."""
    response = Response(stream_with_context(csv_chunks(header, rows)), mimetype=CSV_MIMETYPE)
    _attach(response, filename)
    return response


# ---- XLSX -----------------------------------------------------------------------------------------------


def _xlsx_text(value: Any) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # XML cannot hold most control characters; stored data from before input was checked may have some.
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", _text(value))


def _width(value: Any) -> int:
    """How many characters the value shows as (its longest line for text)."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        return len(DATE_FORMAT)
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _cell(sheet, value: Any, *, bold=None):
    """A typed openpyxl `WriteOnlyCell`: number, date (with a date format) or text (never a formula);
    `bold` is an openpyxl `Font` or None."""
    from openpyxl.cell import WriteOnlyCell

    if _is_number(value):
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
    elif value is None:
        cell = WriteOnlyCell(sheet, value=None)
    else:
        text = _xlsx_text(value)
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl marks text starting with "=" as a formula; it is text
        if _begins_like_formula(text):
            cell.quotePrefix = True
    if bold is not None:
        cell.font = bold
    return cell


def _sheet_title(title: str) -> str:
    """A valid worksheet name: no []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet1"


def xlsx_bytes(title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """The workbook (one sheet named `title`) as bytes.

    The rows are read once into memory first: column widths must be written before the cells.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header = [_text(h) for h in header]
    body = [tuple(row) for row in rows]
    widths = [_width(h) for h in header]
    for row in body:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _width(value))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(str(title)))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(header), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(body) + 1}"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, h, bold=bold) for h in header])
    for row in body:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> Response:
    """An XLSX download of one sheet (see `xlsx_bytes`)."""
    response = Response(xlsx_bytes(title, header, rows), mimetype=XLSX_MIMETYPE)
    _attach(response, filename)
    return response


# ---- one export as a whole -------------------------------------------------------------------------------

#: The formats of every export, by file extension.
FORMATS = ("csv", "xlsx")
MIMETYPES = {"csv": CSV_MIMETYPE, "xlsx": XLSX_MIMETYPE}


@dataclass(frozen=True)
class Table:
    """One export before it is written: the file name without extension (`stem`), the sheet's title (XLSX),
    the header labels and the typed rows (see the module text). `rows` may be a generator: read once."""

    stem: str
    title: Any
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]

    def filename(self, fmt: str) -> str:
        """The download's file name in format `fmt` ("csv" or "xlsx")."""
        return f"{self.stem}.{fmt}"


def table_bytes(table: Table, fmt: str) -> bytes:
    """The whole file of `table` in format `fmt` ("csv": UTF-8 with BOM; "xlsx"), e.g. for a background job.

    The CSV bytes are exactly those `table_response` streams. Raises ValueError for another format.
    """
    if fmt == "csv":
        return csv_text(table.header, table.rows).encode("utf-8")
    if fmt == "xlsx":
        return xlsx_bytes(str(table.title), table.header, table.rows)
    raise ValueError(f"unknown export format {fmt!r}")


def table_response(table: Table, fmt: str) -> Response:
    """The download of `table` made in the request: CSV streamed, XLSX built in memory."""
    if fmt == "csv":
        return csv_response(table.filename(fmt), table.header, table.rows)
    if fmt == "xlsx":
        return xlsx_response(table.filename(fmt), table.title, table.header, table.rows)
    raise ValueError(f"unknown export format {fmt!r}")


def file_response(filename: str, fmt: str, data: bytes) -> Response:
    """A download of export bytes written earlier (by a job), with the same headers as `table_response`."""
    response = Response(data, mimetype=MIMETYPES[fmt])
    _attach(response, filename)
    return response


# ---- file names -----------------------------------------------------------------------------------------


def ascii_filename(name: str) -> str:
    """A file name safe in a `Content-Disposition` header: ASCII letters, digits, ".", "_" and "-" only.

    Accents are dropped ("Tenggat Ü.csv" -> "Tenggat-U.csv"), anything else becomes "-"; a name left with
    no stem is called "export" ("日本.csv" -> "export.csv").
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-").rstrip(".")
    return plain if plain[:1] not in ("", ".") else "export" + plain


def _attach(response: Response, filename: str) -> None:
    response.headers.set("Content-Disposition", "attachment", filename=ascii_filename(filename))
