"""Reading an image an image job references (functions.jobs.s3_refs), with the image errors and field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emotion_image import ImageError
from functions.jobs.s3_refs import RefError, read_ref, ref_problem

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

FIELD = "image_s3_uri"
_ITEM = {"item": "image item", "docs": "docs/image.md, Bulk"}


def uri_problem(uri: object, buckets: list[str]) -> str | None:
    return ref_problem(uri, buckets, **_ITEM)


def read_image(s3: S3Client, uri: str, buckets: list[str], max_bytes: int) -> bytes:
    try:
        return read_ref(s3, uri, buckets, max_bytes, **_ITEM)
    except RefError as exc:
        raise ImageError(exc.kind, exc.message, field=FIELD) from None
