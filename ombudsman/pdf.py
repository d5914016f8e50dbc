"""Render HTML to PDF with WeasyPrint, reading only resources the application owns.

A letter can quote text typed by users and is rendered on the server, so the renderer must never become a
way to read arbitrary local files or to make network requests. Every URL WeasyPrint asks for goes through a
:class:`ResourcePolicy` that serves three things and refuses the rest:

* files under one static directory, which is the base URL that relative references resolve against;
* files the caller names explicitly by key (``evidence:12``, ``font:arimo/normal``), e.g. photo thumbnails;
* ``data:`` URIs (the QR code).

Fonts are files in the repository (``static/letters/fonts/``, with their licences), never the host's, so a
letter looks the same on a developer's laptop, in CI and in production, and the PDF embeds the fonts it uses.

WeasyPrint is imported inside the functions that need it: importing it costs more than half a second, which
app start-up and tests that never render a PDF should not pay.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from ombudsman.dates import format_date_id  # noqa: F401 (re-exported for the letter template)

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

#: The PDF/A flavour used for archived (issued) letters: PDF/A-3 allows embedding the render inputs later,
#: and level "u" promises that all text maps to Unicode, which the verification and search rely on.
ARCHIVE_PDF_VARIANT = "pdf/a-3u"

#: Larger resources are refused: a letter needs thumbnails, not original camera files.
MAX_RESOURCE_BYTES = 20 * 1024 * 1024

# Keys of explicitly allowed files must look like absolute URLs ("scheme:rest"), otherwise WeasyPrint would
# resolve them against the static base URL before asking the fetcher. The scheme needs two characters or more,
# as WeasyPrint's own test for an absolute URL does.
_ALLOWED_KEY_RE = re.compile(r"[a-z][a-z0-9+.-]+:[A-Za-z0-9._~/-]+")
# Keys may not borrow the schemes the policy interprets itself or that name network resources, so that the
# two URL spaces never overlap.
_RESERVED_SCHEMES = frozenset({"file", "data", "http", "https", "ftp", "ftps", "ws", "wss", "blob"})

# Explicit media types: the platform's mimetypes table varies between hosts, and WeasyPrint ignores a
# stylesheet that is not served as text/css.
_MEDIA_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class RefusedURLError(PermissionError):
    """A URL that the PDF renderer is not allowed to read."""


@dataclass(frozen=True, slots=True)
class Resource:
    """The bytes behind an allowed URL and their media type."""

    data: bytes
    media_type: str


class ResourcePolicy:
    """Decide which URLs a PDF render may read, and read them without touching the network."""

    def __init__(self, static_dir: Path, allowed_files: Mapping[str, Path] | None = None) -> None:
        """Serve files under ``static_dir``, the ``allowed_files`` by key, and ``data:`` URIs."""
        self.static_root = Path(static_dir).resolve(strict=True)
        if not self.static_root.is_dir():
            raise NotADirectoryError(self.static_root)
        self.allowed_files = dict(allowed_files or {})
        for key in self.allowed_files:
            _check_allowed_key(key)

    @property
    def base_url(self) -> str:
        """The base URL that relative references in the HTML and CSS resolve against."""
        # The trailing slash makes "letters/letter.css" resolve inside the directory, not beside it.
        return self.static_root.as_uri() + "/"

    def open(self, url: str) -> Resource:
        """Return the resource behind ``url``, or raise :class:`RefusedURLError`."""
        if url in self.allowed_files:
            return _read_file(self.allowed_files[url], url)
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return _decode_data_uri(url)
        if scheme == "file":
            return self._open_static(url)
        raise RefusedURLError(f"not an allowed resource: {_shorten(url)}")

    def _open_static(self, url: str) -> Resource:
        """Read a ``file:`` URL if, once ``..`` and symlinks are resolved, it lies under the static root."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedURLError(f"remote file URL: {_shorten(url)}")
        path = Path(url2pathname(parts.path))
        if not path.is_absolute():
            raise RefusedURLError(f"relative file URL: {_shorten(url)}")
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte in the path
            raise RefusedURLError(f"no such static file: {_shorten(url)}") from exc
        if not real.is_relative_to(self.static_root):
            raise RefusedURLError(f"outside the static directory: {_shorten(url)}")
        # Read the resolved path, not the original one: a symlink swapped in after the check is not followed.
        return _read_file(real, url)


def _check_allowed_key(key: str) -> None:
    """Raise ValueError unless ``key`` can serve as the URL of an explicitly allowed file."""
    if not _ALLOWED_KEY_RE.fullmatch(key) or key.partition(":")[0] in _RESERVED_SCHEMES:
        raise ValueError(f"allowed file key must look like 'evidence:12', not {key!r}")


