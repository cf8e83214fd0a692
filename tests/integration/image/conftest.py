"""The image function's app on a real uvicorn (127.0.0.1), with fer's models and the released bundle."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emotion_image import ImageAssets
from tests.conftest import RELEASED_BUNDLE, REPO_ROOT
from tests.helpers.image import image_assets_fixture  # noqa: F401 - the image_assets fixture
from tests.helpers.net import stop
from tests.integration.api.conftest import start_uvicorn

API_KEY = "image-test-key"
# A small byte limit keeps the limit tests cheap: the committed samples weigh 13 and 16 kB.
MAX_IMAGE_BYTES = 200_000


def image_env(assets: ImageAssets) -> dict[str, str]:
    """The image function's environment, as template.yaml sets it, with a test byte limit."""
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the image tests check emotions and reactions")
    env = {**os.environ, "MODEL_DIR": str(RELEASED_BUNDLE), "ORT_THREADS": "1", "IMAGE_THREADS": "1",
           "IMAGE_MODEL": str(assets.expression_model.parent), "POWERTOOLS_TRACE_DISABLED": "true",
           "POWERTOOLS_SERVICE_NAME": "emotion-image", "MAX_IMAGE_BYTES": str(MAX_IMAGE_BYTES),
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    for unset in ("AWS_LAMBDA_FUNCTION_NAME", "API_KEYS"):
        env.pop(unset, None)
    return env


class ImageServer:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def post(self, path: str, *, body: bytes | None = None, content_type: str | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None, data: dict[str, str] | None = None,
             key: str | None = API_KEY, params: dict[str, str] | None = None) -> httpx.Response:
        headers = {"X-API-Key": key} if key else {}
        if content_type:
            headers["Content-Type"] = content_type
        return httpx.post(f"{self.url}{path}", content=body, files=files, data=data, headers=headers,
                          params=params, timeout=60)


@pytest.fixture(scope="module")
def image_server(image_assets: ImageAssets, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImageServer]:
    log = tmp_path_factory.mktemp("image-uvicorn") / "server.log"
    env = {**image_env(image_assets), "API_KEYS": API_KEY}
    proc, url = start_uvicorn(RELEASED_BUNDLE, log, extra_env=env, app="functions.image.served:app")
    try:
        yield ImageServer(url, log)
    finally:
        stop(proc)
