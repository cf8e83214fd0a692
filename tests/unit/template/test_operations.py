"""What operators see: the dashboard shows every signal of issue 11 from metrics that exist, and
the alarms cover errors, latency, throttles, 4xx/429 rates, queue age, dead letters, DynamoDB."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.unit.template.stack import REPO_ROOT, sam_template

FUNCTIONS_SOURCE = "\n".join(path.read_text() for path in sorted((REPO_ROOT / "functions").rglob("*.py")))
# Metrics of the EmotionService namespace that the functions' code does not emit by name.
NOT_EMITTED_BY_NAME = {
    "ApiThrottled": "the access-log metric filter ApiThrottledMetricFilter",
    "ColdStart": "Powertools (capture_cold_start_metric=True)",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return sam_template()


@pytest.fixture(scope="module")
def dashboard(template: dict[str, Any]) -> dict[str, Any]:
    body = template["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    names = set(re.findall(r"\$\{([^}]+)\}", body))
    known = set(template["Resources"]) | set(template["Parameters"]) | {"AWS::Region", "AWS::StackName"}
    assert {name.split(".")[0] for name in names} <= known, names
    # Placeholders inside strings keep their name (<BulkQueue.QueueName>); unquoted ones are
    # numbers (annotation values) and become 0.
    named_body = re.sub(r"\$\{([^}]+)\}", r"<\1>", body)
    parsed: dict[str, Any] = json.loads(re.sub(r'(?<=: )<[^>]+>', "0", named_body))
    return parsed


def dashboard_metrics(dashboard: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Widget title -> its metric rows (namespace, name, dimension pairs..., options)."""
    return {w["properties"]["title"]: w["properties"].get("metrics", []) for w in dashboard["widgets"]
            if w["type"] == "metric"}


def named(rows: list[list[Any]]) -> set[tuple[str, str]]:
    return {(row[0], row[1]) for row in rows if isinstance(row[0], str)}