def _read_file(path: Path, url: str) -> Resource:
    """Read a regular file of bounded size."""
    try:
        real = Path(path).resolve(strict=True)
        size = real.stat().st_size
    except (OSError, RuntimeError, ValueError) as exc:
        raise RefusedURLError(f"unreadable file for {_shorten(url)}") from exc
    if not real.is_file():
        raise RefusedURLError(f"not a regular file: {_shorten(url)}")
    if size > MAX_RESOURCE_BYTES:
        raise RefusedURLError(f"file too large ({size} bytes): {_shorten(url)}")
    media_type = _MEDIA_TYPES.get(real.suffix.lower(), "application/octet-stream")
    return Resource(real.read_bytes(), media_type)


def _decode_data_uri(url: str) -> Resource:
    """Decode a ``data:[<media type>][;base64],<payload>`` URI (RFC 2397) without urllib's opener."""
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise RefusedURLError("malformed data URI")
    params = [param.strip() for param in header.split(";")]
    is_base64 = len(params) > 1 and params[-1].lower() == "base64"
    if is_base64:
        params.pop()
    media_type = params[0].lower() or "text/plain"
    charset = next((p.split("=", 1)[1] for p in params[1:] if p.lower().startswith("charset=")), None)
    raw = unquote_to_bytes(payload)
    data = base64.b64decode(raw) if is_base64 else raw
    if len(data) > MAX_RESOURCE_BYTES:
        raise RefusedURLError("data URI too large")
    return Resource(data, f"{media_type}; charset={charset}" if charset else media_type)


def _shorten(url: str) -> str:
    """Keep log lines and error messages short when a URL is a long data URI."""
    return url if len(url) <= 120 else url[:117] + "..."


@functools.cache
def _fetcher_class() -> type[URLFetcher]:
    """Build the WeasyPrint fetcher class on first use, so importing this module stays cheap."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PolicyURLFetcher(URLFetcher):
        """A WeasyPrint URL fetcher that answers every request from a :class:`ResourcePolicy`."""

        def __init__(self, policy: ResourcePolicy) -> None:
            # The inherited urllib opener is never used (fetch is replaced below); the empty protocol set
            # and disabled redirects make sure it could not reach anything even if it were.
            super().__init__(allowed_protocols=frozenset(), allow_redirects=False, fail_on_errors=False)
            self.policy = policy

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            """Serve ``url`` from the policy; a refusal raises, and WeasyPrint logs it and skips the item."""
            try:
                resource = self.policy.open(url)
            except RefusedURLError:
                logger.warning("PDF renderer refused %s", _shorten(url))
                raise
            return URLFetcherResponse(url, resource.data, {"Content-Type": resource.media_type})

    return PolicyURLFetcher


def make_url_fetcher(static_dir: Path, *, allowed_files: Mapping[str, Path] | None = None) -> URLFetcher:
    """Return a WeasyPrint URL fetcher limited to ``static_dir``, ``allowed_files`` and ``data:`` URIs."""
    return _fetcher_class()(ResourcePolicy(static_dir, allowed_files))


def render_pdf(
    html: str,
    *,
    static_dir: Path,
    allowed_files: Mapping[str, Path] | None = None,
    pdf_variant: str | None = None,
    title: str | None = None,
    author: str | None = None,
    lang: str | None = None,
) -> bytes:
    """Render ``html`` to PDF bytes, resolving relative URLs against ``static_dir``.

    The PDF metadata comes from the HTML (``<title>``, ``<meta name="author">``, ``<html lang>``);
    ``title``, ``author`` and ``lang`` override it when given. ``pdf_variant`` is a WeasyPrint variant
    name such as ``"pdf/a-3b"`` or :data:`ARCHIVE_PDF_VARIANT`.
    """
    from weasyprint import HTML
    from weasyprint.pdf import VARIANTS
    from weasyprint.text.fonts import FontConfiguration

    if pdf_variant is not None and pdf_variant not in VARIANTS:
        raise ValueError(f"unknown PDF variant {pdf_variant!r}; WeasyPrint knows {sorted(VARIANTS)}")
    fetcher = make_url_fetcher(static_dir, allowed_files=allowed_files)
    # One font configuration per render: @font-face fonts are registered in it, and a shared one would let
    # one office's font setting leak into another's letters.
    font_config = FontConfiguration()
    document = HTML(string=html, base_url=fetcher.policy.base_url, url_fetcher=fetcher).render(
        font_config=font_config, pdf_variant=pdf_variant
    )
    if title is not None:
        document.metadata.title = title
    if author is not None:
        document.metadata.authors = [author]
    if lang is not None:
        document.metadata.lang = lang
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for the PDF/A output intent and never closes it; the file is
        # closed at once by garbage collection, but the ResourceWarning would fail a test run that turns
        # warnings into errors. Ignore exactly that one. (The filter list is process-wide: at worst a
        # concurrent render keeps this narrow filter a little longer.)
        warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
        return document.write_pdf(pdf_variant=pdf_variant)


#: The vendored letter fonts; ``README.md`` there names each font's version, licence and upstream.
FONTS_DIR = Path(__file__).resolve().parent / "static" / "letters" / "fonts"


@dataclass(frozen=True, slots=True)
class FontFile:
    """One font file of a letter font, relative to :data:`FONTS_DIR`."""

    relative_path: str
    #: The CSS ``font-style`` it serves: ``"normal"`` or ``"italic"``.
    style: str
    #: The CSS ``font-weight`` of a static font; ``None`` for a variable font that covers every weight.
    weight: int | None = None

    @property
    def path(self) -> Path:
        """The file on disk."""
        return FONTS_DIR / self.relative_path


@dataclass(frozen=True, slots=True)
class LetterFont:
    """A font family that letters may be set in, vendored under :data:`FONTS_DIR`."""

    label: str
    #: The family name in the files' name table, which the embedded font program carries.
    family: str
    files: tuple[FontFile, ...]


#: The office setting "letter font" takes one of these keys.
FONTS: Mapping[str, LetterFont] = MappingProxyType(
    {
        # Arimo has the metrics of Arial, the font Indonesian government offices usually prescribe.
        "arimo": LetterFont(
            label="Arimo (setara Arial)",
            family="Arimo",
            files=(
                FontFile("arimo/Arimo[wght].ttf", "normal"),
                FontFile("arimo/Arimo-Italic[wght].ttf", "italic"),
            ),
        ),
        "noto-serif": LetterFont(
            label="Noto Serif",
            family="Noto Serif",
            files=(
                FontFile("noto-serif/NotoSerif[wdth,wght].ttf", "normal"),
                FontFile("noto-serif/NotoSerif-Italic[wdth,wght].ttf", "italic"),
            ),
        ),
    }
)
DEFAULT_FONT = "arimo"


def font_family_name(font_key: str) -> str:
    """Return the CSS family name under which the font of ``font_key`` is declared."""
    _letter_font(font_key)
    # A private name: no system font can match it, so a failed @font-face shows up as a fallback font in the
    # PDF (which the tests check) instead of silently using a host font of the same name.
    return f"ombudsman-{font_key}"


def font_files(font_key: str) -> dict[str, Path]:
    """Return the font files of ``font_key`` as allowed-file keys (``font:arimo/normal``) mapped to paths."""
    return {key: font_file.path for key, font_file in _font_entries(font_key)}


def font_static_path(key: str) -> str | None:
    """The path under the static folder of the font file an allowed-file key names (``font:arimo/normal`` ->
    ``letters/fonts/arimo/Arimo[wght].ttf``), for a browser's on-screen preview; None for any other key."""
    scheme, _sep, rest = key.partition(":")
    font_key = rest.split("/", 1)[0]
    if scheme != "font" or font_key not in FONTS:
        return None
    files = dict(_font_entries(font_key))
    if key not in files:
        return None
    return (FONTS_DIR / files[key].relative_path).relative_to(FONTS_DIR.parent.parent).as_posix()


