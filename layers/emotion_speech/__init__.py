"""emotion_speech: recordings in, emotions per spoken segment out (Whisper via faster-whisper, then
emotion_core). An optional extra (`pip install '.[speech]'`): the text service never imports it."""

from .errors import AudioError
from .models import ModelError, resolve_model
from .pipeline import AudioLimits, SpeechClassifier
from .result import SpeechResult, SpeechSegment
from .settings import SpeechSettings

__all__ = ["AudioError", "AudioLimits", "ModelError", "SpeechClassifier", "SpeechResult", "SpeechSegment",
           "SpeechSettings", "resolve_model"]
