"""The bulk-job knobs and the custom models' S3 source, read by both functions: ApiSettings and
BulkSettings extend this class.

A subclass of emotion_core's Settings, so the model knobs and the job knobs come from the same
environment and are validated together at start-up.
"""

from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from emotion_core import Settings
from emotion_core.settings import comma_separated

from .contract import SQS_MAX_BODY_BYTES

# JSON escapes a control character as \uXXXX: six bytes for one character of text.
_WORST_CASE_BYTES_PER_CHAR = 6
_ENVELOPE_BYTES = 1_024


class JobsSettings(Settings):
    """Job knobs; names match the environment variables the template sets (no prefix)."""

    jobs_queue_url: str | None = Field(default=None, description="SQS queue that receives chunk messages")
    results_bucket: str | None = Field(default=None, description="S3 bucket for jobs/<job_id>/<chunk>.jsonl")
    jobs_table: str | None = Field(default=None, description="DynamoDB table of job records")
    aws_endpoint_url: str | None = Field(
        default=None, description="Endpoint for every AWS client (moto server in tests and the local demo)"
    )
    chunk_max_items: int = Field(default=500, ge=1, le=5_000, description="Most items in one chunk message")
    chunk_max_bytes: int = Field(
        default=200_000,
        ge=16_384,
        le=SQS_MAX_BODY_BYTES - _ENVELOPE_BYTES,
        description="Largest chunk message body, in bytes (kept well under the queue's maximum)",
    )
    jobs_max_items: int = Field(default=200_000, ge=1, description="Most items in one submitted job")
    jobs_max_body_bytes: int = Field(
        default=6_000_000, ge=1, description="Largest POST /v1/jobs body (Lambda's synchronous payload limit)"
    )
    job_ttl_days: int = Field(default=7, ge=1, le=365, description="Days a job record is kept")
    results_url_seconds: int = Field(
        default=3_600, ge=60, le=604_800, description="Lifetime of the presigned result URLs"
    )

    models_s3_uri: str | None = Field(
        default=None,
        description="s3://bucket/prefix/ of custom model bundles (one folder each) fetched at cold start "
                    "instead of MODELS_DIR; each needs a MODELS_S3_SHA256 pin (docs/labelsets.md)")

    models_s3_sha256: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated folder=<sha256 of its model.json> pins of the MODELS_S3_URI bundles")

    @field_validator("models_s3_sha256", mode="before")
    @classmethod
    def _split_pins(cls, value: object) -> object:
        return comma_separated(value)

    @field_validator("aws_endpoint_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # The template declares AWS_ENDPOINT_URL empty by default (so `sam local --env-vars` can set
        # it); an empty endpoint is no endpoint, not an invalid URL.
        return value or None

    @model_validator(mode="after")
    def _one_text_fits_a_chunk(self) -> "JobsSettings":
        # An item at the length limit must fit in one message, or the splitter could not place it.
        worst_item = self.max_text_chars * _WORST_CASE_BYTES_PER_CHAR + _ENVELOPE_BYTES
        if worst_item > self.chunk_max_bytes:
            raise ValueError(
                f"CHUNK_MAX_BYTES={self.chunk_max_bytes} cannot hold one text of MAX_TEXT_CHARS="
                f"{self.max_text_chars} characters (needs {worst_item}); raise the one or lower the other"
            )
        return self

    def missing(self, *names: str) -> list[str]:
        """Those of the named settings (e.g. "results_bucket") that are unset, as env variable names."""
        return [name.upper() for name in names if not getattr(self, name)]
