"""The audio function's handler under the Lambda runtime interface emulator, fed API Gateway proxy events
whose binary bodies arrive base64-encoded (the API's BinaryMediaTypes)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emotion_speech.models import ResolvedModel
from tests.conftest import REPO_ROOT
from tests.helpers.lambda_rie import Rie, lambda_rie
from tests.helpers.speech import recording
from tests.integration.audio.conftest import audio_env
from tests.unit.functions.api.event_cases import load_event


def audio_event(body: bytes, content_type: str) -> dict[str, Any]:
    """The sample binary-body event of the text API, pointed at the audio route."""
    event = load_event("predict-emotion-base64.json")
    path = "/v1/predict-emotion-audio"
    event.update(resource=path, path=path, body=base64.b64encode(body).decode(), isBase64Encoded=True)
    event["requestContext"].update(resourcePath=path, path=f"/Prod{path}")
    for headers, wrap in ((event["headers"], str), (event["multiValueHeaders"], lambda v: [v])):
        headers["Content-Type"] = wrap(content_type)
        headers["Content-Length"] = wrap(str(len(body)))
    return event


@pytest.fixture(scope="module")
def rie(tiny_en: ResolvedModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rie]:
    log = tmp_path_factory.mktemp("audio-rie") / "rie.log"
    with lambda_rie("functions.audio.handler.handler", env=audio_env(tiny_en), cwd=REPO_ROOT, log=log) as emulator:
        warm = emulator.first_invoke(load_event("health-live.json"))
        assert warm.status_code == 200, emulator.log_tail()
        yield emulator


def _invoke(rie: Rie, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = httpx.post(rie.url, json=event, timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    response = answer.json()
    return response["statusCode"], json.loads(response["body"])


def test_a_recording_through_the_lambda_runtime(rie: Rie) -> None:
    status, result = _invoke(rie, audio_event(recording(), "audio/ogg"))
    assert status == 200, result
    moods = [s["prediction"]["emotion"] for s in result["segments"]]
    assert moods[0] == "joy" and moods[-1] == "sadness"
    assert result["language"] == "en" and result["overall"]["emotion"] in {"joy", "sadness"}


@pytest.mark.parametrize(("body", "content_type", "status", "starts"), [
    (b"", "audio/ogg", 422, "audio: is empty"),
    (b"%PDF-1.7 not audio", "audio/mpeg", 415, "audio: cannot be opened as audio"),
    (b"RIFF", "text/plain", 415, "Content-Type: text/plain is not audio"),
])
def test_bad_audio_through_the_lambda_runtime(rie: Rie, body: bytes, content_type: str, status: int,
                                              starts: str) -> None:
    got, payload = _invoke(rie, audio_event(body, content_type))
    assert got == status and payload["detail"].startswith(starts), payload
