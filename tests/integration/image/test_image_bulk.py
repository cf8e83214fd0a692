"""Image bulk jobs on moto's server: POST /v1/image-jobs (the image app), the image bulk handler fed by
the local event source, GET /v1/jobs/{id} and the result lines in S3 - the text jobs' layout."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from devtools.local import LocalEventSource, LocalStack
from emotion_core import Classifier
from emotion_image import ImageAssets, ImageClassifier, ImageSettings
from functions.bulk.sqs_batch import make_handler
from functions.image.app import create_image_app
from functions.image.bulk import build_image_runtime
from functions.image.settings import ImageApiSettings, ImageBulkSettings
from functions.jobs.aws import AwsClients
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.bulk import MAX_RECEIVE_COUNT, aws, read_results, stack  # noqa: F401 - fixtures
from tests.helpers.image import ASTRONAUT, COFFEE, HOSTILE, image_assets_fixture  # noqa: F401 - a fixture
from tests.helpers.moto import moto_endpoint_fixture  # noqa: F401 - the moto_endpoint fixture
from tests.helpers.settings import settings_from

INPUT_BUCKET = "image-input-test"


@pytest.fixture(scope="module")
def images(image_assets: ImageAssets) -> ImageClassifier:
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the image tests check emotions")
    return ImageClassifier(Classifier.load(RELEASED_BUNDLE, threads=1), image_assets,
                           ImageSettings(image_threads=1, max_image_bytes=200_000))


def _values(stack: LocalStack, endpoint: str) -> dict[str, Any]:  # noqa: F811
    return {**stack.settings_values(endpoint, MAX_RECEIVE_COUNT), "model_dir": RELEASED_BUNDLE,
            "image_s3_buckets": INPUT_BUCKET, "image_chunk_max_items": 2}


@pytest.fixture()
def client(stack: LocalStack, moto_endpoint: str, images: ImageClassifier) -> TestClient:  # noqa: F811
    settings = settings_from(ImageApiSettings, **_values(stack, moto_endpoint), api_keys="bulk-key")
    return TestClient(create_image_app(settings, images), headers={"X-API-Key": "bulk-key"})


@pytest.fixture()
def image_events(aws: AwsClients, stack: LocalStack, moto_endpoint: str,  # noqa: F811
                 images: ImageClassifier) -> LocalEventSource:
    settings = settings_from(ImageBulkSettings, **_values(stack, moto_endpoint))
    return LocalEventSource(aws.sqs, stack.queue_url, stack.queue_arn,
                            make_handler(build_image_runtime(settings, images)))


def test_an_image_job_from_submission_to_result_lines(aws: AwsClients, stack: LocalStack,  # noqa: F811
                                                      client: TestClient, image_events: LocalEventSource) -> None:
    aws.s3.create_bucket(Bucket=INPUT_BUCKET)
    for key, data in {"astronaut.jpg": ASTRONAUT.read_bytes(), "coffee.jpg": COFFEE.read_bytes(),
                      "notes.jpg": HOSTILE["text named .jpg"], "huge.png": b"\0" * 200_001}.items():
        aws.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=data)
    uri = f"s3://{INPUT_BUCKET}/"
    items = [{"id": "face", "image_s3_uri": uri + "astronaut.jpg"},
             {"id": "post", "image_s3_uri": uri + "astronaut.jpg", "text": "My grandfather passed away today."},
             {"id": "cup", "image_s3_uri": uri + "coffee.jpg"}, {"id": "notes", "image_s3_uri": uri + "notes.jpg"},
             {"id": "huge", "image_s3_uri": uri + "huge.png"}, {"id": "gone", "image_s3_uri": uri + "missing.jpg"}]
    accepted = client.post("/v1/image-jobs", json={"items": items})
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert (job["items"], job["chunks"]) == (6, 3)

    image_events.drain()
    status = client.get(job["status_url"]).json()
    assert (status["status"], status["succeeded"], status["failed"]) == ("done-with-errors", 3, 3), status
    lines = [line for _, chunk in sorted(read_results(aws, stack, job["job_id"]).items()) for line in chunk]
    by_id = {line["id"]: line for line in lines}
    assert [line["id"] for line in lines] == ["face", "post", "cup", "notes", "huge", "gone"]
    assert by_id["face"]["overall"]["emotion"] == "joy" and len(by_id["face"]["faces"]) == 1
    assert by_id["post"]["text"]["emotion"] == "sadness" and "😂" in by_id["post"]["reactions"]["blocked"]
    assert by_id["cup"]["no_face"] is True
    assert by_id["notes"]["error"].startswith("image: is not a jpeg, png, webp image")
    assert by_id["huge"]["error"] == "image_s3_uri: is 200001 bytes, over the 200000-byte limit"
    assert by_id["gone"]["error"] == "image_s3_uri: names no object (it does not exist)"


@pytest.mark.parametrize(("items", "detail"), [
    ([{"id": "x", "image_s3_uri": "s3://someone-elses-bucket/x.jpg"}],
     "items[0].image_s3_uri: names a bucket this service may not read (see docs/image.md, Bulk)"),
    ([{"id": "x", "image_s3_uri": "https://example.com/x.jpg"}], "items[0].image_s3_uri: not an s3://bucket/key"),
    ([{"id": "x", "image_s3_uri": f"s3://{INPUT_BUCKET}/1"}, {"id": "x", "image_s3_uri": f"s3://{INPUT_BUCKET}/2"}],
     "items[1].id: duplicate id"),
])
def test_a_job_with_a_bad_item_is_refused_naming_it(client: TestClient, items: list[dict[str, str]],
                                                     detail: str) -> None:
    answer = client.post("/v1/image-jobs", json={"items": items})
    assert answer.status_code == 422 and answer.json()["detail"].startswith(detail), answer.text
