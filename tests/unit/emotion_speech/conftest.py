"""Whisper tiny.en (fetched once into the speech cache: `make test` does it) and the speech pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotion_core import Classifier
from emotion_speech import AudioLimits, SpeechClassifier
from emotion_speech.models import ResolvedModel
from emotion_speech.transcribe import Transcriber
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.speech import tiny_en_fixture  # noqa: F401 - the tiny_en fixture


@pytest.fixture(scope="session")
def released_classifier() -> Classifier:
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the emotion checks need a trained model")
    return Classifier.load(Path(RELEASED_BUNDLE), threads=1)


@pytest.fixture(scope="session")
def speech(tiny_en: ResolvedModel, released_classifier: Classifier) -> SpeechClassifier:
    return SpeechClassifier(released_classifier, Transcriber(tiny_en, threads=1), AudioLimits(4_000_000, 60.0))
