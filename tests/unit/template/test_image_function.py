"""The image function in template.yaml: its own image, its two routes, binary bodies, limits inside Lambda's."""

from __future__ import annotations

import tomllib
from typing import Any

from emotion_image import ImageSettings
from tests.unit.template.test_template import REPO_ROOT, api_events, template  # noqa: F401 - the template fixture

DOCKERFILE = REPO_ROOT / "functions" / "image" / "Dockerfile"
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024


def test_the_image_routes_go_to_the_image_function_with_a_key(template: dict[str, Any]) -> None:  # noqa: F811
    routes = {(path, method): (function, props) for function, path, method, props in api_events(template)}
    image_routes = {key for key, (fn, _) in routes.items() if fn == "ImageFunction"}
    assert image_routes == {("/v1/predict-emotion-image", "post"), ("/v1/predict-emotion-post", "post"),
                            ("/v1/image-jobs", "post")}
    assert all(routes[key][1]["Auth"]["ApiKeyRequired"] is True for key in image_routes)


def test_image_bodies_reach_the_function_intact(template: dict[str, Any]) -> None:  # noqa: F811
    types = template["Resources"]["EmotionApi"]["Properties"]["BinaryMediaTypes"]
    assert {"image~1jpeg", "image~1png", "image~1webp", "multipart~1form-data"} <= set(types)


def test_image_limits_fit_lambda(template: dict[str, Any]) -> None:  # noqa: F811
    props = template["Resources"]["ImageFunction"]["Properties"]
    env = props["Environment"]["Variables"]
    assert (int(env["MAX_IMAGE_BYTES"]) + 2) // 3 * 4 + 64 * 1024 < LAMBDA_PAYLOAD_BYTES
    assert int(env["MAX_IMAGE_PIXELS"]) <= ImageSettings.model_fields["max_image_pixels"].default
    assert props["Timeout"] <= 30 and props["MemorySize"] >= 1024


def test_the_image_function_has_its_own_image_and_the_text_image_stays_lean(
        template: dict[str, Any]) -> None:  # noqa: F811
    meta = template["Resources"]["ImageFunction"]["Metadata"]
    assert meta["Dockerfile"] == "functions/image/Dockerfile"
    assert meta["DockerBuildArgs"] == {"BASE_IMAGE": {"Ref": "BaseImage"}}
    text = DOCKERFILE.read_text()
    assert "python3 -m emotion_image fetch --cache /build/image-models" in text
    assert "IMAGE_MODEL_CACHE=/var/task/image-models" in text and 'CMD ["functions.image.handler.handler"]' in text
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert not any(dep.startswith(("opencv", "pillow", "tflite")) for dep in project["dependencies"])
    assert "functions/image/Dockerfile" in (REPO_ROOT / ".dockerignore").read_text().splitlines()


def test_image_jobs_run_on_their_own_queue_and_function(template: dict[str, Any]) -> None:  # noqa: F811
    resources = template["Resources"]
    assert resources["ImageFunction"]["Properties"]["Environment"]["Variables"]["JOBS_QUEUE_URL"] == {
        "Ref": "ImageQueue"}
    bulk = resources["ImageBulkFunction"]
    assert bulk["Properties"]["ImageConfig"]["Command"] == ["functions.image.bulk_handler.handler"]
    assert bulk["Metadata"]["Dockerfile"] == "functions/image/Dockerfile"
    event = bulk["Properties"]["Events"]["ImageChunkMessages"]["Properties"]
    assert event["Queue"] == {"Fn::GetAtt": ["ImageQueue", "Arn"]}
    queue = resources["ImageQueue"]["Properties"]
    assert str(queue["RedrivePolicy"]["maxReceiveCount"]) == bulk["Properties"]["Environment"]["Variables"][
        "BULK_MAX_RECEIVE_COUNT"]
    assert queue["VisibilityTimeout"] >= 6 * bulk["Properties"]["Timeout"]
