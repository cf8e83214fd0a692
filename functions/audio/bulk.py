"""Audio chunk messages: each item's recording read from S3, analysed, written as one result line.

The bulk function's machinery (functions.bulk: parse, write results, count once, dead-letter) runs
unchanged; only the per-chunk work differs, handed in as BulkRuntime.classify.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from emotion_core.prediction import batch_line
from emotion_speech import AudioError, SpeechClassifier
from functions.bulk.processing import BulkRuntime, build_runtime
from functions.jobs.aws import aws_clients
from functions.jobs.contract import ChunkMessage

from .s3_audio import FIELD, read_recording
from .settings import AudioBulkSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@dataclass(frozen=True)
class AudioWorker:
    speech: SpeechClassifier
    s3: S3Client
    buckets: list[str]

    def line(self, item_id: str | int, uri: str | None, error: str | None) -> dict[str, Any]:
        if error is not None:
            return batch_line(item_id, error=error)
        if uri is None:
            return batch_line(item_id, error=f"{FIELD}: missing; every audio item needs an s3://bucket/key")
        try:
            data = read_recording(self.s3, uri, self.buckets, self.speech.limits.max_bytes)
            result = self.speech.analyse(data)
        except AudioError as exc:
            # A bad recording is its item's error line; anything else fails the chunk (and is retried).
            return batch_line(item_id, error=f"{exc.field}: {exc.message}")
        return {"id": item_id, **result.to_dict()}

    def lines(self, message: ChunkMessage) -> list[dict[str, Any]]:
        return [self.line(item.id, item.audio_s3_uri, item.error) for item in message.items]


def classify_audio_chunk(worker: Any, message: ChunkMessage) -> list[dict[str, Any]]:
    """BulkRuntime.classify for audio: `worker` is the AudioWorker the runtime carries as its classifier."""
    assert isinstance(worker, AudioWorker)
    return worker.lines(message)


def build_audio_runtime(settings: AudioBulkSettings, speech: SpeechClassifier) -> BulkRuntime:
    worker = AudioWorker(speech, aws_clients(settings.aws_endpoint_url).s3, settings.audio_s3_buckets)
    return replace(build_runtime(settings, worker), classify=classify_audio_chunk)
