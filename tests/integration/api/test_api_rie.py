"""The handler under the real Lambda runtime interface: awslambdaric behind the Runtime Interface
Emulator that ships in the aws-sam-cli wheel — `sam local invoke` without Docker."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.lambda_rie import lambda_rie
from tests.unit.functions.api.event_cases import CASES, load_event

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def rie(
    bundle_dir: Path, tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, bool]]:
    env = {
        **os.environ,
        "MODEL_DIR": str(bundle_dir),
        "ORT_THREADS": "1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "emotion-api",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")]),
    }
    env.pop("API_KEYS", None)  # on AWS, API Gateway enforces keys and the app does not
    log = tmp_path_factory.mktemp("rie") / "rie.log"
    with lambda_rie("functions.api.handler.handler", env=env, cwd=REPO_ROOT, log=log) as emulator:
        warm = emulator.first_invoke(load_event("health-live.json"))
        assert warm.status_code == 200, emulator.log_tail()
        yield emulator.url, bundle_dir == tiny_bundle_dir


@pytest.mark.parametrize("name", sorted(CASES))
def test_event_under_runtime_emulator(rie: tuple[str, bool], name: str) -> None:
    url, tiny = rie
    answer = httpx.post(url, json=load_event(name), timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    response: dict[str, Any] = answer.json()
    status, check = CASES[name]
    assert response["statusCode"] == status, json.dumps(response)[:500]
    check(response, tiny)
