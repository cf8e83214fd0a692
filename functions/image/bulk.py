"""Image chunk messages: each item's image read from S3, analysed (with its text: as a post), one result line.

The bulk function's machinery (functions.bulk: parse, write results, count once, dead-letter) runs
unchanged; only the per-chunk work differs, handed in as BulkRuntime.classify.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from emotion_core import EmotionCoreError
from emotion_core.prediction import batch_line
from emotion_image import ImageClassifier, ImageError
from functions.bulk.processing import BulkRuntime, build_runtime
from functions.jobs.aws import aws_clients
from functions.jobs.contract import ChunkItem, ChunkMessage

from .s3_image import FIELD, read_image
from .settings import ImageBulkSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class ImageWorker:
    images: ImageClassifier
    s3: S3Client
    buckets: list[str]

    def line(self, item: ChunkItem) -> dict[str, Any]:
        if item.error is not None:
            return batch_line(item.id, error=item.error)
        if item.image_s3_uri is None:
            return batch_line(item.id, error=f"{FIELD}: missing; every image item needs an s3://bucket/key")
        if item.text is not None and not isinstance(item.text, str):
            return batch_line(item.id, error="text: must be a string")
        try:
            data = read_image(self.s3, item.image_s3_uri, self.buckets, self.images.max_bytes)
            result = (self.images.analyse(data) if item.text is None
                      else self.images.analyse_post(item.text, data))
        except ImageError as exc:
            # A bad image or text is its item's error line; anything else fails the chunk (and is retried).
            return batch_line(item.id, error=f"{exc.field}: {exc.message}")
        except EmotionCoreError as exc:
            return batch_line(item.id, error=str(exc))
        return {"id": item.id, **result.to_dict()}


def classify_image_chunk(worker: Any, message: ChunkMessage) -> list[dict[str, Any]]:
    """BulkRuntime.classify for images: `worker` is the ImageWorker the runtime carries as its classifier."""
    assert isinstance(worker, ImageWorker)
    return [worker.line(item) for item in message.items]


def build_image_runtime(settings: ImageBulkSettings, images: ImageClassifier) -> BulkRuntime:
    worker = ImageWorker(images, aws_clients(settings.aws_endpoint_url).s3, settings.image_s3_buckets)
    return replace(build_runtime(settings, worker), classify=classify_image_chunk)
