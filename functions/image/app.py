"""The image function's app: the API's app (key guard, errors, request ids, health) plus the image routes.

The text routes come along (create_app builds them; the post route needs the classifier anyway) but
API Gateway routes only the image paths to this function; the text image stays free of OpenCV
(docs/image.md: why a function of its own).
"""

from fastapi import FastAPI

from emotion_image import ImageClassifier
from functions.api.factory import create_app

from .job_route import image_jobs_router
from .routes import image_router
from .settings import ImageApiSettings


def create_image_app(settings: ImageApiSettings, images: ImageClassifier | None = None) -> FastAPI:
    images = images or ImageClassifier.from_settings(settings)
    app = create_app(settings, images.classifier)
    app.state.images = images
    app.include_router(image_router(settings.max_image_bytes))
    app.include_router(image_jobs_router(settings))
    return app
