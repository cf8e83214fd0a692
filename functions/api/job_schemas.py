"""Request and response bodies of /v1/jobs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.jobs.contract import MODEL_NAME_PATTERN, ItemId


class JobItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The queue contract's id rule, so OpenAPI shows it; functions.jobs.items applies it to every item.
    id: ItemId
    # Any JSON value: a text that is not a usable string gets an error line in the results,
    # like a bad row in an uploaded file, instead of failing the whole job.
    text: Any = None


class JobRequest(BaseModel):
    """Either ``texts`` (ids are their 1-based positions) or ``items`` with your own ids."""

    model_config = ConfigDict(extra="forbid")

    texts: list[Any] | None = Field(default=None, min_length=1)
    items: list[JobItem] | None = Field(default=None, min_length=1)
    model: str | None = Field(
        default=None, pattern=MODEL_NAME_PATTERN,
        description="A model GET /v1/models lists (e.g. a custom label set); absent: the default model. "
                    "The same as the model query parameter, which CSV and JSONL bodies use.")

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
