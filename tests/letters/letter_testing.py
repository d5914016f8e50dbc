"""Helpers shared by the letters tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

FLASH_RE = re.compile(r'class="flash flash-(\w+)"[^>]*>([^<]*)<')


def flat(text: str) -> str:
    """Collapse the line breaks and spacing that layout adds, so phrases can be searched."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    """The whole document's text, flattened."""
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def flashes(html: str) -> list[tuple[str, str]]:
    """The flashed messages of a page, as (category, text)."""
    return [(category, text.strip()) for category, text in FLASH_RE.findall(html)]
