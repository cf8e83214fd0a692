"""Why an audio input cannot be used. Callers map `kind` to their channel (HTTP status, error line)."""

from __future__ import annotations

from typing import Literal

AudioProblem = Literal["too_large", "too_long", "unsupported", "unreadable", "not_offered"]


class AudioError(ValueError):
    """The audio is unusable; `message` completes the sentence "audio ..." and never quotes content."""

    def __init__(self, kind: AudioProblem, message: str, field: str = "audio") -> None:
        super().__init__(f"{field} {message}")
        self.kind: AudioProblem = kind
        self.field = field
        self.message = message
