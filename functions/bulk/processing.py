"""Per-chunk work of the bulk function, as plain functions the handler, the demo and tests share."""

import json
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from emotion_core.batch import classify_items
from emotion_core.errors import ConfigError

from .aws import aws_clients
from .contract import SQS_MAX_BODY_BYTES, ChunkItem, ChunkMessage, parse_chunk
from .settings import BulkSettings
from .store import JobStore, ResultStore

logger = Logger(service="emotion-bulk", child=True)


@dataclass(frozen=True)
class BulkRuntime:
    settings: BulkSettings
    classifier: Any  # emotion_core.Classifier; Any so tests can hand in a failing stand-in
    jobs: JobStore
    results: ResultStore


def build_runtime(settings: BulkSettings, classifier: Any) -> BulkRuntime:
    """Wire the stores to the configured AWS resources; refuse to start without them."""
    missing = settings.missing("results_bucket", "jobs_table")
    if missing:
        raise ConfigError(f"the bulk function needs {', '.join(missing)} in its environment")
    clients = aws_clients(settings.aws_endpoint_url)
    assert settings.results_bucket and settings.jobs_table  # narrowed by the check above
    return BulkRuntime(
        settings=settings,
        classifier=classifier,
        jobs=JobStore(clients.dynamodb, settings.jobs_table, settings.job_ttl_days),
        results=ResultStore(clients.s3, settings.results_bucket),
    )


@dataclass(frozen=True)
class ChunkOutcome:
    job_id: str
    chunk: int
    items: int
    succeeded: int
    failed: int
    counted: bool  # False when the chunk had been counted before (a redelivery)


def _item(item: ChunkItem) -> dict[str, Any]:
    fields = item.model_dump(exclude_none=True)
    text = fields.get("text")
    if isinstance(text, str):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # JSON can carry lone surrogates ("\ud800"); the tokenizer would fail the whole chunk on one.
            return {"id": item.id, "error": "text is not valid Unicode (it holds an unpaired surrogate)"}
    return fields


def classify_chunk(classifier: Any, message: ChunkMessage) -> list[dict[str, Any]]:
    """One batched model call for the whole chunk; one output line per item, in order."""
    lines = classify_items(classifier, [_item(item) for item in message.items])
    if len(lines) != len(message.items):
        # Never write a chunk that would lose or invent lines; failing sends it to a retry.
        raise RuntimeError(f"classifier returned {len(lines)} lines for {len(message.items)} items")
    return lines


def encode_lines(lines: list[dict[str, Any]]) -> list[bytes]:
    return [
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for line in lines
    ]


def process_chunk(runtime: BulkRuntime, body: str, *, receive_count: int) -> ChunkOutcome:
    """Classify, write the result object, then count the chunk once.

    Raises MalformedChunk for a body that is not a chunk, and lets any other failure through so
    the record is retried; on the last delivery the chunk is first counted as failed.
    """
    message = parse_chunk(body, SQS_MAX_BODY_BYTES)
    try:
        lines = classify_chunk(runtime.classifier, message)
        # Results before counters: a crash in between leaves the chunk uncounted, and the retry
        # rewrites the same object and counts it then.
        runtime.results.write(message.job_id, message.chunk, encode_lines(lines))
        failed = sum(1 for line in lines if "error" in line)
        succeeded = len(lines) - failed
        counted = runtime.jobs.record_chunk(message.job_id, message.chunk, succeeded=succeeded, failed=failed)
        runtime.jobs.refresh_status(message.job_id)
    except Exception as exc:
        if receive_count >= runtime.settings.bulk_max_receive_count:
            dead_letter_chunk(runtime, message, exc, receive_count=receive_count)
        raise
    return ChunkOutcome(message.job_id, message.chunk, len(lines), succeeded, failed, counted)


def dead_letter_chunk(
    runtime: BulkRuntime, message: ChunkMessage, exc: Exception, *, receive_count: int
) -> None:
    """Count a chunk on its last delivery as failed, with an error line per item, before SQS moves it
    to the DLQ: the job then finishes as done-with-errors instead of waiting forever."""
    try:
        counted = runtime.jobs.record_dead_chunk(message.job_id, message.chunk, items=len(message.items))
        if counted:
            reason = (
                f"chunk {message.chunk} failed {receive_count} deliveries ({type(exc).__name__}); "
                "its message is in the dead-letter queue"
            )
            lines = [{"id": item.id, "error": reason} for item in message.items]
            runtime.results.write(message.job_id, message.chunk, encode_lines(lines))
        runtime.jobs.refresh_status(message.job_id)
        logger.error(
            "chunk dead-lettered",
            extra={
                "job_id": message.job_id,
                "chunk": message.chunk,
                "items": len(message.items),
                "error": type(exc).__name__,
                "counted_now": counted,
            },
        )
    except Exception:
        # The message still reaches the DLQ (and its alarm); only the job's view of it is missing.
        logger.exception(
            "could not record a dead-lettered chunk", extra={"job_id": message.job_id, "chunk": message.chunk}
        )
