"""Custom bundles fetched from S3 (moto's server) at start-up, each model.json pinned by its sha256:
a pinned bundle is served, an unpinned or altered one stops the start with a message naming it."""

from __future__ import annotations

import hashlib

import boto3
import pytest
from fastapi.testclient import TestClient

from devtools.tiny_bundle import CARER_HEADS, build_tiny_bundle
from emotion_core import Classifier, ConfigError
from functions.api.factory import create_app
from functions.api.settings import ApiSettings
from tests.helpers.api import api_settings

BUCKET = "custom-models"


@pytest.fixture(scope="module")
def uploaded(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sha256 of the uploaded bundle's model.json."""
    bundle = build_tiny_bundle(tmp_path_factory.mktemp("s3") / "carer", heads=CARER_HEADS,
                               metadata={"name": "carer-from-s3"})
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    for path in bundle.iterdir():
        s3.upload_file(str(path), BUCKET, f"prod/carer/{path.name}")
    s3.put_object(Bucket=BUCKET, Key="prod/notes.txt", Body=b"not a bundle")
    return hashlib.sha256((bundle / "model.json").read_bytes()).hexdigest()


def app_with(moto_endpoint: str, tiny_classifier: Classifier, pins: list[str]) -> TestClient:
    settings = api_settings(models_s3_uri=f"s3://{BUCKET}/prod/", models_s3_sha256=pins,
                            aws_endpoint_url=moto_endpoint, ort_threads=1)
    return TestClient(create_app(settings, tiny_classifier))


def test_a_pinned_bundle_is_fetched_verified_and_served(moto_endpoint: str, uploaded: str,
                                                        tiny_classifier: Classifier) -> None:
    client = app_with(moto_endpoint, tiny_classifier, [f"carer={uploaded}"])
    assert [m["name"] for m in client.get("/v1/models").json()["models"]] == ["tiny-test-bundle", "carer-from-s3"]
    answer = client.post("/v1/models/carer-from-s3/predict", json={"texts": ["so scared"]}).json()
    assert answer["results"][0]["emotion"] == "fear"


def test_unpinned_or_altered_bundles_stop_the_start(moto_endpoint: str, uploaded: str,
                                                    tiny_classifier: Classifier) -> None:
    with pytest.raises(ConfigError, match=r"bundles \['carer'\] have no MODELS_S3_SHA256 pin"):
        app_with(moto_endpoint, tiny_classifier, [])
    with pytest.raises(ConfigError, match=f"carer/model.json has sha256 {uploaded}, MODELS_S3_SHA256 pins 0000"):
        app_with(moto_endpoint, tiny_classifier, ["carer=" + "0" * 64])
    with pytest.raises(ConfigError, match="must be folder=<sha256"):
        app_with(moto_endpoint, tiny_classifier, ["carer"])


def test_settings_read_pins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELS_S3_SHA256", f"a={'1' * 64}, b={'2' * 64}")
    assert ApiSettings().models_s3_sha256 == [f"a={'1' * 64}", f"b={'2' * 64}"]
