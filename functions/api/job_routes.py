"""Bulk jobs: ``POST /v1/jobs`` splits the texts into chunk messages on SQS; ``GET /v1/jobs/{id}``
reports progress from DynamoDB and, when the job is finished, presigned URLs of its results."""

from __future__ import annotations

import re
from typing import Annotated

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from emotion_core.registry import ModelRegistry
from functions.api.dependencies import JobsDep, ModelsDep, SettingsDep
from functions.api.errors import Conflict, NotFound, Unavailable, Unprocessable
from functions.api.guards import read_limited, require_api_key
from functions.api.job_owner import job_owner
from functions.api.job_schemas import JobAccepted, JobRequest, JobStatus, ResultFile
from functions.api.job_uploads import job_from_body
from functions.api.observability import logger
from functions.api.settings import ApiSettings
from functions.jobs.backend import JobsBackend
from functions.jobs.contract import JOB_ID_PATTERN, MODEL_NAME_PATTERN
from functions.jobs.idempotency import body_digest
from functions.jobs.items import InvalidJob, check_items
from functions.jobs.store import FINAL_STATES
from functions.jobs.submit import EnqueueError, Idempotency, IdempotencyConflict, Submission, submit_job

_JOB_ID = re.compile(JOB_ID_PATTERN)


_IDEMPOTENCY_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")


def _idempotency(backend: JobsBackend, key: str | None, *parts: bytes) -> Idempotency | None:
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise Unprocessable("Idempotency-Key: 1 to 255 printable ASCII characters")
    if backend.idempotency is None:
        raise Unavailable("Idempotency-Key: not supported by this server's job backend")
    return Idempotency(backend.idempotency, key, body_digest(*parts))


def job_model(models: ModelRegistry, in_query: str | None, in_body: str | None) -> str | None:
    """The model the job names (query or JSON body), checked against this server's models."""
    if in_query and in_body and in_query != in_body:
        raise Unprocessable("model: the query names one model and the body another; name it once")
    name = in_query or in_body
    if name is not None and models.get(name) is None:
        raise NotFound(f"model: no model named {name!r} on this server; GET /v1/models lists them")
    return name


def accept_job(
    settings: ApiSettings, backend: JobsBackend, body: bytes, media_type: str, text_column: str, id_column: str,
    owner: str, idempotency_key: str | None = None, *, models: ModelRegistry, model: str | None = None,
) -> Submission:
    """Body -> items -> checks -> job record + chunk messages; raises ApiError for the client's mistakes."""
    # The query parameters and the type change what a body means: they are part of "the same body".
    idempotency = _idempotency(backend, idempotency_key, media_type.encode(), text_column.encode(),
                               id_column.encode(), (model or "").encode(), body)
    job = job_from_body(body, media_type, text_column, id_column)
    model = job_model(models, model, job.model)
    items = job.items
    try:
        items = check_items(items, max_items=settings.jobs_max_items, max_text_chars=settings.max_text_chars)
    except InvalidJob as exc:
        raise Unprocessable(str(exc)) from None
    try:
        return submit_job(items, jobs=backend.jobs, sqs=backend.sqs, queue_url=backend.queue_url,
                          max_items=settings.chunk_max_items, max_bytes=settings.chunk_max_bytes, owner=owner,
                          idempotency=idempotency, model=model)
    except IdempotencyConflict:
        raise Conflict("Idempotency-Key: already used for a different body (or type, or columns); "
                       "use a new key for a new job") from None
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
    response: Response,
    settings: SettingsDep,
    backend: JobsDep,
    models: ModelsDep,
    text_column: Annotated[
        str, Query(min_length=1, max_length=200, description="Column (CSV) or key (JSONL) holding the text")
    ] = "text",
    id_column: Annotated[
        str,
        Query(min_length=1, max_length=200, description="CSV column holding the id; row-<n> when absent"),
    ] = "id",
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", description="Repeat a submission safely: the same key and body "
               "answer with the same job (202); the same key with another body is 409"),
    ] = None,
    model: Annotated[
        str | None,
        Query(pattern=MODEL_NAME_PATTERN, description="A model GET /v1/models lists; absent: the default model"),
    ] = None,
) -> JobAccepted:
    body = await read_limited(request, settings.jobs_max_body_bytes, limit_of="a job")
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    # Parsing megabytes and the boto3 calls block: keep them off the event loop (it matters under
    # uvicorn; on Lambda one request per instance runs anyway).
    submission = await run_in_threadpool(
        accept_job, settings, backend, body, media_type, text_column, id_column, job_owner(request), idempotency_key,
        models=models, model=model,
    )
    logger.info(
        "job queued",
        extra={"job_id": submission.job_id, "items": submission.items, "chunks": submission.chunks},
    )
    # The stage prefix (/Prod on API Gateway) is part of the URL the client must call.
    status_url = f"{request.scope.get('root_path', '')}/v1/jobs/{submission.job_id}"
    response.headers["Location"] = status_url
    return JobAccepted(
        job_id=submission.job_id, status="queued", items=submission.items, chunks=submission.chunks,
        status_url=status_url,
    )


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    response_model_exclude_none=True,
    summary="Progress of a job, and its result files once finished",
)
def get_job(job_id: str, request: Request, settings: SettingsDep, backend: JobsDep) -> JobStatus:
    record = backend.jobs.get(job_id) if _JOB_ID.match(job_id) else None
    # Another key's job is answered exactly like an unknown one: its existence is not disclosed.
    if record is None or record.owner != job_owner(request):
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
        chunks_failed=record.chunks_failed,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
    if record.status in FINAL_STATES:
        expires = settings.results_url_seconds
        status.results = [
            ResultFile(chunk=chunk, url=backend.results.presigned_url(key, expires))
            for chunk, key in backend.results.chunk_keys(job_id)
        ]
        status.results_expire_in = expires
    return status
