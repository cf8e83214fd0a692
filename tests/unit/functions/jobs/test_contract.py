"""The chunk message contract: parsing with reasons that never quote texts, and chunk splitting."""

import json

import pytest

from functions.jobs.contract import (
    MAX_CHUNK_ITEMS,
    SQS_MAX_BODY_BYTES,
    MalformedChunk,
    encode_chunk,
    parse_chunk,
    result_key,
    split_items,
)

SECRET = "my very private diary entry"


def body(**fields: object) -> str:
    return json.dumps({"job_id": "job-1", "chunk": 0, "items": [{"id": "a", "text": SECRET}], **fields})


def test_valid_chunk_parses_with_string_ids() -> None:
    message = parse_chunk(body(items=[{"id": 7, "text": "hi"}, {"id": "b", "text": None}]), SQS_MAX_BODY_BYTES)
    assert [item.id for item in message.items] == ["7", "b"]
    assert message.job_id == "job-1" and message.chunk == 0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not json at all " + SECRET, "not JSON"),
        (json.dumps([SECRET]), "JSON list, not an object"),
        (json.dumps({"job_id": "job-1", "chunk": 0}), "items: Field required"),
        (body(chunk="0"), "chunk: Input should be a valid integer"),
        (body(chunk=-1), "chunk: Input should be greater than or equal to 0"),
        (body(job_id="../../etc"), "job_id: String should match pattern"),
        (body(items=[]), "items: List should have at least 1 item"),
        (body(items=[{"text": SECRET}]), "items.0.id: Field required"),
        (body(items=[SECRET]), "items.0: Input should be a valid dictionary"),
        (body(extra=SECRET), "extra: Extra inputs are not permitted"),
        (body(items=[{"id": "x", "text": "t"}] * (MAX_CHUNK_ITEMS + 1)), "items: List should have at most"),
    ],
)
def test_malformed_bodies_say_why_without_quoting_texts(raw: str, reason: str) -> None:
    with pytest.raises(MalformedChunk) as caught:
        parse_chunk(raw, 10 * SQS_MAX_BODY_BYTES)
    assert reason in str(caught.value)
    assert SECRET not in str(caught.value)


def test_oversize_body_is_refused_before_parsing() -> None:
    raw = body(items=[{"id": "a", "text": "x" * SQS_MAX_BODY_BYTES}])
    with pytest.raises(MalformedChunk, match=r"bytes, over the 262144-byte limit"):
        parse_chunk(raw, SQS_MAX_BODY_BYTES)


def test_lone_surrogate_id_is_a_malformed_chunk() -> None:
    raw = '{"job_id": "j", "chunk": 1, "items": [{"id": "\\ud800", "text": "hi"}]}'
    # The id is written back into a UTF-8 result line, so it must be real text.
    with pytest.raises(MalformedChunk, match=r"items\.0\.id: .*unicode"):
        parse_chunk(raw, SQS_MAX_BODY_BYTES)


def test_split_respects_count_and_bytes_and_keeps_order() -> None:
    items = [{"id": str(i), "text": "é" * (i % 700)} for i in range(3000)]
    chunks = list(split_items(items, max_items=250, max_bytes=60_000))
    assert [item for chunk in chunks for item in chunk] == items
    for index, chunk in enumerate(chunks):
        assert len(chunk) <= 250
        assert len(encode_chunk("f" * 32, index, chunk).encode("utf-8")) <= 60_000
    assert any(len(chunk) < 250 for chunk in chunks[:-1])  # some chunks were cut by bytes


def test_a_named_model_travels_with_every_chunk_and_counts_in_its_size() -> None:
    model = "m" * 128
    items = [{"id": str(i), "text": "x" * 500} for i in range(400)]
    chunks = list(split_items(items, max_items=5_000, max_bytes=30_000, model=model))
    for index, chunk in enumerate(chunks):
        encoded = encode_chunk("f" * 64, index, chunk, model)
        assert len(encoded.encode("utf-8")) <= 30_000
        assert parse_chunk(encoded, SQS_MAX_BODY_BYTES).model == model
    # The default model leaves the message as producers before named models wrote it.
    assert "model" not in json.loads(encode_chunk("j", 0, items[:1]))
    assert parse_chunk(encode_chunk("j", 0, items[:1]), SQS_MAX_BODY_BYTES).model is None
    with pytest.raises(MalformedChunk, match="model"):
        parse_chunk(encode_chunk("j", 0, items[:1], "../etc"), SQS_MAX_BODY_BYTES)


def test_an_item_bigger_than_a_message_is_an_error() -> None:
    with pytest.raises(ValueError, match="bytes encoded"):
        list(split_items([{"id": "1", "text": "x" * 70_000}], max_items=10, max_bytes=60_000))


def test_result_key_layout() -> None:
    assert result_key("abc", 12) == "jobs/abc/12.jsonl"
