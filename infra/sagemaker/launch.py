"""Submit the training job to SageMaker on a GPU instance (boto3 only, no sagemaker SDK).

    python -m infra.sagemaker.launch --config training/configs/goemotions.yaml \\
        --role-arn arn:aws:iam::123456789012:role/SageMakerTraining \\
        --image-uri 123456789012.dkr.ecr.eu-west-1.amazonaws.com/emotion-training:latest \\
        --bucket my-training-bucket [--instance-type ml.g5.xlarge] [--spot] [--wait --download-to layers/model]

S3 layout under s3://<bucket>/<prefix>/ (prefix defaults to emotion-training/<config name>):
inputs/{train,transfer,config}/ (one channel each), checkpoints/<job>/ (the job's output_dir),
output/<job>/output/model.tar.gz (the release bundle) and output.tar.gz (reports, log).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import boto3

from infra.sagemaker.contract import (
    CONFIG_CHANNEL,
    TRAIN_CHANNEL,
    TRANSFER_CHANNEL,
    parse_overrides,
    split_overrides,
)
from infra.sagemaker.request import LaunchSpec, build_training_job_request, hyperparameters_for, job_name_for
from infra.sagemaker.s3sync import UploadResult, upload_tree
from training.config import JobConfig, load_config

log = logging.getLogger("infra.sagemaker")
# The configs name the shared datasets by this path; --data-dir re-roots them elsewhere.
DEFAULT_DATA_ROOT = Path("../shared/data")
TERMINAL = {"Completed", "Failed", "Stopped"}


def relocate(path: str, data_dir: Path) -> Path:
    """A config path under ../shared/data/, read from `data_dir` instead; other paths as written."""
    candidate = Path(os.path.normpath(path))
    try:
        return data_dir / candidate.relative_to(os.path.normpath(DEFAULT_DATA_ROOT))
    except ValueError:
        return Path(path)


def channel_sources(config: JobConfig, config_path: Path, data_dir: Path) -> dict[str, list[Path]]:
    """The local files and folders each input channel is made of."""
    data = config.data
    sources: dict[str, list[Path]] = {CONFIG_CHANNEL: [config_path]}
    if data.files:
        sources[TRAIN_CHANNEL] = [relocate(p, data_dir) for p in data.files.values()]
    elif data.path and relocate(data.path, data_dir).exists():
        sources[TRAIN_CHANNEL] = [relocate(data.path, data_dir)]
    elif not data.hub_id:
        where = relocate(data.path, data_dir) if data.path else "no path set"
        raise FileNotFoundError(f"data.path {data.path!r} not found ({where}) and no data.hub_id to fall back on")
    if data.transfer_paths:
        sources[TRANSFER_CHANNEL] = [relocate(p, data_dir) for p in data.transfer_paths]
    for name in (TRAIN_CHANNEL, TRANSFER_CHANNEL):
        # Table files and transfer files land flat in their channel: equal names would overwrite.
        names = [p.name for p in sources.get(name, []) if p.is_file()]
        if len(names) != len(set(names)):
            raise ValueError(f"channel {name!r}: two files share a name ({sorted(names)}); rename one")
    return sources


def upload_inputs(
    s3: Any, sources: dict[str, list[Path]], bucket: str, prefix: str
) -> tuple[dict[str, str], UploadResult]:
    channels: dict[str, str] = {}
    result = UploadResult()
    for channel, paths in sources.items():
        channel_prefix = f"{prefix}/inputs/{channel}"
        for path in paths:
            # A folder's contents go to the channel root, so data.path maps to the channel dir itself.
            result.extend(upload_tree(s3, path, bucket, channel_prefix))
        channels[channel] = f"s3://{bucket}/{channel_prefix}/"
    return channels, result


def wait_for_job(
    sm: Any, job_name: str, poll_s: float = 60.0, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """Poll DescribeTrainingJob until the job ends; log each status change once."""
    seen = None
    while True:
        desc: dict[str, Any] = sm.describe_training_job(TrainingJobName=job_name)
        status = (desc["TrainingJobStatus"], desc.get("SecondaryStatus"))
        if status != seen:
            log.info("%s: %s (%s)", job_name, *status)
            seen = status
        if desc["TrainingJobStatus"] in TERMINAL:
            return desc
        sleep(poll_s)


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not an s3:// URI")
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def download_bundle(s3: Any, artifact_uri: str, dest: Path) -> list[str]:
    """Fetch model.tar.gz and unpack it into `dest`; returns the file names written."""
    bucket, key = split_s3_uri(artifact_uri)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "model.tar.gz"
        s3.download_file(bucket, key, str(archive))
        with tarfile.open(archive) as tar:
            # The "data" filter refuses absolute paths, links out of dest and device files.
            tar.extractall(dest, filter="data")
            names = sorted(m.name for m in tar.getmembers() if m.isfile())
    log.info("bundle from %s written to %s: %s", artifact_uri, dest, names)
    return names


def parse_args(argv: Iterable[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.sagemaker.launch", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="job config (YAML); required unless --attach")
    parser.add_argument("--role-arn", help="IAM role SageMaker assumes (S3 read/write on the bucket, ECR pull)")
    parser.add_argument("--image-uri", help="training image in ECR, built from infra/training.Dockerfile")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", help="S3 key prefix (default: emotion-training/<config name>)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_ROOT,
                        help="where the datasets the config names under ../shared/data/ live locally")
    parser.add_argument("--instance-type", default="ml.g5.xlarge")
    parser.add_argument("--volume-gb", type=int, default=50)
    parser.add_argument("--max-runtime-hours", type=float, default=24.0)
    parser.add_argument("--spot", action="store_true", help="managed spot training (resumes from checkpoints)")
    parser.add_argument("--max-wait-hours", type=float, help="spot only: capacity wait + runtime (default 2x runtime)")
    parser.add_argument("--stages", help="comma-separated subset of the job's stages")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, as in training.job (sent as a hyperparameter)")
    parser.add_argument("--job-name", help="default: <config name>-<UTC time>")
    parser.add_argument("--resume-from", metavar="JOB", help="start from the checkpoints of an earlier job")
    parser.add_argument("--attach", metavar="JOB", help="do not submit: follow (and download) an existing job")
    parser.add_argument("--wait", action="store_true", help="poll until the job ends; exit 1 unless it completed")
    parser.add_argument("--poll-seconds", type=float, default=60.0)
    parser.add_argument("--download-to", type=Path, help="with --wait/--attach: unpack the bundle here")
    parser.add_argument("--region")
    parser.add_argument("--endpoint-url", help="one endpoint for S3 and SageMaker (moto, LocalStack)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not args.attach and not (args.config and args.role_arn and args.image_uri):
        parser.error("--config, --role-arn and --image-uri are required to submit a job (or use --attach JOB)")
    return args


def submit(args: argparse.Namespace, s3: Any, sm: Any) -> str:
    config = load_config(args.config, parse_overrides(args.set))
    prefix = (args.prefix or f"emotion-training/{config.name}").strip("/")
    job_name = args.job_name or job_name_for(config.name, dt.datetime.now(dt.UTC))
    channels, uploads = upload_inputs(s3, channel_sources(config, args.config, args.data_dir), args.bucket, prefix)
    log.info("inputs: %d files uploaded, %d already in S3", len(uploads.uploaded), len(uploads.skipped))
    max_runtime = int(args.max_runtime_hours * 3600)
    spec = LaunchSpec(
        job_name=job_name,
        role_arn=args.role_arn,
        image_uri=args.image_uri,
        channels=channels,
        output_s3_uri=f"s3://{args.bucket}/{prefix}/output/",
        checkpoint_s3_uri=f"s3://{args.bucket}/{prefix}/checkpoints/{args.resume_from or job_name}/",
        hyperparameters=hyperparameters_for(args.config.name, args.stages, split_overrides(args.set)),
        instance_type=args.instance_type,
        volume_gb=args.volume_gb,
        max_runtime_s=max_runtime,
        spot=args.spot,
        max_wait_s=int(args.max_wait_hours * 3600) if args.max_wait_hours else None,
        tags={"project": "emotion-service", "config": config.name},
    )
    arn = sm.create_training_job(**build_training_job_request(spec))["TrainingJobArn"]
    log.info("submitted %s (%s) on %s%s", job_name, arn, args.instance_type, " spot" if args.spot else "")
    return job_name


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    session = boto3.Session(region_name=args.region)
    s3 = session.client("s3", endpoint_url=args.endpoint_url)
    sm = session.client("sagemaker", endpoint_url=args.endpoint_url)
    job_name = args.attach or submit(args, s3, sm)
    if not (args.wait or args.attach):
        return 0
    desc = wait_for_job(sm, job_name, args.poll_seconds)
    if desc["TrainingJobStatus"] != "Completed":
        log.error("%s ended %s: %s", job_name, desc["TrainingJobStatus"], desc.get("FailureReason", "no reason given"))
        return 1
    if args.download_to:
        download_bundle(s3, desc["ModelArtifacts"]["S3ModelArtifacts"], args.download_to)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
