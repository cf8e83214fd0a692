"""The audio function's app: the API's app (key guard, errors, request ids, health) plus the audio route.

The text routes come along (create_app builds them) but API Gateway routes only the audio paths
(/v1/predict-emotion-audio, /v1/audio-jobs) to this function; the text image stays free of Whisper.
"""

from fastapi import FastAPI

from emotion_speech import SpeechClassifier
from functions.api.factory import create_app

from .job_route import audio_jobs_router
from .routes import audio_router
from .settings import AudioSettings


def create_audio_app(settings: AudioSettings, speech: SpeechClassifier | None = None) -> FastAPI:
    speech = speech or SpeechClassifier.from_settings(settings)
    app = create_app(settings, speech.classifier)
    app.state.speech = speech
    app.include_router(audio_router(settings.max_audio_bytes))
    app.include_router(audio_jobs_router(settings))
    return app
