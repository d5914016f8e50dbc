"""Photo checks and thumbnails with a bounded cost, the same answer in every worker at every time.

- Deterministic: Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES` (WeasyPrint switches it on when it
  is imported, so a worker that has rendered a letter would accept cut-off photos) is set off, under a lock,
  for every decode here; a truncated or garbled photo is refused whatever the rest of the process did.
- Bounded: the dimensions are read from the header (`Image.open` is lazy) and a photo whose decode would need
  more than DECODE_BUDGET_BYTES is refused before any pixel is decoded. JPEGs are decoded in draft mode (DCT
  scaling, 1/8 for the check, the smallest scale at or above the thumbnail for it), so even a 80-megapixel
  JPEG costs a few MB; other formats are decoded at full size, within the budget, and shrunk with `reduce`.
  An 8,900 × 8,900 PNG (79 megapixels, a few KB when it is one colour) is therefore refused with a message
  naming its size and the limit, never decoded.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageFile, ImageOps

# Pillow's format names for the accepted photo types.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Absolute cap on the pixels a header may claim, whatever the format (Pillow warns at 89 M, refuses at 179 M).
MAX_PIXELS = 80_000_000
# Memory one decode may take: four uploads at once stay under 256 MB. A JPEG counts at its draft scale.
DECODE_BUDGET_BYTES = 64 * 1024 * 1024
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


def pixel_budget(mode: str) -> int:
    """The most pixels one decode of an image in `mode` may have: the cap, bounded by the memory budget."""
    return min(MAX_PIXELS, DECODE_BUDGET_BYTES // bytes_per_pixel(mode))


def check_budget(img: Image.Image, header_size: tuple[int, int]) -> None:
    """Raise `TooLarge` when the header's size is over the cap or `img` (as it will decode) over budget."""
    width, height = header_size
    if width * height > MAX_PIXELS:
        raise TooLarge(header_size, MAX_PIXELS / 1_000_000)
    budget = pixel_budget(img.mode)
    if img.width * img.height > budget:
        raise TooLarge(header_size, budget / 1_000_000)


@contextmanager
def truncated_images_refused() -> Iterator[None]:
    """Decode with Pillow's `LOAD_TRUNCATED_IMAGES` off, whatever another part of the process set.

    The flag is a module global read during decoding, so it is held off under a lock for the whole block
    and restored afterwards (WeasyPrint relies on it for its own images).
    """
    with _TRUNCATION_LOCK:
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
            check_budget(img, header_size)
            # verify() checks what the format allows without decoding (PNG chunk checksums); it leaves the
            # image unusable, so the pixels are decoded from a second open.
            img.verify()
        with Image.open(io.BytesIO(data), formats=(image_format,)) as img:
            # A JPEG decodes at 1/8 scale (draft), which still reads every byte of its data.
            img.draft(None, (1, 1))
            check_budget(img, header_size)
            img.load()


def make_thumbnail(data: bytes, size: int) -> bytes:
    """A JPEG no larger than size×size, turned upright by its EXIF orientation; within the decode budget.

    Raises `TooLarge` when even the reduced decode would be over budget (the check refuses such photos first).
    """
    with truncated_images_refused(), Image.open(io.BytesIO(data), formats=tuple(PHOTO_FORMATS)) as img:
        header_size = img.size
        img.draft("RGB", (size, size))  # JPEG: decode at the smallest DCT scale still >= size
        check_budget(img, header_size)
        img.thumbnail((size, size), reducing_gap=2.0)  # other formats: `reduce` first, then resample
        # Turned upright once small: a transposed (or copied) full-size image would double the memory.
        upright = ImageOps.exif_transpose(img)
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()
