"""The image function's handler under the Lambda runtime interface emulator, fed API Gateway proxy events
whose binary bodies arrive base64-encoded (the API's BinaryMediaTypes), run from the repository and
from functions/image/Dockerfile's layout."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emotion_image import ImageAssets
from tests.conftest import REPO_ROOT
from tests.helpers.image import ASTRONAUT, HOSTILE, png_bomb
from tests.helpers.lambda_rie import Rie, lambda_rie
from tests.integration.image.conftest import image_env
from tests.integration.template.image import Dockerfile, lay_out_image
from tests.unit.functions.api.event_cases import load_event

IMAGE_DOCKERFILE = REPO_ROOT / "functions" / "image" / "Dockerfile"


def image_event(body: bytes, content_type: str, path: str = "/v1/predict-emotion-image") -> dict[str, Any]:
    """The sample binary-body event of the text API, pointed at an image route."""
    event = load_event("predict-emotion-base64.json")
    event.update(resource=path, path=path, body=base64.b64encode(body).decode(), isBase64Encoded=True)
    event["requestContext"].update(resourcePath=path, path=f"/Prod{path}")
    for headers, wrap in ((event["headers"], str), (event["multiValueHeaders"], lambda v: [v])):
        headers["Content-Type"] = wrap(content_type)
        headers["Content-Length"] = wrap(str(len(body)))
    return event


def _invoke(rie: Rie, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = httpx.post(rie.url, json=event, timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    response = answer.json()
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture(scope="module")
def rie(image_assets: ImageAssets, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rie]:
    log = tmp_path_factory.mktemp("image-rie") / "rie.log"
    with lambda_rie("functions.image.handler.handler", env=image_env(image_assets), cwd=REPO_ROOT,
                    log=log) as emulator:
        warm = emulator.first_invoke(load_event("health-live.json"))
        assert warm.status_code == 200, emulator.log_tail()
        yield emulator


def test_an_image_through_the_lambda_runtime(rie: Rie) -> None:
    status, result = _invoke(rie, image_event(ASTRONAUT.read_bytes(), "image/jpeg"))
    assert status == 200, result
    assert [face["emotion"] for face in result["faces"]] == ["joy"]


def test_a_post_through_the_lambda_runtime(rie: Rie) -> None:
    boundary = "----emotion-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nWhat a wonderful day!\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() + ASTRONAUT.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    event = image_event(body, f"multipart/form-data; boundary={boundary}", "/v1/predict-emotion-post")
    status, result = _invoke(rie, event)
    assert status == 200, result
    assert result["overall"]["emotion"] == "joy" and result["overall"]["sentiment"] == "positive"


@pytest.mark.parametrize(("body", "status", "starts"), [
    (HOSTILE["empty"], 422, "image: is empty"),
    (HOSTILE["text named .jpg"], 415, "image: is not a jpeg, png, webp image"),
    (HOSTILE["truncated jpeg"], 422, "image: is a damaged or truncated jpeg file"),
    (png_bomb(), 413, "image: is 12000x12000 pixels")])
def test_hostile_files_through_the_lambda_runtime(rie: Rie, body: bytes, status: int, starts: str) -> None:
    got, result = _invoke(rie, image_event(body, "image/jpeg"))
    assert got == status and result["detail"].startswith(starts), result


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory, image_assets: ImageAssets) -> tuple[Path, Dockerfile]:
    if not (REPO_ROOT / "layers" / "model" / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the image bakes it in")
    root = tmp_path_factory.mktemp("image-image")
    dockerfile = lay_out_image(root, dockerfile_path=IMAGE_DOCKERFILE)
    # The build stage's fetch writes the resolver's cache layout; the cached assets are it.
    cache = root / "var" / "task" / "image-models"
    cache.mkdir(parents=True)
    (cache / image_assets.name).symlink_to(image_assets.expression_model.parent, target_is_directory=True)
    return root, dockerfile


def test_the_image_layout_answers_under_the_runtime_emulator(laid_out: tuple[Path, Dockerfile],
                                                             tmp_path: Path) -> None:
    root, dockerfile = laid_out
    task = root / "var" / "task"
    assert dockerfile.cmd == ["functions.image.handler.handler"]
    for shipped in ("emotion_core/__init__.py", "emotion_image/data/expressions.json", "model/model.json",
                    "functions/image/handler.py"):
        assert (task / shipped).is_file(), shipped
    for dev_only in ("devtools", "tests", "training", "bench"):
        assert not (task / dev_only).exists(), dev_only
    env = {**os.environ, **{k: v.replace("/var/task", str(task)) for k, v in dockerfile.env.items()},
           "ORT_THREADS": "1", "IMAGE_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true"}
    for unset in ("API_KEYS", "AWS_LAMBDA_FUNCTION_NAME", "MODEL_DIR"):
        env.pop(unset, None)
    with lambda_rie(dockerfile.cmd[0], env=env, cwd=task, log=tmp_path / "rie.log") as emulator:
        response = emulator.first_invoke(image_event(ASTRONAUT.read_bytes(), "image/jpeg")).json()
        assert response.get("statusCode") == 200, (response, emulator.log_tail())
        assert '"image_model":"fer-25.10.3"' in response["body"]


def test_the_bulk_command_imports_from_the_layout(laid_out: tuple[Path, Dockerfile]) -> None:
    root, dockerfile = laid_out
    task = root / "var" / "task"
    probe = ("import functions.image.bulk_handler as m, emotion_image; assert callable(m.handler); "
             f"assert emotion_image.__file__.startswith({str(root)!r}), emotion_image.__file__")
    env = {**os.environ, **{k: v.replace("/var/task", str(task)) for k, v in dockerfile.env.items()},
           "ORT_THREADS": "1", "IMAGE_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true", "RESULTS_BUCKET": "b",
           "JOBS_TABLE": "t", "IMAGE_S3_BUCKETS": "in", "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("MODEL_DIR", None)
    run = subprocess.run([sys.executable, "-c", probe], cwd=task, env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
