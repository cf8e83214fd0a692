from __future__ import annotations

import pytest

from emotion_core import Classifier
from emotion_speech import AudioError, AudioLimits, SpeechClassifier, SpeechSettings
from emotion_speech.models import ResolvedModel
from emotion_speech.pipeline import NO_SPEECH
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.settings import settings_from
from tests.helpers.speech import SPOKEN, recording, silence, word_error_rate


def test_the_recording_is_transcribed_in_sentences_with_their_emotions(speech: SpeechClassifier) -> None:
    result = speech.analyse(recording())
    assert result.language == "en" and result.task == "transcribe" and result.speech_model == "tiny.en"
    assert result.duration_s == pytest.approx(6.8, abs=0.1)
    assert word_error_rate(SPOKEN, result.transcript) <= 0.1
    assert result.segments[0].text == "Thank you so much."
    assert len(result.segments) == 4
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts) and all(s.start < s.end <= result.duration_s for s in result.segments)
    assert result.segments[0].prediction.emotion == "joy"
    assert result.segments[-1].prediction.emotion == "sadness"
    assert result.warning is None


def test_each_prediction_is_the_text_classifiers_own(speech: SpeechClassifier,
                                                      released_classifier: Classifier) -> None:
    result = speech.analyse(recording(), include_scores=True)
    for segment in result.segments:
        assert segment.prediction == released_classifier.predict_one(segment.text, include_scores=True)
    assert result.overall == released_classifier.predict_one(result.transcript, include_scores=True)


def test_silence_is_an_answer_without_segments(speech: SpeechClassifier) -> None:
    result = speech.analyse(silence(3.0))
    assert result.segments == [] and result.transcript == ""
    assert result.overall.emotion == "neutral" and result.overall.windows == 0
    assert result.warning == NO_SPEECH


def test_translation_needs_a_multilingual_model(speech: SpeechClassifier) -> None:
    with pytest.raises(AudioError) as caught:
        speech.analyse(recording(), translate=True)
    assert caught.value.field == "translate" and caught.value.kind == "not_offered"


def test_progress_reaches_the_end_of_the_speech(speech: SpeechClassifier) -> None:
    seen: list[float] = []
    speech.analyse(recording(), on_progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] >= 6.0


def test_translation_has_its_own_duration_limit(speech: SpeechClassifier) -> None:
    limited = SpeechClassifier(speech.classifier, speech.transcriber, AudioLimits(4_000_000, 60.0, 5.0),
                               translator=speech.transcriber)
    with pytest.raises(AudioError) as caught:
        limited.analyse(recording(), translate=True)
    assert caught.value.kind == "too_long" and "translation is limited to 5 s" in caught.value.message


def test_the_text_limits_do_not_apply_to_transcripts(tiny_en: ResolvedModel, released_classifier: Classifier) -> None:
    # The recording's duration bounds its transcript; MAX_TEXT_CHARS guards the text API only.
    settings = settings_from(SpeechSettings, model_dir=RELEASED_BUNDLE, speech_model=str(tiny_en.path),
                             max_text_chars=20, max_text_windows=1, ort_threads=1, speech_threads=1)
    result = SpeechClassifier.from_settings(settings).analyse(recording())
    assert len(result.transcript) > 20 and result.overall == released_classifier.predict_one(result.transcript)
