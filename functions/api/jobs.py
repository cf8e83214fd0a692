"""Bulk jobs: ``POST /v1/jobs`` splits the texts into chunk messages on SQS; ``GET /v1/jobs/{id}``
reports progress from DynamoDB and, when the job is finished, presigned URLs of its results."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from emotion_core.batch import read_csv, read_jsonl
from emotion_core.errors import InputError
from functions.api.errors import BadRequest, NotFound, Unavailable, Unprocessable, UnsupportedMediaType
from functions.api.guards import read_limited, require_api_key
from functions.api.observability import logger
from functions.bulk.aws import aws_clients
from functions.bulk.contract import JOB_ID_PATTERN, MAX_ID_CHARS, ItemId
from functions.bulk.settings import BulkSettings
from functions.bulk.store import FINAL_STATES, JobStore, ResultStore
from functions.bulk.submit import EnqueueError, Submission, submit_job

# Read at import like the API's own settings: a bad value stops the cold start, not a request.
settings = BulkSettings()

CSV_TYPES = {"text/csv", "application/csv"}
JSONL_TYPES = {"application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/ndjson"}
_JOB_ID = re.compile(JOB_ID_PATTERN)


@dataclass(frozen=True)
class JobsBackend:
    settings: BulkSettings
    queue_url: str
    jobs: JobStore
    results: ResultStore
    sqs: Any


@cache
def get_backend() -> JobsBackend:
    """The AWS side of the routes, built on first use; tests override this dependency."""
    return backend_from_settings(settings)


def backend_from_settings(config: BulkSettings) -> JobsBackend:
    missing = config.missing("jobs_queue_url", "results_bucket", "jobs_table")
    if missing:
        # The API also serves without the bulk stack (make serve); only these routes need it.
        raise Unavailable(f"bulk jobs are not configured on this server: set {', '.join(missing)}")
    assert config.jobs_queue_url and config.results_bucket and config.jobs_table
    clients = aws_clients(config.aws_endpoint_url)
    return JobsBackend(
        settings=config,
        queue_url=config.jobs_queue_url,
        jobs=JobStore(clients.dynamodb, config.jobs_table, config.job_ttl_days),
        results=ResultStore(clients.s3, config.results_bucket),
        sqs=clients.sqs,
    )


class JobItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    # Any JSON value: a text that is not a usable string gets an error line in the results,
    # like a bad row in an uploaded file, instead of failing the whole job.
    text: Any = None


class JobRequest(BaseModel):
    """Either ``texts`` (ids are their 1-based positions) or ``items`` with your own ids."""

    model_config = ConfigDict(extra="forbid")

    texts: list[Any] | None = Field(default=None, min_length=1)
    items: list[JobItem] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> JobRequest:
        if (self.texts is None) == (self.items is None):
            raise ValueError("send exactly one of texts or items")
        return self


class JobAccepted(BaseModel):
    job_id: str
    status: str
    items: int
    chunks: int
    status_url: str


class ResultFile(BaseModel):
    chunk: int
    url: str


class JobStatus(BaseModel):
    job_id: str
    status: str = Field(description="queued, running, done, done-with-errors, or submit-failed")
    items: int | None
    chunks: int | None
    processed: int = Field(description="Items with a result line (succeeded + failed)")
    succeeded: int
    failed: int = Field(description="Items whose line is an error: invalid input or a dead-lettered chunk")
    chunks_done: int
    chunks_failed: int = Field(description="Chunks that exhausted their retries and went to the DLQ")
    created_at: str | None
    updated_at: str | None
    results: list[ResultFile] | None = Field(
        default=None,
        description="Presigned GET URLs of jobs/<job_id>/<chunk>.jsonl, once the job is finished",
    )
    results_expire_in: int | None = None


def _validation_error(exc: ValidationError) -> RequestValidationError:
    # Prefixed with "body" so the API's error mapper names fields as the client wrote them.
    return RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in exc.errors()])


def items_from_json(body: bytes) -> list[dict[str, Any]]:
    try:
        request = JobRequest.model_validate_json(body)
    except ValidationError as exc:
        raise _validation_error(exc) from None
    if request.texts is not None:
        return [{"id": str(position), "text": text} for position, text in enumerate(request.texts, start=1)]
    assert request.items is not None
    return [item.model_dump() for item in request.items]


def items_from_file(body: bytes, media_type: str, text_column: str, id_column: str) -> list[dict[str, Any]]:
    if media_type in JSONL_TYPES:
        return [
            {"id": item["id"], "error": item["error"]}
            if "error" in item
            else {"id": item["id"], "text": item.get(text_column)}
            for item in read_jsonl(io.BytesIO(body))
        ]
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"body: the CSV is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return list(read_csv(io.StringIO(text, newline=""), text_column=text_column, id_column=id_column))
    except InputError as exc:
        raise Unprocessable(f"{exc.field}: {exc.message}") from None
    except csv.Error as exc:
        raise Unprocessable(f"body: the CSV cannot be parsed ({exc})") from None


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_items(items: list[dict[str, Any]], config: BulkSettings) -> list[dict[str, Any]]:
    """Job-level checks (count, ids) and the queue contract's shape: string ids, text or error."""
    if not items:
        raise Unprocessable("body: the job has no items")
    if len(items) > config.jobs_max_items:
        raise Unprocessable(f"body: {len(items)} items is over the limit of {config.jobs_max_items} per job")
    limit = config.max_text_chars
    seen: set[str] = set()
    checked: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        raw_id = item["id"]
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
            raise Unprocessable(f"items[{position}].id: must be a string or an integer")
        item_id = str(raw_id)
        if len(item_id) > MAX_ID_CHARS:
            raise Unprocessable(f"items[{position}].id: longer than {MAX_ID_CHARS} characters")
        if not _utf8(item_id):
            raise Unprocessable(f"items[{position}].id: not valid Unicode (an unpaired surrogate)")
        if item_id in seen:
            raise Unprocessable(f"items[{position}].id: duplicate id; ids must be unique within a job")
        seen.add(item_id)
        if "error" in item:
            checked.append({"id": item_id, "error": str(item["error"])})
            continue
        text = item.get("text")
        if isinstance(text, str) and not _utf8(text):
            # JSON may carry lone surrogates; the item gets an error line instead of breaking its chunk.
            checked.append({"id": item_id, "error": "text is not valid Unicode (an unpaired surrogate)"})
            continue
        if isinstance(text, str) and len(text) > limit:
            # Its result line only needs to say "too long": one character past the limit keeps
            # every chunk message small whatever was uploaded.
            text = text[: limit + 1]
        checked.append({"id": item_id, "text": text})
    return checked


