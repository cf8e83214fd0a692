"""Submission's SendMessageBatch grouping (the queue round trips are in tests/integration/bulk)."""

from functions.jobs.contract import SQS_MAX_BODY_BYTES
from functions.jobs.submit import _batches


def test_send_batches_stay_under_the_request_limits() -> None:
    bodies = {str(i): "x" * 100_000 for i in range(7)} | {str(i): "y" for i in range(7, 30)}
    batches = _batches(bodies)
    assert all(len(batch) <= 10 for batch in batches)
    assert all(sum(len(body) for body in batch.values()) <= SQS_MAX_BODY_BYTES for batch in batches)
    assert [key for batch in batches for key in batch] == list(bodies)
