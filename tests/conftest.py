"""Shared fixtures: the tiny bundle (always) and the released bundle (when layers/model holds one)."""

from pathlib import Path

import pytest

from devtools.tiny_bundle import build_tiny_bundle
from emotion_core import Classifier

REPO_ROOT = Path(__file__).resolve().parent.parent
RELEASED_BUNDLE = REPO_ROOT / "layers" / "model"


@pytest.fixture(scope="session")
def tiny_bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bundle(tmp_path_factory.mktemp("tiny_bundle"))


@pytest.fixture(scope="session", params=["tiny", "released"])
def bundle_dir(request: pytest.FixtureRequest, tiny_bundle_dir: Path) -> Path:
    """Every test using this runs on the tiny bundle and, when present, on the released one."""
    if request.param == "tiny":
        return tiny_bundle_dir
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle: layers/model/model.json is absent (run the training job)")
    return RELEASED_BUNDLE


@pytest.fixture(scope="session")
def tiny_classifier(tiny_bundle_dir: Path) -> Classifier:
    return Classifier.load(tiny_bundle_dir, threads=1, max_text_chars=10_000)
