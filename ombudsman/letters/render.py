"""Lay out a :class:`LetterDocument` with the print template, as HTML and as PDF.

Works without a Flask request or application: CLI commands and scheduled jobs (reminders) render letters
too. The Flask app can pass its own ``jinja_env``; otherwise a standalone environment reads the repository's
``templates/`` folder.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ombudsman.letters.document import PAPER_SIZES, LetterDocument
from ombudsman.pdf import (
    ARCHIVE_PDF_VARIANT,
    font_face_css,
    font_family_name,
    font_files,
    format_date_id,
    render_pdf,
)

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
LETTER_TEMPLATE = "letters/letter.html"

# The first page carries the verification QR code (20 mm, letter.css) in its bottom margin, which must be tall
# enough for it with about 5 mm above and below; the default bottom margin (30 mm) already is, so page 1 loses
# no lines of the letter to the QR code (issue 11: the demo letter to the Wali Kota fits two A4 pages).
_QR_FOOTER_MIN_MM = 30.0


@functools.cache
def default_jinja_env() -> Environment:
    """Return a Jinja environment for the print templates that needs no Flask application."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # letters quote user text: everything is escaped unless the code marks it safe
        undefined=StrictUndefined,  # a misspelt field fails the render instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
    )


def letter_settings_css(doc: LetterDocument, resource_url: Callable[[str], str] | None = None) -> str:
    """Return the CSS for the settings that vary per office: font, font size, paper and margins; the font
    files by their allowed-file keys (the PDF), or at the URLs `resource_url` gives them (a preview)."""
    family = font_family_name(doc.font)
    m = doc.margins_mm
    first_bottom = max(m.bottom, _QR_FOOTER_MIN_MM) if doc.qr_data_uri else m.bottom
    margin = f"{m.top:g}mm {m.right:g}mm {m.bottom:g}mm {m.left:g}mm"
    css = "\n".join(
        (
            font_face_css(doc.font, resource_url),
            # Page margin boxes (the page number) do not inherit the root element's font: set it on @page.
            f"@page {{ size: {PAPER_SIZES[doc.paper]}; margin: {margin}; font-family: {family}; }}",
            f"@page :first {{ margin-bottom: {first_bottom:g}mm; }}",
            f"html {{ font-family: {family}; font-size: {doc.font_size_pt:g}pt; }}",
        )
    )
    # The template prints this with autoescape on, which must leave it unchanged (quotes or angle brackets
    # would be turned into entities inside <style>); no value here is free text, so none of them occur.
    if any(char in css for char in "<>&'\""):
        raise ValueError(f"letter settings produced CSS that HTML escaping would alter: {css!r}")
    return css


def _same_url(key: str) -> str:
    return key


def render_letter_html(
    doc: LetterDocument,
    jinja_env: Environment | None = None,
    *,
    resource_url: Callable[[str], str] | None = None,
    base_href: str = "",
) -> str:
    """Render the letter's print HTML; pass the Flask app's ``jinja_env`` to use its loader.

    For the PDF, images are named by the keys of the render's allowed files and relative URLs resolve
    against the static folder. An on-screen preview passes ``resource_url`` (allowed-file key -> a URL the
    browser can load) and ``base_href`` (the static folder's URL).
    """
    template = (jinja_env or default_jinja_env()).get_template(LETTER_TEMPLATE)
    settings_css = letter_settings_css(doc, resource_url if base_href else None)
    if base_href:
        # The packaged fonts come from the URLs `resource_url` gives their keys (a generic family of the same
        # kind if they cannot load), and the page gets the margins that @page gives the PDF.
        generic = "serif" if "serif" in doc.font else "sans-serif"
        family = font_family_name(doc.font)
        settings_css += (
            f"\n@media screen {{ html {{ font-family: {family}, {generic}; }} "
            "body { padding: 12mm 15mm; max-width: 180mm; margin: 0 auto; } }"
        )
    return template.render(
        letter=doc,
        settings_css=settings_css,
        format_date_id=format_date_id,
        resource_url=resource_url or _same_url,
        base_href=base_href,
    )


def render_letter_pdf(
    doc: LetterDocument,
    *,
    static_dir: Path = STATIC_DIR,
    allowed_files: Mapping[str, Path] | None = None,
    archive: bool = False,
    jinja_env: Environment | None = None,
) -> bytes:
    """Render the letter to PDF bytes; ``archive`` makes it PDF/A for the issued, frozen copy."""
    fonts = font_files(doc.font)
    extra = dict(allowed_files or {})
    if clash := fonts.keys() & extra.keys():
        raise ValueError(f"allowed file keys clash with the font files: {sorted(clash)}")
    return render_pdf(
        render_letter_html(doc, jinja_env),
        static_dir=static_dir,
        allowed_files={**extra, **fonts},
        pdf_variant=ARCHIVE_PDF_VARIANT if archive else None,
    )
