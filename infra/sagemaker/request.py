"""Pure builders for the CreateTrainingJob request: no AWS calls, so every field is testable."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from infra.sagemaker.contract import CHECKPOINT_LOCAL_PATH, CONFIG_KEY, STAGES_KEY

# SageMaker's TrainingJobName pattern: letters, digits and single hyphens, at most 63 characters.
_NAME_OK = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


@dataclass(frozen=True)
class LaunchSpec:
    job_name: str
    role_arn: str
    image_uri: str
    channels: Mapping[str, str]  # channel name → S3 prefix URI
    output_s3_uri: str
    checkpoint_s3_uri: str
    hyperparameters: Mapping[str, str]
    instance_type: str = "ml.g5.xlarge"
    instance_count: int = 1
    volume_gb: int = 50
    max_runtime_s: int = 24 * 3600
    spot: bool = False
    # Spot only: how long to wait for capacity plus run; SageMaker requires >= max_runtime_s.
    max_wait_s: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def job_name_for(config_name: str, now: dt.datetime) -> str:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base = re.sub(r"[^a-zA-Z0-9]+", "-", config_name).strip("-")[: 62 - len(stamp)] or "training"
    name = f"{base}-{stamp}"
    if not _NAME_OK.match(name):
        raise ValueError(f"cannot derive a valid job name from {config_name!r}: {name!r}")
    return name


def validate_job_name(name: str) -> str:
    if not _NAME_OK.match(name):
        raise ValueError(f"job name {name!r}: use letters, digits and hyphens, at most 63 characters")
    return name


def hyperparameters_for(config_name: str, stages: str | None, overrides: Mapping[str, str]) -> dict[str, str]:
    """Hyperparameters are a flat string map: the config file, the stages, and `--set` overrides."""
    reserved = {CONFIG_KEY, STAGES_KEY} & set(overrides)
    if reserved:
        raise ValueError(f"overrides may not use the reserved keys {sorted(reserved)}")
    params = {CONFIG_KEY: config_name, **overrides}
    if stages:
        params[STAGES_KEY] = stages
    return params


def build_training_job_request(spec: LaunchSpec) -> dict[str, object]:
    stopping: dict[str, int] = {"MaxRuntimeInSeconds": spec.max_runtime_s}
    if spec.spot:
        max_wait = spec.max_wait_s if spec.max_wait_s is not None else 2 * spec.max_runtime_s
        if max_wait < spec.max_runtime_s:
            raise ValueError(f"max wait {max_wait}s is shorter than max runtime {spec.max_runtime_s}s")
        stopping["MaxWaitTimeInSeconds"] = max_wait
    channels = [
        {
            "ChannelName": name,
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                            "S3DataDistributionType": "FullyReplicated"}},
            "InputMode": "File",
        }
        for name, uri in spec.channels.items()
    ]
    return {
        "TrainingJobName": validate_job_name(spec.job_name),
        "RoleArn": spec.role_arn,
        "AlgorithmSpecification": {"TrainingImage": spec.image_uri, "TrainingInputMode": "File"},
        "HyperParameters": dict(spec.hyperparameters),
        "InputDataConfig": channels,
        "OutputDataConfig": {"S3OutputPath": spec.output_s3_uri},
        "ResourceConfig": {"InstanceType": spec.instance_type, "InstanceCount": spec.instance_count,
                           "VolumeSizeInGB": spec.volume_gb},
        "StoppingCondition": stopping,
        "EnableManagedSpotTraining": spec.spot,
        # Always on, not only for spot: SageMaker syncs the job's output_dir (epochs, soft
        # targets) to S3, so an interrupted or stopped job leaves something to resume from.
        "CheckpointConfig": {"S3Uri": spec.checkpoint_s3_uri, "LocalPath": CHECKPOINT_LOCAL_PATH},
        "Tags": [{"Key": k, "Value": v} for k, v in spec.tags.items()],
    }
