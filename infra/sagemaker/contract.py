"""What the launcher and the container entry point agree on: channel names and hyperparameter keys.

Both sides import this module, so a renamed channel cannot leave one of them behind.
"""

from __future__ import annotations

import json
from typing import Any

# Input channels: each one a folder under /opt/ml/input/data/ in the container.
TRAIN_CHANNEL = "train"  # the dataset folder (data.path) or the table files (data.files)
TRANSFER_CHANNEL = "transfer"  # unlabeled texts the teacher soft-labels (data.transfer_paths)
CONFIG_CHANNEL = "config"  # the job's YAML config, so a config change needs no image rebuild

# Hyperparameters the entry point consumes itself; every other key becomes a `--set key=value`.
CONFIG_KEY = "config"
STAGES_KEY = "stages"
RESERVED_KEYS = frozenset({CONFIG_KEY, STAGES_KEY})

# Where SageMaker syncs checkpoints to and from S3 (CheckpointConfig.LocalPath). The job's
# output_dir lives here, so a spot interruption resumes from the last finished epoch.
CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"


def split_overrides(items: list[str]) -> dict[str, str]:
    """`key=value` strings → {key: raw value}: the form hyperparameters travel in."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"override {item!r} is not KEY=VALUE")
        pairs[key] = raw
    return pairs


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """`key=value` strings → overrides, values read as JSON when they parse, as in `training.job`."""
    overrides: dict[str, Any] = {}
    for key, raw in split_overrides(items).items():
        try:
            overrides[key] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key] = raw
    return overrides
