"""Job submission: split items into chunk messages, record the job, enqueue every chunk."""

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .contract import SQS_MAX_BODY_BYTES, encode_chunk, split_items
from .store import JobStore

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SEND_BATCH_ENTRIES = 10  # SendMessageBatch's limit
SEND_ATTEMPTS = 5


class EnqueueError(RuntimeError):
    """Some chunk could not be put on the queue; the job must not be reported as accepted."""


@dataclass(frozen=True)
class Submission:
    job_id: str
    items: int
    chunks: int


def _batches(bodies: dict[str, str]) -> list[dict[str, str]]:
    # SendMessageBatch bounds both the entry count and the sum of the bodies (the queue's maximum).
    batches: list[dict[str, str]] = []
    current: dict[str, str] = {}
    size = 0
    for entry_id, body in bodies.items():
        body_bytes = len(body.encode("utf-8"))
        if current and (len(current) >= SEND_BATCH_ENTRIES or size + body_bytes > SQS_MAX_BODY_BYTES):
            batches.append(current)
            current, size = {}, 0
        current[entry_id] = body
        size += body_bytes
    if current:
        batches.append(current)
    return batches


def send_chunks(sqs: "SQSClient", queue_url: str, bodies: list[str], *, backoff_s: float = 0.2) -> None:
    """Send every body, retrying the entries SendMessageBatch reports as failed; raise if any is left."""
    for batch in _batches({str(index): body for index, body in enumerate(bodies)}):
        pending = batch
        for attempt in range(SEND_ATTEMPTS):
            response = sqs.send_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": key, "MessageBody": body} for key, body in pending.items()],
            )
            failed = response.get("Failed", [])
            if not failed:
                break
            # A sender fault (e.g. a body the queue refuses) fails the same way on every retry.
            permanent = [entry for entry in failed if entry.get("SenderFault")]
            if permanent:
                codes = sorted({str(entry.get("Code")) for entry in permanent})
                raise EnqueueError(f"the queue refused {len(permanent)} chunk(s): {', '.join(codes)}")
            pending = {entry["Id"]: pending[entry["Id"]] for entry in failed}
            if attempt < SEND_ATTEMPTS - 1:
                time.sleep(backoff_s * 2**attempt)
        else:
            raise EnqueueError(f"{len(pending)} chunk(s) were still failing after {SEND_ATTEMPTS} attempts")


def submit_job(
    items: list[dict[str, Any]],
    *,
    jobs: JobStore,
    sqs: "SQSClient",
    queue_url: str,
    max_items: int,
    max_bytes: int,
    owner: str | None = None,
) -> Submission:
    job_id = uuid.uuid4().hex
    chunks = list(split_items(items, max_items=max_items, max_bytes=max_bytes))
    bodies = [encode_chunk(job_id, index, chunk) for index, chunk in enumerate(chunks)]
    # The record exists before any chunk can be processed, so the bulk function's counters
    # always land on a job that knows its totals.
    jobs.create(job_id, items=len(items), chunks=len(bodies), owner=owner)
    try:
        send_chunks(sqs, queue_url, bodies)
    except Exception:
        jobs.mark_submit_failed(job_id)
        raise
    return Submission(job_id=job_id, items=len(items), chunks=len(bodies))
