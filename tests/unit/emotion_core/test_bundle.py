"""Bundle verification: every mismatch between the files and model.json is refused, by file name."""

import json
import shutil
from pathlib import Path

import pytest

from devtools.tiny_bundle import build_tiny_bundle, rehash
from emotion_core import BundleError, Classifier


@pytest.fixture
def bundle_copy(tiny_bundle_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_bundle_dir, tmp_path / "bundle"))


def _edit_metadata(bundle: Path, change: "dict[str, object] | None" = None, **top: object) -> None:
    meta = json.loads((bundle / "model.json").read_text())
    meta.update(top)
    for head, spec in (change or {}).items():
        meta["heads"][head].update(spec)
    (bundle / "model.json").write_text(json.dumps(meta))


def test_valid_bundle_loads_and_exposes_heads(bundle_dir: Path) -> None:
    classifier = Classifier.load(bundle_dir, threads=1)
    assert set(classifier.heads) == {"fine", "ekman", "sentiment"}
    assert len(classifier.heads["fine"]) == 28
    assert classifier.heads["ekman"] == ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]
    assert classifier.heads["sentiment"] == ["ambiguous", "negative", "neutral", "positive"]
    assert classifier.metadata["format_version"] == 1
    # GoEmotions bundles need no role keys: the defaults by head name give the 1.0.0 answers.
    bundle = classifier.bundle
    assert (bundle.primary_head, bundle.sentiment_head, bundle.reactions_head) == ("ekman", "sentiment", "fine")


def test_missing_bundle_says_what_is_missing_and_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(BundleError) as error:
        Classifier.load(tmp_path / "nowhere", threads=1)
    message = str(error.value)
    assert "model.json is missing" in message
    assert "python -m training.job" in message


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json"])
def test_missing_file_is_named(bundle_copy: Path, name: str) -> None:
    (bundle_copy / name).unlink()
    with pytest.raises(BundleError, match=rf"{name} is missing"):
        Classifier.load(bundle_copy, threads=1)


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json"])
def test_changed_file_fails_its_checksum(bundle_copy: Path, name: str) -> None:
    path = bundle_copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size, different content
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=rf"{name}: sha256 mismatch"):
        Classifier.load(bundle_copy, threads=1)


def test_changed_size_is_reported_before_hashing(bundle_copy: Path) -> None:
    with (bundle_copy / "tokenizer.json").open("ab") as stream:
        stream.write(b"  ")
    with pytest.raises(BundleError, match=r"tokenizer\.json: size mismatch: model\.json says \d+ bytes"):
        Classifier.load(bundle_copy, threads=1)


def test_output_named_differently_from_the_head_is_refused(tmp_path: Path) -> None:
    bundle = build_tiny_bundle(tmp_path, output_names={"ekman": "logits"})
    with pytest.raises(BundleError, match=r"model\.onnx: output 'ekman' is missing"):
        Classifier.load(bundle, threads=1)


def test_label_count_not_matching_the_output_width_is_refused(bundle_copy: Path) -> None:
    meta = json.loads((bundle_copy / "model.json").read_text())
    fine = meta["heads"]["fine"]
    _edit_metadata(bundle_copy, {"fine": {"labels": fine["labels"][:-1],
                                          "thresholds": fine["thresholds"][:-1]}})
    expected = r"model\.onnx: output 'fine' has 28 columns but model\.json lists 27"
    with pytest.raises(BundleError, match=expected):
        Classifier.load(bundle_copy, threads=1)


def test_thresholds_must_match_labels(bundle_copy: Path) -> None:
    _edit_metadata(bundle_copy, {"ekman": {"thresholds": [0.5, 0.5]}})
    with pytest.raises(BundleError, match=r"model\.json: heads\.ekman has 7 labels but 2 thresholds"):
        Classifier.load(bundle_copy, threads=1)


def test_threshold_out_of_range_is_refused(bundle_copy: Path) -> None:
    _edit_metadata(bundle_copy, {"ekman": {"thresholds": [1.5] * 7}})
    with pytest.raises(BundleError, match=r"heads\.ekman threshold of 'anger' must be in \[0, 1\]"):
        Classifier.load(bundle_copy, threads=1)


@pytest.mark.parametrize("heads", [{}, [], None])
def test_a_bundle_without_heads_is_refused(bundle_copy: Path, heads: object) -> None:
    _edit_metadata(bundle_copy, heads=heads)
    with pytest.raises(BundleError, match=r"model\.json: heads must map at least one head name"):
        Classifier.load(bundle_copy, threads=1)


def test_a_head_that_is_not_an_object_is_named(bundle_copy: Path) -> None:
    meta = json.loads((bundle_copy / "model.json").read_text())
    meta["heads"]["sentiment"] = ["positive", "negative"]
    (bundle_copy / "model.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=r"model\.json: heads\.sentiment must be an object"):
        Classifier.load(bundle_copy, threads=1)


def test_unknown_format_version_is_refused(bundle_copy: Path) -> None:
    _edit_metadata(bundle_copy, format_version=2)
    with pytest.raises(BundleError, match=r"model\.json: format_version is 2"):
        Classifier.load(bundle_copy, threads=1)


def test_unreadable_model_json_is_named(bundle_copy: Path) -> None:
    (bundle_copy / "model.json").write_text("{not json")
    with pytest.raises(BundleError, match=r"model\.json: not readable JSON"):
        Classifier.load(bundle_copy, threads=1)


def test_a_graph_onnxruntime_cannot_load_is_named(bundle_copy: Path) -> None:
    (bundle_copy / "model.onnx").write_bytes(b"not an onnx graph")
    rehash(bundle_copy)
    with pytest.raises(BundleError, match=r"model\.onnx: onnxruntime cannot load it"):
        Classifier.load(bundle_copy, threads=1)
