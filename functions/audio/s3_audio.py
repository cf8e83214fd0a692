"""Reading a recording an audio job references (functions.jobs.s3_refs), with the audio errors and field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emotion_speech import AudioError
from functions.jobs.s3_refs import RefError, read_ref, ref_problem

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

FIELD = "audio_s3_uri"
_ITEM = {"item": "audio item", "docs": "docs/speech.md, Bulk"}


def uri_problem(uri: object, buckets: list[str]) -> str | None:
    """Why `uri` cannot be an audio item's recording, or None."""
    return ref_problem(uri, buckets, **_ITEM)


def read_recording(s3: S3Client, uri: str, buckets: list[str], max_bytes: int) -> bytes:
    """The object's bytes; AudioError naming audio_s3_uri for a bad URI, a missing object or one too large."""
    try:
        return read_ref(s3, uri, buckets, max_bytes, **_ITEM)
    except RefError as exc:
        raise AudioError(exc.kind, exc.message, field=FIELD) from None
