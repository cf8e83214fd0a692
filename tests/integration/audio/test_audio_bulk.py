"""Audio bulk jobs on moto's server: POST /v1/audio-jobs (the audio app), the audio bulk handler fed by
the local event source, GET /v1/jobs/{id} and the result lines in S3 - the text jobs' layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devtools.local import LocalEventSource, LocalStack
from emotion_core import Classifier
from emotion_speech import AudioLimits, SpeechClassifier
from emotion_speech.models import ResolvedModel
from emotion_speech.transcribe import Transcriber
from functions.audio.app import create_audio_app
from functions.audio.bulk import build_audio_runtime
from functions.audio.settings import AudioBulkSettings, AudioSettings
from functions.bulk.sqs_batch import make_handler
from functions.jobs.aws import AwsClients
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.bulk import MAX_RECEIVE_COUNT, aws, read_results, stack  # noqa: F401 - fixtures
from tests.helpers.moto import moto_endpoint_fixture  # noqa: F401 - the moto_endpoint fixture
from tests.helpers.settings import settings_from
from tests.helpers.speech import recording, silence

INPUT_BUCKET = "audio-input-test"


@pytest.fixture(scope="module")
def speech(tiny_en: ResolvedModel) -> SpeechClassifier:
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the audio tests check emotions")
    classifier = Classifier.load(Path(RELEASED_BUNDLE), threads=1)
    return SpeechClassifier(classifier, Transcriber(tiny_en, threads=1), AudioLimits(400_000, 30.0))


def _values(stack: LocalStack, endpoint: str) -> dict[str, Any]:  # noqa: F811
    return {**stack.settings_values(endpoint, MAX_RECEIVE_COUNT), "model_dir": RELEASED_BUNDLE,
            "audio_s3_buckets": INPUT_BUCKET, "audio_chunk_max_items": 2}


@pytest.fixture()
def client(stack: LocalStack, moto_endpoint: str, speech: SpeechClassifier) -> TestClient:  # noqa: F811
    settings = settings_from(AudioSettings, **_values(stack, moto_endpoint), api_keys="bulk-key")
    return TestClient(create_audio_app(settings, speech), headers={"X-API-Key": "bulk-key"})


@pytest.fixture()
def audio_events(aws: AwsClients, stack: LocalStack, moto_endpoint: str,  # noqa: F811
                 speech: SpeechClassifier) -> LocalEventSource:
    settings = settings_from(AudioBulkSettings, **_values(stack, moto_endpoint))
    return LocalEventSource(aws.sqs, stack.queue_url, stack.queue_arn,
                            make_handler(build_audio_runtime(settings, speech)))


def _upload(aws: AwsClients, objects: dict[str, bytes]) -> None:  # noqa: F811
    if INPUT_BUCKET not in {b["Name"] for b in aws.s3.list_buckets()["Buckets"]}:
        aws.s3.create_bucket(Bucket=INPUT_BUCKET)
    for key, data in objects.items():
        aws.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=data)


def test_an_audio_job_from_submission_to_result_lines(aws: AwsClients, stack: LocalStack,  # noqa: F811
                                                      client: TestClient, audio_events: LocalEventSource) -> None:
    _upload(aws, {"calls/a.ogg": recording(), "calls/b.mp3": recording("mp3"), "calls/quiet.wav": silence(2.0),
                  "calls/notes.txt": b"not audio at all"})
    uri = f"s3://{INPUT_BUCKET}/calls/"
    items = [{"id": "a", "audio_s3_uri": uri + "a.ogg"}, {"id": "b", "audio_s3_uri": uri + "b.mp3"},
             {"id": "quiet", "audio_s3_uri": uri + "quiet.wav"}, {"id": "notes", "audio_s3_uri": uri + "notes.txt"},
             {"id": "gone", "audio_s3_uri": uri + "missing.ogg"}]
    accepted = client.post("/v1/audio-jobs", json={"items": items})
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert (job["items"], job["chunks"]) == (5, 3) and job["status_url"] == f"/v1/jobs/{job['job_id']}"

    audio_events.drain()
    status = client.get(job["status_url"]).json()
    assert (status["status"], status["succeeded"], status["failed"]) == ("done-with-errors", 3, 2), status
    assert len(status["results"]) == 3

    lines = [line for _, chunk in sorted(read_results(aws, stack, job["job_id"]).items()) for line in chunk]
    by_id = {line["id"]: line for line in lines}
    assert [line["id"] for line in lines] == ["a", "b", "quiet", "notes", "gone"]
    for recorded in ("a", "b"):
        moods = [segment["prediction"]["emotion"] for segment in by_id[recorded]["segments"]]
        assert moods[0] == "joy" and moods[-1] == "sadness", by_id[recorded]
    assert by_id["quiet"]["segments"] == [] and by_id["quiet"]["warning"]
    assert by_id["notes"]["error"].startswith("audio: cannot be opened as audio")
    assert by_id["gone"]["error"] == "audio_s3_uri: names no object (it does not exist)"


@pytest.mark.parametrize(("items", "detail"), [
    ([{"id": "x", "audio_s3_uri": "s3://someone-elses-bucket/x.ogg"}],
     "items[0].audio_s3_uri: names a bucket this service may not read"),
    ([{"id": "x", "audio_s3_uri": "https://example.com/x.ogg"}], "items[0].audio_s3_uri: not an s3://bucket/key"),
    ([{"id": "x", "audio_s3_uri": f"s3://{INPUT_BUCKET}/1"}, {"id": "x", "audio_s3_uri": f"s3://{INPUT_BUCKET}/2"}],
     "items[1].id: duplicate id"),
])
def test_a_job_with_a_bad_item_is_refused_naming_it(client: TestClient, items: list[dict[str, str]],
                                                     detail: str) -> None:
    answer = client.post("/v1/audio-jobs", json={"items": items})
    assert answer.status_code == 422 and answer.json()["detail"].startswith(detail), answer.text
