"""Audio bytes -> SpeechResult: decode, VAD + Whisper, then emotion_core on every segment and the whole.

The text classification goes through emotion_core's Classifier, the service's only text path: a
segment's prediction is exactly what /v1/predict-emotion answers for the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from emotion_core import Classifier

from .decode import decode_audio
from .errors import AudioError
from .models import resolve_model
from .result import SpeechResult, SpeechSegment
from .settings import SpeechSettings
from .transcribe import ProgressCallback, Transcriber

NO_SPEECH = "no speech was found in the recording"


@dataclass(frozen=True)
class AudioLimits:
    max_bytes: int
    max_seconds: float
    # Translation runs the larger multilingual model, about 4x slower (bench.speech): its own bound.
    max_translate_seconds: float | None = None


def _transcript_classifier(settings: SpeechSettings) -> Classifier:
    # Without the per-text limits (MAX_TEXT_CHARS, MAX_TEXT_WINDOWS): they guard the text API against
    # huge texts, while a transcript is bounded by the recording's duration limit (Whisper writes at
    # most ~224 tokens per 30 s), and a long recording must not fail on its own transcript.
    return Classifier.load(settings.model_dir, threads=settings.ort_threads, reactions_file=settings.reactions_file,
                           batch_size=settings.inference_batch_size, window_stride=settings.window_stride)


class SpeechClassifier:
    """A text classifier and the Whisper models that feed it."""

    def __init__(self, classifier: Classifier, transcriber: Transcriber, limits: AudioLimits,
                 translator: Transcriber | None = None) -> None:
        self.classifier = classifier
        self.transcriber = transcriber
        self.translator = translator
        self.limits = limits

    @classmethod
    def from_settings(cls, settings: SpeechSettings, classifier: Classifier | None = None) -> SpeechClassifier:
        """Load (fetching into the cache when needed) the models the settings name."""
        def load(spec: str) -> Transcriber:
            return Transcriber(resolve_model(spec, settings.speech_model_cache), threads=settings.speech_threads,
                               beam_size=settings.speech_beam_size)

        return cls(classifier or _transcript_classifier(settings), load(settings.speech_model),
                   AudioLimits(settings.max_audio_bytes, settings.max_audio_seconds, settings.max_translate_seconds),
                   load(settings.translate_model) if settings.translate_model else None)

    def _pick(self, translate: bool) -> Transcriber:
        if not translate:
            return self.transcriber
        if self.translator is not None:
            return self.translator
        if self.transcriber.multilingual:
            return self.transcriber
        raise AudioError("not_offered", "is not offered here: no multilingual model is loaded (TRANSLATE_MODEL)",
                         field="translate")

    def analyse(self, data: bytes, *, translate: bool = False, include_scores: bool = False,
                on_progress: ProgressCallback | None = None) -> SpeechResult:
        """Raises AudioError (field `audio` or `translate`) for unusable input, never for a silent recording."""
        whisper = self._pick(translate)
        audio = decode_audio(data, max_bytes=self.limits.max_bytes, max_seconds=self.limits.max_seconds)
        most = self.limits.max_translate_seconds
        if translate and most is not None and audio.duration_s > most:
            raise AudioError("too_long", f"lasts {audio.duration_s:.1f} s; translation is limited to {most:g} s")
        heard = whisper.transcribe(audio.samples, translate=translate, on_progress=on_progress)
        texts = [segment.text for segment in heard.segments]
        transcript = " ".join(texts)
        # One call for the segments and the whole transcript: every window is run alone anyway
        # (emotion_core), and one call shares the tokenizer pass.
        predictions = self.classifier.predict([*texts, transcript], include_scores=include_scores)
        segments = [SpeechSegment(start=s.start, end=s.end, text=s.text, prediction=p)
                    for s, p in zip(heard.segments, predictions, strict=False)]
        return SpeechResult(language=heard.language, duration_s=round(audio.duration_s, 2), transcript=transcript,
                            segments=segments, overall=predictions[-1],
                            task="translate" if translate else "transcribe", speech_model=whisper.name,
                            warning=None if segments else NO_SPEECH)
