"""Speech -> timed text with faster-whisper (CTranslate2, int8 on CPU) and its Silero VAD.

The VAD cuts non-speech out before Whisper runs (silence costs nothing and cannot be
"transcribed" into hallucinated words), and faster-whisper maps the segment times back onto the
original recording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

from .errors import AudioError
from .models import ResolvedModel

ProgressCallback = Callable[[float], None]  # seconds of the recording transcribed so far
_SENTENCE_END = (".", "!", "?", "。", "！", "？")


@dataclass(frozen=True)
class TimedText:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    language: str
    segments: tuple[TimedText, ...]


def sentences(words: Iterable[Any]) -> list[TimedText]:
    """Whisper's words (with times) regrouped into sentences: a Whisper segment often spans several
    sentences of different moods, and one emotion per sentence is what a reader of a call wants."""
    out: list[TimedText] = []
    current: list[Any] = []
    for word in words:
        current.append(word)
        if word.word.strip().endswith(_SENTENCE_END):
            out.append(_joined(current))
            current = []
    if current:
        out.append(_joined(current))
    return [sentence for sentence in out if sentence.text]


def _joined(words: list[Any]) -> TimedText:
    # Whisper's word pieces carry their own leading spaces.
    return TimedText(round(words[0].start, 2), round(words[-1].end, 2), "".join(w.word for w in words).strip())


class Transcriber:
    """One loaded Whisper model; `translate` needs a multilingual one."""

    def __init__(self, model: ResolvedModel, *, threads: int, beam_size: int = 1, compute_type: str = "int8") -> None:
        self.name = model.name
        self.multilingual = model.multilingual
        self._beam_size = beam_size
        self._model = WhisperModel(str(model.path), device="cpu", compute_type=compute_type, cpu_threads=threads)

    def transcribe(self, samples: np.ndarray, *, translate: bool = False,
                   on_progress: ProgressCallback | None = None) -> Transcript:
        if translate and not self.multilingual:
            raise AudioError("not_offered", f"cannot be translated by {self.name}: it is an English-only model",
                             field="translate")
        segments, info = self._model.transcribe(
            samples,
            task="translate" if translate else "transcribe",
            # An English-only model has nothing to detect; a multilingual one reports what it heard.
            language=None if self.multilingual else "en",
            beam_size=self._beam_size,
            vad_filter=True,
            # Each segment is decoded on its own: a misheard segment cannot derail the next ones into
            # a repetition loop (Whisper's known failure on long inputs).
            condition_on_previous_text=False,
            word_timestamps=True,
        )
        timed: list[TimedText] = []
        for segment in segments:  # a generator: decoding happens while we iterate
            timed.extend(sentences(segment.words or []))
            if on_progress is not None:
                on_progress(segment.end)
        return Transcript(language=info.language, segments=tuple(timed))
