"""Why an image cannot be used. Callers map `kind` to their channel (HTTP status, error line)."""

from __future__ import annotations

from typing import Literal

ImageProblem = Literal["too_large", "unsupported", "unreadable"]


class ImageError(ValueError):
    """The image is unusable; `message` completes the sentence "image ..." and never quotes content."""

    def __init__(self, kind: ImageProblem, message: str, field: str = "image") -> None:
        super().__init__(f"{field} {message}")
        self.kind: ImageProblem = kind
        self.field = field
        self.message = message


class AssetError(RuntimeError):
    """The face detector or expression model cannot be resolved: failed download, checksum or conversion."""
