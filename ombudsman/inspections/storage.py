"""Evidence files: checked by content, stored by SHA-256 outside the code tree, thumbnailed."""

from __future__ import annotations

import hashlib
import io
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import Connection, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ombudsman.errors import Invalid
from ombudsman.extensions import db
from ombudsman.filenames import display_filename, kept_filename
from ombudsman.inspections import photos
from ombudsman.inspections.models import EvidenceKind
from ombudsman.storage import FileStorage, KeyOutsideStorage, as_storage

log = logging.getLogger(__name__)

# What the office accepts, decided by the bytes, never by the file name.
PHOTO_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
}
DOCUMENT_TYPES = {"application/pdf": "pdf"}
# Photos a browser shows as they are; the others (HEIC/HEIF) are shown through their JPEG rendition.
BROWSER_PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
# Photos are refused above this many pixels (the hard limit), and above what one decode may cost (`photos`).
MAX_PIXELS = photos.MAX_PIXELS
PHOTO_FORMATS = photos.PHOTO_FORMATS
# Pillow may identify only these: enough to name a refused GIF, BMP or TIFF in the message, while the many
# other plugins (some of which accept any bytes at all, e.g. TGA) never parse an upload.
IDENTIFIED_FORMATS = (*PHOTO_FORMATS, "GIF", "BMP", "TIFF")


def accepted_types() -> list[str]:
    """Every media type an evidence upload may have (photos, then documents): the `accept` of file inputs."""
    return [*PHOTO_TYPES, *DOCUMENT_TYPES]


def capture_limits(max_bytes: int) -> dict:
    """What the phone checks before it queues a file, so it never keeps what the server would refuse.

    `max_bytes`: the office's upload limit (config `EVIDENCE_MAX_BYTES`). Shape::

        {"accepted_types": [media types], "photo_types": [media types], "max_bytes": int (bytes),
         "max_pixels": {media type: int (pixels, width × height)}, "hard_max_pixels": int (pixels)}

    The type is decided by the bytes on the server (a `.heic` name with JPEG inside is a JPEG).
    """
    return {
        "accepted_types": accepted_types(),
        "photo_types": list(PHOTO_TYPES),
        "max_bytes": max_bytes,
        "hard_max_pixels": photos.MAX_PIXELS,
        **photos.limits(),
    }


# A PDF starts with "%PDF-" and ends with "%%EOF"; readers tolerate a little trailing garbage after it, so the
# marker is looked for within the last kilobyte.
PDF_HEADER = b"%PDF-"
PDF_EOF = b"%%EOF"
PDF_TRAILER_WINDOW = 1024


# Refusals name the `file` field (the API's multipart field; the web forms show them under their file field).
FIELD = "file"
# Transitional name for the deadlines follow-up views, which catch it; an upload refusal is an `Invalid`.
UploadError = Invalid


