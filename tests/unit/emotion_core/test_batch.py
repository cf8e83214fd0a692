"""Batch files: one output line per input line, ids kept, bad lines reported instead of dropped."""

import io
import json
from pathlib import Path
from typing import Any

import pytest

from emotion_core import Classifier, InputError
from emotion_core.batch import classify_items, classify_stream, open_items, read_csv, read_jsonl, write_jsonl


def _jsonl(*lines: str | bytes) -> io.BytesIO:
    raw = [line if isinstance(line, bytes) else line.encode() for line in lines]
    return io.BytesIO(b"".join(line + b"\n" for line in raw))


def test_classify_items_keeps_ids_and_order(tiny_classifier: Classifier) -> None:
    lines = classify_items(tiny_classifier, [{"id": "a", "text": "so happy"}, {"id": 7, "text": "so sad"}])
    assert [(line["id"], line["emotion"]) for line in lines] == [("a", "joy"), (7, "sadness")]
    assert lines[0]["windows"] == 1 and "labels" in lines[0] and "reactions" in lines[0]


@pytest.mark.parametrize(("item", "error"), [
    ({"id": "x"}, "text is missing"),
    ({"id": "x", "text": 42}, "text must be a string, got int"),
    ({"id": "x", "text": "a" * 11}, "text has 11 characters; the limit is 10"),
    ({"id": ["x"], "text": "happy"}, "id must be a string or an integer, got list"),
    ("just a string", "item must be an object with id and text, got str"),
    ({"id": "x", "text": "bad \udc00"}, "text is not valid Unicode (it holds an unpaired surrogate)"),
])
def test_bad_items_become_error_lines(tiny_classifier: Classifier, item: Any, error: str) -> None:
    lines = classify_items(tiny_classifier, [{"id": "ok", "text": "happy"}, item], max_text_chars=10)
    assert len(lines) == 2
    assert lines[0]["emotion"] == "joy"
    assert lines[1]["error"] == error
    assert set(lines[1]) == {"id", "error"}


def test_missing_ids_come_from_the_position(tiny_classifier: Classifier) -> None:
    lines = classify_items(tiny_classifier, [{"text": "happy"}, {"id": "", "text": "sad"}], first_position=10)
    assert [line["id"] for line in lines] == ["10", "11"]


def test_default_length_limit_is_the_classifiers(tiny_bundle_dir: Path) -> None:
    classifier = Classifier.load(tiny_bundle_dir, threads=1, max_text_chars=5)
    lines = classify_items(classifier, [{"id": "1", "text": "happy!"}])
    assert lines == [{"id": "1", "error": "text has 6 characters; the limit is 5"}]


def test_stream_numbers_positions_across_chunks(tiny_classifier: Classifier) -> None:
    items = [{"text": "happy"} for _ in range(5)]
    lines = list(classify_stream(tiny_classifier, items, chunk_size=2))
    assert [line["id"] for line in lines] == ["1", "2", "3", "4", "5"]


def test_jsonl_reader_never_drops_a_line() -> None:
    stream = _jsonl('{"id": "a", "text": "happy"}', "{broken", "", '["not", "an object"]',
                    b'{"id": "b", "text": "\xff"}', '{"text": "no id"}')
    items = list(read_jsonl(stream))
    assert len(items) == 6
    assert items[0] == {"id": "a", "text": "happy"}
    assert items[1]["id"] == "2" and items[1]["error"].startswith("line 2: not valid JSON")
    assert items[2] == {"id": "3", "error": "line 3: empty line"}
    assert items[3] == {"id": "4", "error": "line 4: expected an object with id and text"}
    assert items[4]["id"] == "5" and items[4]["error"].startswith("line 5: not UTF-8")
    assert items[5] == {"id": "6", "text": "no id"}


def test_csv_reader_keeps_ids_and_reports_bad_rows() -> None:
    stream = io.StringIO('id,text,lang\nt1,"happy, very",en\nt2,sad\n,scared,en\n\n')
    items = list(read_csv(stream))
    assert items[0] == {"id": "t1", "text": "happy, very"}
    assert items[1] == {"id": "t2", "error": "row 2: 2 fields, the header has 3"}
    assert items[2] == {"id": "3", "text": "scared"}
    assert items[3] == {"id": "4", "error": "row 4: an empty row, the header has 3"}


def test_csv_reader_uses_the_named_text_column_and_row_numbers() -> None:
    items = list(read_csv(io.StringIO("body\nhappy\nsad\n"), text_column="body"))
    assert items == [{"id": "1", "text": "happy"}, {"id": "2", "text": "sad"}]


def test_csv_without_the_text_column_is_refused_whole() -> None:
    with pytest.raises(InputError) as error:
        list(read_csv(io.StringIO("id,body\n1,happy\n")))
    assert error.value.field == "text_column"
    assert "no column 'text'" in str(error.value)


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "texts.xlsx"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"texts\.xlsx: expected a \.csv/\.jsonl/\.ndjson file"):
        open_items(path, [])


def test_end_to_end_file_gives_one_line_per_input(tiny_classifier: Classifier, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines_in = ['{"id": "a", "text": "so happy"}', "not json", '{"id": "c", "text": ""}']
    source.write_text("\n".join(lines_in) + "\n", encoding="utf-8")
    stack: list[Any] = []
    out = io.StringIO()
    counts = write_jsonl(classify_stream(tiny_classifier, open_items(source, stack)), out)
    for stream in stack:
        stream.close()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert counts == {"lines": 3, "errors": 1}
    assert [line["id"] for line in lines] == ["a", "2", "c"]
    assert lines[0]["emotion"] == "joy"
    assert lines[2] == {"id": "c", **tiny_classifier.predict_one("").to_dict()}


@pytest.mark.parametrize("blank", ["", "   ", "\n\t "])
def test_blank_text_gets_the_api_answer_not_an_error(tiny_classifier: Classifier, blank: str) -> None:
    """One rule on every path (docs/prediction.md, Blank text): neutral, confidence 1, windows 0."""
    lines = classify_items(tiny_classifier, [{"id": 3, "text": blank}, {"id": "s", "text": blank}])
    api_answer = tiny_classifier.predict([blank])[0].to_dict()
    assert api_answer["emotion"] == "neutral" and api_answer["confidence"] == 1.0 and api_answer["windows"] == 0
    assert lines == [{"id": 3, **api_answer}, {"id": "s", **api_answer}]
