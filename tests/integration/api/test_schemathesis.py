"""Issue 10, defect 13: property-based testing of the running API against its own OpenAPI document
(schemathesis, every check, examples + coverage + fuzzing phases, a bounded number of cases per
operation), with the bulk stack on moto's server and a feedback store, so every route really works."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.local import LocalStack, create_stack
from functions.jobs.aws import AwsClients
from tests.helpers.bulk import MAX_RECEIVE_COUNT, aws  # noqa: F401 - the aws fixture
from tests.helpers.net import stop
from tests.integration.api.conftest import API_KEY, start_uvicorn

REPO_ROOT = Path(__file__).resolve().parents[3]
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def served(aws: AwsClients, moto_endpoint: str, tiny_bundle_dir: Path,  # noqa: F811
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("schemathesis")
    stack: LocalStack = create_stack(aws, prefix="st", max_receive_count=MAX_RECEIVE_COUNT)
    env = {**stack.environment(moto_endpoint, MAX_RECEIVE_COUNT), "FEEDBACK_SQLITE_PATH": str(folder / "fb.db")}
    proc, url = start_uvicorn(tiny_bundle_dir, folder / "server.log", extra_env=env)
    try:
        yield url
    finally:
        stop(proc)


def test_the_api_keeps_its_published_contract(served: str, tmp_path: Path) -> None:
    config = Path(__file__).with_name("schemathesis.toml")
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{served}/openapi.json",
               "--header", f"X-API-Key: {API_KEY}", "--max-examples", str(MAX_EXAMPLES),
               "--phases", "examples,coverage,fuzzing", "--seed", "20261124", "--no-color"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.helpers.schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers")])}
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout.strip().splitlines()[-1], run.stdout[-2000:]
