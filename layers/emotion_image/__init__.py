"""emotion_image: faces in an image, their expressions in the text model's Ekman labels, and the same
emoji reactions the text path gives (docs/image.md)."""

from .assets import ImageAssets, resolve_assets
from .errors import AssetError, ImageError
from .pipeline import ImageClassifier
from .result import ImageResult, PostResult
from .settings import ImageSettings

__all__ = ["AssetError", "ImageAssets", "ImageClassifier", "ImageError", "ImageResult", "ImageSettings",
           "PostResult", "resolve_assets"]
