"""Reading a recording an audio job references: s3://bucket/key, in an allowed bucket, within the size limit."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from emotion_speech import AudioError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# S3 bucket naming rules (lowercase, digits, dots, hyphens; 3-63) and a non-empty key.
_S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$")
FIELD = "audio_s3_uri"


def uri_problem(uri: object, buckets: list[str]) -> str | None:
    """Why `uri` cannot be an audio item's recording, or None."""
    if not isinstance(uri, str) or not uri:
        return "missing; every audio item needs an s3://bucket/key"
    match = _S3_URI.match(uri)
    if match is None:
        return "not an s3://bucket/key URI"
    if match.group(1) not in buckets:
        return "names a bucket this service may not read (see docs/speech.md, Bulk)"
    return None


def read_recording(s3: S3Client, uri: str, buckets: list[str], max_bytes: int) -> bytes:
    """The object's bytes; AudioError naming audio_s3_uri for a bad URI, a missing object or one too large."""
    problem = uri_problem(uri, buckets)
    if problem:
        raise AudioError("unreadable", problem, field=FIELD)
    match = _S3_URI.match(uri)
    assert match is not None  # checked by uri_problem
    bucket, key = match.groups()
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        if head["ContentLength"] > max_bytes:
            raise AudioError("too_large", f"is {head['ContentLength']} bytes, over the {max_bytes}-byte limit",
                             field=FIELD)
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read(max_bytes + 1)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in {"404", "NoSuchKey", "NotFound"}:
            raise AudioError("unreadable", "names no object (it does not exist)", field=FIELD) from None
        if code in {"403", "AccessDenied"}:
            raise AudioError("unreadable", "cannot be read by this service (access denied)", field=FIELD) from None
        raise  # throttling, 5xx: the chunk is retried
