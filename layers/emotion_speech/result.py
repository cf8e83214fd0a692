"""The answer for one recording: its transcript, timed segments, and emotions per segment and overall."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from emotion_core import Prediction


class SpeechSegment(BaseModel):
    """A stretch of speech the VAD and Whisper found, with the emotions of its text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: float = Field(ge=0, description="Seconds from the start of the recording")
    end: float = Field(ge=0, description="Seconds from the start of the recording")
    text: str = Field(description="What was said (in English when translated)")
    prediction: Prediction


class SpeechResult(BaseModel):
    """One recording's answer: `overall` is the Prediction of the whole transcript."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="SpeechResult")

    language: str = Field(description="Language spoken (ISO 639-1): detected by a multilingual model, "
                                      "`en` for an English-only one")
    duration_s: float = Field(ge=0, description="Length of the decoded recording, in seconds")
    transcript: str = Field(description="Every segment's text, joined by spaces (English when translated)")
    segments: list[SpeechSegment]
    overall: Prediction
    task: Literal["transcribe", "translate"] = Field(description="translate: the texts are English translations")
    speech_model: str = Field(description="The Whisper model that listened")
    warning: str | SkipJsonSchema[None] = Field(
        default=None, description="Why the answer deserves less trust (e.g. no speech found); absent otherwise")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