def test_dashboard_shows_every_signal(dashboard: dict[str, Any]) -> None:
    metrics = {metric for rows in dashboard_metrics(dashboard).values() for metric in named(rows)}
    expected = {
        ("AWS/ApiGateway", "Count"), ("AWS/ApiGateway", "4XXError"), ("AWS/ApiGateway", "5XXError"),
        ("EmotionService", "ApiThrottled"), ("AWS/ApiGateway", "Latency"),
        ("EmotionService", "Texts"), ("EmotionService", "ColdStart"),
        ("AWS/Lambda", "ConcurrentExecutions"), ("AWS/Lambda", "Throttles"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("EmotionService", "ChunksProcessed"), ("EmotionService", "ItemsSucceeded"),
        ("AWS/DynamoDB", "ReadThrottleEvents"), ("AWS/DynamoDB", "WriteThrottleEvents"),
    }
    assert expected <= metrics, expected - metrics
    latency = [row[-1]["stat"] for rows in dashboard_metrics(dashboard).values() for row in rows
               if row[:2] == ["AWS/ApiGateway", "Latency"]]
    assert {"p50", "p99"} <= set(latency)
    searches = [row[0]["expression"] for rows in dashboard_metrics(dashboard).values() for row in rows
                if isinstance(row[0], dict)]
    assert any("Emotion_" in expression for expression in searches), "per-emotion counts"
    queues = {row[3] for rows in dashboard_metrics(dashboard).values() for row in rows if row[0] == "AWS/SQS"}
    assert queues == {"<BulkQueue.QueueName>", "<BulkDeadLetterQueue.QueueName>"}  # queue and DLQ


def test_emotion_service_metrics_are_the_ones_the_code_emits(
        template: dict[str, Any], dashboard: dict[str, Any]) -> None:
    used = {name for rows in dashboard_metrics(dashboard).values()
            for namespace, name in named(rows) if namespace == "EmotionService"}
    used |= {a["Properties"]["MetricName"] for a in template["Resources"].values()
             if a["Type"] == "AWS::CloudWatch::Alarm" and a["Properties"].get("Namespace") == "EmotionService"}
    for name in sorted(used - set(NOT_EMITTED_BY_NAME)):
        assert f'name="{name}"' in FUNCTIONS_SOURCE, f"no function emits the EMF metric {name}"
    assert 'name=f"Emotion_{' in FUNCTIONS_SOURCE  # the per-emotion SEARCH
    assert "capture_cold_start_metric=True" in FUNCTIONS_SOURCE
    # EMF dimensions: Powertools' service = each function's POWERTOOLS_SERVICE_NAME.
    services = {template["Resources"][fn]["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
                for fn in ("ApiFunction", "BulkFunction")}
    body = template["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert set(re.findall(r'"service", "([a-z-]+)"', body)) == services
    throttled = template["Resources"]["ApiThrottledMetricFilter"]["Properties"]
    assert throttled["FilterPattern"] == "{ $.status = 429 }"
    assert throttled["MetricTransformations"][0]["MetricName"] == "ApiThrottled"


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def watched(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    if "MetricName" in alarm:
        return {(alarm["Namespace"], alarm["MetricName"])}
    return {(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
            for m in alarm["Metrics"] if "MetricStat" in m}


def test_alarms_cover_what_operators_must_hear_about(template: dict[str, Any]) -> None:
    found = {metric for alarm in alarms(template).values() for metric in watched(alarm)}
    expected = {
        ("AWS/ApiGateway", "5XXError"), ("AWS/ApiGateway", "Latency"), ("AWS/ApiGateway", "4XXError"),
        ("EmotionService", "ApiThrottled"), ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"), ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/DynamoDB", "ReadThrottleEvents"), ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("EmotionService", "ChunksFailed"),
    }
    assert expected <= found, expected - found
    # Every function's own failures, and every dead-letter queue, page someone.
    error_alarms = [a for a in alarms(template).values() if ("AWS/Lambda", "Errors") in watched(a)]
    functions = {name for name, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    watched_functions = {a["Dimensions"][0]["Value"]["Ref"] for a in error_alarms}
    assert functions - watched_functions <= {"ApiPreTrafficHook"}, functions - watched_functions
    queues = {name for name, r in template["Resources"].items() if r["Type"] == "AWS::SQS::Queue"}
    depth = [a for a in alarms(template).values() if ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in watched(a)]
    assert {a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in depth} == {q for q in queues if "DeadLetter" in q}
    throttle_alarms = [a for a in alarms(template).values() if ("AWS/Lambda", "Throttles") in watched(a)]
    assert {a["Dimensions"][0]["Value"]["Ref"] for a in throttle_alarms} == {"ApiFunction", "BulkFunction"}


def test_every_alarm_notifies_and_stays_quiet_without_data(template: dict[str, Any]) -> None:
    for name, alarm in alarms(template).items():
        assert alarm["TreatMissingData"] == "notBreaching", name
        assert alarm["AlarmActions"] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}, name
        assert alarm["AlarmDescription"], name


def test_rate_alarms_are_well_formed_metric_math(template: dict[str, Any]) -> None:
    rates = {name: a for name, a in alarms(template).items() if "Metrics" in a}
    assert {"ApiClientErrorRateAlarm", "ApiThrottledRateAlarm", "JobsTableThrottlesAlarm"} <= set(rates)
    for name, alarm in rates.items():
        returned = [m for m in alarm["Metrics"] if m["ReturnData"]]
        assert len(returned) == 1 and "Expression" in returned[0], name
        ids = {m["Id"] for m in alarm["Metrics"] if "MetricStat" in m}
        assert set(re.findall(r"\b[a-z][A-Za-z0-9]*\b(?!\()", returned[0]["Expression"])) <= ids, name
    for name in ("ApiClientErrorRateAlarm", "ApiThrottledRateAlarm"):
        # Rates over a handful of requests are noise: the expression needs a minimum count.
        assert "requests >= 20" in next(m["Expression"] for m in rates[name]["Metrics"] if m["ReturnData"])


def test_dashboard_lists_every_alarm(template: dict[str, Any], dashboard: dict[str, Any]) -> None:
    body = template["Resources"]["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    (alarm_widget,) = [w for w in dashboard["widgets"] if w["type"] == "alarm"]
    assert len(alarm_widget["properties"]["alarms"]) == len(alarms(template))
    assert set(re.findall(r"\$\{(\w+)\.Arn\}", body)) == set(alarms(template))
