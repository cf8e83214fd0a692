"""The CreateTrainingJob request, built without AWS: names, spot, checkpoints, hyperparameters."""

from __future__ import annotations

import datetime as dt

import pytest

from infra.sagemaker.contract import CHECKPOINT_LOCAL_PATH, parse_overrides, split_overrides
from infra.sagemaker.request import LaunchSpec, build_training_job_request, hyperparameters_for, job_name_for

NOW = dt.datetime(2026, 11, 21, 23, 30, 5, tzinfo=dt.UTC)


def spec(**kwargs: object) -> LaunchSpec:
    base: dict[str, object] = dict(
        job_name="goemotions-20261121-233005", role_arn="arn:aws:iam::123456789012:role/r",
        image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/emotion-training:1",
        channels={"train": "s3://b/p/inputs/train/", "config": "s3://b/p/inputs/config/"},
        output_s3_uri="s3://b/p/output/", checkpoint_s3_uri="s3://b/p/checkpoints/j/",
        hyperparameters={"config": "goemotions.yaml"},
    )
    return LaunchSpec(**{**base, **kwargs})  # type: ignore[arg-type]


def test_job_name_is_valid_and_bounded() -> None:
    assert job_name_for("goemotions", NOW) == "goemotions-20261121-233005"
    long = job_name_for("a_very " * 20, NOW)
    assert len(long) <= 63 and long.endswith("-20261121-233005") and "_" not in long and " " not in long


def test_on_demand_request_has_no_wait_time_but_keeps_checkpoints() -> None:
    request = build_training_job_request(spec())

    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert request["EnableManagedSpotTraining"] is False
    assert request["CheckpointConfig"] == {"S3Uri": "s3://b/p/checkpoints/j/", "LocalPath": CHECKPOINT_LOCAL_PATH}
    assert request["AlgorithmSpecification"] == {"TrainingImage": spec().image_uri, "TrainingInputMode": "File"}
    assert [c["ChannelName"] for c in request["InputDataConfig"]] == ["train", "config"]  # type: ignore[attr-defined]


def test_spot_waits_twice_the_runtime_by_default_and_refuses_less_than_runtime() -> None:
    request = build_training_job_request(spec(spot=True, max_runtime_s=3600))
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert request["EnableManagedSpotTraining"] is True
    with pytest.raises(ValueError, match="shorter than max runtime"):
        build_training_job_request(spec(spot=True, max_runtime_s=3600, max_wait_s=60))


def test_invalid_job_name_is_refused_before_aws_sees_it() -> None:
    with pytest.raises(ValueError, match="letters, digits and hyphens"):
        build_training_job_request(spec(job_name="bad_name"))


def test_hyperparameters_carry_config_stages_and_raw_overrides() -> None:
    overrides = split_overrides(["student.optim.epochs=2", "data.transfer_paths=[]"])
    assert hyperparameters_for("smoke.yaml", "teacher,student", overrides) == {
        "config": "smoke.yaml", "stages": "teacher,student",
        "student.optim.epochs": "2", "data.transfer_paths": "[]"}
    assert parse_overrides(["student.optim.epochs=2", "name=x"]) == {"student.optim.epochs": 2, "name": "x"}
    with pytest.raises(ValueError, match="reserved"):
        hyperparameters_for("smoke.yaml", None, {"config": "other.yaml"})
    with pytest.raises(ValueError, match="KEY=VALUE"):
        split_overrides(["no-equals-sign"])
