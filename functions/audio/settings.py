"""The audio function's settings: the API's (keys, limits, jobs wiring) plus the speech knobs."""

from emotion_speech import SpeechSettings
from functions.api.settings import ApiSettings


class AudioSettings(ApiSettings, SpeechSettings):
    """Everything the audio function reads from its environment (names = variables, no prefix)."""
