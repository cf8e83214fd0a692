"""Per-chunk work of the bulk function, as plain functions the handler, the demo and tests share."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from emotion_core.batch import classify_items
from emotion_core.errors import ConfigError
from emotion_core.registry import ModelRegistry, ServedModel
from functions.jobs.backend import NotConfigured, connect_stores
from functions.jobs.contract import SQS_MAX_BODY_BYTES, ChunkMessage, parse_chunk
from functions.jobs.results import ResultStore
from functions.jobs.store import JobStore

from .settings import BulkSettings

logger = Logger(service="emotion-bulk", child=True)


@dataclass(frozen=True)
class BulkRuntime:
    settings: BulkSettings
    classifier: Any  # emotion_core.Classifier; Any so tests can hand in a failing stand-in
    jobs: JobStore
    results: ResultStore
    # How a chunk becomes its result lines; None: texts through `classifier` (classify_chunk). The audio
    # and image functions pass theirs (functions/bulk/ref_items.py) and share everything else here.
    classify: Callable[[Any, ChunkMessage], list[dict[str, Any]]] | None = None
    # The custom models a job may name (POST /v1/jobs?model=); None: only the default `classifier`.
    models: ModelRegistry | None = None


def build_runtime(settings: BulkSettings, classifier: Any, models: ModelRegistry | None = None) -> BulkRuntime:
    """Wire the stores to the configured AWS resources; refuse to start without them."""
    try:
        stores = connect_stores(settings)
    except NotConfigured as exc:
        raise ConfigError(f"the bulk function needs {', '.join(exc.missing)} in its environment") from None
    return BulkRuntime(settings=settings, classifier=classifier, jobs=stores.jobs, results=stores.results,
                       models=models)


@dataclass(frozen=True)
class ChunkOutcome:
    job_id: str
    chunk: int
    items: int
    succeeded: int
    failed: int
    counted: bool  # False when the chunk had been counted before (a redelivery)


def classify_chunk(classifier: Any, message: ChunkMessage, served: ServedModel | None = None) -> list[dict[str, Any]]:
    """One batched model call for the whole chunk; one output line per item, in order.

    emotion_core checks each item (text missing, empty, too long, not Unicode) and answers a bad one
    with its error line, so one bad text never fails its chunk. With `served` (a job that named a
    custom model) its classifier answers, and every prediction names it, as the API's does.
    """
    items = [item.model_dump(exclude_none=True) for item in message.items]
    if served is not None:
        lines = classify_items(served.classifier, items, answered_by=served.ref)
    else:
        lines = classify_items(classifier, items)
    if len(lines) != len(message.items):
        # Never write a chunk that would lose or invent lines; failing sends it to a retry.
        raise RuntimeError(f"classifier returned {len(lines)} lines for {len(message.items)} items")
    return lines


def chunk_lines(runtime: BulkRuntime, message: ChunkMessage) -> list[dict[str, Any]]:
    """The chunk's result lines from the model its job named (the default one when none)."""
    if runtime.classify is not None:
        return runtime.classify(runtime.classifier, message)
    if message.model is None:
        return classify_chunk(runtime.classifier, message)
    served = runtime.models.get(message.model) if runtime.models is not None else None
    if served is None:
        # The API checked the name against its own models; this function was deployed without it.
        # Retrying cannot help: every item says so, and the job finishes.
        reason = f"model: no model named {message.model!r} on the bulk function"
        return [{"id": item.id, "error": reason} for item in message.items]
    return classify_chunk(runtime.classifier, message, served)


def encode_lines(lines: list[dict[str, Any]]) -> list[bytes]:
    return [
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for line in lines
    ]


def process_chunk(runtime: BulkRuntime, body: str, *, receive_count: int) -> ChunkOutcome:
    """Classify, write the result object, then count the chunk once.

    Raises MalformedChunk for a body that is not a chunk, and lets any other failure through so
    the record is retried; on the last delivery the chunk is first finished as failed.
    """
    message = parse_chunk(body, SQS_MAX_BODY_BYTES)
    try:
        lines = chunk_lines(runtime, message)
        # Results before counters: a crash in between leaves the chunk uncounted, and the retry
        # rewrites the same object and counts it then.
        runtime.results.write(message.job_id, message.chunk, encode_lines(lines))
        failed = sum(1 for line in lines if "error" in line)
        succeeded = len(lines) - failed
        counted = runtime.jobs.record_chunk(message.job_id, message.chunk, succeeded=succeeded, failed=failed)
        runtime.jobs.refresh_status(message.job_id)
    except Exception as exc:
        if receive_count >= runtime.settings.bulk_max_receive_count:
            finish_chunk_as_failed(runtime, message, exc, receive_count=receive_count)
        raise
    return ChunkOutcome(message.job_id, message.chunk, len(lines), succeeded, failed, counted)


def finish_chunk_as_failed(
    runtime: BulkRuntime, message: ChunkMessage, exc: Exception, *, receive_count: int
) -> None:
    """On a chunk's last delivery, before SQS moves it to the DLQ: write an error line per item, then
    count the chunk as done and failed, so the job finishes as done-with-errors instead of waiting
    forever. A redrive that later succeeds swaps these lines and counts for the results.

    Lines before counters, as for a success: when the lines cannot be written (S3 down), nothing is
    counted, the job stays unfinished, the message reaches the DLQ (and its alarm), and a redrive
    completes the chunk either way. A chunk already counted keeps its lines. (Two deliveries of one
    message at once cannot both be its last: the last comes only after the previous one's visibility
    timeout, so the check and the write below do not race another delivery.)
    """
    try:
        counted = False
        if not runtime.jobs.chunk_counted(message.job_id, message.chunk):
            reason = (
                f"chunk {message.chunk} failed {receive_count} deliveries ({type(exc).__name__}); "
                "its message is in the dead-letter queue"
            )
            lines = [{"id": item.id, "error": reason} for item in message.items]
            runtime.results.write(message.job_id, message.chunk, encode_lines(lines))
            counted = runtime.jobs.record_failed_chunk(message.job_id, message.chunk, items=len(message.items))
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
        # Nothing counted without its lines; the message still reaches the DLQ (and its alarm).
        logger.exception(
            "could not record a dead-lettered chunk", extra={"job_id": message.job_id, "chunk": message.chunk}
        )
