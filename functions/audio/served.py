"""The served audio app, from the environment, models loaded at import (Lambda's init phase).

`uvicorn functions.audio.served:app` serves it locally; functions.audio.handler hands it to Mangum.
"""

from .app import create_audio_app
from .settings import AudioSettings

app = create_audio_app(AudioSettings())
