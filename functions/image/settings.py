"""The image function's settings: the API's (keys, limits) plus the image knobs."""

from emotion_image import ImageSettings
from functions.api.settings import ApiSettings


class ImageApiSettings(ApiSettings, ImageSettings):
    """The HTTP side: POST /v1/predict-emotion-image and POST /v1/predict-emotion-post."""