def accept_job(backend: JobsBackend, body: bytes, media_type: str, text_column: str, id_column: str) -> Submission:
    """Body -> items -> checks -> job record + chunk messages; raises ApiError for the client's mistakes."""
    config = backend.settings
    if media_type in CSV_TYPES | JSONL_TYPES:
        items = items_from_file(body, media_type, text_column, id_column)
    elif media_type in {"application/json", "application/x-www-form-urlencoded", ""}:
        # curl -d labels JSON as form data; the API reads such bodies as JSON everywhere.
        items = items_from_json(body)
    else:
        raise UnsupportedMediaType(
            f"content-type: {media_type} is not accepted; use application/json, text/csv or application/x-ndjson"
        )
    items = check_items(items, config)
    try:
        return submit_job(items, jobs=backend.jobs, sqs=backend.sqs, queue_url=backend.queue_url,
                          max_items=config.chunk_max_items, max_bytes=config.chunk_max_bytes)
    except (EnqueueError, ClientError, BotoCoreError) as exc:
        logger.error("job submission failed", extra={"error": type(exc).__name__, "reason": str(exc)[:500]})
        raise Unavailable(
            "the job could not be queued and was not accepted; retry later", headers={"Retry-After": "5"}
        ) from None


router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], tags=["jobs"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": JobRequest.model_json_schema()},
            "text/csv": {"schema": {"type": "string"}, "example": "id,text\n1,I love it\n2,so sad\n"},
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"id": "1", "text": "I love it"}\n',
            },
        },
    }
}


@router.post(
    "/jobs",
    status_code=202,
    response_model=JobAccepted,
    openapi_extra=_BODY_DOC,
    summary="Submit texts for bulk classification (JSON, CSV or JSONL)",
)
async def create_job(
    request: Request,
    backend: Annotated[JobsBackend, Depends(get_backend)],
    text_column: Annotated[
        str, Query(min_length=1, max_length=200, description="Column (CSV) or key (JSONL) holding the text")
    ] = "text",
    id_column: Annotated[
        str,
        Query(min_length=1, max_length=200, description="CSV column holding the id; row numbers when absent"),
    ] = "id",
) -> JobAccepted:
    body = await read_limited(request, backend.settings.jobs_max_body_bytes, limit_of="a job")
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    # Parsing megabytes and the boto3 calls block: keep them off the event loop (it matters under
    # uvicorn; on Lambda one request per instance runs anyway).
    submission = await run_in_threadpool(accept_job, backend, body, media_type, text_column, id_column)
    logger.info(
        "job queued",
        extra={"job_id": submission.job_id, "items": submission.items, "chunks": submission.chunks},
    )
    return JobAccepted(
        job_id=submission.job_id,
        status="queued",
        items=submission.items,
        chunks=submission.chunks,
        status_url=f"/v1/jobs/{submission.job_id}",
    )


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    response_model_exclude_none=True,
    summary="Progress of a job, and its result files once finished",
)
def get_job(job_id: str, backend: Annotated[JobsBackend, Depends(get_backend)]) -> JobStatus:
    record = backend.jobs.get(job_id) if _JOB_ID.match(job_id) else None
    if record is None:
        raise NotFound(f"job_id: no job {job_id}" if _JOB_ID.match(job_id) else "job_id: not a job id")
    status = JobStatus(
        job_id=record.job_id,
        status=record.status,
        items=record.items,
        chunks=record.chunks,
        processed=record.processed,
        succeeded=record.succeeded,
        failed=record.failed,
        chunks_done=record.chunks_done,
        chunks_failed=record.chunks_dead,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
    if record.status in FINAL_STATES:
        expires = backend.settings.results_url_seconds
        status.results = [
            ResultFile(chunk=chunk, url=backend.results.presigned_url(key, expires))
            for chunk, key in backend.results.chunk_keys(job_id)
        ]
        status.results_expire_in = expires
    return status
