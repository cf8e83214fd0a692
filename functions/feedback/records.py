"""A feedback record: what the person said was right, about which prediction, and (with consent) the text."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict


class FeedbackRecord(BaseModel):
    """As stored. `text` only when the client set store_text; `text_hmac` always (to count repeats)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str  # the API key's id (AWS) or its sha256 (local), never the key
    client_id: str
    feedback_id: str
    created_at: str  # ISO 8601, UTC
    expires_at: int  # epoch seconds: DynamoDB's TTL attribute, and the SQLite store's purge
    model_name: str
    model_version: str
    predicted: dict[str, list[str]]
    corrected: dict[str, list[str]]
    comment: str | None = None
    text: str | None = None
    text_hmac: str
    # Of the request as sent: a repeated client_id with another body is a conflict, not a repeat.
    request_sha256: str


def text_hmac(text: str, salt: bytes) -> str:
    """A salted hash of the text: repeats of one text can be counted without keeping it."""
    normalized = " ".join(unicodedata.normalize("NFKC", text).split())
    return hmac.new(salt, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


def label_pairs(records: Iterable[FeedbackRecord]) -> list[dict[str, Any]]:
    """Per head, how often a predicted label set was corrected into another: the operators' view."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for record in records:
        for head, corrected in record.corrected.items():
            predicted = ",".join(sorted(record.predicted.get(head, []))) or "(none)"
            counts[(head, predicted, ",".join(sorted(corrected)) or "(none)")] += 1
    return [{"head": head, "predicted": predicted, "corrected": corrected, "count": count}
            for (head, predicted, corrected), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

