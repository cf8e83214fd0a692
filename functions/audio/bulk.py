"""Audio chunk messages: each item's recording read from S3, analysed, written as one result line
(functions.bulk.ref_items does the per-item work for audio and image jobs alike)."""

from __future__ import annotations

from typing import Any

from emotion_speech import AudioError, SpeechClassifier
from functions.bulk.processing import BulkRuntime
from functions.bulk.ref_items import RefWorker, build_ref_runtime
from functions.jobs.aws import aws_clients
from functions.jobs.contract import ChunkItem

from .s3_audio import FIELD, read_recording
from .settings import AudioBulkSettings


def build_audio_runtime(settings: AudioBulkSettings, speech: SpeechClassifier) -> BulkRuntime:
    s3 = aws_clients(settings.aws_endpoint_url).s3

    def read(uri: str) -> bytes:
        return read_recording(s3, uri, settings.audio_s3_buckets, speech.limits.max_bytes)

    def analyse(_: ChunkItem, data: bytes) -> dict[str, Any]:
        return speech.analyse(data).to_dict()

    return build_ref_runtime(settings, RefWorker(field=FIELD, item="audio item", read=read, analyse=analyse,
                                                 item_errors=(AudioError,)))
