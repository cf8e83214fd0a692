"""The one configuration class: every knob comes from an environment variable.

Variables carry no prefix (``MODEL_DIR``, ``ORT_THREADS``, ...) so that the Lambda
template, ``make serve`` and the tests all set them the same way.
"""

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# layers/emotion_core/settings.py -> layers/model, both in the repo and in the image,
# because the image copies layers/ as a whole.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "model"


def cpu_quota(cgroup_root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs granted by the cgroup quota (v2 ``cpu.max`` or v1 cfs), rounded up; None if unlimited."""
    try:
        quota, period = (cgroup_root / "cpu.max").read_text().split()[:2]
        if quota != "max":
            return max(1, -(-int(quota) // int(period)))
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((cgroup_root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((cgroup_root / "cpu" / "cpu.cfs_period_us").read_text())
        if quota_us > 0 and period_us > 0:
            return max(1, -(-quota_us // period_us))
    except (OSError, ValueError):
        pass
    return None


def default_threads(cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """Threads for onnxruntime when ORT_THREADS is unset.

    Lambda reports 2 CPUs from os.cpu_count() at 1,769 MB but grants about one vCPU;
    oversubscribing makes each inference slower, so Lambda defaults to 1.
    """
    quota = cpu_quota(cgroup_root)
    if quota is not None:
        return quota
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return 1
    return os.cpu_count() or 1


def comma_separated(value: object) -> object:
    """An environment variable's "a, b,c" as ["a", "b", "c"]; other values pass to validation as given."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Service configuration; invalid values fail here, at start-up, not on the first request."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True, protected_namespaces=())

    model_dir: Path = Field(default=DEFAULT_MODEL_DIR, description="Folder of the model bundle")
    models_dir: Path | None = Field(
        default=None,
        description="Folder of custom model bundles (one sub-folder each, e.g. label-set models) served beside "
                    "the default one; each is verified at start-up (docs/labelsets.md)")
    ort_threads: int = Field(default_factory=default_threads, ge=1, le=256,
                             description="onnxruntime intra-op threads")
    inference_batch_size: int = Field(default=32, ge=1, le=1024,
                                      description="Windows per onnxruntime call")
    max_text_chars: int = Field(default=10_000, ge=1, description="Longest accepted text, in characters")
    max_batch_texts: int = Field(default=64, ge=1, description="Most texts in one API batch request")
    max_text_windows: int = Field(
        default=64, ge=1,
        description="Most model windows one text may need: the work bound on long documents (a window is "
                    "the bundle's max_length tokens, consecutive windows overlapping by WINDOW_STRIDE)")
    max_body_bytes: int = Field(default=1_000_000, ge=1, description="Largest accepted HTTP body")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated keys the app enforces itself; empty = none")
    reactions_file: Path | None = Field(default=None, description="Override of the emoji reactions map")
    window_stride: int | None = Field(
        default=None, ge=0,
        description="Tokens shared by consecutive windows of a long text; unset = a quarter of the window")
    log_texts: bool = Field(default=False, description="Allow texts in logs (never on by default)")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        return comma_separated(value)

    @field_validator("reactions_file")
    @classmethod
    def _reactions_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"reactions file {value} does not exist")
        return value
