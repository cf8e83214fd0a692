"""POST /v1/audio-jobs: recordings already in S3, analysed by the audio bulk function.

The job is an ordinary job (same table, same results layout, same GET /v1/jobs/{job_id}); only its
chunks go to the audio queue (this function's JOBS_QUEUE_URL) and carry `audio_s3_uri` instead of text.
"""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from functions.api.ref_jobs import RefJobKind, RefJobLimits, RefJobRequest, ref_jobs_router
from functions.jobs.contract import ItemId

from .s3_audio import uri_problem
from .settings import AudioSettings


class AudioJobItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    audio_s3_uri: str = Field(max_length=1_100, description="s3://bucket/key of a recording in an allowed bucket")


class AudioJobRequest(RefJobRequest):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"items": [{"id": "call-1", "audio_s3_uri": "s3://my-recordings/2026/11/call-1.m4a"}]}]})

    items: list[AudioJobItem] = Field(min_length=1)


AUDIO_JOBS = RefJobKind(name="audio", plural="recordings", field="audio_s3_uri", buckets_setting="AUDIO_S3_BUCKETS",
                        problem=uri_problem)


def audio_jobs_router(settings: AudioSettings) -> APIRouter:
    limits = RefJobLimits(buckets=settings.audio_s3_buckets, max_items=settings.audio_job_max_items,
                          chunk_max_items=settings.audio_chunk_max_items, chunk_max_bytes=settings.chunk_max_bytes)
    return ref_jobs_router(AUDIO_JOBS, AudioJobRequest, limits,
                           summary="Submit recordings in S3 for emotions per spoken segment (results: GET "
                                   "/v1/jobs/{job_id})")
