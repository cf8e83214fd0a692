"""The CLI, run as a user runs it: `python -m emotion_core ...` in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str, model_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "layers"), "ORT_THREADS": "1"}
    env.pop("MODEL_DIR", None)
    prefix = ["--model-dir", str(model_dir)] if model_dir else []
    return subprocess.run([sys.executable, "-m", "emotion_core", *prefix, *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120, check=False)


def test_predict_prints_one_prediction(tiny_bundle_dir: Path) -> None:
    result = _run("predict", "I am so happy today", model_dir=tiny_bundle_dir)
    assert result.returncode == 0, result.stderr
    prediction = json.loads(result.stdout)
    assert prediction["emotion"] == "joy"
    assert "scores" not in prediction


def test_predict_with_scores(tiny_bundle_dir: Path) -> None:
    result = _run("predict", "so sad", "--scores", model_dir=tiny_bundle_dir)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scores"]["ekman"]["sadness"] > 0.9


def test_batch_csv_writes_one_line_per_row_with_progress(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    source.write_text("ticket,body\nT-1,thanks so much\nT-2,\nT-3,I am furious\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = _run("batch", str(source), "-o", str(target), "--text-column", "body", "--id-column", "ticket",
                  model_dir=tiny_bundle_dir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["T-1", "T-2", "T-3"]
    assert lines[0]["emotion"] == "joy"
    assert lines[1]["id"] == "T-2" and lines[1]["emotion"] == "neutral" and lines[1]["windows"] == 0
    assert lines[2]["emotion"] == "anger"
    assert "3/3" in result.stderr  # tqdm's bar
    assert "wrote 3 lines" in result.stderr and "(0 errors)" in result.stderr


def test_batch_jsonl(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": "wow"}\n{oops\n', encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = _run("batch", str(source), "-o", str(target), "--no-progress", model_dir=tiny_bundle_dir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["id"] == "x" and lines[0]["emotion"] == "surprise"
    assert lines[1]["id"] == "2" and "not valid JSON" in lines[1]["error"]


def test_missing_text_column_is_a_clear_error(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,body\n1,happy\n", encoding="utf-8")
    result = _run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), model_dir=tiny_bundle_dir)
    assert result.returncode == 2
    assert "text_column: the CSV has no column 'text'" in result.stderr


def test_missing_bundle_is_a_clear_error(tmp_path: Path) -> None:
    result = _run("predict", "happy", model_dir=tmp_path / "empty")
    assert result.returncode == 2
    assert "model.json is missing" in result.stderr
    assert "python -m training.job" in result.stderr
    assert result.stdout == ""


def _same_file_spellings(source: Path) -> dict[str, str]:
    link = source.parent / "link.csv"
    link.symlink_to(source)
    return {"same path": str(source), "symlink": str(link),
            "relative": os.path.relpath(source, Path.cwd())}


def test_batch_refuses_an_output_that_is_its_input(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "tickets.csv"
    original = "id,text\n1,thanks so much\n2,I am furious\n"
    source.write_text(original, encoding="utf-8")
    for spelling, output in _same_file_spellings(source).items():
        result = _run("batch", str(source), "-o", output, "--no-progress", model_dir=tiny_bundle_dir)
        assert result.returncode == 2, spelling
        assert "output: " in result.stderr and "is the input file" in result.stderr, spelling
        assert source.read_text(encoding="utf-8") == original, spelling
    # the other direction: the input given through the link, the output as the real path
    result = _run("batch", str(tmp_path / "link.csv"), "-o", str(source), model_dir=tiny_bundle_dir)
    assert result.returncode == 2 and source.read_text(encoding="utf-8") == original


def test_batch_interrupted_leaves_no_partial_output(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    rows = "".join(f"{number},thanks so much for the help number {number}\n" for number in range(600))
    # An undecodable byte far past the first chunk of 256 rows: the run fails after writing lines.
    source.write_bytes(b"id,text\n" + rows.encode("utf-8") + b"601,bad \xff byte\n")
    target = tmp_path / "out.jsonl"
    result = _run("batch", str(source), "-o", str(target), "--no-progress", model_dir=tiny_bundle_dir)
    assert result.returncode == 2
    assert "is not UTF-8" in result.stderr
    assert not target.exists()
    assert [path.name for path in tmp_path.iterdir()] == ["big.csv"]  # no temporary file left either

    target.write_text("previous results\n", encoding="utf-8")
    _run("batch", str(source), "-o", str(target), "--no-progress", model_dir=tiny_bundle_dir)
    assert target.read_text(encoding="utf-8") == "previous results\n"


def test_batch_keeps_each_ids_json_type(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 7, "text": "wow"}\n{"id": "7b", "text": ""}\n', encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = _run("batch", str(source), "-o", str(target), "--no-progress", model_dir=tiny_bundle_dir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [7, "7b"]
    assert lines[1]["emotion"] == "neutral" and lines[1]["confidence"] == 1.0 and lines[1]["windows"] == 0
