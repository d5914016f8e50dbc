"""Evidence files: checked by content, stored by SHA-256 outside the code tree, thumbnailed."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ombudsman.errors import Invalid
from ombudsman.inspections.models import EvidenceKind

# What the office accepts, decided by the bytes, never by the file name.
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
DOCUMENT_TYPES = {"application/pdf": "pdf"}
# Pillow refuses absurd dimensions (decompression bombs) beyond this many pixels.
MAX_PIXELS = 80_000_000


# Refusals name the `file` field (the API's multipart field; the web forms show them under their file field).
FIELD = "file"
# Transitional name for the deadlines follow-up views, which catch it; an upload refusal is an `Invalid`.
UploadError = Invalid


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
    """Validate an upload by its content; raise `Invalid` (field `file`) with a message for a person."""
    name = os.path.basename((filename or "").replace("\\", "/"))[:255] or "berkas"
    if not data:
        raise Invalid(_l("Berkas \u201c%(name)s\u201d kosong.", name=name), FIELD)
    if len(data) > max_bytes:
        raise Invalid(
            _l(
                "Berkas \u201c%(name)s\u201d terlalu besar (batas %(mb)s MB).",
                name=name,
                mb=f"{max_bytes / 1_048_576:g}",
            ),
            FIELD,
        )
    guess = filetype.guess(data)
    mime = guess.mime if guess else None
    if mime in PHOTO_TYPES:
        try:
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise Invalid(
                        _l("Foto \u201c%(name)s\u201d terlalu besar resolusinya.", name=name), FIELD
                    )
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
            raise Invalid(
                _l("Foto \u201c%(name)s\u201d rusak atau bukan gambar yang sah.", name=name), FIELD
            ) from exc
        kind = EvidenceKind.PHOTO
    elif mime in DOCUMENT_TYPES:
        if b"%%EOF" not in data[-2048:]:
            raise Invalid(_l("Dokumen \u201c%(name)s\u201d bukan PDF yang utuh.", name=name), FIELD)
        kind = EvidenceKind.DOCUMENT
    else:
        raise Invalid(
            _l(
                "Jenis berkas \u201c%(name)s\u201d tidak diterima (isi berkas: %(mime)s). "
                "Kirim foto JPEG, PNG atau WebP, atau dokumen PDF.",
                name=name,
                mime=mime or _l("tidak dikenal"),
            ),
            FIELD,
        )
    return CheckedUpload(data, name, mime, kind, hashlib.sha256(data).hexdigest())


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
        raise Invalid(_l("Kunci penyimpanan tidak sah."), FIELD)
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
