"""Idempotent uploads to S3: an object whose size and sha256 already match is not sent again.

The sha256 lives in the object's user metadata because an ETag is not a content hash for
multipart uploads; size is compared first so most changed files are caught without hashing S3.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

# The same streamed sha256 that model bundles are checked with (one file-hash routine in the project).
from emotion_core.bundle import sha256_of as sha256_file

log = logging.getLogger("infra.sagemaker")
SHA256_KEY = "sha256"


@dataclass
class UploadResult:
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def extend(self, other: UploadResult) -> None:
        self.uploaded += other.uploaded
        self.skipped += other.skipped


def _remote_matches(s3: Any, bucket: str, key: str, size: int, sha: str) -> bool:
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return bool(head["ContentLength"] == size and head.get("Metadata", {}).get(SHA256_KEY) == sha)


def upload_file(s3: Any, path: Path, bucket: str, key: str) -> bool:
    """Upload `path` to s3://bucket/key unless the same bytes are there; True when it uploaded."""
    sha = sha256_file(path)
    if _remote_matches(s3, bucket, key, path.stat().st_size, sha):
        return False
    s3.upload_file(str(path), bucket, key, ExtraArgs={"Metadata": {SHA256_KEY: sha}})
    return True


def upload_tree(s3: Any, local: Path, bucket: str, prefix: str) -> UploadResult:
    """Upload a file (to prefix/<name>) or a folder (to prefix/<relative path>) idempotently."""
    if not local.exists():
        raise FileNotFoundError(f"{local}: nothing to upload")
    files = [local] if local.is_file() else sorted(p for p in local.rglob("*") if p.is_file())
    base = local.parent if local.is_file() else local
    result = UploadResult()
    for path in files:
        key = f"{prefix.rstrip('/')}/{path.relative_to(base).as_posix()}"
        (result.uploaded if upload_file(s3, path, bucket, key) else result.skipped).append(key)
    log.info("s3://%s/%s: %d uploaded, %d unchanged", bucket, prefix, len(result.uploaded), len(result.skipped))
    return result
