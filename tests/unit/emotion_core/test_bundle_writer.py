"""The bundle writer: what it writes is what the reader accepts, and nothing it rejects lands."""

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from devtools.tiny_bundle import build_tokenizer
from emotion_core import BundleError, Classifier
from emotion_core.bundle import FORMAT_VERSION, read_bundle
from emotion_core.bundle_writer import TEXT_NORMALIZATION, write_bundle

CARD = "# test bundle\n"


def _metadata(source: Path, **changes: Any) -> dict[str, Any]:
    """The tiny bundle's model.json minus what the writer owns, plus the optional keys it records."""
    meta = json.loads((source / "model.json").read_text())
    del meta["format_version"], meta["files"]
    return {**meta, "primary": "ekman", "text_normalization": TEXT_NORMALIZATION, **changes}


def _write(source: Path, target: Path, metadata: dict[str, Any]) -> Any:
    return write_bundle(target, model_path=source / "model.onnx", tokenizer_path=source / "tokenizer.json",
                        metadata=metadata, model_card=CARD)


def _prediction(classifier: Classifier, text: str) -> dict[str, Any]:
    prediction: Any = classifier.predict([text])[0]
    return prediction if isinstance(prediction, dict) else prediction.to_dict()


def test_written_bundle_reads_back_and_serves(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "release" / "model"
    bundle = _write(tiny_bundle_dir, target, _metadata(tiny_bundle_dir))
    assert bundle.directory == target and set(bundle.heads) == {"fine", "ekman", "sentiment"}
    meta = json.loads((target / "model.json").read_text())
    assert meta["format_version"] == FORMAT_VERSION and next(iter(meta)) == "format_version"
    assert meta["primary"] == "ekman" and meta["text_normalization"] == "emoji-words-1"
    for name in ("model.onnx", "tokenizer.json"):
        data = (target / name).read_bytes()
        assert meta["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        assert data == (tiny_bundle_dir / name).read_bytes()
    assert (target / "README.md").read_text() == CARD
    assert [p.name for p in target.parent.iterdir()] == ["model"]  # no staging folder left behind
    assert _prediction(Classifier.load(target, threads=1), "so happy today")["emotion"] == "joy"


def test_rewriting_replaces_the_previous_bundle(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    _write(tiny_bundle_dir, tmp_path / "model", _metadata(tiny_bundle_dir, version="1.0.0"))
    bundle = _write(tiny_bundle_dir, tmp_path / "model", _metadata(tiny_bundle_dir, version="2.0.0"))
    assert bundle.metadata["version"] == "2.0.0"
    assert read_bundle(tmp_path / "model").metadata["version"] == "2.0.0"


def test_a_bundle_the_reader_rejects_never_replaces_the_one_in_place(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "model"
    _write(tiny_bundle_dir, target, _metadata(tiny_bundle_dir))
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    broken = _metadata(tiny_bundle_dir)
    broken["heads"]["ekman"]["thresholds"] = [0.5]  # 7 labels, 1 threshold
    with pytest.raises(BundleError, match=r"heads\.ekman has 7 labels but 1 thresholds"):
        _write(tiny_bundle_dir, target, broken)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


@pytest.mark.parametrize("key", ["format_version", "files"])
def test_keys_the_writer_computes_cannot_be_given(tiny_bundle_dir: Path, tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match=rf"must not set \['{key}'\]"):
        _write(tiny_bundle_dir, tmp_path / "model", _metadata(tiny_bundle_dir, **{key: 1}))
    assert not (tmp_path / "model").exists()


def test_primary_must_name_a_head(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"primary 'emotion' is not one of the heads \['ekman', 'fine', 'sentiment'\]"):
        _write(tiny_bundle_dir, tmp_path / "model", _metadata(tiny_bundle_dir, primary="emotion"))


def test_a_missing_source_file_is_named(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nowhere\.onnx: no such file to write into the bundle as model\.onnx"):
        write_bundle(tmp_path / "model", model_path=tmp_path / "nowhere.onnx",
                     tokenizer_path=tiny_bundle_dir / "tokenizer.json", metadata=_metadata(tiny_bundle_dir),
                     model_card=CARD)


CARER_LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]


def _single_head_graph(vocab: dict[str, int], path: Path) -> Path:
    """input_ids -> one logit per CARER label: a word's embedding votes for its label, max-pooled."""
    embeddings = np.zeros((len(vocab), len(CARER_LABELS)), dtype=np.float32)
    for word, label in (("sad", "sadness"), ("happy", "joy"), ("love", "love"), ("angry", "anger")):
        embeddings[vocab[word], CARER_LABELS.index(label)] = 8.0
    nodes = [helper.make_node("Gather", ["embeddings", "input_ids"], ["tokens"]),
             helper.make_node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["mask_float", "feature_axis"], ["mask_3d"]),
             helper.make_node("Mul", ["tokens", "mask_3d"], ["masked"]),
             helper.make_node("ReduceMax", ["masked"], ["emotion"], axes=[1], keepdims=0)]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "seq"])
              for name in ("input_ids", "attention_mask")]
    output = helper.make_tensor_value_info("emotion", TensorProto.FLOAT, ["batch", len(CARER_LABELS)])
    weights = [numpy_helper.from_array(embeddings, "embeddings"),
               numpy_helper.from_array(np.array([2], dtype=np.int64), "feature_axis")]
    graph = helper.make_graph(nodes, "carer", inputs, [output], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_a_single_head_carer_bundle_is_written_and_served(tiny_bundle_dir: Path, tmp_path: Path) -> None:
    tokenizer = build_tokenizer(16)
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    model = _single_head_graph(tokenizer.get_vocab(), tmp_path / "model.onnx")
    metadata = {**_metadata(tiny_bundle_dir, primary="emotion"),
                "heads": {"emotion": {"labels": CARER_LABELS, "thresholds": [0.0] * 6, "activation": "softmax"}}}
    bundle = write_bundle(tmp_path / "carer", model_path=model, tokenizer_path=tmp_path / "tokenizer.json",
                          metadata=metadata, model_card=CARD)
    assert list(bundle.heads) == ["emotion"]
    assert _prediction(Classifier.load(tmp_path / "carer", threads=1), "so angry")["emotion"] == "anger"
