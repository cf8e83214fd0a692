"""Decoding: the accepted formats, EXIF orientation, and every kind of unusable file refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from emotion_image.decode import decode_image
from emotion_image.errors import ImageError
from tests.helpers.image import ASTRONAUT, HOSTILE, png_bomb, reencode, sideways

LIMITS = {"max_bytes": 4_000_000, "max_pixels": 25_000_000}


@pytest.mark.parametrize("image_format", ["jpeg", "png", "webp"])
def test_each_accepted_format_decodes_to_the_same_picture(image_format: str) -> None:
    decoded = decode_image(reencode(ASTRONAUT, image_format, quality=95), **LIMITS)
    reference = decode_image(ASTRONAUT.read_bytes(), **LIMITS)
    assert decoded.format == image_format
    assert (decoded.width, decoded.height) == (300, 300)
    # Lossy re-encoding moves pixels a little, never the picture.
    assert np.abs(decoded.grey.astype(int) - reference.grey.astype(int)).mean() < 3


def test_exif_orientation_turns_a_phone_photo_upright() -> None:
    upright = decode_image(ASTRONAUT.read_bytes(), **LIMITS).grey.astype(int)
    turned = decode_image(sideways(ASTRONAUT), **LIMITS).grey.astype(int)
    assert turned.shape == upright.shape
    assert np.abs(turned - upright).mean() < 3


@pytest.mark.parametrize(("name", "kind"), [("empty", "unreadable"), ("text named .jpg", "unsupported"),
                                            ("truncated jpeg", "unreadable"), ("gif", "unsupported")])
def test_hostile_files_are_refused_with_their_problem(name: str, kind: str) -> None:
    with pytest.raises(ImageError) as caught:
        decode_image(HOSTILE[name], **LIMITS)
    assert caught.value.kind == kind
    assert str(caught.value).startswith("image ")


def test_a_png_bomb_is_refused_from_its_header() -> None:
    bomb = png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(ImageError, match="12000x12000 pixels, over the 25000000-pixel limit") as caught:
        decode_image(bomb, **LIMITS)
    assert caught.value.kind == "too_large"


def test_byte_and_pixel_limits_name_the_sizes() -> None:
    data = ASTRONAUT.read_bytes()
    with pytest.raises(ImageError, match=f"is {len(data)} bytes, over the 1000-byte limit"):
        decode_image(data, max_bytes=1000, max_pixels=25_000_000)
    with pytest.raises(ImageError, match="is 300x300 pixels, over the 89999-pixel limit"):
        decode_image(data, max_bytes=4_000_000, max_pixels=89_999)
