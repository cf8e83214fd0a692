"""Where feedback is kept: a DynamoDB table on AWS (template: FeedbackTable, TTL and encryption on),
an SQLite file locally. Both keep one record per (owner, client_id): a repeated submission finds the
first one, which makes POST /v1/feedback idempotent."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from .records import FeedbackRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# The salt item's key: owners are "apikey-id:…", "sha256:…" or "anonymous", never this.
SALT_KEY = "#salt"


class FeedbackStore(Protocol):
    def put(self, record: FeedbackRecord) -> tuple[FeedbackRecord, bool]:
        """Keep `record` unless (owner, client_id) is taken: returns the kept record, and whether it is new."""

    def records(self, owner: str | None = None, since: str | None = None) -> Iterator[FeedbackRecord]:
        """Unexpired records, of one owner or (export) of all, created at or after `since` (ISO 8601)."""


class SqliteFeedbackStore:
    """The local store: one file, created on first use; expired records are purged as new ones come."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection shared by uvicorn's worker threads; sqlite3 serialises, the lock orders.
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._connection:
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS feedback (owner TEXT NOT NULL, client_id TEXT NOT NULL, "
                "created_at TEXT NOT NULL, expires_at INTEGER NOT NULL, record TEXT NOT NULL, "
                "PRIMARY KEY (owner, client_id))")

    def put(self, record: FeedbackRecord) -> tuple[FeedbackRecord, bool]:
        with self._lock, self._connection:
            self._connection.execute("DELETE FROM feedback WHERE expires_at < ?", (int(time.time()),))
            inserted = self._connection.execute(
                "INSERT OR IGNORE INTO feedback VALUES (?, ?, ?, ?, ?)",
                (record.owner, record.client_id, record.created_at, record.expires_at, record.model_dump_json()),
            ).rowcount
            if inserted:
                return record, True
            (raw,) = self._connection.execute("SELECT record FROM feedback WHERE owner = ? AND client_id = ?",
                                              (record.owner, record.client_id)).fetchone()
        return FeedbackRecord.model_validate_json(raw), False

    def records(self, owner: str | None = None, since: str | None = None) -> Iterator[FeedbackRecord]:
        query, args = "SELECT record FROM feedback WHERE expires_at >= ? AND created_at >= ?", [
            int(time.time()), since or ""]
        if owner is not None:
            query, args = query + " AND owner = ?", [*args, owner]
        with self._lock:
            rows = self._connection.execute(query + " ORDER BY created_at", args).fetchall()
        for (raw,) in rows:
            yield FeedbackRecord.model_validate_json(raw)


class DynamoFeedbackStore:
    """The stack's FeedbackTable: partition key `owner`, sort key `client_id`, TTL on `expires_at`."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client, self.table = client, table

    @staticmethod
    def _item(record: FeedbackRecord) -> dict[str, Any]:
        return {"owner": {"S": record.owner}, "client_id": {"S": record.client_id},
                "created_at": {"S": record.created_at}, "expires_at": {"N": str(record.expires_at)},
                "record": {"S": record.model_dump_json()}}

    def put(self, record: FeedbackRecord) -> tuple[FeedbackRecord, bool]:
        try:
            self.client.put_item(TableName=self.table, Item=self._item(record),
                                 ConditionExpression="attribute_not_exists(client_id)")
            return record, True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        found = self.client.get_item(TableName=self.table, ConsistentRead=True,
                                     Key={"owner": {"S": record.owner}, "client_id": {"S": record.client_id}})
        return FeedbackRecord.model_validate_json(found["Item"]["record"]["S"]), False

    def salt(self) -> bytes:
        """The table's own random salt, made by the first caller (a conditional put) and read by all.

        Kept in the table, not the stack: only who can read the records can read it, and a hash
        under a salt an outsider knows (the stack id, say) is a dictionary lookup away from a short text.
        No created_at and no expires_at, so the record reads skip it and TTL never deletes it."""
        key = {"owner": {"S": SALT_KEY}, "client_id": {"S": SALT_KEY}}
        try:
            self.client.put_item(TableName=self.table, Item={**key, "salt": {"S": secrets.token_hex(32)}},
                                 ConditionExpression="attribute_not_exists(client_id)")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        found = self.client.get_item(TableName=self.table, ConsistentRead=True, Key=key)
        return found["Item"]["salt"]["S"].encode("utf-8")

    def records(self, owner: str | None = None, since: str | None = None) -> Iterator[FeedbackRecord]:
        # TTL deletes lag by up to days: expired items are filtered here too.
        names = {"#c": "created_at", "#e": "expires_at"}
        values: dict[str, Any] = {":since": {"S": since or ""}, ":now": {"N": str(int(time.time()))}}
        arguments: dict[str, Any] = {"TableName": self.table, "FilterExpression": "#c >= :since AND #e >= :now",
                                     "ExpressionAttributeNames": names}
        if owner is not None:
            names["#o"] = "owner"
            values[":owner"] = {"S": owner}
            pages = self.client.get_paginator("query").paginate(
                **arguments, KeyConditionExpression="#o = :owner", ExpressionAttributeValues=values)
        else:  # the export reads everything, once, offline
            pages = self.client.get_paginator("scan").paginate(**arguments, ExpressionAttributeValues=values)
        found = [FeedbackRecord.model_validate_json(item["record"]["S"]) for page in pages for item in page["Items"]]
        yield from sorted(found, key=lambda record: record.created_at)
