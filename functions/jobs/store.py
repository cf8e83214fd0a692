"""Job records in DynamoDB (the result objects in S3 are in results.py).

Table layout (one table, key ``job_id`` + ``record``):
- ``record = "job"``: totals (items, chunks) and counters (succeeded, failed, chunks_done,
  chunks_failed), status, timestamps, ``expires_at`` (the table's TTL attribute);
- ``record = "chunk#<n>"``: one marker per finished chunk, ``state`` = done | dead (its last
  delivery failed and SQS moved its message to the dead-letter queue; it counts in chunks_failed).

A counter moves only in the same transaction that creates (or flips) a chunk's marker, so a
redelivered message, or a retry after a crash between the S3 write and the counters, can never
count a chunk twice.
"""

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

JOB = "job"
QUEUED, RUNNING, DONE = "queued", "running", "done"
DONE_WITH_ERRORS, SUBMIT_FAILED = "done-with-errors", "submit-failed"
FINAL_STATES = {DONE, DONE_WITH_ERRORS}
_TRANSACTION_ATTEMPTS = 8


def _marker(chunk: int) -> str:
    return f"chunk#{chunk}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


@dataclass(frozen=True)
class JobRecord:
    job_id: str
    items: int | None  # None for a job that a direct producer started without the API
    chunks: int | None
    succeeded: int
    failed: int
    chunks_done: int
    chunks_failed: int
    stored_status: str
    created_at: str | None
    updated_at: str | None
    owner: str | None = None  # None: a job a direct producer started, or one from before owners
    sent: bool = True  # False while (or if a crash stopped) the API was still queueing its chunks

    @property
    def processed(self) -> int:
        return self.succeeded + self.failed

    @property
    def status(self) -> str:
        # Derived from the counters, so a crash between counting and flipping the status never
        # leaves a finished job looking unfinished.
        if self.stored_status == SUBMIT_FAILED:
            return SUBMIT_FAILED
        if self.chunks is not None and self.chunks_done >= self.chunks:
            return DONE if self.failed == 0 else DONE_WITH_ERRORS
        return RUNNING if self.chunks_done > 0 else QUEUED


def _record_from_item(item: dict[str, Any]) -> JobRecord:
    def number(name: str) -> int | None:
        return int(item[name]["N"]) if name in item else None

    def string(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    return JobRecord(
        job_id=item["job_id"]["S"],
        items=number("items"),
        chunks=number("chunks"),
        succeeded=number("succeeded") or 0,
        failed=number("failed") or 0,
        chunks_done=number("chunks_done") or 0,
        chunks_failed=number("chunks_failed") or 0,
        stored_status=string("status") or QUEUED,
        created_at=string("created_at"),
        updated_at=string("updated_at"),
        owner=string("owner"),
        # Records from before sent_at existed were answered 202 only once all was sent.
        sent="sent_at" in item or "owner" not in item,
    )


def _cancellation_codes(exc: ClientError) -> list[str]:
    reasons = exc.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "None")) for reason in reasons]


