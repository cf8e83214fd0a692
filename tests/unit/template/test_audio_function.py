"""The audio function in template.yaml: its own image, its route, binary bodies, limits inside API Gateway's."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from emotion_speech import SpeechSettings
from tests.unit.template.test_template import REPO_ROOT, api_events, template  # noqa: F401 - the template fixture

DOCKERFILE = REPO_ROOT / "functions" / "audio" / "Dockerfile"
# Lambda's synchronous request payload: the base64 body of a recording must fit in it.
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024


def test_the_audio_route_goes_to_the_audio_function_with_a_key(template: dict[str, Any]) -> None:  # noqa: F811
    routes = {(path, method): (function, props) for function, path, method, props in api_events(template)}
    function, props = routes[("/v1/predict-emotion-audio", "post")]
    assert function == "AudioFunction" and props["Auth"]["ApiKeyRequired"] is True
    audio_routes = {key for key, (fn, _) in routes.items() if fn == "AudioFunction"}
    assert audio_routes == {("/v1/predict-emotion-audio", "post"), ("/v1/audio-jobs", "post")}
    assert routes[("/v1/audio-jobs", "post")][1]["Auth"]["ApiKeyRequired"] is True


def test_audio_jobs_run_on_their_own_queue_and_function(template: dict[str, Any]) -> None:  # noqa: F811
    resources = template["Resources"]
    http_env = resources["AudioFunction"]["Properties"]["Environment"]["Variables"]
    assert http_env["JOBS_QUEUE_URL"] == {"Ref": "AudioQueue"}
    bulk = resources["AudioBulkFunction"]
    assert bulk["Properties"]["ImageConfig"]["Command"] == ["functions.audio.bulk_handler.handler"]
    assert bulk["Metadata"]["Dockerfile"] == "functions/audio/Dockerfile"
    event = bulk["Properties"]["Events"]["AudioChunkMessages"]["Properties"]
    assert event["Queue"] == {"Fn::GetAtt": ["AudioQueue", "Arn"]}
    queue = resources["AudioQueue"]["Properties"]
    # The last delivery records the chunk as failed: the function must know the queue's count.
    assert str(queue["RedrivePolicy"]["maxReceiveCount"]) == bulk["Properties"]["Environment"]["Variables"][
        "BULK_MAX_RECEIVE_COUNT"]
    assert queue["VisibilityTimeout"] >= 6 * bulk["Properties"]["Timeout"]


def test_binary_bodies_reach_the_function_intact(template: dict[str, Any]) -> None:  # noqa: F811
    types = template["Resources"]["EmotionApi"]["Properties"]["BinaryMediaTypes"]
    assert {"audio~1*", "multipart~1form-data"} <= set(types)
    assert not any(t.startswith("application~1json") or t == "*~1*" for t in types)  # JSON stays text


def test_audio_limits_fit_lambda_and_api_gateway(template: dict[str, Any]) -> None:  # noqa: F811
    props = template["Resources"]["AudioFunction"]["Properties"]
    env = props["Environment"]["Variables"]
    max_bytes = int(env["MAX_AUDIO_BYTES"])
    assert (max_bytes + 2) // 3 * 4 + 64 * 1024 < LAMBDA_PAYLOAD_BYTES  # base64 plus the event envelope
    assert props["Timeout"] <= 30 and props["MemorySize"] >= 1024
    assert float(env["MAX_AUDIO_SECONDS"]) <= SpeechSettings.model_fields["max_audio_seconds"].default


def test_the_audio_image_is_its_own_and_bakes_the_models(template: dict[str, Any]) -> None:  # noqa: F811
    meta = template["Resources"]["AudioFunction"]["Metadata"]
    assert meta["Dockerfile"] == "functions/audio/Dockerfile" and meta["DockerBuildArgs"] == {
        "BASE_IMAGE": {"Ref": "BaseImage"}}
    text = DOCKERFILE.read_text()
    assert "['optional-dependencies']['speech']" in text and "-c constraints.txt" in text
    assert re.search(r"resolve_model\(name, pathlib.Path\('/var/task/speech-models'\)\)", text)
    assert "SPEECH_MODEL_CACHE=/var/task/speech-models" in text
    assert 'CMD ["functions.audio.handler.handler"]' in text
    speech = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["speech"]
    assert any(dep.startswith("faster-whisper==") for dep in speech)
    # The text image stays as it was: no speech dependency in the runtime group.
    runtime = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any(dep.startswith(("faster-whisper", "av", "ctranslate2")) for dep in runtime)
