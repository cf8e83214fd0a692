"""The protections an operator expects, each asserted on the template resource that provides it
(the API function's narrowed S3 rights: test_bulk_resources.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.template.stack import effective, parameter_sets, sam_template


@pytest.fixture(scope="module")
def res() -> dict[str, Any]:
    return {name: r.get("Properties", {}) for name, r in sam_template()["Resources"].items()}


def test_api_function_concurrency_is_reserved_by_parameter(res: dict[str, Any]) -> None:
    assert res["ApiFunction"]["ReservedConcurrentExecutions"] == {
        "Fn::If": ["HasApiReservedConcurrency", {"Ref": "ApiReservedConcurrency"}, {"Ref": "AWS::NoValue"}]}
    # 0 means "no reservation", never "reserve zero" (which would throttle every request).
    assert sam_template()["Conditions"]["HasApiReservedConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ApiReservedConcurrency"}, 0]}]}
    assert int(effective(parameter_sets()["prod"], "ApiReservedConcurrency")) > 0


def test_jobs_table_has_point_in_time_recovery_and_deletion_protection(res: dict[str, Any]) -> None:
    table = res["JobsTable"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Ref": "JobsTableDeletionProtection"}
    assert effective({}, "JobsTableDeletionProtection") == "true"
    assert effective(parameter_sets()["prod"], "JobsTableDeletionProtection") == "true"
    assert table["SSESpecification"] == {"SSEEnabled": True}


def deny_insecure_transport(statement: dict[str, Any]) -> bool:
    return (statement["Effect"] == "Deny" and statement["Principal"] == "*"
            and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}})


def test_both_queues_accept_tls_only(res: dict[str, Any]) -> None:
    policy = res["BulkQueuesTlsPolicy"]
    assert policy["Queues"] == [{"Ref": "BulkQueue"}, {"Ref": "BulkDeadLetterQueue"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert deny_insecure_transport(statement) and statement["Action"] == "sqs:*"
    assert statement["Resource"] == [{"Fn::GetAtt": ["BulkQueue", "Arn"]},
                                     {"Fn::GetAtt": ["BulkDeadLetterQueue", "Arn"]}]


def test_results_bucket_access_is_logged_to_a_private_expiring_bucket(res: dict[str, Any]) -> None:
    assert res["ResultsBucket"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": "AccessLogsBucket"}, "LogFilePrefix": "results/"}
    logs = res["AccessLogsBucket"]
    assert all(logs["PublicAccessBlockConfiguration"].values())
    # S3 server access logging delivers to SSE-S3 buckets only.
    assert logs["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    (expiry,) = logs["LifecycleConfiguration"]["Rules"]
    assert expiry["ExpirationInDays"] == {"Ref": "LogRetentionDays"}
    allow, deny = res["AccessLogsBucketPolicy"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"} and allow["Action"] == "s3:PutObject"
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": ["ResultsBucket", "Arn"]}}
    assert deny_insecure_transport(deny)


def test_every_log_group_has_a_retention(res: dict[str, Any]) -> None:
    kinds = {name: r["Type"] for name, r in sam_template()["Resources"].items()}
    groups = {name: props for name, props in res.items() if kinds[name] == "AWS::Logs::LogGroup"}
    assert {"ApiLogGroup", "BulkLogGroup", "DeployHookLogGroup", "ApiAccessLogGroup"} <= set(groups)
    assert all(props["RetentionInDays"] == {"Ref": "LogRetentionDays"} for props in groups.values())
    functions = [name for name, kind in kinds.items() if kind == "AWS::Serverless::Function"]
    assert all(res[name]["LoggingConfig"]["LogGroup"]["Ref"] in groups for name in functions)
