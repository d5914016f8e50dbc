"""The on-screen letter preview loads the letter's own font files from this site (its CSP allows fonts from
'self' only), where the PDF names them by the renderer's keys."""

import re

from ombudsman.letters import documents
from ombudsman.letters.render import letter_settings_css

FONT_URLS = re.compile(r"@font-face \{[^}]*src: url\(([^)]+)\)")


def test_the_preview_names_font_files_the_browser_can_load(demo, letters, login):
    inspector = login("inspector@demo.test")
    preview = inspector.get(f"/letters/{letters.kota.id}/preview")
    assert preview.status_code == 200
    assert "font-src 'self'" in preview.headers["Content-Security-Policy"]
    urls = FONT_URLS.findall(preview.get_data(as_text=True))
    assert len(urls) == 2  # the normal and the italic face  # noqa: PLR2004
    for url in urls:
        assert url.startswith("/static/letters/fonts/"), url
        font = inspector.get(url)
        assert font.status_code == 200
        assert font.data[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")  # a TrueType/OpenType file
        font.close()


def test_the_pdf_still_names_fonts_by_their_keys(demo, letters):
    doc, _files = documents.document_for_display(letters.kota, None)
    assert FONT_URLS.findall(letter_settings_css(doc)) == ["font:arimo/normal", "font:arimo/italic"]