class JobStore:
    def __init__(self, dynamodb: "DynamoDBClient", table: str, ttl_days: int) -> None:
        self._db = dynamodb
        self._table = table
        self._ttl_seconds = ttl_days * 86_400

    def _key(self, job_id: str, record: str = JOB) -> dict[str, Any]:
        return {"job_id": {"S": job_id}, "record": {"S": record}}

    def _expires_at(self) -> dict[str, str]:
        return _n(int(time.time()) + self._ttl_seconds)

    def create(self, job_id: str, *, items: int, chunks: int, owner: str | None = None) -> None:
        item: dict[str, Any] = {
            **self._key(job_id),
            "items": _n(items),
            "chunks": _n(chunks),
            "succeeded": _n(0),
            "failed": _n(0),
            "chunks_done": _n(0),
            "chunks_failed": _n(0),
            "status": {"S": QUEUED},
            "created_at": {"S": _now()},
            "updated_at": {"S": _now()},
            "expires_at": self._expires_at(),
        }
        if owner is not None:
            item["owner"] = {"S": owner}
        # A fresh uuid never collides; the condition makes sure a bug could not reset a live job.
        self._db.put_item(
            TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(job_id)"
        )

    def mark_submit_failed(self, job_id: str) -> None:
        self._db.update_item(
            TableName=self._table,
            Key=self._key(job_id),
            UpdateExpression="SET #s = :s, updated_at = :now",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": SUBMIT_FAILED}, ":now": {"S": _now()}},
        )

    def mark_sent(self, job_id: str, *, reopen: bool = False) -> None:
        """Every chunk is on the queue; `reopen` also lifts a submit-failed status (a retry sent them)."""
        status = ", #s = :queued" if reopen else ""
        self._db.update_item(
            TableName=self._table,
            Key=self._key(job_id),
            UpdateExpression=f"SET sent_at = :now, updated_at = :now{status}",
            ExpressionAttributeValues={":now": {"S": _now()}, **({":queued": {"S": QUEUED}} if reopen else {})},
            **({"ExpressionAttributeNames": {"#s": "status"}} if reopen else {}),  # type: ignore[arg-type]
        )

    def get(self, job_id: str) -> JobRecord | None:
        item = self._db.get_item(TableName=self._table, Key=self._key(job_id), ConsistentRead=True).get(
            "Item"
        )
        return _record_from_item(item) if item else None

    def _job_update(self, job_id: str, adds: dict[str, int]) -> dict[str, Any]:
        names = {f"#a{i}": name for i, name in enumerate(adds)}
        values: dict[str, Any] = {f":a{i}": _n(value) for i, value in enumerate(adds.values())}
        values.update({":now": {"S": _now()}, ":exp": self._expires_at()})
        add_clause = ", ".join(f"#a{i} :a{i}" for i in range(len(adds)))
        return {
            "Update": {
                "TableName": self._table,
                "Key": self._key(job_id),
                # if_not_exists: a job started by a direct producer (no API record) still expires.
                "UpdateExpression": f"ADD {add_clause} "
                "SET updated_at = :now, expires_at = if_not_exists(expires_at, :exp)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        """Run a transaction; False when its first item's condition failed (already applied)."""
        for attempt in range(_TRANSACTION_ATTEMPTS):
            try:
                self._db.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                codes = _cancellation_codes(exc)
                if codes and codes[0] == "ConditionalCheckFailed":
                    return False
                # Chunks of one job finish together and all touch the job item: conflicts are
                # expected under concurrency and clear up after a short, jittered wait.
                if "TransactionConflict" not in codes or attempt == _TRANSACTION_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.02, 0.1) * 2**attempt)
        raise AssertionError("unreachable")

    def record_chunk(self, job_id: str, chunk: int, *, succeeded: int, failed: int) -> bool:
        """Count a finished chunk once; True if this call counted it, False for a duplicate."""
        marker = {
            **self._key(job_id, _marker(chunk)),
            "state": {"S": "done"},
            "succeeded": _n(succeeded),
            "failed": _n(failed),
            "updated_at": {"S": _now()},
            "expires_at": self._expires_at(),
        }
        first_time = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": marker,
                    "ConditionExpression": "attribute_not_exists(job_id)",
                }
            },
            self._job_update(job_id, {"succeeded": succeeded, "failed": failed, "chunks_done": 1}),
        ]
        if self._transact(first_time):
            return True
        previous = self._db.get_item(
            TableName=self._table, Key=self._key(job_id, _marker(chunk)), ConsistentRead=True
        ).get("Item", {})
        if previous.get("state", {}).get("S") != "dead":
            return False
        # A dead-lettered chunk that was redriven and now succeeded: swap its failure for the result.
        dead_failed = int(previous["failed"]["N"])
        revive = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": self._key(job_id, _marker(chunk)),
                    "UpdateExpression": "SET #st = :done, succeeded = :ok, failed = :bad, updated_at = :now",
                    "ConditionExpression": "#st = :dead",
                    "ExpressionAttributeNames": {"#st": "state"},
                    "ExpressionAttributeValues": {
                        ":done": {"S": "done"},
                        ":dead": {"S": "dead"},
                        ":ok": _n(succeeded),
                        ":bad": _n(failed),
                        ":now": {"S": _now()},
                    },
                }
            },
            self._job_update(
                job_id, {"succeeded": succeeded, "failed": failed - dead_failed, "chunks_failed": -1}
            ),
        ]
        return self._transact(revive)

    def chunk_counted(self, job_id: str, chunk: int) -> bool:
        """Whether the chunk's marker exists (it was counted, done or dead)."""
        key = self._key(job_id, _marker(chunk))
        return "Item" in self._db.get_item(TableName=self._table, Key=key, ConsistentRead=True)

    def record_failed_chunk(self, job_id: str, chunk: int, *, items: int) -> bool:
        """Count a chunk that exhausted its deliveries as failed; False if it was already counted."""
        marker = {
            **self._key(job_id, _marker(chunk)),
            "state": {"S": "dead"},
            "succeeded": _n(0),
            "failed": _n(items),
            "updated_at": {"S": _now()},
            "expires_at": self._expires_at(),
        }
        return self._transact(
            [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": marker,
                        "ConditionExpression": "attribute_not_exists(job_id)",
                    }
                },
                self._job_update(job_id, {"failed": items, "chunks_done": 1, "chunks_failed": 1}),
            ]
        )

    def refresh_status(self, job_id: str) -> JobRecord | None:
        """Store the derived status so the table itself can be queried by status."""
        record = self.get(job_id)
        if record is None or record.status == record.stored_status:
            return record
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(job_id),
                UpdateExpression="SET #s = :s",
                # Only from the counters this decision saw; a concurrent chunk then stores its own.
                ConditionExpression="chunks_done = :done AND failed = :failed",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":s": {"S": record.status},
                    ":done": _n(record.chunks_done),
                    ":failed": _n(record.failed),
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        return record
