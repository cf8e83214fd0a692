"""Uploaded job files -> items: any bytes give one item per line or row, never an exception."""

from __future__ import annotations

import io

import pytest
from fastapi.exceptions import RequestValidationError

from functions.api.errors import Unprocessable
from functions.api.job_files import read_jsonl
from functions.api.job_uploads import items_from_body

JSONL = "application/x-ndjson"
DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_INT = b"1" * 5_000


def test_hostile_jsonl_lines_become_error_items_not_a_failed_request() -> None:
    body = b"\n".join([
        b'{"id": "a", "text": "fine"}', DEEP, b'{"id": "b", "text": ' + HUGE_INT + b"}",
        b'{"id": ' + HUGE_INT + b', "text": "x"}', b'{"id": "c", "text": ' + b'{"a":' * 900 + b"1" + b"}" * 900 + b"}",
        b"\xff\xfe", b"", b"[1]",
    ]) + b"\n"
    items = items_from_body(body, JSONL, "text", "id")
    assert len(items) == 8
    assert items[0] == {"id": "a", "text": "fine"}
    errors = {position: item["error"] for position, item in enumerate(items) if "error" in item}
    assert errors[1] == "line 2: not valid JSON (nested too deeply)"
    assert errors[2] == "line 3: not valid JSON (a number too large to read)"
    assert errors[3] == "line 4: not valid JSON (a number too large to read)"
    assert "UTF-8" in errors[5] and "empty line" in errors[6] and "expected an object" in errors[7]
    # A nested text is still one item; its error line comes from the text rules, not the parser.
    assert items[4]["id"] == "c"


@pytest.mark.parametrize("body", [DEEP, b'{"texts": [' + HUGE_INT + b"]}",
                                  b'{"items": [{"id": ' + HUGE_INT + b', "text": "a"}]}',
                                  b"\xff" * 10, b'{"texts": ["a"]' + b" " * 10])
def test_a_json_body_that_cannot_be_parsed_is_422_naming_body(body: bytes) -> None:
    with pytest.raises((RequestValidationError, Unprocessable)) as refused:
        items_from_body(body, "application/json", "text", "id")
    assert isinstance(refused.value, RequestValidationError)
    assert refused.value.errors()[0]["loc"][0] == "body"


def test_jsonl_reader_takes_a_stream() -> None:
    items = list(read_jsonl(io.BytesIO(b'{"words": "hi"}\n' + DEEP), "words"))
    assert items == [{"id": None, "where": "line 1", "text": "hi"},
                     {"id": None, "where": "line 2", "error": "line 2: not valid JSON (nested too deeply)"}]