def _refused(message) -> Invalid:
    """An upload refusal: `Invalid` naming the `file` field."""
    return Invalid(message, FIELD)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, ready to store."""

    data: bytes
    filename: str
    content_type: str
    kind: EvidenceKind
    sha256: str
    # Photos: whether pages show a JPEG rendition of it rather than the original (`photos.needs_rendition`).
    rendition: bool = False

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def check_upload(data: bytes, filename: str, *, max_bytes: int) -> CheckedUpload:
    """Validate an upload by its content; raise `Invalid` (field `file`) with a message for a person.

    Accepted: JPEG, PNG, WebP and HEIF/HEIC photos that Pillow (with pillow-heif) can decode within the limits
    of `photos` (hard limit `photos.MAX_PIXELS`), and PDF documents with a ``%PDF-`` header and an ``%%EOF``
    trailer. The file name only names the file in messages; it never decides the type.
    """
    original = kept_filename(filename)
    name = display_filename(original)
    if not data:
        raise _refused(_l("Berkas \u201c%(name)s\u201d kosong.", name=name))
    if len(data) > max_bytes:
        raise _refused(
            _l(
                "Berkas \u201c%(name)s\u201d terlalu besar (batas %(mb)s MB).",
                name=name,
                mb=f"{max_bytes / 1_048_576:g}",
            )
        )
    if data.startswith(PDF_HEADER):
        if PDF_EOF not in data[-PDF_TRAILER_WINDOW:]:
            raise _refused(_l("Dokumen \u201c%(name)s\u201d bukan PDF yang utuh.", name=name))
        mime, kind, rendition = "application/pdf", EvidenceKind.DOCUMENT, False
    else:
        (mime, rendition), kind = _check_photo(data, name), EvidenceKind.PHOTO
    return CheckedUpload(data, original, mime, kind, hashlib.sha256(data).hexdigest(), rendition)


def _check_photo(data: bytes, name: str) -> tuple[str, bool]:
    """The media type of an accepted photo and whether it needs a rendition; raise `Invalid` otherwise."""
    try:
        with (
            photos.truncated_images_refused(),
            Image.open(io.BytesIO(data), formats=IDENTIFIED_FORMATS) as img,
        ):
            image_format, size = img.format, img.size
        if image_format in PHOTO_FORMATS:
            photos.decode_check(data, image_format)
    except photos.TooLarge as exc:
        raise _too_large(name, exc) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limits lie above ours; the warning is only raised where warnings are errors.
        raise _refused(
            _l(
                "Foto \u201c%(name)s\u201d terlalu besar resolusinya; "
                "kirim foto paling besar %(limit)s megapiksel.",
                name=name,
                limit=f"{photos.MAX_PIXELS / 1_000_000:.0f}",
            )
        ) from exc
    except UnidentifiedImageError as exc:
        if any(_pillow_accepts(fmt, data) for fmt in PHOTO_FORMATS):
            raise _broken_photo(name) from exc  # the header of an accepted type, a body Pillow cannot read
        image_format = None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _broken_photo(name) from exc
    if image_format not in PHOTO_FORMATS:
        found = Image.MIME.get(image_format or "") or _l("tidak dikenal")
        raise _refused(
            _l(
                "Jenis berkas \u201c%(name)s\u201d tidak diterima (isi berkas: %(found)s). "
                "Kirim foto JPEG, PNG, WebP atau HEIC, atau dokumen PDF.",
                name=name,
                found=found,
            )
        )
    return photos.media_type(image_format, data), photos.needs_rendition(image_format, size)


def _broken_photo(name: str) -> Invalid:
    return _refused(_l("Foto \u201c%(name)s\u201d rusak atau bukan gambar yang sah.", name=name))


def _too_large(name: str, exc: photos.TooLarge) -> Invalid:
    width, height = exc.size
    return _refused(
        _l(
            "Foto \u201c%(name)s\u201d terlalu besar resolusinya untuk diproses (%(width)d \u00d7 %(height)d "
            "piksel); kirim foto paling besar %(limit)s megapiksel.",
            name=name,
            width=width,
            height=height,
            limit=f"{exc.limit_megapixels:.0f}",
        )
    )


def _pillow_accepts(image_format: str, data: bytes) -> bool:
    """Whether the header of ``data`` is what Pillow's plugin for ``image_format`` recognises as its own."""
    # Image.OPEN is Pillow's plugin registry (format -> (factory, accept)); Image.open used the same test.
    Image.init()
    accept = Image.OPEN[image_format][1]
    return bool(accept and accept(data[:16]))


THUMBNAIL_SUFFIX = ".thumb.jpg"
RENDITION_SUFFIX = ".view.jpg"


