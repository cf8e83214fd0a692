"""Settings are read once, at import, so the model loads once per process (one Lambda cold start)."""

from emotion_core import Settings

settings = Settings()
