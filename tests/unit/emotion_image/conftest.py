"""fer's assets (fetched once into the image cache: `make test` does it) and the image pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotion_core import Classifier
from emotion_image import ImageAssets, ImageClassifier, ImageSettings
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.image import image_assets_fixture  # noqa: F401 - the image_assets fixture


@pytest.fixture(scope="session")
def released_classifier() -> Classifier:
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the post checks need a trained model")
    return Classifier.load(Path(RELEASED_BUNDLE), threads=1)


@pytest.fixture(scope="session")
def images(image_assets: ImageAssets, released_classifier: Classifier) -> ImageClassifier:
    return ImageClassifier(released_classifier, image_assets, ImageSettings(image_threads=1))
