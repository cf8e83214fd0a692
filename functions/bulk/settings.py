"""The bulk function's settings: the job knobs plus the queue's redrive limit."""

from pydantic import Field

from functions.jobs.settings import JobsSettings


class BulkSettings(JobsSettings):
    """Everything the bulk function reads from its environment, read once by functions.bulk.handler."""

    bulk_max_receive_count: int = Field(
        default=5,
        ge=1,
        le=1_000,
        description="The queue's maxReceiveCount: the delivery after which a failing chunk is dead-lettered",
    )
    bulk_deadline_margin_ms: int = Field(
        default=35_000,
        ge=0,
        description="A record starts only with at least this much of the invocation left; the rest of the batch "
                    "is reported as failed (retried, not lost) instead of being cut by the timeout. Sized for the "
                    "worst chunk (CHUNK_MAX_WINDOWS at 12.2 ms per window, plus its S3 and DynamoDB calls)",
    )
