"""template.yaml's bulk path: queue, DLQ, alarm, event source mapping, bucket, table, policies.

The linters accept many wrong values, so the properties the bulk path relies on are asserted here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from functions.bulk.settings import BulkSettings
from functions.jobs.contract import SQS_MAX_BODY_BYTES
from tests.unit.template.test_template import TEMPLATE, CfnLoader


@pytest.fixture(scope="module")
def res() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)
    return {name: resource.get("Properties", {}) for name, resource in loaded["Resources"].items()}


@pytest.fixture(scope="module")
def globals_function() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)
    return dict(loaded["Globals"]["Function"])


def test_queue_size_encryption_visibility_and_redrive(res: dict[str, Any]) -> None:
    queue, bulk = res["BulkQueue"], res["BulkFunction"]
    assert queue["MaximumMessageSize"] == SQS_MAX_BODY_BYTES
    assert BulkSettings.model_fields["chunk_max_bytes"].default < SQS_MAX_BODY_BYTES
    assert queue["SqsManagedSseEnabled"] is True and res["BulkDeadLetterQueue"]["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] >= 6 * bulk["Timeout"]
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["BulkDeadLetterQueue", "Arn"]}
    assert redrive["maxReceiveCount"] >= 5
    # The handler records a chunk as failed on exactly the delivery SQS will not repeat.
    assert int(bulk["Environment"]["Variables"]["BULK_MAX_RECEIVE_COUNT"]) == redrive["maxReceiveCount"]


def test_dlq_alarm_fires_on_any_message(res: dict[str, Any]) -> None:
    alarm = res["BulkDeadLetterAlarm"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["BulkDeadLetterQueue", "QueueName"]}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_bulk_function_runs_the_same_image_with_the_bulk_handler(res: dict[str, Any]) -> None:
    bulk, api = res["BulkFunction"], res["ApiFunction"]
    assert bulk["PackageType"] == "Image" == api["PackageType"]
    assert bulk["ImageConfig"]["Command"] == ["functions.bulk.handler.handler"]
    env = bulk["Environment"]["Variables"]
    assert env["RESULTS_BUCKET"] == {"Ref": "ResultsBucket"} and env["JOBS_TABLE"] == {"Ref": "JobsTable"}
    assert env["POWERTOOLS_SERVICE_NAME"] == "emotion-bulk"


def test_event_source_mapping_reports_partial_failures_and_is_bounded(res: dict[str, Any]) -> None:
    (event,) = res["BulkFunction"]["Events"].values()
    props = event["Properties"]
    assert event["Type"] == "SQS" and props["Queue"] == {"Fn::GetAtt": ["BulkQueue", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= props["BatchSize"] <= 10 and props["MaximumBatchingWindowInSeconds"] >= 1
    assert props["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "BulkMaxConcurrency"}


def test_results_bucket_is_private_encrypted_tls_only_and_expires(res: dict[str, Any]) -> None:
    bucket = res["ResultsBucket"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert all(bucket["PublicAccessBlockConfiguration"][flag] is True for flag in (
        "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
    expiry = [rule for rule in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in rule]
    assert expiry and expiry[0]["Status"] == "Enabled" and expiry[0]["Prefix"] == "jobs/"
    (statement,) = res["ResultsBucketPolicy"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::Sub": "${ResultsBucket.Arn}/*"} in statement["Resource"]


def test_jobs_table_is_on_demand_with_ttl_and_the_store_keys(res: dict[str, Any]) -> None:
    table = res["JobsTable"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"},
                                  {"AttributeName": "record", "KeyType": "RANGE"}]


def actions_by_resource(policies: list[Any]) -> list[tuple[str, Any]]:
    found = []
    for policy in policies:
        for statement in policy.get("Statement", []):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            found += [(action, statement["Resource"]) for action in actions]
    return found


def unconditional(policies: list[Any]) -> list[Any]:
    return [policy for policy in policies if "Fn::If" not in policy]


def test_custom_models_are_read_only_from_their_prefix_when_configured(res: dict[str, Any]) -> None:
    for function in ("ApiFunction", "BulkFunction"):
        props = res[function]
        (conditional,) = [p["Fn::If"] for p in props["Policies"] if "Fn::If" in p]
        condition, policy, otherwise = conditional
        assert condition == "HasCustomModels" and otherwise == {"Ref": "AWS::NoValue"}
        assert {action: resource for action, resource in actions_by_resource([policy])} == {
            "s3:ListBucket": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${CustomModelsBucket}"},
            "s3:GetObject": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${CustomModelsBucket}/${CustomModelsPrefix}*"}}
        env = props["Environment"]["Variables"]
        assert env["MODELS_S3_URI"]["Fn::If"][0] == "HasCustomModels"
        assert env["MODELS_S3_SHA256"] == {"Fn::If": ["HasCustomModels", {"Ref": "CustomModelsSha256"},
                                                      {"Ref": "AWS::NoValue"}]}


def test_policies_are_least_privilege(res: dict[str, Any]) -> None:
    bulk = unconditional(res["BulkFunction"]["Policies"])
    bulk_actions = actions_by_resource(bulk)
    assert ("s3:PutObject", {"Fn::Sub": "${ResultsBucket.Arn}/jobs/*"}) in bulk_actions
    assert {action for action, _ in bulk_actions} == {
        "s3:PutObject", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}
    assert not any("*" in json.dumps(action) for action, _ in bulk_actions)

    api = unconditional(res["ApiFunction"]["Policies"])
    templates = {name: args for policy in api for name, args in policy.items() if name != "Statement"}
    assert templates == {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["BulkQueue", "QueueName"]}}}
    api_actions = actions_by_resource(api)
    # What the jobs routes use: list a job's chunk objects, presign GETs of them (a presigned URL
    # carries the signer's rights), and the job records. No S3ReadPolicy (versions, lifecycle, *).
    assert {action for action, _ in api_actions} == {
        "s3:ListBucket", "s3:GetObject", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert ("s3:GetObject", {"Fn::Sub": "${ResultsBucket.Arn}/jobs/*"}) in api_actions
    (listing,) = [s for p in api for s in p.get("Statement", []) if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "jobs/*"}}


def test_api_function_knows_the_bulk_resources_and_routes_need_keys(res: dict[str, Any]) -> None:
    env = res["ApiFunction"]["Environment"]["Variables"]
    assert env["JOBS_QUEUE_URL"] == {"Ref": "BulkQueue"}
    assert env["RESULTS_BUCKET"] == {"Ref": "ResultsBucket"} and env["JOBS_TABLE"] == {"Ref": "JobsTable"}
    routes = {(e["Properties"]["Path"], e["Properties"]["Method"]): e["Properties"]["Auth"]["ApiKeyRequired"]
              for e in res["ApiFunction"]["Events"].values()}
    assert routes[("/v1/jobs", "post")] is True and routes[("/v1/jobs/{job_id}", "get")] is True
