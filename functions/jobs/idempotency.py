"""Idempotent submission: (owner, Idempotency-Key) -> the job it created and the body's digest.

Stored in the jobs table as ``job_id = "idempotency#<sha256 of owner and key>"``, ``record =
"idempotency"`` (the ``#`` keeps it out of reach of GET /v1/jobs/{id}), written with a conditional
put so that of two racing requests exactly one claims the key. It expires with the job records.
"""

import hashlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RECORD = "idempotency"


@dataclass(frozen=True)
class Claim:
    job_id: str
    body_sha256: str


def body_digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        # Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, dynamodb: "DynamoDBClient", table: str, ttl_days: int) -> None:
        self._db = dynamodb
        self._table = table
        self._ttl_seconds = ttl_days * 86_400

    def _key(self, owner: str, key: str) -> dict[str, dict[str, str]]:
        scoped = hashlib.sha256(f"{owner}\n{key}".encode()).hexdigest()
        return {"job_id": {"S": f"{RECORD}#{scoped}"}, "record": {"S": RECORD}}

    def claim(self, owner: str, key: str, claim: Claim) -> Claim:
        """Bind the key to `claim`; returns the claim that holds the key (this one or an earlier one)."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    **self._key(owner, key),
                    "target_job": {"S": claim.job_id},
                    "body_sha256": {"S": claim.body_sha256},
                    "expires_at": {"N": str(int(time.time()) + self._ttl_seconds)},
                },
                ConditionExpression="attribute_not_exists(job_id)",
            )
            return claim
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        item = self._db.get_item(TableName=self._table, Key=self._key(owner, key), ConsistentRead=True)["Item"]
        return Claim(job_id=item["target_job"]["S"], body_sha256=item["body_sha256"]["S"])
