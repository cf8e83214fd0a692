"""Container entry point: SageMaker's folder conventions → `training.job` arguments.

SageMaker starts the image as `<entrypoint> train`, with input channels in
`/opt/ml/input/data/<channel>/`, hyperparameters in `/opt/ml/input/config/hyperparameters.json`,
the model to keep in `/opt/ml/model/` (uploaded as model.tar.gz) and other outputs in
`/opt/ml/output/data/` (output.tar.gz). On failure, `/opt/ml/output/failure` holds the reason
that DescribeTrainingJob shows as FailureReason.

`SAGEMAKER_ROOT` replaces `/opt/ml` so the same code runs against a local folder; the
`SM_CHANNEL_<NAME>`, `SM_MODEL_DIR` and `SM_OUTPUT_DATA_DIR` variables win when set.
Arguments after `train` are passed on to `training.job` (e.g. `--stages export,report`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.sagemaker.contract import (
    CONFIG_CHANNEL,
    CONFIG_KEY,
    RESERVED_KEYS,
    STAGES_KEY,
    TRAIN_CHANNEL,
    TRANSFER_CHANNEL,
    parse_overrides,
)

log = logging.getLogger("infra.sagemaker.entrypoint")
ROOT_ENV = "SAGEMAKER_ROOT"
DEFAULT_ROOT = "/opt/ml"
# SageMaker keeps only the first 1024 characters of the failure file as FailureReason.
FAILURE_REASON_CHARS = 1024


class EntrypointError(Exception):
    """The container was started without what the job needs (config, channels)."""


@dataclass(frozen=True)
class SageMakerPaths:
    root: Path
    model_dir: Path
    output_data_dir: Path
    channel_dirs: Mapping[str, Path]

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SageMakerPaths:
        root = Path(environ.get(ROOT_ENV, DEFAULT_ROOT))
        data = root / "input" / "data"
        channels = {p.name: p for p in sorted(data.iterdir()) if p.is_dir()} if data.is_dir() else {}
        # The training toolkit images export SM_CHANNEL_*; a bare container only has the folders.
        for key, value in environ.items():
            if key.startswith("SM_CHANNEL_"):
                channels[key.removeprefix("SM_CHANNEL_").lower()] = Path(value)
        return cls(
            root=root,
            model_dir=Path(environ.get("SM_MODEL_DIR", root / "model")),
            output_data_dir=Path(environ.get("SM_OUTPUT_DATA_DIR", root / "output" / "data")),
            channel_dirs=channels,
        )

    @property
    def hyperparameters_file(self) -> Path:
        return self.root / "input" / "config" / "hyperparameters.json"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def failure_file(self) -> Path:
        return self.root / "output" / "failure"

    def channel(self, name: str) -> Path | None:
        return self.channel_dirs.get(name)


def read_hyperparameters(paths: SageMakerPaths) -> dict[str, str]:
    if not paths.hyperparameters_file.is_file():
        return {}
    raw = json.loads(paths.hyperparameters_file.read_text())
    return {str(k): str(v) for k, v in raw.items()}


def _unquote(value: str) -> str:
    # The sagemaker SDK JSON-encodes every hyperparameter value; boto3 callers send plain strings.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        decoded = json.loads(value)
        return decoded if isinstance(decoded, str) else value
    return value


def resolve_config(paths: SageMakerPaths, hyperparameters: Mapping[str, str]) -> Path:
    name = hyperparameters.get(CONFIG_KEY)
    if not name:
        raise EntrypointError(f"hyperparameter {CONFIG_KEY!r} is missing: it names the job config (a YAML file)")
    name = _unquote(name)
    channel = paths.channel(CONFIG_CHANNEL)
    # Uploaded configs win; a path without a config channel is one baked into the image.
    candidate = channel / name if channel is not None else Path(name)
    if not candidate.is_file():
        where = f"channel {CONFIG_CHANNEL!r} ({channel})" if channel is not None else "the image"
        raise EntrypointError(f"config {name!r} not found in {where}")
    return candidate


def container_overrides(paths: SageMakerPaths, config: Any) -> dict[str, Any]:
    """Point the job's inputs at the channels and its outputs at the folders SageMaker keeps."""
    out = paths.checkpoint_dir
    overrides: dict[str, Any] = {
        "output_dir": str(out),
        # Cached preprocessing sits with the checkpoints, so a resumed spot job reuses it too.
        "data.cache_dir": str(out / "cache"),
        "report_dir": str(paths.output_data_dir / "reports"),
        "release.bundle_dir": str(paths.model_dir),
    }
    train = paths.channel(TRAIN_CHANNEL)
    if train is not None:
        if config.data.files:
            # Table datasets: the launcher uploads each split file flat into the channel.
            overrides["data.files"] = {split: str(train / Path(p).name) for split, p in config.data.files.items()}
        else:
            overrides["data.path"] = str(train)
    transfer = paths.channel(TRANSFER_CHANNEL)
    if transfer is not None and config.data.transfer_paths:
        overrides["data.transfer_paths"] = [str(transfer / Path(p).name) for p in config.data.transfer_paths]
    return overrides


def build_job_argv(paths: SageMakerPaths, hyperparameters: Mapping[str, str]) -> list[str]:
    # Imported here: training.config is light (yaml only), but keep module import side-effect free.
    from training.config import load_config

    config_path = resolve_config(paths, hyperparameters)
    user = parse_overrides([f"{k}={v}" for k, v in hyperparameters.items() if k not in RESERVED_KEYS])
    config = load_config(config_path, user)
    argv = ["--config", str(config_path)]
    if hyperparameters.get(STAGES_KEY):
        argv += ["--stages", _unquote(hyperparameters[STAGES_KEY])]
    # Container paths come last so they win over a hyperparameter naming a local path.
    merged = {**user, **container_overrides(paths, config)}
    for key, value in merged.items():
        argv += ["--set", f"{key}={json.dumps(value)}"]
    return argv


def keep_job_files(paths: SageMakerPaths) -> None:
    """Copy the job's log and resolved config into output.tar.gz (checkpoints are not in it)."""
    paths.output_data_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("job.log", "*.json"):
        for item in paths.checkpoint_dir.glob(pattern):
            shutil.copyfile(item, paths.output_data_dir / item.name)


def write_failure(paths: SageMakerPaths, exc: BaseException) -> None:
    reason = f"{type(exc).__name__}: {exc}"
    paths.failure_file.parent.mkdir(parents=True, exist_ok=True)
    details = "".join(traceback.format_exception(exc))
    # Reason first: only the head of the file reaches DescribeTrainingJob.
    paths.failure_file.write_text(reason[:FAILURE_REASON_CHARS] + "\n\n" + details)


def run(paths: SageMakerPaths, extra_args: list[str]) -> int:
    try:
        argv = build_job_argv(paths, read_hyperparameters(paths)) + extra_args
        log.info("training.job %s", " ".join(argv))
        from training.job import main as job_main

        code = job_main(argv)
        if code:
            raise RuntimeError(f"training.job exited with {code}")
        return 0
    except SystemExit as exc:
        # argparse inside the job exits on bad arguments; that is a failure with a reason too.
        write_failure(paths, RuntimeError(f"training.job exited with {exc.code} (bad arguments, see the log)"))
        return 1
    except Exception as exc:
        log.exception("training failed")
        write_failure(paths, exc)
        return 1
    finally:
        if paths.checkpoint_dir.is_dir():
            keep_job_files(paths)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["train"]:
        args = args[1:]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return run(SageMakerPaths.from_env(os.environ), args)


if __name__ == "__main__":
    raise SystemExit(main())
