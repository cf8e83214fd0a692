"""template.yaml through the SAM transform, with every documented parameter set, then cfn-lint on
the CloudFormation it becomes, and assertions on the translated resources: what API Gateway,
Lambda and CodeDeploy will actually be given.

The transform is what rejected the template before (ApiKeyRequired: false on an API without
Auth.ApiKeyRequired) while `sam validate --lint` and cfn-lint on the SAM template passed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.unit.template.stack import effective, of_type, parameter_sets, translate
from tests.unit.template.test_template import OPEN_ROUTES

PARAMETER_SETS = parameter_sets()
# Routes anyone may call; every other route must need an API key.
INFERENCE_ROUTES = {("/v1/predict-emotion", "post"), ("/v1/predict-emotion-batch", "post")}
ROLLBACK_ALARMS = {
    "ApiFunction": {"Api5xxAlarm", "ApiLatencyP99Alarm", "ApiFunctionErrorsAlarm", "ApiFunctionThrottlesAlarm"},
    "BulkFunction": {"BulkFunctionErrorsAlarm", "BulkFunctionThrottlesAlarm", "BulkChunkFailuresAlarm"},
}
DEPLOYMENT_PARAMETER = {"ApiFunction": "ApiDeploymentType", "BulkFunction": "BulkDeploymentType"}
# The transform writes the chosen deployment type into DeploymentConfigName, so on the translated
# template these two parameters are (correctly) unused.
RESOLVED_BY_TRANSFORM = ("ApiDeploymentType", "BulkDeploymentType")


def test_the_documented_environments_are_covered() -> None:
    assert {"default", "dev", "prod"} <= set(PARAMETER_SETS)


@pytest.fixture(scope="module", params=sorted(PARAMETER_SETS))
def case(request: pytest.FixtureRequest) -> tuple[dict[str, str], dict[str, Any]]:
    params = PARAMETER_SETS[request.param]
    return params, translate(params)


def test_cfn_lint_passes_on_the_translation(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is in the dev extra")
    _, template = case
    matches = api.lint(json.dumps(template), config=api.ManualArgs(regions=["us-east-1"]))
    unexpected = [m for m in matches if not (
        m.rule.id == "W2001" and any(name in m.message for name in RESOLVED_BY_TRANSFORM))]
    assert not unexpected, "\n".join(str(m) for m in unexpected)


def methods(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    (api,) = of_type(template, "AWS::ApiGateway::RestApi").values()
    paths = api["Properties"]["Body"]["paths"]
    return {(path, method): spec for path, spec_by_method in paths.items() for method, spec in spec_by_method.items()}


def test_every_route_but_health_and_docs_needs_a_key(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    _, template = case
    found = methods(template)
    (api,) = of_type(template, "AWS::ApiGateway::RestApi").values()
    scheme = api["Properties"]["Body"]["components"]["securitySchemes"]["api_key"]
    assert (scheme["type"], scheme["in"], scheme["name"].lower()) == ("apiKey", "header", "x-api-key")
    routes = {key for key in found if key[1] != "options"}
    assert routes >= INFERENCE_ROUTES | OPEN_ROUTES
    for (path, method), spec in found.items():
        if method == "options":
            continue
        integration = spec["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy"
        # API Gateway calls the alias CodeDeploy shifts, never $LATEST or a fixed version.
        # (the audio and image routes' functions have aliases of their own)
        audio = path in {"/v1/predict-emotion-audio", "/v1/audio-jobs"}
        image = path in {"/v1/predict-emotion-image", "/v1/predict-emotion-post", "/v1/image-jobs"}
        own = "${AudioFunctionAliaslive}" if audio else "${ImageFunctionAliaslive}"
        alias = own if audio or image else "${ApiFunctionAliaslive}"
        assert alias in integration["uri"]["Fn::Sub"], path
        if (path, method) in OPEN_ROUTES:
            assert spec["security"] == [], f"{method} {path} must be open"
        else:
            assert spec["security"] == [{"api_key": []}], f"{method} {path} must need a key"


def test_preflight_is_answered_by_api_gateway_without_a_key(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    params, template = case
    found = methods(template)
    for path in {path for path, method in found if method != "options"}:
        preflight = found[(path, "options")]
        assert "security" not in preflight, path  # browsers send no key on a preflight
        integration = preflight["x-amazon-apigateway-integration"]
        assert integration["type"] == "mock"
        headers = integration["responses"]["default"]["responseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == {"Fn::Sub": "'${CorsAllowOrigin}'"}
        assert "X-API-Key" in headers["method.response.header.Access-Control-Allow-Headers"]
    api_env = template["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert api_env["CORS_ALLOW_ORIGINS"] == {"Ref": "CorsAllowOrigin"}
    assert re.fullmatch(r"\*|https?://[A-Za-z0-9.-]+(:\d+)?", effective(params, "CorsAllowOrigin"))


def test_gateway_refusals_keep_the_error_shape_and_cors(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    _, template = case
    (api,) = of_type(template, "AWS::ApiGateway::RestApi").values()
    responses = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert {"INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    assert responses["THROTTLED"]["statusCode"] == responses["QUOTA_EXCEEDED"]["statusCode"] == "429"
    for name, response in responses.items():
        assert '"detail"' in response["responseTemplates"]["application/json"], name
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in response["responseParameters"], name


def test_usage_plans_throttle_and_cap(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    _, template = case
    plans = of_type(template, "AWS::ApiGateway::UsagePlan")
    (stage_name,) = of_type(template, "AWS::ApiGateway::Stage")
    assert len(plans) >= 2
    for name, plan in plans.items():
        props = plan["Properties"]
        assert 0 < props["Throttle"]["RateLimit"] <= props["Throttle"]["BurstLimit"], name
        assert props["Quota"]["Limit"] > 0 and props["Quota"]["Period"] in {"DAY", "WEEK", "MONTH"}, name
        assert props["ApiStages"] == [{"ApiId": {"Ref": "EmotionApi"}, "Stage": {"Ref": stage_name}}], name
    keys = of_type(template, "AWS::ApiGateway::UsagePlanKey").values()
    assert {key["Properties"]["UsagePlanId"]["Ref"] for key in keys} == set(plans)


def test_each_function_has_its_alias_and_deployment_group(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    params, template = case
    resources = template["Resources"]
    aliases = of_type(template, "AWS::Lambda::Alias")
    groups = of_type(template, "AWS::CodeDeploy::DeploymentGroup")
    for function, alarms in ROLLBACK_ALARMS.items():
        alias = aliases[f"{function}Aliaslive"]
        assert alias["Properties"]["Name"] == "live"
        assert alias["Properties"]["FunctionName"] == {"Ref": function}
        update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        group = groups[update["DeploymentGroupName"]["Ref"]]["Properties"]
        config_name = group["DeploymentConfigName"]["Fn::Sub"]
        assert config_name[0] == "CodeDeployDefault.Lambda${ConfigName}"
        assert config_name[1]["ConfigName"] == effective(params, DEPLOYMENT_PARAMETER[function])
        assert group["AlarmConfiguration"]["Enabled"] is True
        assert {alarm["Name"]["Ref"] for alarm in group["AlarmConfiguration"]["Alarms"]} == alarms
        assert all(resources[alarm]["Type"] == "AWS::CloudWatch::Alarm" for alarm in alarms)
        assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"} <= set(group["AutoRollbackConfiguration"]["Events"])
    # The queue invokes the bulk alias, so a bad bulk version is shifted (and rolled back) too.
    mapping = of_type(template, "AWS::Lambda::EventSourceMapping")["BulkFunctionChunkMessages"]
    assert mapping["Properties"]["FunctionName"] == {"Ref": "BulkFunctionAliaslive"}


def test_api_deployments_run_the_pre_traffic_hook(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    _, template = case
    resources = template["Resources"]
    update = resources["ApiFunctionAliaslive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert update["BeforeAllowTrafficHook"] == {"Ref": "ApiPreTrafficHook"}
    hook = resources["ApiPreTrafficHook"]["Properties"]
    # SAM's CodeDeploy role (AWSCodeDeployRoleForLambda) may only invoke functions named so.
    assert hook["FunctionName"]["Fn::Sub"].startswith("CodeDeployHook_")
    assert hook["ImageConfig"]["Command"] == ["functions.deploy_hook.handler.handler"]
    (version,) = [name for name, r in of_type(template, "AWS::Lambda::Version").items()
                  if r["Properties"]["FunctionName"] == {"Ref": "ApiFunction"}]
    assert hook["Environment"]["Variables"]["TARGET_FUNCTION"] == {"Ref": version}
    role = resources[hook["Role"]["Fn::GetAtt"][0]]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert {(s["Action"], json.dumps(s["Resource"])) for s in statements} == {
        ("codedeploy:PutLifecycleEventHookExecutionStatus", json.dumps({"Fn::Sub": (
            "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:"
            "${ServerlessDeploymentApplication}/*")})),
        ("lambda:InvokeFunction", json.dumps({"Ref": version})),
    }
    assert "DeploymentPreference" not in resources  # the hook itself is deployed directly


def test_access_logs_are_json_with_ids_status_latency_and_no_body(case: tuple[dict[str, str], dict[str, Any]]) -> None:
    _, template = case
    (stage,) = of_type(template, "AWS::ApiGateway::Stage").values()
    setting = stage["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    # Every $context variable becomes a value: the format must then be one JSON object.
    line = json.loads(re.sub(r"\$context\.[A-Za-z.]+", "0", setting["Format"]))
    assert {"requestId", "apiKeyId", "status", "latencyMs", "resourcePath", "httpMethod"} <= set(line)
    assert not re.search(r"\$input|body|\$context\.identity\.apiKey\b", setting["Format"])
    log_group = template["Resources"]["ApiAccessLogGroup"]["Properties"]
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    account = template["Resources"]["ApiGatewayAccount"]
    assert account["Condition"] == "CreatesApiGatewayLoggingRole"
    # The stage (through the API and the wait handle) waits for the account's logging role.
    (api_name,) = of_type(template, "AWS::ApiGateway::RestApi")
    assert template["Resources"][api_name]["DependsOn"] == "ApiGatewayLoggingRoleReady"
    assert "ApiGatewayAccount" in json.dumps(template["Resources"]["ApiGatewayLoggingRoleReady"]["Metadata"])
