"""The audio function's app on a real uvicorn (127.0.0.1), with Whisper tiny.en and the released bundle."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emotion_speech.models import ResolvedModel
from tests.conftest import RELEASED_BUNDLE, REPO_ROOT
from tests.helpers.net import stop
from tests.helpers.speech import tiny_en_fixture  # noqa: F401 - the tiny_en fixture
from tests.integration.api.conftest import start_uvicorn

API_KEY = "audio-test-key"

# Small limits keep the limit tests cheap: the committed recording lasts 6.8 s and weighs 19 kB.
AUDIO_LIMITS = {"MAX_AUDIO_SECONDS": "8", "MAX_AUDIO_BYTES": "400000"}


def audio_env(tiny_en: ResolvedModel) -> dict[str, str]:
    """The audio function's environment, as template.yaml sets it, with test limits and tiny.en."""
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the audio tests check emotions")
    env = {**os.environ, "MODEL_DIR": str(RELEASED_BUNDLE), "ORT_THREADS": "1", "SPEECH_THREADS": "1",
           "SPEECH_MODEL": str(tiny_en.path), "POWERTOOLS_TRACE_DISABLED": "true",
           "POWERTOOLS_SERVICE_NAME": "emotion-audio",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")]), **AUDIO_LIMITS}
    for unset in ("TRANSLATE_MODEL", "AWS_LAMBDA_FUNCTION_NAME", "API_KEYS"):
        env.pop(unset, None)
    return env


class AudioServer:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def post(self, body: bytes, content_type: str | None, *, key: str | None = API_KEY,
             params: dict[str, str] | None = None) -> httpx.Response:
        headers = {"X-API-Key": key} if key else {}
        if content_type:
            headers["Content-Type"] = content_type
        return httpx.post(f"{self.url}/v1/predict-emotion-audio", content=body, headers=headers, params=params,
                          timeout=120)


@pytest.fixture(scope="module")
def audio_server(tiny_en: ResolvedModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AudioServer]:
    log = tmp_path_factory.mktemp("audio-uvicorn") / "server.log"
    env = {**audio_env(tiny_en), "API_KEYS": API_KEY}
    proc, url = start_uvicorn(RELEASED_BUNDLE, log, extra_env=env, app="functions.audio.served:app")
    try:
        yield AudioServer(url, log)
    finally:
        stop(proc)
