"""The served image app, from the environment, models loaded at import (Lambda's init phase).

`uvicorn functions.image.served:app` serves it locally; functions.image.handler hands it to Mangum.
"""

from .app import create_image_app
from .settings import ImageApiSettings

app = create_image_app(ImageApiSettings())
