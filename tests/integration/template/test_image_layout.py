"""functions/Dockerfile without a container engine: lay its COPY steps out in a temporary root
(build context filtered by .dockerignore) and run the image's handlers from there under the Lambda
Runtime Interface Emulator.

This catches what a linter cannot: a COPY source that moved, a handler path that does not import
from the image layout, emotion_core not finding its model next to itself, a dev-only module or a
missing package in the image.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from functions.deploy_hook.checks import CHECKS
from tests.helpers.lambda_rie import lambda_rie, rie_binary
from tests.integration.template.conftest import Image
from tests.integration.template.image import REPO_ROOT
from tests.unit.functions.api.event_cases import CASES, load_event


def test_the_image_holds_every_function_package_and_nothing_dev_only(image: Image) -> None:
    task = image.inside("/var/task")
    packages = {p.name for p in (REPO_ROOT / "functions").iterdir() if (p / "__init__.py").is_file()}
    # api, bulk, deploy_hook - and jobs once it exists: whatever functions/ holds is shipped.
    assert {"api", "bulk", "deploy_hook"} <= packages
    assert all((task / "functions" / name / "__init__.py").is_file() for name in packages)
    assert (task / "emotion_core" / "__init__.py").is_file() and (task / "model" / "model.json").is_file()
    assert {check.event_file for check in CHECKS} <= {p.name for p in (task / "events" / "api").glob("*.json")}
    for dev_only in ("devtools", "tests", "training", "bench", "functions/Dockerfile"):
        assert not (task / dev_only).exists(), dev_only
    assert not list(task.rglob("__pycache__"))


def test_image_layout_runs_the_api_handler(image: Image, tiny_bundle_dir: Path, tmp_path: Path) -> None:
    rie_binary()  # skips when the emulator is not installed
    cmd = image.dockerfile.cmd
    assert cmd == ["functions.api.handler.handler"]
    image_env = image.environment()
    # Leave MODEL_DIR out: emotion_core must find model/ next to itself, which only works when it
    # is imported from the image layout.
    image_env.pop("MODEL_DIR", None)
    run_env = {**os.environ, **image_env, "ORT_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true"}
    for key in ("MODEL_DIR", "API_KEYS"):
        run_env.pop(key, None)
    with lambda_rie(cmd[0], env=run_env, cwd=image.inside(image.dockerfile.workdir), log=tmp_path / "rie.log") as rie:
        response = rie.first_invoke(load_event("predict-emotion.json")).json()
        assert response.get("statusCode") == 200, (response, rie.log_tail())
        CASES["predict-emotion.json"][1](response, image.tiny_model)


def test_every_command_of_the_template_imports_from_the_image(image: Image) -> None:
    # The bulk worker and the hook run the same image with another command (template.yaml).
    env = {**os.environ, **image.environment()}
    for command in ("functions.bulk.handler.handler", "functions.deploy_hook.handler.handler"):
        module, _, attribute = command.rpartition(".")
        probe = (f"import sys, {module} as m; assert callable(m.{attribute}); "
                 f"assert m.__file__.startswith({str(image.inside('/var/task'))!r}), m.__file__")
        run = subprocess.run([sys.executable, "-c", probe], cwd=image.inside("/var/task"), env={
            **env, "RESULTS_BUCKET": "b", "JOBS_TABLE": "t", "ORT_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_DEFAULT_REGION": "us-east-1"}, capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stderr[-2000:]
