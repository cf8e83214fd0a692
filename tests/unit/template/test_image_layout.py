"""functions/Dockerfile without a container engine: lay its COPY steps out in a temporary root and
run the image's CMD handler from there under the Lambda Runtime Interface Emulator.

This catches what a linter cannot: a COPY source that moved, a handler path that does not
import from the image layout, emotion_core not finding its model next to itself.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from tests.helpers.lambda_rie import lambda_rie, rie_binary
from tests.unit.functions.api.event_cases import CASES, load_event

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO_ROOT / "functions" / "Dockerfile"


def parse_dockerfile() -> tuple[list[tuple[str, str]], dict[str, str], list[str], str]:
    copies: list[tuple[str, str]] = []
    env: dict[str, str] = {}
    cmd: list[str] = []
    workdir = "/"
    logical = DOCKERFILE.read_text().replace("\\\n", " ")
    for line in logical.splitlines():
        parts = shlex.split(line, comments=True)
        if not parts:
            continue
        op, args = parts[0].upper(), parts[1:]
        if op == "COPY":
            *sources, dest = args
            if not dest.startswith("/"):
                dest = f"{workdir.rstrip('/')}/{dest.removeprefix('./')}"
            copies += [(src, dest) for src in sources]
        elif op == "ENV":
            env.update(arg.split("=", 1) for arg in args)  # type: ignore[misc]
        elif op == "WORKDIR":
            workdir = args[0]
        elif op == "CMD":
            import json

            cmd = json.loads(line.split(None, 1)[1])
    return copies, env, cmd, workdir


def test_image_layout_runs_the_api_handler(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    rie_binary()  # skips before laying the image out when the emulator is not installed
    copies, env, cmd, workdir = parse_dockerfile()
    root = tmp_path / "image"

    def inside(path: str) -> Path:
        return root / path.lstrip("/")

    for src, dest in copies:
        source = REPO_ROOT / src
        if src.rstrip("/") == "layers/model" and not (source / "model.json").is_file():
            source = tiny_bundle_dir  # no released bundle yet: the tiny one stands in for it
        target = inside(dest)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            if dest.endswith("/"):
                target = target / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert cmd == ["functions.api.handler.handler"]

    image_env = {key: value.replace("/var/task", str(inside("/var/task"))) for key, value in env.items()}
    # Leave MODEL_DIR out: emotion_core must find model/ next to itself, which only works when it
    # is imported from the image layout (the repository's layers/model may hold no bundle).
    image_env.pop("MODEL_DIR", None)
    run_env = {**os.environ, **image_env, "ORT_THREADS": "1", "POWERTOOLS_TRACE_DISABLED": "true"}
    for key in ("MODEL_DIR", "API_KEYS"):
        run_env.pop(key, None)
    with lambda_rie(cmd[0], env=run_env, cwd=inside(workdir), log=tmp_path / "rie.log") as emulator:
        response = emulator.first_invoke(load_event("predict-emotion.json")).json()
        assert response.get("statusCode") == 200, (response, emulator.log_tail())
        CASES["predict-emotion.json"][1](response, (root / "var/task/model/model.json").read_text()
                                         == (tiny_bundle_dir / "model.json").read_text())
