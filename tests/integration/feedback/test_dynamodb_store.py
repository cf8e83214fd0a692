"""The DynamoDB feedback store on moto's server (the table as template.yaml and devtools create it),
and the export that turns it into a training dataset."""

from __future__ import annotations

import json
import time
from pathlib import Path

from devtools.local import create_feedback_table
from functions.feedback.records import FeedbackRecord
from functions.feedback.store import DynamoFeedbackStore
from functions.jobs.aws import AwsClients
from training.feedback.exporting import export


def record(owner: str, client_id: str, *, text: str | None = "so angry", created: str = "2026-11-24T10:00:00+00:00",
           expires_at: int | None = None) -> FeedbackRecord:
    return FeedbackRecord(owner=owner, client_id=client_id, feedback_id=f"id-{owner}-{client_id}", created_at=created,
                          expires_at=expires_at or int(time.time()) + 3600, model_name="m", model_version="2.0.0",
                          predicted={"fine": ["joy"]}, corrected={"fine": ["anger"]}, text=text, text_hmac="h",
                          request_sha256=client_id)


def test_put_is_idempotent_per_owner_and_client_id(aws: AwsClients) -> None:
    store = DynamoFeedbackStore(aws.dynamodb, create_feedback_table(aws, prefix="t"))
    first, created = store.put(record("a", "c1"))
    again, created_again = store.put(record("a", "c1", text="another body"))
    assert created and not created_again and again == first
    assert store.put(record("b", "c1"))[1]  # another owner's c1 is another record


def test_records_by_owner_since_and_unexpired(aws: AwsClients) -> None:
    store = DynamoFeedbackStore(aws.dynamodb, create_feedback_table(aws, prefix="t"))
    store.put(record("a", "old", created="2026-01-01T00:00:00+00:00"))
    store.put(record("a", "new", created="2026-11-24T00:00:00+00:00"))
    store.put(record("a", "gone", expires_at=int(time.time()) - 10))
    store.put(record("b", "theirs"))
    assert [r.client_id for r in store.records("a")] == ["old", "new"]
    assert [r.client_id for r in store.records("a", since="2026-06-01")] == ["new"]
    assert sorted(r.client_id for r in store.records()) == ["new", "old", "theirs"]


def test_export_writes_only_consented_texts(aws: AwsClients, moto_endpoint: str, tmp_path: Path) -> None:
    table = create_feedback_table(aws, prefix="t")
    store = DynamoFeedbackStore(aws.dynamodb, table)
    store.put(record("a", "kept"))
    store.put(record("a", "hashed-only", text=None))
    out = tmp_path / "feedback.jsonl"
    counts = export(out, table=table, endpoint_url=moto_endpoint)
    assert counts == {"records": 2, "without_text": 1, "exported": 1}
    (line,) = [json.loads(raw) for raw in out.read_text().splitlines()]
    assert (line["id"], line["text"], line["labels"]) == ("id-a-kept", "so angry", {"fine": ["anger"]})


def test_the_table_keeps_one_random_salt_that_no_read_returns(aws: AwsClients, moto_endpoint: str,
                                                               tmp_path: Path) -> None:
    table = create_feedback_table(aws, prefix="t")
    store = DynamoFeedbackStore(aws.dynamodb, table)
    salt = store.salt()
    assert len(salt) == 64 and int(salt, 16)
    assert DynamoFeedbackStore(aws.dynamodb, table).salt() == salt  # made once, read by every instance
    other_table = DynamoFeedbackStore(aws.dynamodb, create_feedback_table(aws, prefix="u"))
    assert other_table.salt() != salt
    store.put(record("a", "kept"))
    assert [r.client_id for r in store.records()] == ["kept"]
    assert export(tmp_path / "feedback.jsonl", table=table, endpoint_url=moto_endpoint)["records"] == 1
