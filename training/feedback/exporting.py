"""Out of the feedback store into a training dataset, and (for the demo) into the API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from functions.feedback.records import FeedbackRecord
from functions.feedback.store import DynamoFeedbackStore, FeedbackStore, SqliteFeedbackStore


def open_store(sqlite: Path | None, table: str | None, endpoint_url: str | None) -> FeedbackStore:
    if sqlite is not None:
        if not sqlite.is_file():
            raise SystemExit(f"export: {sqlite} does not exist (the server's FEEDBACK_SQLITE_PATH)")
        return SqliteFeedbackStore(sqlite)
    assert table is not None
    import boto3

    return DynamoFeedbackStore(boto3.client("dynamodb", endpoint_url=endpoint_url), table)


def training_items(records: Iterable[FeedbackRecord], counts: dict[str, int]) -> list[dict[str, Any]]:
    """One dataset line per correction whose text was kept; `counts` says what was left out and why."""
    items = []
    for record in records:
        counts["records"] += 1
        if record.text is None:
            counts["without_text"] += 1  # no consent to keep it: nothing to train on
            continue
        items.append({"id": record.feedback_id, "text": record.text, "labels": record.corrected,
                      "model": {"name": record.model_name, "version": record.model_version},
                      "predicted": record.predicted, "created_at": record.created_at})
    counts["exported"] = len(items)
    return items


def export(out: Path, *, sqlite: Path | None = None, table: str | None = None, endpoint_url: str | None = None,
           since: str | None = None) -> dict[str, int]:
    counts = {"records": 0, "without_text": 0}
    items = training_items(open_store(sqlite, table, endpoint_url).records(since=since), counts)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return counts


def send(requests: Path, api: str, key: str | None) -> dict[str, int]:
    """POST every line of `requests` to /v1/feedback; counts the answers by status."""
    counts: dict[str, int] = {}
    headers = {"X-API-Key": key} if key else {}
    with httpx.Client(base_url=api, headers=headers, timeout=30) as client:
        for line in requests.read_text(encoding="utf-8").splitlines():
            if line.strip():
                status = str(client.post("/v1/feedback", json=json.loads(line)).status_code)
                counts[status] = counts.get(status, 0) + 1
    return counts
