"""SQS batch events -> one process_chunk per record, failures reported per record.

Powertools' BatchProcessor reports each failed record in ``batchItemFailures`` (the event source
mapping has ReportBatchItemFailures), so only failed chunks are redelivered.
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.jobs.contract import MalformedChunk

from .processing import BulkRuntime, ChunkOutcome, process_chunk


class OutOfTime(RuntimeError):
    """Too little of the invocation is left to process a chunk: it is reported failed, and retried."""

logger = Logger(service="emotion-bulk")
metrics = Metrics(namespace="EmotionService", service="emotion-bulk")
tracer = Tracer(service="emotion-bulk")

Handler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def _count(outcome: ChunkOutcome) -> None:
    if outcome.counted:
        metrics.add_metric(name="ChunksProcessed", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="ItemsSucceeded", unit=MetricUnit.Count, value=outcome.succeeded)
        metrics.add_metric(name="ItemsFailed", unit=MetricUnit.Count, value=outcome.failed)
    else:
        metrics.add_metric(name="ChunksRedelivered", unit=MetricUnit.Count, value=1)
    logger.info(
        "chunk written",
        extra={
            "job_id": outcome.job_id,
            "chunk": outcome.chunk,
            "items": outcome.items,
            "failed": outcome.failed,
            "counted": outcome.counted,
        },
    )


def make_handler(runtime: BulkRuntime) -> Handler:
    """The Lambda handler of the bulk function, working on `runtime`'s classifier and stores."""
    # A batch where every record failed still gets a per-record answer instead of an exception, so
    # the response shape never changes; failures show in the metrics and, at the end, in the DLQ.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    @tracer.capture_method(capture_response=False)
    def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
        receive_count = int(record.attributes.approximate_receive_count or 1)
        margin = runtime.settings.bulk_deadline_margin_ms
        remaining = lambda_context.get_remaining_time_in_millis() if lambda_context is not None else None
        if remaining is not None and remaining < margin:
            # Started now, the chunk could be cut by the timeout, which fails the whole batch unrecorded.
            metrics.add_metric(name="ChunksDeferred", unit=MetricUnit.Count, value=1)
            logger.warning("chunk deferred: too little time left",
                           extra={"message_id": record.message_id, "remaining_ms": remaining})
            raise OutOfTime(f"less than {margin} ms left")
        try:
            outcome = process_chunk(runtime, record.body, receive_count=receive_count)
        except MalformedChunk as exc:
            metrics.add_metric(name="ChunksMalformed", unit=MetricUnit.Count, value=1)
            logger.error(
                "malformed chunk message",
                extra={"message_id": record.message_id, "reason": str(exc), "receive_count": receive_count},
            )
            raise
        except Exception:
            metrics.add_metric(name="ChunksFailed", unit=MetricUnit.Count, value=1)
            logger.exception(
                "chunk failed", extra={"message_id": record.message_id, "receive_count": receive_count}
            )
            raise
        _count(outcome)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler(capture_response=False)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
