"""Chunk items that reference an S3 object (audio and image jobs): read it, analyse it, one result line.

The bulk machinery (functions.bulk.processing: parse, write results, count once, dead-letter) runs
unchanged; a RefWorker is the runtime's `classifier` and `classify_ref_chunk` its `classify`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from emotion_core.prediction import batch_line
from functions.bulk.processing import BulkRuntime, build_runtime
from functions.bulk.settings import BulkSettings
from functions.jobs.contract import ChunkItem, ChunkMessage


@dataclass(frozen=True)
class RefWorker:
    field: str                                              # the item's s3:// field, e.g. audio_s3_uri
    item: str                                               # "audio item", "image item": in messages
    read: Callable[[str], bytes]                            # the object's bytes, or one of `item_errors`
    analyse: Callable[[ChunkItem, bytes], dict[str, Any]]   # the line's answer, or one of `item_errors`
    # An item's own problem (bad object, bad input): its error line, naming the field. Anything else
    # (throttling, an S3 outage) fails the chunk, which is retried.
    item_errors: tuple[type[Exception], ...]

    def line(self, item: ChunkItem) -> dict[str, Any]:
        if item.error is not None:
            return batch_line(item.id, error=item.error)
        uri = getattr(item, self.field)
        if uri is None:
            return batch_line(item.id, error=f"{self.field}: missing; every {self.item} needs an s3://bucket/key")
        try:
            return {"id": item.id, **self.analyse(item, self.read(uri))}
        except self.item_errors as exc:
            return batch_line(item.id, error=_describe(exc))


def _describe(exc: Exception) -> str:
    # AudioError and ImageError keep the field apart ("audio", "image_s3_uri"); emotion_core's errors
    # already start with theirs.
    field, message = getattr(exc, "field", None), getattr(exc, "message", None)
    return f"{field}: {message}" if isinstance(field, str) and isinstance(message, str) else str(exc)


def classify_ref_chunk(worker: Any, message: ChunkMessage) -> list[dict[str, Any]]:
    """BulkRuntime.classify for S3-referenced items: `worker` is the RefWorker the runtime carries."""
    assert isinstance(worker, RefWorker)
    return [worker.line(item) for item in message.items]


def build_ref_runtime(settings: BulkSettings, worker: RefWorker) -> BulkRuntime:
    return replace(build_runtime(settings, worker), classify=classify_ref_chunk)
