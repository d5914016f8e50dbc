"""The English catalog: it covers every Indonesian msgid in the code, and the UI switches to it on request.

The msgids are the Indonesian UI strings; ombudsman/translations/en/LC_MESSAGES/messages.po has the English.
When a test here fails because of new strings, update the catalog with the commands at the top of babel.cfg.
"""

from __future__ import annotations

import os
import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "ombudsman" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The same as `pybabel extract --ignore-dirs`; note `_macros` must NOT be skipped (babel's default would).
IGNORE_DIRS = (".*", "__pycache__", "tests", "benchmarks", "migrations", "instance")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def _read_catalog() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's singular and plural forms (one form for plain gettext)."""
    return text if isinstance(text, tuple) else (text,)


def _all_translated(msgstr: str | tuple[str, ...]) -> bool:
    return all(_forms(msgstr))


def _keep_dir(path: str) -> bool:
    return not any(fnmatch(os.path.basename(path), pattern) for pattern in IGNORE_DIRS)


@pytest.fixture(scope="module")
def extracted() -> dict[str, set[str]]:
    """Every msgid in the code now, extracted with babel.cfg, mapped to the files that use it."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_keep_dir
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, set()).add(filename)
    return found


def test_extraction_reads_python_and_templates_but_not_letters(extracted):
    files = set().union(*extracted.values())
    assert any(f.startswith("ombudsman/") and f.endswith(".py") for f in files)
    assert any(f.startswith("templates/") and f.endswith(".html") for f in files)
    assert any(f.startswith("templates/_macros/") for f in files), "the _macros directory was skipped"
    assert not any(f.startswith("templates/letters/") for f in files), "letters are always Indonesian"
    assert "ombudsman/inspections/forms.py" in extracted["Inspeksi mendadak (sidak)"]  # an _l() label
    assert "templates/findings/form.html" in extracted["Simpan temuan"]


def test_every_msgid_in_the_code_has_an_english_translation(extracted):
    catalog = _read_catalog()
    untranslated = []
    for msgid, files in sorted(extracted.items()):
        message = catalog.get(msgid)
        if message is None or message.fuzzy or not _all_translated(message.string):
            untranslated.append(f"{msgid!r} ({', '.join(sorted(files))})")
    assert not untranslated, "untranslated in en/messages.po (see babel.cfg):\n" + "\n".join(untranslated)


def test_catalog_entries_are_translated_and_keep_their_placeholders():
    catalog = _read_catalog()
    assert len(catalog) > 200
    for message in catalog:
        if not message.id:
            continue
        assert _all_translated(message.string), f"empty msgstr for {message.id!r}"
        assert not message.fuzzy, f"fuzzy entry {message.id!r}"
        for msgid, msgstr in zip(_forms(message.id), _forms(message.string), strict=False):
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_indonesian_by_default_english_on_request(english_mo, demo, login, client):
    login_page = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in login_page and "Masuk" in login_page

    inspector = login("inspector@demo.test")
    page = inspector.get("/").get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Temuan terbuka" in page and "Open findings" not in page

    assert inspector.get("/lang/en").status_code == 303
    page = inspector.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Open findings" in page and "Draft inspections" in page and "Sign out" in page
    assert "Temuan terbuka" not in page and "Keluar" not in page

    form_url = f"/inspections/{demo.inspection.id}/findings/new"
    response = inspector.get(form_url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "New finding" in page and "Save finding" in page and "Simpan temuan" not in page
    assert "Responsible authority" in page and "Undue delay" in page  # lazy form labels and choices
    response = inspector.post(form_url, {"title": ""})
    assert response.status_code == 422
    assert "Please check the fields marked below." in response.get_data(as_text=True)

    # The choice is saved on the user: the next sign-in is in English too, until Indonesian is chosen again.
    again = login("inspector@demo.test")
    assert "Open findings" in again.get("/").get_data(as_text=True)
    assert again.get("/lang/id").status_code == 303
    page = again.get("/").get_data(as_text=True)
    assert '<html lang="id">' in page and "Temuan terbuka" in page


_GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def _is_gettext(node) -> bool:
    import ast

    func = node.func if isinstance(node, ast.Call) else None
    name = getattr(func, "id", None) or getattr(func, "attr", None)
    return name in _GETTEXT_NAMES and bool(node.args) and isinstance(node.args[0], ast.Constant)


def test_no_message_hides_inside_another_messages_arguments():
    """Babel's Python extractor skips a `_("…")` written inside another `_()` call's arguments: such a
    message never reaches the catalogue and shows in Indonesian in the English interface."""
    import ast

    hidden = []
    for path in sorted((ROOT / "ombudsman").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not _is_gettext(node):
                continue
            inner = [*node.args[1:], *(k.value for k in node.keywords)]
            for arg in inner:
                hidden += [
                    f"{path.relative_to(ROOT)}:{n.lineno} {n.args[0].value!r}"
                    for n in ast.walk(arg)
                    if _is_gettext(n)
                ]
    assert not hidden, "give these their own line: " + "; ".join(hidden)