def _key(sha256: str, suffix: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"


def rendition_key(sha256: str) -> str:
    """The storage key of a photo's JPEG rendition (written only when `CheckedUpload.rendition`)."""
    return _key(sha256, RENDITION_SUFFIX)


def view_key(
    root: Path | FileStorage, *, sha256: str, storage_key: str, content_type: str
) -> tuple[str, str] | None:
    """What a page shows for a stored photo: (key, media type) of its rendition, else of its original when a
    browser can show it; None for a photo with neither (a HEIC stored before renditions existed)."""
    rendition = rendition_key(sha256)
    if as_storage(root).exists(rendition):
        return rendition, "image/jpeg"
    if content_type in BROWSER_PHOTO_TYPES:
        return storage_key, content_type
    return None


def keys_for(upload: CheckedUpload) -> tuple[str, str | None]:
    """The storage keys of an upload's original and (photos only) thumbnail; nothing is written."""
    ext = PHOTO_TYPES.get(upload.content_type) or DOCUMENT_TYPES[upload.content_type]
    thumb_key = _key(upload.sha256, THUMBNAIL_SUFFIX) if upload.kind is EvidenceKind.PHOTO else None
    return _key(upload.sha256, f".{ext}"), thumb_key


def make_thumbnail(data: bytes, size: int) -> bytes:
    """A JPEG no larger than size×size, turned upright; `Invalid` when it cannot be made within budget."""
    try:
        return photos.make_thumbnail(data, size)
    except photos.TooLarge as exc:
        raise _too_large("berkas", exc) from exc


def make_rendition(data: bytes) -> bytes:
    """The JPEG rendition of a photo for pages (`photos.RENDITION_PX`); `Invalid` when over budget."""
    try:
        return photos.make_rendition(data)
    except photos.TooLarge as exc:
        raise _too_large("berkas", exc) from exc


def save(root: Path | FileStorage, upload: CheckedUpload, *, thumbnail_px: int) -> tuple[str, str | None]:
    """Store the original (and for photos a thumbnail, and a rendition when needed) in the current
    transaction; return the keys of the original and the thumbnail (the rendition's is `rendition_key`).

    `root`: the evidence directory or another `FileStorage` (`ombudsman.storage`). Everything that can fail
    (thumbnail, rendition) is done before the first file is written. Files this call creates are removed
    again if the database transaction ends without a commit (see `_forget_new_files`), so a failed insert
    leaves nothing behind.
    """
    files_store = as_storage(root)
    key, thumb_key = keys_for(upload)
    files = [(key, upload.data)]
    source = upload.data
    if upload.rendition and not files_store.exists(rendition_key(upload.sha256)):
        # The thumbnail comes from the upright 2,048 px rendition: a HEIC is fully decoded once, not twice.
        source = make_rendition(upload.data)
        files.append((rendition_key(upload.sha256), source))
    if thumb_key is not None and not files_store.exists(thumb_key):
        files.append((thumb_key, make_thumbnail(source, thumbnail_px)))
    for file_key, data in files:
        if files_store.write_once(file_key, data):
            db.session.info.setdefault(_NEW_FILES, []).append((files_store, file_key))
    return key, thumb_key


# Files written in the session's current transaction: [(storage, key)], kept on commit, removed otherwise.
_NEW_FILES = "ombudsman.storage.new_files"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_new_files(session: Session, transaction) -> None:
    """The transaction ended without a commit (rollback, error, closed session): remove the files it wrote.

    A file is content-addressed, so a concurrent upload of the same bytes may have found it and committed
    its own record meanwhile: keys that a committed record refers to are kept.
    """
    if transaction.parent is not None or _NEW_FILES not in session.info:
        return
    new = session.info.pop(_NEW_FILES)
    # A rendition has no column of its own: it is kept when a committed row refers to its photo's thumbnail.
    companions = {key: key.removesuffix(RENDITION_SUFFIX) + THUMBNAIL_SUFFIX for _, key in new}
    try:
        kept = _committed_keys(session, {key for _, key in new} | set(companions.values()))
    except SQLAlchemyError:
        # The database cannot say whether another record uses them: an unused file is the lesser harm.
        log.warning("kept %d new evidence file(s): their references could not be checked", len(new))
        return
    for files_store, key in new:
        if key not in kept and not (key.endswith(RENDITION_SUFFIX) and companions[key] in kept):
            files_store.delete(key)


def _committed_keys(session: Session, keys: set[str]) -> set[str]:
    """The keys among `keys` that committed rows of any file-keeping table refer to (a fresh connection)."""
    tables = [t for t in db.metadata.tables.values() if "storage_key" in t.c]
    found: set[str] = set()
    bind = session.get_bind()
    # A session joined to an outer transaction of a connection reads through it; else a fresh connection.
    reader = nullcontext(bind) if isinstance(bind, Connection) else bind.connect()
    with reader as conn:
        for table in tables:
            columns = [c for c in (table.c.get("storage_key"), table.c.get("thumbnail_key")) if c is not None]
            for column in columns:
                found.update(conn.scalars(select(column).where(column.in_(keys))))
    return found


def path_for(root: Path | FileStorage, key: str) -> Path:
    """A local path to the file behind a storage key; `Invalid` for keys that would leave the root."""
    try:
        return as_storage(root).local_path(key)
    except KeyOutsideStorage as exc:
        raise _refused(_l("Kunci penyimpanan tidak sah.")) from exc


def send_stored(
    root: Path | FileStorage, key: str, *, mimetype: str, download_name: str, sha256: str, download: bool
):
    """A response with a stored file, byte for byte; browsers may not sniff it into something runnable.

    `download_name` (the recorded original) is sent cleaned by `display_filename`.
    """
    from flask import abort, send_file

    path = path_for(root, key)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=download,
        download_name=display_filename(download_name),
        max_age=0,
        etag=sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response
