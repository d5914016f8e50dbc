"""Evidence files: checked by content, stored by SHA-256 outside the code tree, thumbnailed."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ombudsman.errors import Invalid
from ombudsman.inspections.models import EvidenceKind

# What the office accepts, decided by the bytes, never by the file name.
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
DOCUMENT_TYPES = {"application/pdf": "pdf"}
# Pillow refuses absurd dimensions (decompression bombs) beyond this many pixels.
MAX_PIXELS = 80_000_000

# Pillow's format names for the accepted photo types.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Pillow may identify only these: enough to name a refused GIF, BMP or TIFF in the message, while the many
# other plugins (some of which accept any bytes at all, e.g. TGA) never parse an upload.
IDENTIFIED_FORMATS = (*PHOTO_FORMATS, "GIF", "BMP", "TIFF")
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

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


def check_upload(data: bytes, filename: str, *, max_bytes: int) -> CheckedUpload:
    """Validate an upload by its content; raise `Invalid` (field `file`) with a message for a person.

    Accepted: JPEG, PNG and WebP photos that Pillow can decode, and PDF documents with a ``%PDF-`` header and
    an ``%%EOF`` trailer. The file name only names the file in messages; it never decides the type.
    """
    name = os.path.basename((filename or "").replace("\\", "/"))[:255] or "berkas"
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
        mime, kind = "application/pdf", EvidenceKind.DOCUMENT
    else:
        mime, kind = _check_photo(data, name), EvidenceKind.PHOTO
    return CheckedUpload(data, name, mime, kind, hashlib.sha256(data).hexdigest())


def _check_photo(data: bytes, name: str) -> str:
    """Return the media type of an accepted photo; raise `Invalid` for anything else."""
    try:
        with Image.open(io.BytesIO(data), formats=IDENTIFIED_FORMATS) as img:
            image_format = img.format
            if image_format in PHOTO_FORMATS:
                _check_pixels(img, name)
                # verify() checks what the format allows without decoding (PNG chunk checksums); it leaves the
                # image unusable, so the pixels are decoded from a second open.
                img.verify()
        if image_format in PHOTO_FORMATS:
            with Image.open(io.BytesIO(data), formats=(image_format,)) as img:
                # Decode every byte so a truncated or garbled body fails here, not later in the thumbnailer;
                # a JPEG may decode at 1/8 scale (draft), which still reads all of its data.
                img.draft(None, (1, 1))
                img.load()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning is only raised where warnings are errors (the tests); elsewhere _check_pixels refuses.
        raise _refused(_l("Foto \u201c%(name)s\u201d terlalu besar resolusinya.", name=name)) from exc
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
                "Kirim foto JPEG, PNG atau WebP, atau dokumen PDF.",
                name=name,
                found=found,
            )
        )
    return PHOTO_FORMATS[image_format]


def _broken_photo(name: str) -> Invalid:
    return _refused(_l("Foto \u201c%(name)s\u201d rusak atau bukan gambar yang sah.", name=name))


def _check_pixels(img: Image.Image, name: str) -> None:
    """Refuse a photo whose pixel count would make decoding it a memory hazard."""
    if img.width * img.height > MAX_PIXELS:
        raise _refused(_l("Foto \u201c%(name)s\u201d terlalu besar resolusinya.", name=name))


def _pillow_accepts(image_format: str, data: bytes) -> bool:
    """Whether the header of ``data`` is what Pillow's plugin for ``image_format`` recognises as its own."""
    # Image.OPEN is Pillow's plugin registry (format -> (factory, accept)); Image.open used the same test.
    Image.init()
    accept = Image.OPEN[image_format][1]
    return bool(accept and accept(data[:16]))


def _key(sha256: str, suffix: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"


def _write_atomic(root: Path, key: str, data: bytes) -> None:
    """Write once: readers never see a half-written file, and an existing file is kept as is."""
    path = root / key
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_thumbnail(data: bytes, size: int) -> bytes:
    """A JPEG no larger than size×size, turned upright by its EXIF orientation."""
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        img.thumbnail((size, size))
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()


def save(root: Path, upload: CheckedUpload, *, thumbnail_px: int) -> tuple[str, str | None]:
    """Store the original (and a thumbnail for photos); return their storage keys."""
    ext = PHOTO_TYPES.get(upload.content_type) or DOCUMENT_TYPES[upload.content_type]
    key = _key(upload.sha256, f".{ext}")
    _write_atomic(root, key, upload.data)
    thumb_key = None
    if upload.kind is EvidenceKind.PHOTO:
        thumb_key = _key(upload.sha256, ".thumb.jpg")
        if not (root / thumb_key).exists():
            _write_atomic(root, thumb_key, make_thumbnail(upload.data, thumbnail_px))
    return key, thumb_key


def path_for(root: Path, key: str) -> Path:
    """The file behind a storage key, refusing keys that would leave the root."""
    path = (root / key).resolve()
    if not path.is_relative_to(root.resolve()):
        raise _refused(_l("Kunci penyimpanan tidak sah."))
    return path


def send_stored(root: Path, key: str, *, mimetype: str, download_name: str, sha256: str, download: bool):
    """A response with a stored file, byte for byte; browsers may not sniff it into something runnable."""
    from flask import abort, send_file

    path = path_for(root, key)
    if not path.exists():
        abort(404)
    response = send_file(
        path, mimetype=mimetype, as_attachment=download, download_name=download_name, max_age=0, etag=sha256
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response
