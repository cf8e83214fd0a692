"""Image bytes -> an upright greyscale array, within limits on size and pixel count.

Pillow reads the header first: the pixel count is checked before any pixel is decoded, so a
decompression bomb (a small PNG declaring a huge canvas) is refused without allocating it. Only the
formats the service documents are accepted, whatever else Pillow could open.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError

# Pillow format name -> ours.
ACCEPTED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
_FORMAT_LIST = ", ".join(ACCEPTED_FORMATS.values())


@dataclass(frozen=True)
class DecodedImage:
    grey: np.ndarray  # uint8, height x width, EXIF orientation applied
    format: str

    @property
    def width(self) -> int:
        return int(self.grey.shape[1])

    @property
    def height(self) -> int:
        return int(self.grey.shape[0])


def _open(data: bytes) -> Image.Image:
    try:
        # Pillow's own bomb check warns (or raises) at its fixed limit; ours comes right after, from settings.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except Image.DecompressionBombError:
        raise ImageError("too_large", "declares more pixels than any accepted image") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageError("unsupported", f"is not a {_FORMAT_LIST} image (another kind of file, or a damaged "
                                        "header)") from None


def decode_image(data: bytes, *, max_bytes: int, max_pixels: int) -> DecodedImage:
    """The pixels of `data`; ImageError (kind too_large, unsupported, unreadable) otherwise."""
    if not data:
        raise ImageError("unreadable", "is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImageError("too_large", f"is {len(data)} bytes, over the {max_bytes}-byte limit")
    image = _open(data)
    with image:
        image_format = ACCEPTED_FORMATS[str(image.format)]
        width, height = image.size
        if width * height > max_pixels:
            raise ImageError("too_large", f"is {width}x{height} pixels, over the {max_pixels}-pixel limit")
        try:
            # An animation is read by its first frame; EXIF orientation turns a phone photo upright.
            upright = ImageOps.exif_transpose(image)
            grey = np.asarray(upright.convert("L"), dtype=np.uint8)
        except (OSError, ValueError, SyntaxError):
            raise ImageError("unreadable", f"is a damaged or truncated {image_format} file") from None
    if grey.size == 0:
        raise ImageError("unreadable", f"is a {image_format} file without pixels")
    return DecodedImage(grey=grey, format=image_format)
