"""The image function's settings: the API's (keys, limits, jobs wiring) or the bulk function's, plus the
image knobs and the image-job knobs."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from emotion_core.settings import comma_separated
from emotion_image import ImageSettings
from functions.api.settings import ApiSettings
from functions.bulk.settings import BulkSettings
from functions.jobs.settings import JobsSettings


class ImageJobSettings(JobsSettings):
    """Which images image jobs may reference, and how many go in one chunk message."""

    image_s3_buckets: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated buckets image jobs may read images from; "
                                          "empty = image jobs are refused")
    # An image takes tens of milliseconds (bench.image), a 25 MP one about a second with its download:
    # 50 per chunk stays far inside the bulk function's timeout.
    image_chunk_max_items: int = Field(default=50, ge=1, le=1_000, description="Images per chunk message")
    image_job_max_items: int = Field(default=50_000, ge=1, description="Most images in one image job")

    @field_validator("image_s3_buckets", mode="before")
    @classmethod
    def _split_buckets(cls, value: object) -> object:
        return comma_separated(value)


class ImageApiSettings(ApiSettings, ImageSettings, ImageJobSettings):
    """The HTTP side: POST /v1/predict-emotion-image, /v1/predict-emotion-post and /v1/image-jobs."""


class ImageBulkSettings(BulkSettings, ImageSettings, ImageJobSettings):
    """The queue side: image chunk messages in, result lines in the jobs' S3 layout."""
