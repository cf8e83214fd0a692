"""Job submission: split items into chunk messages, record the job, enqueue every chunk."""

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .contract import SQS_MAX_BODY_BYTES, encode_chunk, split_items
from .idempotency import Claim, IdempotencyStore
from .store import SUBMIT_FAILED, JobStore

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SEND_BATCH_ENTRIES = 10  # SendMessageBatch's limit
SEND_ATTEMPTS = 5


class EnqueueError(RuntimeError):
    """Some chunk could not be put on the queue; the job must not be reported as accepted."""


@dataclass(frozen=True)
class Idempotency:
    """A submission's Idempotency-Key, and the digest of the request it came with."""

    store: IdempotencyStore
    key: str
    # Of everything that makes two requests "the same" (body, type, columns): see body_digest.
    body_sha256: str


@dataclass(frozen=True)
class Submission:
    job_id: str
    items: int
    chunks: int


class IdempotencyConflict(ValueError):
    """The Idempotency-Key was already used (by this owner) for a different body."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"the key belongs to job {job_id}, submitted with another body")
        self.job_id = job_id


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


@dataclass(frozen=True)
class _Queueing:
    """What queueing a job's chunks needs, whichever request does it."""

    items: list[dict[str, Any]]
    chunks: int
    jobs: JobStore
    sqs: "SQSClient"
    queue_url: str
    max_items: int
    max_bytes: int
    model: str | None = None

    def enqueue(self, job_id: str, *, reopen: bool = False) -> Submission:
        chunks = split_items(self.items, max_items=self.max_items, max_bytes=self.max_bytes, model=self.model)
        bodies = [encode_chunk(job_id, index, chunk, self.model) for index, chunk in enumerate(chunks)]
        try:
            send_chunks(self.sqs, self.queue_url, bodies)
        except Exception:
            self.jobs.mark_submit_failed(job_id)
            raise
        self.jobs.mark_sent(job_id, reopen=reopen)
        return Submission(job_id=job_id, items=len(self.items), chunks=len(bodies))

    def resume(self, job_id: str, owner: str | None) -> Submission:
        """A repeated submission: the first job, its chunks queued again only if they may not all be.

        Queueing a chunk twice is harmless (the bulk function counts a chunk once, by its marker,
        and rewrites the same result lines); losing one is not: resend whenever the first attempt
        failed, crashed, or is still under way.
        """
        record = self.jobs.get(job_id)
        if record is None:  # the first request claimed the key and stopped before recording the job
            try:
                self.jobs.create(job_id, items=len(self.items), chunks=self.chunks, owner=owner)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
        elif record.sent and record.stored_status != SUBMIT_FAILED:
            return Submission(job_id=job_id, items=len(self.items), chunks=self.chunks)
        return self.enqueue(job_id, reopen=True)


def submit_job(
    items: list[dict[str, Any]],
    *,
    jobs: JobStore,
    sqs: "SQSClient",
    queue_url: str,
    max_items: int,
    max_bytes: int,
    owner: str | None = None,
    idempotency: Idempotency | None = None,
    model: str | None = None,
) -> Submission:
    """Record the job and queue its chunks; with `idempotency`, a repeat returns the first job.

    Raises IdempotencyConflict when the key was used for another body, EnqueueError (and boto
    errors) when the chunks could not all be queued: the job is then submit-failed, and a retry
    with the same key and body queues them all again under the same job. `model` names the served
    model every chunk is classified with (None: the default); the caller checks that it exists.
    """
    job_id = uuid.uuid4().hex
    chunks = sum(1 for _ in split_items(items, max_items=max_items, max_bytes=max_bytes, model=model))
    queueing = _Queueing(items, chunks, jobs, sqs, queue_url, max_items, max_bytes, model)
    if idempotency is not None:
        claim = idempotency.store.claim(owner or "", idempotency.key, Claim(job_id, idempotency.body_sha256))
        if claim.body_sha256 != idempotency.body_sha256:
            raise IdempotencyConflict(claim.job_id)
        if claim.job_id != job_id:
            return queueing.resume(claim.job_id, owner)
    # The record exists before any chunk can be processed, so the bulk function's counters
    # always land on a job that knows its totals.
    jobs.create(job_id, items=len(items), chunks=chunks, owner=owner)
    return queueing.enqueue(job_id)
