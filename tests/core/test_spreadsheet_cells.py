"""The shared spreadsheet writer: no cell of a CSV or XLSX export can run as a formula, types are kept."""

import csv
import io
import random
import re
import sys
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ombudsman import exports

# Texts a user could type that a spreadsheet would read as a formula, anywhere it may start a cell.
HOSTILE = [
    '=HYPERLINK("http://x")',
    "+1",
    "-2 hal",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "a\n=1",
    "a\r\n+1",
    "a;=1",
    "a,=1",
    "a|=1",
    "a\t@x",
    "  =1",
    "a\n  -1",
    "＝1",
    "＋1",
    "﹣1",
    "＠SUM(A1)",
    "\u2212" + "1",
    "a\u2028=1",
]


def _cells_a_spreadsheet_may_see(text: str) -> list[str]:
    """Every piece the text splits into at line breaks and separators, leading spaces trimmed."""
    return [p.lstrip(" ") for p in re.split(f"[{re.escape(exports.SPLITS)}]", text)]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_piece_of_a_neutralised_text_starts_like_a_formula(text):
    safe = exports.neutralise(text)

    for piece in _cells_a_spreadsheet_may_see(safe):
        assert not piece or piece[0] not in "=+-@＝＋﹣＠\u2212", (text, safe)
    assert safe.replace("'", "") == text.replace("'", "")  # only apostrophes were added


def test_every_character_a_spreadsheet_may_fold_into_a_formula_sign_is_known():
    folded = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.normalize("NFKC", chr(c)) in exports.FORMULA_SIGNS
        and chr(c) not in exports.FORMULA_SIGNS
    }
    assert folded <= set(exports.FORMULA_LOOKALIKES)


def _reference(text: str) -> str:
    """`neutralise` written as a plain loop over the characters, to check the regular expression against."""
    signs, splits = exports.FORMULA_SIGNS + exports.FORMULA_LOOKALIKES, exports.SPLITS
    out, at_start = [], True
    for ch in text:
        if at_start and ch in signs:
            out.append("'")
        elif at_start and ch.isspace() and ch not in splits:
            out.append(ch)
            continue
        at_start = ch in splits
        out.append(ch)
    return "".join(out)


def test_neutralise_agrees_with_a_plain_loop_on_random_texts():
    alphabet = "ab1 ,;|\t\r\n=+-@'\u3000\u00a0＝－\u2212\x85"
    rng = random.Random(9)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert exports.neutralise(text) == _reference(text), repr(text)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1", "'=1"),
        ("a\n=1", "a\n'=1"),
        ("\t=1", "'\t'=1"),
        ("-2 hal", "'-2 hal"),
        ("  @x", "  '@x"),
        ("＝1", "'＝1"),
        ("Kantor a-b, c+d; e@f.id", "Kantor a-b, c+d; e@f.id"),
        ("Rp 1.000", "Rp 1.000"),
        ("", ""),
    ],
)
def test_neutralise_adds_an_apostrophe_only_where_a_cell_could_start(text, safe):
    assert exports.neutralise(text) == safe


def _csv(header, rows) -> tuple[str, list[list[str]]]:
    text = exports.csv_text(header, rows)
    assert text.startswith("\ufeff")
    return text, list(csv.reader(io.StringIO(text[1:])))


def test_csv_quotes_every_text_and_writes_numbers_and_dates_as_they_are():
    text, rows = _csv(
        ["Teks", "Angka", "Tanggal", "Kosong"],
        [
            ("-2 hal", -2, date(2018, 9, 20), None),
            ("a\n=1", Decimal("-1.5"), datetime(2018, 9, 20, 8, 5), ""),
        ],
    )

    assert rows[1] == ["'-2 hal", "-2", "2018-09-20", ""]
    assert rows[2] == ["a\n'=1", "-1.5", "2018-09-20 08:05", ""]
    # A real negative number is written bare: a spreadsheet reads it as the number -2.
    assert '"\'-2 hal",-2,"2018-09-20",""\r\n' in text


