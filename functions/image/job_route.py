"""POST /v1/image-jobs: images already in S3 (each optionally with its post's text), analysed by the
image bulk function from the image queue (this function's JOBS_QUEUE_URL)."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from functions.api.ref_jobs import RefJobKind, RefJobLimits, RefJobRequest, ref_jobs_router
from functions.jobs.contract import ItemId

from .s3_image import uri_problem
from .settings import ImageApiSettings


class ImageJobItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    image_s3_uri: str = Field(max_length=1_100, description="s3://bucket/key of a JPEG, PNG or WebP in an allowed "
                                                            "bucket")
    text: str | None = Field(default=None, max_length=20_000,
                             description="The post's text: the line is then a post's answer (text + image)")


class ImageJobRequest(RefJobRequest):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"items": [{"id": "post-1", "image_s3_uri": "s3://my-posts/2026/11/post-1.jpg", "text": "What a day!"}]}]})

    items: list[ImageJobItem] = Field(min_length=1)


IMAGE_JOBS = RefJobKind(name="image", plural="images", field="image_s3_uri", buckets_setting="IMAGE_S3_BUCKETS",
                        problem=uri_problem)


def image_jobs_router(settings: ImageApiSettings) -> APIRouter:
    limits = RefJobLimits(buckets=settings.image_s3_buckets, max_items=settings.image_job_max_items,
                          chunk_max_items=settings.image_chunk_max_items, chunk_max_bytes=settings.chunk_max_bytes)
    return ref_jobs_router(IMAGE_JOBS, ImageJobRequest, limits,
                           summary="Submit images (or posts: image + text) in S3 (results: GET /v1/jobs/{job_id})")
