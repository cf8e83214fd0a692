"""The AWS side of bulk jobs, built from the settings: the stores both functions use, and the queue
the API submits to. Each function builds it once and refuses to work without its resources."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from emotion_core.errors import ConfigError

from .aws import aws_clients
from .idempotency import IdempotencyStore
from .results import ResultStore
from .settings import JobsSettings
from .store import JobStore

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class NotConfigured(ConfigError):
    """Settings the jobs need are unset; `missing` holds their environment variable names."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"unset: {', '.join(missing)}")
        self.missing = missing


@dataclass(frozen=True)
class JobStores:
    """What processing a chunk needs: the job records and the result objects."""

    jobs: JobStore
    results: ResultStore


@dataclass(frozen=True)
class JobsBackend(JobStores):
    """What the API needs: the stores, and the queue that receives the chunk messages."""

    sqs: "SQSClient"
    queue_url: str
    # Idempotency-Key records (same table as the jobs); None: this backend refuses the header.
    idempotency: IdempotencyStore | None = None


def _require(settings: JobsSettings, *names: str) -> None:
    missing = settings.missing(*names)
    if missing:
        raise NotConfigured(missing)


def connect_stores(settings: JobsSettings) -> JobStores:
    _require(settings, "results_bucket", "jobs_table")
    assert settings.results_bucket and settings.jobs_table  # narrowed by the check above
    clients = aws_clients(settings.aws_endpoint_url)
    return JobStores(
        jobs=JobStore(clients.dynamodb, settings.jobs_table, settings.job_ttl_days),
        results=ResultStore(clients.s3, settings.results_bucket),
    )


def connect_backend(settings: JobsSettings) -> JobsBackend:
    # All three are named at once, so one error message lists everything to set.
    _require(settings, "jobs_queue_url", "results_bucket", "jobs_table")
    assert settings.jobs_queue_url  # narrowed by the check above
    stores = connect_stores(settings)
    return JobsBackend(
        jobs=stores.jobs,
        results=stores.results,
        sqs=aws_clients(settings.aws_endpoint_url).sqs,
        queue_url=settings.jobs_queue_url,
        idempotency=IdempotencyStore(
            aws_clients(settings.aws_endpoint_url).dynamodb, str(settings.jobs_table), settings.job_ttl_days
        ),
    )
