"""The launcher against moto's S3 and SageMaker: inputs staged once, the job accepted as built."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from infra.sagemaker.launch import channel_sources, main, upload_inputs, wait_for_job
from training.config import load_config

ROLE = "arn:aws:iam::123456789012:role/SageMakerTraining"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/emotion-training:test"
# The config names the shared data as the real configs do; --data-dir points at a fake copy.
CONFIG = """\
name: cloud-test
data:
  kind: goemotions
  path: ../shared/data/goemotions
  transfer_paths: [../shared/data/carer/train.txt]
student:
  optim: {epochs: 1}
"""


@pytest.fixture()
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    for name in ("original", "ekman", "group"):
        (data / "goemotions" / name).mkdir(parents=True)
        (data / "goemotions" / name / "train.tsv").write_text(f"{name}\t0\tid1\n")
    (data / "carer").mkdir()
    (data / "carer" / "train.txt").write_text("i feel fine;joy\n")
    config = tmp_path / "cloud.yaml"
    config.write_text(CONFIG)
    return config, data


def launch_args(bucket: str, endpoint: str, config: Path, data: Path, *extra: str) -> list[str]:
    return ["--config", str(config), "--role-arn", ROLE, "--image-uri", IMAGE, "--bucket", bucket,
            "--data-dir", str(data), "--endpoint-url", endpoint, "--region", "us-east-1", *extra]


def test_inputs_are_uploaded_once(s3: Any, bucket: str, workspace: tuple[Path, Path]) -> None:
    config_path, data = workspace
    sources = channel_sources(load_config(config_path), config_path, data)

    channels, first = upload_inputs(s3, sources, bucket, "p")
    _, second = upload_inputs(s3, sources, bucket, "p")

    assert channels == {"config": f"s3://{bucket}/p/inputs/config/", "train": f"s3://{bucket}/p/inputs/train/",
                        "transfer": f"s3://{bucket}/p/inputs/transfer/"}
    assert sorted(first.uploaded) == ["p/inputs/config/cloud.yaml", "p/inputs/train/ekman/train.tsv",
                                      "p/inputs/train/group/train.tsv", "p/inputs/train/original/train.tsv",
                                      "p/inputs/transfer/train.txt"]
    assert second.uploaded == [] and len(second.skipped) == 5


def test_submitted_job_is_described_as_requested(
    s3: Any, sagemaker: Any, bucket: str, moto_endpoint: str, workspace: tuple[Path, Path]
) -> None:
    config, data = workspace
    args = launch_args(bucket, moto_endpoint, config, data, "--job-name", "cloud-test-1", "--spot",
                       "--instance-type", "ml.g5.2xlarge", "--max-runtime-hours", "2",
                       "--stages", "teacher,soft_targets,student", "--set", "student.optim.epochs=4")

    assert main(args) == 0

    job = sagemaker.describe_training_job(TrainingJobName="cloud-test-1")
    prefix = f"s3://{bucket}/emotion-training/cloud-test"
    assert job["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert job["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    assert job["RoleArn"] == ROLE
    assert job["ResourceConfig"]["InstanceType"] == "ml.g5.2xlarge"
    assert {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in job["InputDataConfig"]} == {
        "config": f"{prefix}/inputs/config/", "train": f"{prefix}/inputs/train/",
        "transfer": f"{prefix}/inputs/transfer/"}
    assert job["HyperParameters"] == {"config": "cloud.yaml", "stages": "teacher,soft_targets,student",
                                      "student.optim.epochs": "4"}
    assert job["OutputDataConfig"]["S3OutputPath"] == f"{prefix}/output/"
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 7200, "MaxWaitTimeInSeconds": 14400}
    assert job["EnableManagedSpotTraining"] is True
    assert job["CheckpointConfig"]["S3Uri"] == f"{prefix}/checkpoints/cloud-test-1/"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="emotion-training/cloud-test/inputs/")
    assert listed["KeyCount"] == 5


def model_archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def test_wait_then_download_unpacks_the_bundle(
    s3: Any, bucket: str, moto_endpoint: str, workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    config, data = workspace
    # What the container leaves behind: /opt/ml/model tarred where SageMaker puts it.
    bundle = {"model.json": json.dumps({"name": "x"}).encode(), "model.onnx": b"onnx", "tokenizer.json": b"{}"}
    key = "emotion-training/cloud-test/output/cloud-test-2/output/model.tar.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=model_archive(bundle))
    dest = tmp_path / "bundle"

    code = main(launch_args(bucket, moto_endpoint, config, data, "--job-name", "cloud-test-2",
                            "--wait", "--poll-seconds", "0", "--download-to", str(dest)))

    assert code == 0
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == bundle


def test_missing_dataset_and_clashing_file_names_fail_before_upload(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("name: x\ndata: {path: ../shared/data/nowhere}\n")
    with pytest.raises(FileNotFoundError, match="nowhere"):
        channel_sources(load_config(config), config, tmp_path)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "t.txt").write_text("x;joy\n")
    transfer = f"[{tmp_path}/a/t.txt, {tmp_path}/b/t.txt]"
    config.write_text(f"name: x\ndata: {{path: {tmp_path}, transfer_paths: {transfer}}}\n")
    with pytest.raises(ValueError, match="share a name"):
        channel_sources(load_config(config), config, tmp_path)


class ScriptedSageMaker:
    """moto finishes every job at once; a failing, slow job needs a scripted DescribeTrainingJob."""

    def __init__(self, states: list[tuple[str, str]]):
        self.states = states

    # The parameter is spelled as boto3 spells it, because wait_for_job passes it by keyword.
    def describe_training_job(self, TrainingJobName: str) -> dict[str, Any]:
        status, secondary = self.states.pop(0)
        return {"TrainingJobName": TrainingJobName, "TrainingJobStatus": status, "SecondaryStatus": secondary,
                "FailureReason": "EntrypointError: config 'x.yaml' not found"}


def test_wait_polls_until_the_job_ends(caplog: pytest.LogCaptureFixture) -> None:
    states = [("InProgress", "Starting"), ("InProgress", "Training"), ("InProgress", "Training"), ("Failed", "Failed")]
    sleeps: list[float] = []
    caplog.set_level("INFO", logger="infra.sagemaker")

    desc = wait_for_job(ScriptedSageMaker(states), "j", poll_s=5, sleep=sleeps.append)

    assert desc["TrainingJobStatus"] == "Failed"
    assert sleeps == [5, 5, 5]
    # Each status change is logged once, not every poll.
    assert [r.getMessage() for r in caplog.records] == ["j: InProgress (Starting)", "j: InProgress (Training)",
                                                        "j: Failed (Failed)"]
