"""Image chunk messages: each item's image read from S3 and analysed (with its text: as a post), one
result line (functions.bulk.ref_items does the per-item work for audio and image jobs alike)."""

from __future__ import annotations

from typing import Any

from emotion_core import EmotionCoreError
from emotion_image import ImageClassifier, ImageError
from functions.bulk.processing import BulkRuntime
from functions.bulk.ref_items import RefWorker, build_ref_runtime
from functions.jobs.aws import aws_clients
from functions.jobs.contract import ChunkItem

from .s3_image import FIELD, read_image
from .settings import ImageBulkSettings


def build_image_runtime(settings: ImageBulkSettings, images: ImageClassifier) -> BulkRuntime:
    s3 = aws_clients(settings.aws_endpoint_url).s3

    def read(uri: str) -> bytes:
        return read_image(s3, uri, settings.image_s3_buckets, images.max_bytes)

    def analyse(item: ChunkItem, data: bytes) -> dict[str, Any]:
        if item.text is None:
            return images.analyse(data).to_dict()
        if not isinstance(item.text, str):
            raise ImageError("unreadable", "must be a string", field="text")
        return images.analyse_post(item.text, data).to_dict()

    # EmotionCoreError: the post's text is unusable (too long, not Unicode); its message names `text`.
    return build_ref_runtime(settings, RefWorker(field=FIELD, item="image item", read=read, analyse=analyse,
                                                 item_errors=(ImageError, EmotionCoreError)))
