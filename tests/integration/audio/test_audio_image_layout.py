"""functions/audio/Dockerfile without a container engine: its COPY steps laid out (the text image's
helper), the model layer stood in for by the cached tiny.en, and the image's handlers run from there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from emotion_speech.models import ResolvedModel
from tests.helpers.lambda_rie import lambda_rie
from tests.helpers.speech import recording
from tests.integration.audio.test_audio_rie import audio_event
from tests.integration.template.image import REPO_ROOT, Dockerfile, lay_out_image

AUDIO_DOCKERFILE = REPO_ROOT / "functions" / "audio" / "Dockerfile"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory, tiny_en: ResolvedModel) -> tuple[Path, Dockerfile]:
    if not (REPO_ROOT / "layers" / "model" / "model.json").is_file():
        pytest.skip("no released bundle in layers/model: the image bakes it in")
    root = tmp_path_factory.mktemp("audio-image")
    dockerfile = lay_out_image(root, dockerfile_path=AUDIO_DOCKERFILE)
    # The RUN step that fetches the models writes the resolver's cache layout; the cached tiny.en is it.
    cache = root / "var" / "task" / "speech-models"
    cache.mkdir(parents=True)
    (cache / "tiny.en").symlink_to(tiny_en.path, target_is_directory=True)
    return root, dockerfile


def _environment(root: Path, dockerfile: Dockerfile) -> dict[str, str]:
    env = {**os.environ, **{k: v.replace("/var/task", str(root / "var" / "task")) for k, v in dockerfile.env.items()}}
    env.update(ORT_THREADS="1", SPEECH_THREADS="1", POWERTOOLS_TRACE_DISABLED="true", TRANSLATE_MODEL="",
               AWS_DEFAULT_REGION="us-east-1")
    for unset in ("API_KEYS", "AWS_LAMBDA_FUNCTION_NAME"):
        env.pop(unset, None)
    return env


def test_the_audio_image_holds_both_cores_the_functions_and_no_dev_code(image: tuple[Path, Dockerfile]) -> None:
    root, dockerfile = image
    task = root / "var" / "task"
    assert dockerfile.cmd == ["functions.audio.handler.handler"]
    for shipped in ("emotion_core/__init__.py", "emotion_speech/models.py", "model/model.json",
                    "functions/audio/handler.py", "functions/audio/bulk_handler.py", "functions/api/factory.py"):
        assert (task / shipped).is_file(), shipped
    for dev_only in ("devtools", "tests", "training", "bench"):
        assert not (task / dev_only).exists(), dev_only
    assert dockerfile.env["SPEECH_MODEL_CACHE"] == "/var/task/speech-models"


def test_the_image_layout_answers_a_recording_under_the_runtime_emulator(image: tuple[Path, Dockerfile],
                                                                          tmp_path: Path) -> None:
    root, dockerfile = image
    env = _environment(root, dockerfile)
    env.pop("MODEL_DIR")  # emotion_core must find model/ next to itself, as in the image
    with lambda_rie(dockerfile.cmd[0], env=env, cwd=root / "var" / "task", log=tmp_path / "rie.log") as rie:
        response = rie.first_invoke(audio_event(recording(), "audio/ogg")).json()
        assert response.get("statusCode") == 200, (response, rie.log_tail())
        assert '"speech_model":"tiny.en"' in response["body"]


def test_the_bulk_command_imports_from_the_image(image: tuple[Path, Dockerfile]) -> None:
    root, dockerfile = image
    probe = ("import functions.audio.bulk_handler as m, emotion_speech; assert callable(m.handler); "
             f"assert emotion_speech.__file__.startswith({str(root)!r}), emotion_speech.__file__")
    env = {**_environment(root, dockerfile), "RESULTS_BUCKET": "b", "JOBS_TABLE": "t", "AUDIO_S3_BUCKETS": "in"}
    run = subprocess.run([sys.executable, "-c", probe], cwd=root / "var" / "task", env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]

