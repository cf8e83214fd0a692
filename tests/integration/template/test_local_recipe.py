"""docs/deploy-local.md, run: its setup script against moto's server, its `--env-vars` file through
SAM CLI's own environment resolution for BulkFunction, and the bulk samples through the handler of
the image layout under the Lambda runtime emulator (what `sam local invoke` runs in the container).

SAM's resolution is called through its internal classes (SamFunctionProvider, LocalLambdaRunner):
the public path needs a container engine."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.helpers.lambda_rie import lambda_rie
from tests.helpers.moto import moto_server
from tests.integration.template.conftest import Image
from tests.integration.template.image import REPO_ROOT

# SAM CLI's provider runs the translator's validator, which warns about its own deprecated call.
pytestmark = pytest.mark.filterwarnings("ignore:get_errors is deprecated:DeprecationWarning")
DOC = REPO_ROOT / "docs" / "deploy-local.md"
DOC_ENDPOINT = "http://127.0.0.1:5000"


def doc_block(language: str) -> str:
    (block,) = [body for lang, body in re.findall(r"```(\w+)\n(.*?)```", DOC.read_text(), re.S) if lang == language]
    return block


def sam_local_environment(function: str, env_vars_file: Path) -> dict[str, str]:
    """The variables `sam local invoke <function> --env-vars <file>` gives the container."""
    pytest.importorskip("samcli", reason="aws-sam-cli is in the dev extra")
    from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    stacks, _ = SamLocalStackProvider.get_stacks(str(REPO_ROOT / "template.yaml"))
    provider = SamFunctionProvider(stacks)
    runner = LocalLambdaRunner(local_runtime=None, function_provider=provider, cwd=str(REPO_ROOT),  # type: ignore[arg-type]
                               real_path=str(REPO_ROOT), aws_region="us-east-1",
                               env_vars_values=json.loads(env_vars_file.read_text()))
    function_config = provider.get(function)
    assert function_config is not None
    resolved: dict[str, str] = runner._make_env_vars(function_config).resolve()
    return resolved


def test_every_function_declares_aws_endpoint_url_blank_until_set(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    for function in ("ApiFunction", "BulkFunction", "ApiPreTrafficHook"):
        assert sam_local_environment(function, empty)["AWS_ENDPOINT_URL"] == "", function


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with moto_server() as endpoint:
        exec(compile(doc_block("python").replace(DOC_ENDPOINT, endpoint), str(DOC), "exec"), {})
        env_file = tmp_path_factory.mktemp("sam") / "local-env.json"
        env_file.write_text(doc_block("json").replace(DOC_ENDPOINT, endpoint))
        yield endpoint, env_file


def test_the_recipe_runs_the_bulk_samples(local_stack: Any, image: Image, tmp_path: Path) -> None:
    endpoint, env_file = local_stack
    sam_env = sam_local_environment("BulkFunction", env_file)
    assert sam_env["AWS_ENDPOINT_URL"] == endpoint and sam_env["RESULTS_BUCKET"] == "emotion-local-results"
    # The container's view: the image's ENV, then what SAM sets; /var/task is the laid-out image.
    env = {**image.environment(), **{k: v.replace("/var/task", str(image.inside("/var/task")))
                                     for k, v in sam_env.items() if v is not None},
           "PATH": os.environ.get("PATH", ""), "POWERTOOLS_TRACE_DISABLED": "true"}
    with lambda_rie("functions.bulk.handler.handler", env=env, cwd=image.inside("/var/task"),
                    log=tmp_path / "bulk.log") as rie:
        good = rie.first_invoke(json.loads((REPO_ROOT / "events/bulk/sqs-chunk.json").read_text()))
        assert good.json() == {"batchItemFailures": []}, rie.log_tail()
        bad_event = json.loads((REPO_ROOT / "events/bulk/sqs-malformed.json").read_text())
        bad = httpx.post(rie.url, json=bad_event, timeout=120).json()
        log = rie.log.read_text()
    # The sample's second record is a CSV line, its third a chunk of the wrong schema; the first is valid.
    malformed = [record["messageId"] for record in bad_event["Records"][1:]]
    assert sorted(f["itemIdentifier"] for f in bad["batchItemFailures"]) == sorted(malformed), log[-3000:]
    assert log.count('"message":"malformed chunk message"') == len(malformed)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="emotion-local-results")["Contents"]}
    assert keys == {"jobs/3f2b7c1e9a6d4e8f8b1c2d3e4f5a6b7c/0.jsonl", "jobs/3f2b7c1e9a6d4e8f8b1c2d3e4f5a6b7c/1.jsonl"}
