from __future__ import annotations

import csv
from pathlib import Path

import pytest

from training.config import DataConfig
from training.data import DataError, load_carer, load_dataset, load_goemotions

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def table_config(files: dict[str, str]) -> DataConfig:
    return DataConfig(
        kind="table", path=None, files=files, label_columns={"fine": "fine", "ekman": "ekman", "sentiment": "sentiment"}
    )


def test_table_loads_three_heads(table_dataset: dict[str, str]) -> None:
    dataset = load_dataset(table_config(table_dataset))
    assert set(dataset.heads) == {"fine", "ekman", "sentiment"}
    assert len(dataset.splits["train"]) == 320
    # Some rows carry two labels, so every head is multi-label.
    assert dataset.heads["fine"].kind == "multi"
    assert dataset.splits["dev"].targets["fine"].sum() == 80 + 8


def test_unknown_label_in_dev_is_named(table_dataset: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "dev.csv"
    with open(table_dataset["dev"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[3]["fine"] = "schadenfreude"
    with bad.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataError, match=r"schadenfreude.*never occur in train"):
        load_dataset(table_config({**table_dataset, "dev": str(bad)}))


def test_missing_column_is_named(table_dataset: dict[str, str]) -> None:
    config = table_config(table_dataset)
    config.text_column = "body"
    with pytest.raises(DataError, match="lacks column 'body'"):
        load_dataset(config)


def test_missing_split_file(table_dataset: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv: file missing"):
        load_dataset(table_config({**table_dataset, "test": str(tmp_path / "nope.csv")}))


def _goemotions_copy(tmp_path: Path, broken_line: str | None = None) -> Path:
    root = tmp_path / "goemotions"
    for folder, labels in (
        ("original", ["joy", "sadness", "neutral"]),
        ("ekman", ["joy", "sadness", "neutral"]),
        ("group", ["positive", "negative", "neutral"]),
    ):
        (root / folder).mkdir(parents=True)
        (root / folder / "labels.txt").write_text("\n".join(labels) + "\n")
        for split in ("train", "dev", "test"):
            lines = ["so happy\t0\tid1", "so sad\t1\tid2", "a chair\t2\tid3"]
            if broken_line and folder == "ekman" and split == "dev":
                lines[1] = broken_line
            (root / folder / f"{split}.tsv").write_text("\n".join(lines) + "\n")
    return root


def test_goemotions_validation_errors(tmp_path: Path) -> None:
    ok = load_goemotions(_goemotions_copy(tmp_path / "a"))
    assert ok.heads["sentiment"].labels == ["positive", "negative", "neutral"]
    with pytest.raises(DataError, match=r"ekman/dev.tsv: line 2 has label index 7, expected 0..2"):
        load_goemotions(_goemotions_copy(tmp_path / "b", "so sad\t7\tid2"))
    with pytest.raises(DataError, match=r"ekman/dev.tsv: line 2 has 2 columns"):
        load_goemotions(_goemotions_copy(tmp_path / "c", "so sad\t1"))
    with pytest.raises(DataError, match=r"ekman/dev.tsv: ids differ"):
        load_goemotions(_goemotions_copy(tmp_path / "d", "so sad\t1\tother"))


def test_carer_unknown_label(tmp_path: Path) -> None:
    for name in ("train.txt", "val.txt", "test.txt"):
        (tmp_path / name).write_text("i feel great;joy\ni feel awful;boredom\n")
    with pytest.raises(DataError, match=r"train\.txt: line 2 has unknown label 'boredom'"):
        load_carer(tmp_path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the project")
def test_real_goemotions_splits_and_checksums() -> None:
    dataset = load_dataset(DataConfig(path=str(SHARED / "goemotions")))
    assert {k: len(v) for k, v in dataset.splits.items()} == {"train": 43410, "dev": 5426, "test": 5427}
    assert len(dataset.heads["fine"].labels) == 28
    assert dataset.heads["ekman"].labels == ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]
    readme = (SHARED / "README.md").read_text()
    for name, digest in dataset.sources.items():
        assert f"{digest} goemotions/{name}" in readme
