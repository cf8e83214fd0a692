"""Inputs a job references in S3 (recordings, images): s3://bucket/key, in an allowed bucket, within a size limit.

Shared by the audio and image jobs: the route checks each URI at submission, the bulk worker reads the
object; the caller turns a RefError into its own error type and field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# S3 bucket naming rules (lowercase, digits, dots, hyphens; 3-63) and a non-empty key.
_S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$")


class RefError(ValueError):
    """The referenced object cannot be used; `message` never quotes its content."""

    def __init__(self, kind: Literal["too_large", "unreadable"], message: str) -> None:
        super().__init__(message)
        self.kind: Literal["too_large", "unreadable"] = kind
        self.message = message


def ref_problem(uri: object, buckets: list[str], *, item: str, docs: str) -> str | None:
    """Why `uri` cannot be an `item` (e.g. "audio item")'s input, or None; `docs` says where buckets are explained."""
    if not isinstance(uri, str) or not uri:
        return f"missing; every {item} needs an s3://bucket/key"
    match = _S3_URI.match(uri)
    if match is None:
        return "not an s3://bucket/key URI"
    if match.group(1) not in buckets:
        return f"names a bucket this service may not read (see {docs})"
    return None


def read_ref(s3: S3Client, uri: str, buckets: list[str], max_bytes: int, *, item: str, docs: str) -> bytes:
    """The object's bytes; RefError for a bad URI, a missing or unreadable object, or one too large.
    Throttling and S3 outages propagate: the chunk is retried."""
    problem = ref_problem(uri, buckets, item=item, docs=docs)
    if problem:
        raise RefError("unreadable", problem)
    match = _S3_URI.match(uri)
    assert match is not None  # checked by ref_problem
    bucket, key = match.groups()
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        if head["ContentLength"] > max_bytes:
            raise RefError("too_large", f"is {head['ContentLength']} bytes, over the {max_bytes}-byte limit")
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read(max_bytes + 1)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in {"404", "NoSuchKey", "NotFound"}:
            raise RefError("unreadable", "names no object (it does not exist)") from None
        if code in {"403", "AccessDenied"}:
            raise RefError("unreadable", "cannot be read by this service (access denied)") from None
        raise
