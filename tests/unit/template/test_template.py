"""template.yaml: cfn-lint and `sam validate --lint` pass, and the properties that matter hold
(checked here because the linters accept many wrong values)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = REPO_ROOT / "template.yaml"
# Routes anyone may call; every other route must need an API key.
OPEN_ROUTES = {("/v1/health/live", "get"), ("/docs", "get"), ("/openapi.json", "get"), ("/", "get"), ("/ui", "get"),
               ("/ui/{proxy+}", "get"), ("/docs-assets/{proxy+}", "get")}


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms: !Ref X -> {"Ref": X}, !Sub s -> {"Fn::Sub": s}."""


def _tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)
    return loaded


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def api_events(template: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for name, fn in resources(template, "AWS::Serverless::Function").items():
        for event in (fn["Properties"].get("Events") or {}).values():
            if event["Type"] == "Api":
                props = event["Properties"]
                found.append((name, props["Path"], props["Method"].lower(), props))
    return found


def aws_env() -> dict[str, str]:
    return {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "SAM_CLI_TELEMETRY": "0", "SAM_CLI_DISABLE_UPDATE_CHECK": "1"}


def test_cfn_lint_passes() -> None:
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is in the dev extra")
    matches = api.lint_file(TEMPLATE, config=api.ManualArgs(regions=["us-east-1"]))
    assert not matches, "\n".join(str(m) for m in matches)


@pytest.mark.parametrize("args", [[], ["--lint"]], ids=["transform", "lint"])
def test_sam_validate_passes(args: list[str]) -> None:
    # Plain `sam validate` runs the SAM transform; `--lint` only cfn-lint. The broken template of
    # issue 11 passed the second and failed the first.
    sam = shutil.which("sam", path=str(Path(sys.executable).parent)) or shutil.which("sam")
    if sam is None:
        pytest.skip("sam not installed: aws-sam-cli is in the dev extra")
    run = subprocess.run([sam, "validate", *args, "-t", str(TEMPLATE)], capture_output=True, text=True,
                         env=aws_env(), cwd=REPO_ROOT, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "valid SAM Template" in run.stdout + run.stderr


def test_samconfig_does_not_turn_validate_into_lint_only() -> None:
    # `lint = true` under validate makes a plain `sam validate` skip the transform.
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    for env, sections in config.items():
        if isinstance(sections, dict):
            assert "lint" not in sections.get("validate", {}).get("parameters", {}), env


def test_every_inference_route_needs_a_key_and_health_is_open(template: dict[str, Any]) -> None:
    routes = api_events(template)
    assert routes
    for function, path, method, props in routes:
        required = props.get("Auth", {}).get("ApiKeyRequired")
        if (path, method) in OPEN_ROUTES:
            assert required is False, f"{function} {method} {path} must be open"
        else:
            assert required is True, f"{function} {method} {path} must need an API key"
    paths = {(path, method) for _, path, method, _ in routes}
    assert {("/v1/predict-emotion", "post"), ("/v1/predict-emotion-batch", "post")} <= paths
    assert paths >= OPEN_ROUTES


def test_every_api_event_file_has_a_route(template: dict[str, Any]) -> None:
    import json

    paths = {(path, method) for _, path, method, _ in api_events(template)}
    for file in (REPO_ROOT / "events" / "api").glob("*.json"):
        event = json.loads(file.read_text())
        assert (event["resource"], event["httpMethod"].lower()) in paths, file.name


def test_api_routes_use_the_one_rest_api(template: dict[str, Any]) -> None:
    apis = resources(template, "AWS::Serverless::Api")
    assert list(apis) == ["EmotionApi"]
    for _, path, _, props in api_events(template):
        assert props["RestApiId"] == {"Ref": "EmotionApi"}, path


def test_usage_plans_throttle_and_have_quotas(template: dict[str, Any]) -> None:
    plans = resources(template, "AWS::ApiGateway::UsagePlan")
    assert len(plans) >= 2
    for name, plan in plans.items():
        props = plan["Properties"]
        throttle, quota = props["Throttle"], props["Quota"]
        assert throttle["RateLimit"] > 0, name
        assert throttle["BurstLimit"] >= throttle["RateLimit"], name
        assert quota["Limit"] > 0 and quota["Period"] in {"DAY", "WEEK", "MONTH"}, name
        assert props["ApiStages"] == [{"ApiId": {"Ref": "EmotionApi"}, "Stage": {"Ref": "EmotionApi.Stage"}}]
    limits = sorted(p["Properties"]["Throttle"]["RateLimit"] for p in plans.values())
    assert limits[0] < limits[-1], "the plans should differ"
    keys = resources(template, "AWS::ApiGateway::ApiKey")
    links = resources(template, "AWS::ApiGateway::UsagePlanKey")
    linked_plans = {link["Properties"]["UsagePlanId"]["Ref"] for link in links.values()}
    linked_keys = {link["Properties"]["KeyId"]["Ref"] for link in links.values()}
    assert linked_plans == set(plans)
    assert linked_keys == set(keys)
    assert all(link["Properties"]["KeyType"] == "API_KEY" for link in links.values())


def test_alarms_on_5xx_and_p99_latency(template: dict[str, Any]) -> None:
    # Single-metric alarms; the rate alarms (metric math) are checked in test_operations.py.
    alarms = [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()
              if "Namespace" in a["Properties"]]
    assert any(a["Namespace"] == "AWS/ApiGateway" and a["MetricName"] == "5XXError" for a in alarms)
    latency = [a for a in alarms if a["Namespace"] == "AWS/ApiGateway" and a["MetricName"] == "Latency"]
    assert latency and latency[0]["ExtendedStatistic"] == "p99"
    api_name = template["Resources"]["EmotionApi"]["Properties"]["Name"]
    for alarm in alarms:
        if alarm["Namespace"] == "AWS/ApiGateway":
            dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
            assert dims["ApiName"] == api_name  # alarms watch this API, not a guessed name
            assert dims["Stage"] == {"Ref": "StageName"}


def test_api_function_image_and_runtime(template: dict[str, Any]) -> None:
    globals_fn = template["Globals"]["Function"]
    fn = template["Resources"]["ApiFunction"]
    props = fn["Properties"]
    assert props["PackageType"] == "Image"
    assert props["AutoPublishAlias"] == "live"
    assert props.get("MemorySize", globals_fn["MemorySize"]) >= 1769  # one full vCPU
    assert props.get("Timeout", globals_fn["Timeout"]) <= 30  # API Gateway's integration limit is 29 s
    env = {**globals_fn["Environment"]["Variables"], **props["Environment"]["Variables"]}
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"} <= set(env)
    meta = fn["Metadata"]
    dockerfile = REPO_ROOT / meta["DockerContext"] / meta["Dockerfile"]
    assert dockerfile.is_file()
    assert meta["DockerBuildArgs"]["BASE_IMAGE"] == {"Ref": "BaseImage"}
    assert template["Parameters"]["BaseImage"]["Default"] == "public.ecr.aws/lambda/python:3.12"
    log_group = template["Resources"][props["LoggingConfig"]["LogGroup"]["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in log_group["Properties"]


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert "execute-api" in outputs["ApiUrl"]["Value"]["Fn::Sub"]
    assert {"FreeApiKeyId", "StandardApiKeyId"} <= set(outputs)


def test_every_function_builds_the_one_image_from_the_one_base(template: dict[str, Any]) -> None:
    # One parameter (BaseImage) for all: different build args per function made `sam build` fail.
    # The audio function has an image of its own (functions/audio/Dockerfile: Whisper and its models).
    functions = {name: fn for name, fn in resources(template, "AWS::Serverless::Function").items()
                 if fn["Metadata"]["Dockerfile"] == "functions/Dockerfile"}
    metadata = [{k: v for k, v in fn["Metadata"].items() if k != "checkov"} for fn in functions.values()]
    assert len(functions) >= 3 and all(meta == metadata[0] for meta in metadata), metadata
    assert metadata[0]["DockerBuildArgs"] == {"BASE_IMAGE": {"Ref": "BaseImage"}}
    commands = {name: fn["Properties"].get("ImageConfig", {}).get("Command") for name, fn in functions.items()}
    assert commands == {"ApiFunction": None, "BulkFunction": ["functions.bulk.handler.handler"],
                        "ApiPreTrafficHook": ["functions.deploy_hook.handler.handler"]}


def test_dockerfile_base_is_an_argument_and_runtime_only() -> None:
    text = (REPO_ROOT / "functions" / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "ARG BASE_IMAGE=public.ecr.aws/lambda/python:3.12"
    assert lines[1] == "FROM ${BASE_IMAGE}"
    assert "['project']['dependencies']" in text  # runtime group only, never train/dev
    # The versions the tests ran, not whatever is newest on the day of the build.
    assert re.search(r"pip install [^\n]*-c constraints\.txt", text)
    assert re.search(r"COPY layers/", text) and re.search(r"COPY functions/", text)
    assert 'CMD ["functions.api.handler.handler"]' in text
    runtime = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any(dep.startswith(("torch", "transformers")) for dep in runtime)


def test_samconfig_has_dev_and_prod() -> None:
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    stacks = {env: config[env]["global"]["parameters"]["stack_name"] for env in ("dev", "prod")}
    assert stacks["dev"] != stacks["prod"]
    for env in ("dev", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert deploy["resolve_image_repos"] is True  # image functions need an ECR repository
        assert "CAPABILITY_IAM" in deploy["capabilities"]
