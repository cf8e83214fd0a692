"""Label-set validation: every refusal names the file, the label and what to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from training.labelset.__main__ import main
from training.labelset.settings import build_settings
from training.labelset.spec import LabelSetError, load_domain_texts, load_labelset, parse_labelset

EXAMPLE = Path(__file__).resolve().parents[4] / "training" / "configs" / "labelsets" / "support-tickets.yaml"


def valid() -> dict[str, Any]:
    return {
        "name": "tickets",
        "labels": [
            {"name": "angry", "description": "the customer is angry", "examples": ["so annoyed", "this is awful"]},
            {"name": "happy", "description": "the customer is happy", "examples": ["thanks a lot", "great work"]},
        ],
    }


def test_a_valid_set_reads_in_file_order() -> None:
    labelset = parse_labelset(valid())
    assert labelset.label_names == ["angry", "happy"]
    assert labelset.examples() == [("so annoyed", 0), ("this is awful", 0), ("thanks a lot", 1), ("great work", 1)]
    assert labelset.multi_label is False and labelset.domain is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["labels"].append(dict(raw["labels"][0])), "duplicate label names ['angry']"),
        (lambda raw: raw["labels"][1].update(description="  "), "labels[1] (happy): description must be a non-empty"),
        (lambda raw: raw.update(min_examples=3), "too few examples (min_examples is 3): angry (2), happy (2)"),
        (lambda raw: raw["labels"][0].update(examples=["x", "x"]), "labels[0] (angry): examples repeat a text"),
        (lambda raw: raw["labels"][1]["examples"].append("so annoyed"), "an example appears under angry, happy"),
        (lambda raw: raw.update(labels=raw["labels"][:1]), "labels: need a list of at least 2 labels"),
        (lambda raw: raw["labels"][0].update(name="Angry Customers"), "labels[0]: name must be 1-64 characters"),
        (lambda raw: raw.update(colour="red"), "unknown keys ['colour']"),
        (lambda raw: raw.update(domain={"path": "texts.txt"}), "domain: path must end in .csv or .jsonl"),
        (lambda raw: raw.update(multi_label="yes"), "multi_label: must be true or false"),
    ],
)
def test_mistakes_are_refused_with_a_message_naming_them(change: Any, message: str) -> None:
    raw = valid()
    change(raw)
    with pytest.raises(LabelSetError) as caught:
        parse_labelset(raw, "tickets.yaml")
    assert message in str(caught.value) and str(caught.value).startswith("tickets.yaml")


def test_the_same_text_under_two_labels_is_fine_for_a_multi_label_set() -> None:
    raw = valid()
    raw["labels"][1]["examples"].append("so annoyed")
    raw["multi_label"] = True
    assert parse_labelset(raw).multi_label is True


def test_domain_texts_come_from_a_csv_column_deduplicated(tmp_path: Path) -> None:
    (tmp_path / "domain.csv").write_text("id,body\n1,first ticket\n2,\n3,first ticket\n4,second ticket\n")
    raw = {**valid(), "domain": {"path": "domain.csv", "column": "body"}}
    (tmp_path / "set.yaml").write_text(yaml.safe_dump(raw))
    labelset = load_labelset(tmp_path / "set.yaml")
    assert labelset.domain is not None and load_domain_texts(labelset.domain) == ["first ticket", "second ticket"]
    wrong = {**raw, "domain": {"path": "domain.csv", "column": "text"}}
    with pytest.raises(LabelSetError, match=r"row 1 has no column 'text' \(domain.column\)"):
        load_domain_texts(parse_labelset(wrong, base=tmp_path).domain)  # type: ignore[arg-type]


def test_jsonl_domain_and_a_limit(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n{"text": "c"}\n')
    labelset = parse_labelset({**valid(), "domain": {"path": "d.jsonl", "limit": 2}}, base=tmp_path)
    assert labelset.domain is not None and load_domain_texts(labelset.domain) == ["a", "b"]


def test_the_committed_example_is_valid_and_its_domain_file_reads() -> None:
    labelset = load_labelset(EXAMPLE)
    assert len(labelset.labels) == 6 and all(len(label.examples) >= labelset.min_examples for label in labelset.labels)
    assert labelset.domain is not None and len(load_domain_texts(labelset.domain)) >= 80


def test_the_command_checks_and_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE)]) == 0
    raw = valid()
    raw["labels"][0]["description"] = ""
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(raw))
    assert main(["check", str(tmp_path / "bad.yaml")]) == 2
    assert "label set refused" in capsys.readouterr().err


def test_unknown_build_settings_are_named() -> None:
    with pytest.raises(ValueError, match="unknown keys \\['epochs'\\]"):
        build_settings({"epochs": 3})
    assert build_settings({"keep_share": 0.3}).keep_share == 0.3
