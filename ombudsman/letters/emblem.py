"""The letterhead emblem: an uploaded PNG or SVG, checked by its content, kept by SHA-256, never fetched.

The kop prints the emblem from a `data:` URI built from the stored bytes (`data_uri`), so neither the PDF
renderer nor the browser's preview ever asks the network for it. A PNG must decode as a PNG; an SVG is
parsed without DTDs or entities (defusedxml), refused when it holds a script, an event handler, an embedded
document, a raster image or any reference outside itself, and stored without editor metadata.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import register_namespace, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from ombudsman.accounts.models import Office, User
from ombudsman.audit import services as audit
from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.letters.models import LetterEmblem, LetterSettings

#: Largest emblem file accepted, in bytes (a kop emblem is a few centimetres wide; 512 KB is plenty).
MAX_EMBLEM_BYTES = 512 * 1024
#: Largest width or height of a PNG emblem, in pixels (5 cm at 600 dpi is about 1200 px).
MAX_EMBLEM_PIXELS = 4000
PNG = "image/png"
SVG = "image/svg+xml"
FIELD = "emblem"

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements that run code, embed another document or image, or animate attributes (which can set an href).
_FORBIDDEN = {"script", "foreignObject", "image", "iframe", "embed", "object", "animate", "set", "feImage"}
# url(...) that points anywhere but a fragment of the same document, and CSS imports.
_EXTERNAL_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)

MSG_TYPE = _l("Lambang harus berkas PNG atau SVG.")
MSG_UNSAFE_SVG = _l(
    "SVG ini memuat skrip, gambar tertanam, atau rujukan ke berkas lain; simpan ulang sebagai SVG polos "
    "atau PNG."
)


@dataclass(frozen=True)
class CheckedEmblem:
    """An upload that passed the checks: the bytes to store (an SVG sanitised) and their media type."""

    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the stored bytes."""
        return hashlib.sha256(self.data).hexdigest()


def _check_png(data: bytes) -> CheckedEmblem:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise Invalid(MSG_TYPE, FIELD)
            width, height = image.size
            if max(width, height) > MAX_EMBLEM_PIXELS:
                raise Invalid(_l("Lambang paling besar %(n)d piksel per sisi.", n=MAX_EMBLEM_PIXELS), FIELD)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Invalid(_l("Berkas PNG ini rusak atau tidak dapat dibaca."), FIELD) from exc
    return CheckedEmblem(PNG, data)


def _local(tag: Any) -> tuple[str, str]:
    """(namespace, local name) of an element or attribute name."""
    if not isinstance(tag, str):  # comments and processing instructions
        return "", ""
    if tag.startswith("{"):
        ns, _sep, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _check_svg(data: bytes) -> CheckedEmblem:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        raise Invalid(
            _l("Berkas SVG ini tidak dapat dibaca (XML tidak sah atau memuat DTD)."), FIELD
        ) from exc
    if _local(root.tag) != (_SVG_NS, "svg"):
        raise Invalid(MSG_TYPE, FIELD)
    # Editor metadata (Inkscape, Sodipodi, RDF) lives in other namespaces: dropped, it prints nothing.
    for parent in list(root.iter()):
        for child in list(parent):
            ns, name = _local(child.tag)
            if ns != _SVG_NS or name == "metadata":
                parent.remove(child)
    for element in root.iter():
        ns, name = _local(element.tag)
        if name in _FORBIDDEN:
            raise Invalid(MSG_UNSAFE_SVG, FIELD)
        for key in list(element.attrib):
            attr_ns, attr = _local(key)
            value = element.attrib[key]
            if attr_ns not in ("", _XLINK_NS):
                del element.attrib[key]
                continue
            if attr.lower().startswith("on"):
                raise Invalid(MSG_UNSAFE_SVG, FIELD)
            if attr == "href" and not value.strip().startswith("#"):
                raise Invalid(MSG_UNSAFE_SVG, FIELD)
            if _EXTERNAL_CSS.search(value):
                raise Invalid(MSG_UNSAFE_SVG, FIELD)
        if name == "style" and _EXTERNAL_CSS.search(element.text or ""):
            raise Invalid(MSG_UNSAFE_SVG, FIELD)
    register_namespace("", _SVG_NS)
    register_namespace("xlink", _XLINK_NS)
    return CheckedEmblem(SVG, tostring(root, encoding="utf-8", xml_declaration=True))


def check_upload(data: bytes) -> CheckedEmblem:
    """Check an uploaded emblem by its content; returns what to store.

    Raises `Invalid` (field `emblem`) for an empty or oversized file (over `MAX_EMBLEM_BYTES` bytes), a
    file that is neither PNG nor SVG whatever its name says, a damaged PNG or one wider or taller than
    `MAX_EMBLEM_PIXELS`, and an SVG with a DTD, a script, an event handler, an embedded image or document
    or a reference to anything outside itself.
    """
    if not data:
        raise Invalid(_l("Pilih berkas lambang."), FIELD)
    if len(data) > MAX_EMBLEM_BYTES:
        raise Invalid(_l("Lambang paling besar %(n)d KB.", n=MAX_EMBLEM_BYTES // 1024), FIELD)
    if data.startswith(_PNG_MAGIC):
        return _check_png(data)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        return _check_svg(data)
    raise Invalid(MSG_TYPE, FIELD)


def upload(office: Office, user: User, settings: LetterSettings, data: bytes) -> LetterEmblem:
    """Check and store an emblem for the office's letterhead and make it the one its letters print.

    The same file uploaded again reuses its row. Audited on the office with the old and new SHA-256.
    Raises `Invalid` as `check_upload`. Flushes, never commits.
    """
    checked = check_upload(data)
    emblem = db.session.scalar(
        select(LetterEmblem).where(LetterEmblem.office_id == office.id, LetterEmblem.sha256 == checked.sha256)
    )
    if emblem is None:
        emblem = LetterEmblem(
            office_id=office.id,
            media_type=checked.media_type,
            sha256=checked.sha256,
            size=len(checked.data),
            data=checked.data,
            uploaded_by_id=user.id,
        )
        db.session.add(emblem)
        db.session.flush()
    old = settings.emblem.sha256 if settings.emblem is not None else None
    settings.emblem = emblem
    db.session.flush()
    if old != emblem.sha256:
        audit.record(
            "office",
            office.id,
            "letter_emblem",
            user_id=user.id,
            office_id=office.id,
            changes={"emblem_sha256": [old, emblem.sha256]},
        )
    return emblem


def data_uri(emblem: LetterEmblem | None) -> str | None:
    """The emblem as a `data:` URI for the kop's `<img>`, or None when the office has none."""
    if emblem is None:
        return None
    return f"data:{emblem.media_type};base64,{base64.b64encode(emblem.data).decode('ascii')}"
