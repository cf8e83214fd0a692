"""POST /v1/audio-jobs: recordings already in S3, analysed by the audio bulk function.

The job is an ordinary job (same table, same results layout, same GET /v1/jobs/{job_id}); only its
chunks go to the audio queue (this function's JOBS_QUEUE_URL) and carry `audio_s3_uri` instead of text.
"""

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from functions.api.dependencies import JobsDep
from functions.api.errors import Unavailable, Unprocessable
from functions.api.guards import GuardedRoute, require_api_key
from functions.api.job_owner import job_owner
from functions.api.job_schemas import JobAccepted
from functions.api.observability import logger
from functions.jobs.contract import ItemId
from functions.jobs.submit import EnqueueError, submit_job

from .s3_audio import uri_problem
from .settings import AudioSettings


class AudioJobItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    audio_s3_uri: str = Field(max_length=1_100, description="s3://bucket/key of a recording in an allowed bucket")


class AudioJobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"items": [{"id": "call-1", "audio_s3_uri": "s3://my-recordings/2026/11/call-1.m4a"}]}]})

    items: list[AudioJobItem] = Field(min_length=1)


def checked_items(body: AudioJobRequest, settings: AudioSettings) -> list[dict[str, Any]]:
    """The items as chunk messages carry them; Unprocessable naming the first bad one."""
    if not settings.audio_s3_buckets:
        raise Unavailable("audio jobs are not configured on this server: set AUDIO_S3_BUCKETS")
    if len(body.items) > settings.audio_job_max_items:
        raise Unprocessable(f"items: {len(body.items)} recordings is over the limit of "
                            f"{settings.audio_job_max_items} per job")
    seen: set[str | int] = set()
    for position, item in enumerate(body.items):
        if item.id in seen:
            raise Unprocessable(f"items[{position}].id: duplicate id; ids must be unique within a job")
        seen.add(item.id)
        problem = uri_problem(item.audio_s3_uri, settings.audio_s3_buckets)
        if problem:
            raise Unprocessable(f"items[{position}].audio_s3_uri: {problem}")
    return [item.model_dump() for item in body.items]


def audio_jobs_router(settings: AudioSettings) -> APIRouter:
    router = APIRouter(prefix="/v1", route_class=GuardedRoute, dependencies=[Depends(require_api_key)],
                       tags=["jobs"])

    @router.post("/audio-jobs", status_code=202, response_model=JobAccepted,
                 summary="Submit recordings in S3 for emotions per spoken segment (results: GET /v1/jobs/{job_id})")
    def create_audio_job(body: AudioJobRequest, request: Request, response: Response, backend: JobsDep) -> JobAccepted:
        items = checked_items(body, settings)
        try:
            submission = submit_job(items, jobs=backend.jobs, sqs=backend.sqs, queue_url=backend.queue_url,
                                    max_items=settings.audio_chunk_max_items, max_bytes=settings.chunk_max_bytes,
                                    owner=job_owner(request))
        except (EnqueueError, ClientError, BotoCoreError) as exc:
            logger.error("audio job submission failed", extra={"error": type(exc).__name__})
            raise Unavailable("the job could not be queued and was not accepted; retry later",
                              headers={"Retry-After": "5"}) from None
        status_url = f"{request.scope.get('root_path', '')}/v1/jobs/{submission.job_id}"
        response.headers["Location"] = status_url
        return JobAccepted(job_id=submission.job_id, status="queued", items=submission.items,
                           chunks=submission.chunks, status_url=status_url)

    return router
