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