def font_face_css(font_key: str, resource_url: Callable[[str], str] | None = None) -> str:
    """Return the ``@font-face`` rules that load the font of ``font_key``: through the URL fetcher by its
    allowed-file keys, or from the URLs `resource_url` gives those keys (a browser's preview)."""
    # Family names and keys are CSS identifiers and plain URL tokens, so no quotes are needed: the rules hold
    # no character that HTML escaping changes, and a template can print them with autoescape on.
    family_name = font_family_name(font_key)
    rules = []
    for key, font_file in _font_entries(font_key):
        descriptors = [
            f"font-family: {family_name}",
            f"src: url({resource_url(key) if resource_url else key})",
            f"font-style: {font_file.style}",
        ]
        # No font-weight for variable fonts: WeasyPrint 70 rejects weight ranges, and without the descriptor
        # Fontconfig sees the font's named instances (Regular, Bold), which WeasyPrint then instantiates.
        if font_file.weight is not None:
            descriptors.append(f"font-weight: {font_file.weight}")
        rules.append("@font-face { " + "; ".join(descriptors) + "; }")
    return "\n".join(rules)


def _font_entries(font_key: str) -> list[tuple[str, FontFile]]:
    """List the files of a font setting with the allowed-file key each is served under."""
    # A variable font covers all weights in one file; a static family has one file per weight.
    return [
        (f"font:{font_key}/{f.style}" + ("" if f.weight is None else f"-{f.weight}"), f)
        for f in _letter_font(font_key).files
    ]


def _letter_font(font_key: str) -> LetterFont:
    """Look up a font setting, with an error that lists the valid values."""
    try:
        return FONTS[font_key]
    except KeyError:
        raise ValueError(f"unknown letter font {font_key!r}; choose one of {sorted(FONTS)}") from None


def qr_svg_data_uri(url: str) -> str:
    """Return a QR code for ``url`` as an SVG ``data:`` URI for an ``<img src>``."""
    import segno

    # Level M survives a smudge or a fold; the 4-module quiet zone is what scanners expect.
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_data_uri(border=4)
