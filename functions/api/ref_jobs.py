"""Jobs over inputs already in S3 (POST /v1/audio-jobs, POST /v1/image-jobs): the items' checks and the
submission to the serving function's own queue (its JOBS_QUEUE_URL).

Such a job is an ordinary job (same table, same results layout, same GET /v1/jobs/{job_id}); only its
chunk items carry an s3:// reference instead of a text.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from functions.api.dependencies import JobsDep
from functions.api.errors import Unavailable, Unprocessable
from functions.api.guards import GuardedRoute, require_api_key
from functions.api.job_owner import job_owner
from functions.api.job_schemas import JobAccepted
from functions.api.observability import logger
from functions.jobs.backend import JobsBackend
from functions.jobs.submit import EnqueueError, submit_job


@dataclass(frozen=True)
class RefJobKind:
    name: str             # "audio", "image": in messages and logs
    plural: str           # "recordings", "images"
    field: str            # the item's s3:// field
    buckets_setting: str  # the environment variable that allows buckets
    problem: Callable[[object, list[str]], str | None]


class RefJobRequest(BaseModel):
    """A job of items that reference S3 objects; each kind narrows `items` to its own item model."""

    items: Sequence[BaseModel]


@dataclass(frozen=True)
class RefJobLimits:
    buckets: list[str]
    max_items: int        # per job
    chunk_max_items: int  # per chunk message
    chunk_max_bytes: int


def checked_ref_items(kind: RefJobKind, items: Sequence[BaseModel], *, buckets: list[str],
                      max_items: int) -> list[dict[str, Any]]:
    """The items as chunk messages carry them; Unprocessable naming the first bad one."""
    if not buckets:
        raise Unavailable(f"{kind.name} jobs are not configured on this server: set {kind.buckets_setting}")
    if len(items) > max_items:
        raise Unprocessable(f"items: {len(items)} {kind.plural} is over the limit of {max_items} per job")
    seen: set[str] = set()
    for position, item in enumerate(items):
        item_id = str(getattr(item, "id"))  # noqa: B009 - every job item model has an id
        if item_id in seen:
            raise Unprocessable(f"items[{position}].id: duplicate id; ids must be unique within a job")
        seen.add(item_id)
        problem = kind.problem(getattr(item, kind.field), buckets)
        if problem:
            raise Unprocessable(f"items[{position}].{kind.field}: {problem}")
    return [item.model_dump(exclude_none=True) for item in items]


def submit_ref_job(kind: RefJobKind, items: list[dict[str, Any]], *, request: Request, response: Response,
                   backend: JobsBackend, chunk_max_items: int, chunk_max_bytes: int) -> JobAccepted:
    try:
        submission = submit_job(items, jobs=backend.jobs, sqs=backend.sqs, queue_url=backend.queue_url,
                                max_items=chunk_max_items, max_bytes=chunk_max_bytes, owner=job_owner(request))
    except (EnqueueError, ClientError, BotoCoreError) as exc:
        logger.error(f"{kind.name} job submission failed", extra={"error": type(exc).__name__})
        raise Unavailable("the job could not be queued and was not accepted; retry later",
                          headers={"Retry-After": "5"}) from None
    status_url = f"{request.scope.get('root_path', '')}/v1/jobs/{submission.job_id}"
    response.headers["Location"] = status_url
    return JobAccepted(job_id=submission.job_id, status="queued", items=submission.items,
                       chunks=submission.chunks, status_url=status_url)


def ref_jobs_router(kind: RefJobKind, request_model: type[RefJobRequest], limits: RefJobLimits, *,
                    summary: str) -> APIRouter:
    """POST /v1/<kind>-jobs taking `request_model` (a model whose `items` hold {id, <kind.field>, ...})."""
    router = APIRouter(prefix="/v1", route_class=GuardedRoute, dependencies=[Depends(require_api_key)],
                       tags=["jobs"])

    # FastAPI reads the body's model from this annotation at run time (so this module does not postpone
    # annotations), one route per kind.
    def create_job(body: request_model, request: Request, response: Response,  # type: ignore[valid-type]
                   backend: JobsDep) -> JobAccepted:
        job = cast(RefJobRequest, body)
        items = checked_ref_items(kind, job.items, buckets=limits.buckets, max_items=limits.max_items)
        return submit_ref_job(kind, items, request=request, response=response, backend=backend,
                              chunk_max_items=limits.chunk_max_items, chunk_max_bytes=limits.chunk_max_bytes)

    router.add_api_route(f"/{kind.name}-jobs", create_job, methods=["POST"], status_code=202,
                         response_model=JobAccepted, summary=summary, name=f"create_{kind.name}_job")
    return router
