"""Uploaded job files -> items: any bytes give one item per line or row, never an exception."""

from __future__ import annotations

import io
from typing import Any

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


def csv_items(text: str, id_column: str = "id") -> list[dict[str, Any]]:
    return items_from_body(text.encode(), "text/csv", "text", id_column)


def test_an_unterminated_quote_is_422_naming_its_line_instead_of_merging_rows() -> None:
    with pytest.raises(Unprocessable) as refused:
        csv_items('id,text\n1,fine\n2,"multi\nline"\n3,"never closed\n4,swallowed\n5,also swallowed\n')
    assert refused.value.detail.startswith("body: line 5 (row 3): a quoted field is never closed")


def test_a_badly_quoted_row_is_its_own_error_line_and_the_next_rows_still_count() -> None:
    items = csv_items('id,text\n1,"quoted"trailing\n2,fine\n3,"a""b"c\n4,ok\n')
    assert items == [
        {"id": "row-1", "error": "row 1: not valid CSV (',' expected after '\"')"},
        {"id": "2", "text": "fine"},
        {"id": "row-3", "error": "row 3: not valid CSV (',' expected after '\"')"},
        {"id": "4", "text": "ok"},
    ]


def test_one_oversized_field_is_one_item_not_a_refused_job() -> None:
    items = csv_items("id,text,notes\n1," + "x" * 200_000 + ",a\n2,fine," + "n" * 300_000 + "\n")
    assert [item["id"] for item in items] == ["1", "2"] and len(items[0]["text"]) == 200_000
    assert items[1]["text"] == "fine"


def test_fallback_ids_never_collide_and_a_repeated_id_is_an_error_line() -> None:
    items = csv_items("id,text\n,a\nrow-1,b\n7,c\n7,d\n" + "x" * 300 + ",e\n")
    assert items == [
        {"id": "row-1-2", "text": "a"},  # row-1 is a real id in this file
        {"id": "row-1", "text": "b"},
        {"id": "7", "text": "c"},
        {"id": "row-4", "error": "row 4: duplicate id (row 3 has it); ids must be unique"},
        {"id": "row-5", "error": "row 5: id String should have at most 256 characters"},
    ]
    assert [item["id"] for item in csv_items("text\na\nb\n")] == ["row-1", "row-2"]
    jsonl = items_from_body(b'{"text": "a"}\n{"id": "line-1", "text": "b"}\n{"id": "line-1"}\n', JSONL, "text", "id")
    assert [item["id"] for item in jsonl] == ["line-1-2", "line-1", "line-3"]
    assert "duplicate id (line 2 has it)" in jsonl[2]["error"]


def test_a_csv_without_the_text_column_is_422_without_quoting_the_header() -> None:
    with pytest.raises(Unprocessable) as refused:
        csv_items("my secret first text,other\n")
    assert refused.value.detail.startswith("text_column: the CSV header row has no column 'text' (2 columns)")
    assert "secret" not in refused.value.detail