def test_csv_reads_a_lazy_label_in_the_current_language(app):
    from flask_babel import force_locale

    from ombudsman.deadlines.labels import STATE_LABELS
    from ombudsman.deadlines.models import DeadlineState

    with app.test_request_context(), force_locale("en"):
        _text, rows = _csv(["Status"], [(STATE_LABELS[DeadlineState.OVERDUE],)])
    assert rows[1] == ["Overdue"]


def test_csv_comes_in_chunks_for_long_exports():
    chunks = list(exports.csv_chunks(["Teks"], ((f"baris {i} " + "x" * 100,) for i in range(2000))))

    assert len(chunks) > 2
    assert len(list(csv.reader(io.StringIO("".join(chunks)[1:])))) == 2001


def _sheet(header, rows):
    return load_workbook(io.BytesIO(exports.xlsx_bytes("Uji", header, rows))).active


def test_xlsx_writes_typed_cells_and_never_a_formula_or_an_apostrophe():
    sheet = _sheet(
        ["Teks", "Angka", "Tanggal"],
        [(text, -2, date(2018, 9, 20)) for text in HOSTILE] + [("- Sediakan nomor antrean", 3, None)],
    )

    rows = list(sheet.iter_rows(min_row=2))
    for (text_cell, number, day), text in zip(rows, HOSTILE, strict=False):
        # Exactly what was typed. openpyxl's own XML writer lets a carriage return be read back as a line
        # feed; with lxml installed (pyHanko needs it) it escapes it and the text comes back unchanged.
        assert text_cell.data_type == "s"
        assert text_cell.value in {text, text.replace("\r\n", "\n").replace("\r", "\n")}
        assert (number.value, number.data_type) == (-2, "n")
        assert day.is_date and day.value.date() == date(2018, 9, 20) and day.number_format == "yyyy-mm-dd"
    last = rows[-1][0]
    assert last.value == "- Sediakan nomor antrean" and last.data_type == "s"
    # Excel's own "typed with an apostrophe" mark keeps an edited cell text; the text has no apostrophe.
    assert last.quotePrefix and not rows[0][1].quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_xlsx_has_a_frozen_bold_header_a_filter_and_widths_from_the_content():
    sheet = _sheet(["Nomor", "Isi"], [("1/2018", "x" * 30), ("2/2018", "pendek\n" + "y" * 500)])

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert sheet["A1"].font.b and sheet["A1"].value == "Nomor"
    assert sheet.column_dimensions["A"].width == exports.MIN_WIDTH
    assert sheet.column_dimensions["B"].width == exports.MAX_WIDTH


def test_xlsx_replaces_characters_xml_cannot_hold():
    sheet = _sheet(["Teks"], [("a\x0bb\x1f",)])

    assert sheet["A2"].value == "a\ufffdb\ufffd"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("tenggat-2018-09-26.csv", "tenggat-2018-09-26.csv"),
        ("Régister surat.xlsx", "Register-surat.xlsx"),
        ('a"b;\r\nc.csv', "a-b-c.csv"),
        ("日本.csv", "export.csv"),
        ("..csv", "export..csv"),
        ("\u202e", "export"),
    ],
)
def test_file_names_in_headers_are_ascii(name, safe):
    assert exports.ascii_filename(name) == safe


def test_responses_say_what_they_are(app):
    with app.test_request_context():
        text = exports.csv_response("Régister.csv", ["a"], [(1,)])
        book = exports.xlsx_response("Régister.xlsx", "Uji", ["a"], [(1,)])

    assert text.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert text.headers["Content-Disposition"] == "attachment; filename=Register.csv"
    assert book.mimetype == exports.XLSX_MIMETYPE
    assert book.headers["Content-Disposition"] == "attachment; filename=Register.xlsx"
