"""check_items: a job's one pass over its items before they are queued."""

from __future__ import annotations

from typing import Any

import pytest

from functions.jobs.contract import MAX_ID_CHARS
from functions.jobs.items import InvalidJob, check_items


def check(items: list[dict[str, Any]], *, max_items: int = 100, max_text_chars: int = 20) -> list[dict[str, Any]]:
    return check_items(items, max_items=max_items, max_text_chars=max_text_chars)


def test_items_become_what_the_chunk_messages_carry() -> None:
    items: list[dict[str, Any]] = [
        {"id": 7, "text": "fine"}, {"id": "b", "text": "x" * 50}, {"id": "c", "text": None}, {"id": "d", "text": 5},
        {"id": "e", "error": "line 4: not valid JSON"}, {"id": "f", "text": "bad \ud800 text"},
        {"id": "g", "text": [[[]]]},
    ]
    assert check(items) == [
        {"id": 7, "text": "fine"},
        # One character past the limit is enough for its line to say "too long".
        {"id": "b", "text": "x" * 21},
        # Not a usable text: the bulk function answers it with its own error line.
        {"id": "c", "text": None}, {"id": "d", "text": 5},
        {"id": "e", "error": "line 4: not valid JSON"},
        # The core's rule (emotion_core.classifier.text_problem), with the core's words.
        {"id": "f", "error": "text is not valid Unicode (it holds an unpaired surrogate)"},
        {"id": "g", "error": "text must be a string, got list"},
    ]


@pytest.mark.parametrize(
    ("items", "detail"),
    [
        ([], "body: the job has no items"),
        ([{"id": str(n), "text": "a"} for n in range(4)], "body: 4 items is over the limit of 3 per job"),
        ([{"id": "1", "text": "a"}, {"id": 1, "text": "b"}], "items[1].id: duplicate id; ids must be unique"),
        ([{"id": "a", "text": "a"}, {"id": True, "text": "b"}], "items[1].id: Input should be a valid string"),
        ([{"id": [1], "text": "a"}], "items[0].id: Input should be a valid string"),
        ([{"id": "", "text": "a"}], "items[0].id: String should have at least 1 character"),
        ([{"id": "x" * (MAX_ID_CHARS + 1), "text": "a"}], f"items[0].id: String should have at most {MAX_ID_CHARS}"),
        ([{"id": "\ud800", "text": "a"}], "items[0].id: Input should be a valid string, unable to parse raw data"),
    ],
)
def test_a_job_that_cannot_be_queued_is_refused_naming_the_field(items: list[dict[str, Any]], detail: str) -> None:
    with pytest.raises(InvalidJob) as refused:
        check(items, max_items=3)
    assert str(refused.value).startswith(detail)
