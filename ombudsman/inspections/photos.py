"""Photo checks and thumbnails with a bounded cost, the same answer in every worker at every time.

- Deterministic: Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES` (WeasyPrint switches it on when it
  is imported, so a worker that has rendered a letter would accept cut-off photos) is set off, under a lock,
  for every decode here; a truncated or garbled photo is refused whatever the rest of the process did.
- Bounded: the dimensions are read from the header (`Image.open` is lazy) and a photo whose decode would need
  more than its format's budget is refused before any pixel is decoded. JPEGs are decoded in draft mode (DCT
  scaling, 1/8 for the check, the smallest scale at or above the thumbnail or rendition for those), so a JPEG
  up to the hard limit `MAX_PIXELS` (120 megapixels: a 108-megapixel phone camera's 12,000 × 9,000) is kept
  and costs a few tens of MB. PNG and WebP cannot be decoded at a reduced scale: they are decoded at full size
  within DECODE_BUDGET_BYTES and shrunk with `reduce`; an 8,900 × 8,900 PNG (79 megapixels, a few KB when it
  is one colour) is therefore refused with a message naming its size and the limit, never decoded.
- HEIF/HEIC (iPhones, since iOS 11) through pillow-heif, registered here once: decoded at full size (libheif
  has no reduced decode; an embedded thumbnail is used for the thumbnail when one is large enough) within
  HEIF_DECODE_BUDGET_BYTES: 12- and 24-megapixel iPhone photos are kept, a 48-megapixel "HEIF Max" one is
  refused with the limit in the message.
- Renditions: browsers cannot show HEIC, and phones struggle with very large images, so a HEIF photo or one
  above RENDITION_ABOVE_PIXELS gets a JPEG rendition of at most RENDITION_PX on its longest side for the
  pages; the original is kept byte for byte. `limits()` publishes all this for the capture page.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pillow_heif
from PIL import Image, ImageFile, ImageOps

# Pillow learns to read HEIF/HEIC (format "HEIF"): once per process, before any photo is opened.
pillow_heif.register_heif_opener()

# Pillow's format names for the accepted photo types (the media type of a HEIF file depends on its brand, see
# `media_type`).
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif"}
# HEIF files whose brand says HEVC-coded images (what iPhones write) are "image/heic" (ISO/IEC 23008-12).
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
# The hard limit: a photo whose header claims more pixels is refused, whatever its format. It stays below
# Pillow's own refusal (2 × Image.MAX_IMAGE_PIXELS, 179 M); Pillow's warning above 89 M is ours to silence.
MAX_PIXELS = 120_000_000
# Memory one decode may take, at the scale the format allows (a JPEG counts at its draft scale). Decodes are
# serialised within a process (`truncated_images_refused` holds a lock), so this bounds a worker's peak.
DECODE_BUDGET_BYTES = 64 * 1024 * 1024
# HEIF decodes at full size only: a larger budget so that 24-megapixel iPhone photos (96 MB decoded) pass.
HEIF_DECODE_BUDGET_BYTES = 128 * 1024 * 1024
# Formats decoded at a reduced scale for the check, the thumbnail and the rendition (JPEG's DCT scaling).
SCALED_FORMATS = {"JPEG"}
# Renditions for pages: HEIF photos and photos above this many pixels (iOS Safari's 16.7-megapixel decode
# limit) get a JPEG no larger than RENDITION_PX × RENDITION_PX.
RENDITION_ABOVE_PIXELS = 16_000_000
RENDITION_PX = 2048
# Bytes Pillow keeps per pixel in memory: one for bilevel, grey and palette images, up to four otherwise
# (RGB is stored padded to four bytes).
_ONE_BYTE_MODES = {"1", "L", "P"}

_TRUNCATION_LOCK = threading.Lock()


class TooLarge(Exception):
    """A photo over the pixel cap or the decode budget; carries its size and the limit in megapixels."""

    def __init__(self, size: tuple[int, int], limit_megapixels: float):
        super().__init__(f"{size[0]}x{size[1]} over {limit_megapixels} MP")
        self.size = size
        self.limit_megapixels = limit_megapixels


def bytes_per_pixel(mode: str) -> int:
    """An upper bound of the bytes Pillow needs for one decoded pixel of `mode`."""
    return 1 if mode in _ONE_BYTE_MODES else 4


def decode_budget(image_format: str | None) -> int:
    """The bytes one decode of a photo of `image_format` (Pillow's name) may take."""
    return HEIF_DECODE_BUDGET_BYTES if image_format == "HEIF" else DECODE_BUDGET_BYTES


def pixel_budget(mode: str, image_format: str | None = None) -> int:
    """The most pixels one decode of an image in `mode` may have: the cap, bounded by the memory budget."""
    return min(MAX_PIXELS, decode_budget(image_format) // bytes_per_pixel(mode))


def check_budget(img: Image.Image, header_size: tuple[int, int]) -> None:
    """Raise `TooLarge` when the header's size is over the cap or `img` (as it will decode) over budget."""
    width, height = header_size
    if width * height > MAX_PIXELS:
        raise TooLarge(header_size, MAX_PIXELS / 1_000_000)
    budget = pixel_budget(img.mode, img.format)
    if img.width * img.height > budget:
        raise TooLarge(header_size, budget / 1_000_000)


def media_type(image_format: str, data: bytes) -> str:
    """The media type of an accepted photo: its format's, except HEVC-coded HEIF, which is "image/heic"."""
    if image_format == "HEIF" and data[8:12] in HEIC_BRANDS:
        return "image/heic"
    return PHOTO_FORMATS[image_format]


def limits() -> dict[str, dict[str, int]]:
    """The most pixels a photo may have, by media type: what the phone checks before it keeps a photo.

    JPEG up to the hard limit (decoded at a reduced scale); the others as many pixels as their budget allows
    at four bytes a pixel (greyscale PNGs may have more: this is the bound that holds for every photo).
    """
    formats = {**PHOTO_FORMATS, "HEIC": "image/heic"}
    return {
        "max_pixels": {
            mime: MAX_PIXELS
            if fmt in SCALED_FORMATS
            else pixel_budget("RGB", "HEIF" if fmt == "HEIC" else fmt)
            for fmt, mime in formats.items()
        },
    }


@contextmanager
def truncated_images_refused() -> Iterator[None]:
    """Decode with Pillow's `LOAD_TRUNCATED_IMAGES` off, whatever another part of the process set.

    The flag is a module global read during decoding, so it is held off under a lock for the whole block
    and restored afterwards (WeasyPrint relies on it for its own images). Pillow's decompression-bomb
    warning (above 89 megapixels) is silenced inside: `check_budget` is the bound that applies here.
    """
    with _TRUNCATION_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def decode_check(data: bytes, image_format: str) -> None:
    """Verify and decode every byte of an accepted photo within the budget.

    Raises `TooLarge` (before decoding), or Pillow's OSError/SyntaxError/ValueError for broken data.
    """
    with truncated_images_refused():
        with Image.open(io.BytesIO(data), formats=(image_format,)) as img:
            header_size = img.size
            if image_format in SCALED_FORMATS:
                img.draft(None, (1, 1))  # judged at the scale it will decode at (1/8)
            check_budget(img, header_size)
            # verify() checks what the format allows without decoding (PNG chunk checksums); it leaves the
            # image unusable, so the pixels are decoded from a second open.
            img.verify()
        with Image.open(io.BytesIO(data), formats=(image_format,)) as img:
            # A JPEG decodes at 1/8 scale (draft), which still reads every byte of its data.
            img.draft(None, (1, 1))
            check_budget(img, header_size)
            img.load()


def make_thumbnail(data: bytes, size: int, *, quality: int = 80) -> bytes:
    """A JPEG no larger than size×size, turned upright by its EXIF orientation; within the decode budget.

    Raises `TooLarge` when even the reduced decode would be over budget (the check refuses such photos first).
    """
    with truncated_images_refused(), Image.open(io.BytesIO(data), formats=tuple(PHOTO_FORMATS)) as img:
        header_size = img.size
        # JPEG: decode at the smallest DCT scale still at or above the target (HEIF: an embedded thumbnail
        # that large, if any). The target keeps the aspect ratio, so a panorama also decodes small.
        scale = min(1.0, size / max(header_size))
        img.draft("RGB", (max(1, round(header_size[0] * scale)), max(1, round(header_size[1] * scale))))
        check_budget(img, header_size)
        img.thumbnail((size, size), reducing_gap=2.0)  # other formats: `reduce` first, then resample
        # Turned upright once small: a transposed (or copied) full-size image would double the memory.
        upright = ImageOps.exif_transpose(img)
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=quality)
        return out.getvalue()


def needs_rendition(image_format: str, size: tuple[int, int]) -> bool:
    """Whether pages show a JPEG rendition rather than the original: HEIF, or above RENDITION_ABOVE_PIXELS."""
    return image_format == "HEIF" or size[0] * size[1] > RENDITION_ABOVE_PIXELS


def make_rendition(data: bytes) -> bytes:
    """The JPEG shown on pages for a photo: at most RENDITION_PX on its longest side, upright; `TooLarge`."""
    return make_thumbnail(data, RENDITION_PX, quality=85)
