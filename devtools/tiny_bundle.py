"""A tiny but real model bundle for tests, built without torch in well under a second.

The graph follows docs/bundle-format.md exactly (inputs input_ids/attention_mask, one logits
output per head). Each emotion word's embedding is one-hot on its GoEmotions label and the
tokens are max-pooled, so a word counts the same wherever it stands and however long the text
is: tests can then assert exact labels (e.g. a word found only in the last window).
The default heads are GoEmotions' three; `CARER_HEADS` gives a CARER-like bundle instead (one
single-label softmax head of six labels), to test that any set of heads is served.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

FINE_LABELS = [
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
]
EKMAN_LABELS = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]
SENTIMENT_LABELS = ["ambiguous", "negative", "neutral", "positive"]

# The GoEmotions paper's Ekman and sentiment groupings of the fine labels.
EKMAN_OF = {
    "anger": ["anger", "annoyance", "disapproval"],
    "disgust": ["disgust"],
    "fear": ["fear", "nervousness"],
    "joy": ["joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
            "pride", "admiration", "desire", "caring"],
    "sadness": ["sadness", "disappointment", "embarrassment", "grief", "remorse"],
    "surprise": ["surprise", "realization", "confusion", "curiosity"],
    "neutral": ["neutral"],
}
SENTIMENT_OF = {
    "positive": ["amusement", "excitement", "joy", "love", "desire", "optimism", "caring", "pride",
                 "admiration", "gratitude", "relief", "approval"],
    "negative": ["fear", "nervousness", "remorse", "embarrassment", "disappointment", "sadness", "grief",
                 "disgust", "anger", "annoyance", "disapproval"],
    "ambiguous": ["realization", "surprise", "curiosity", "confusion"],
    "neutral": ["neutral"],
}

EMOTION_WORDS = {
    "happy": "joy", "glad": "joy", "joy": "joy", "thanks": "gratitude", "thank": "gratitude",
    "grateful": "gratitude", "sad": "sadness", "unhappy": "sadness", "angry": "anger", "furious": "anger",
    "love": "love", "scared": "fear", "afraid": "fear", "wow": "surprise", "surprised": "surprise",
    "funny": "amusement", "lol": "amusement", "died": "grief", "funeral": "grief", "grief": "grief",
    "disgusting": "disgust", "proud": "pride", "hope": "optimism", "sorry": "remorse",
    "nervous": "nervousness", "confused": "confusion", "why": "curiosity", "great": "admiration",
    "ok": "approval", "annoying": "annoyance", "excited": "excitement", "relieved": "relief",
    "want": "desire", "care": "caring", "embarrassed": "embarrassment", "disappointed": "disappointment",
    "realize": "realization", "no": "disapproval",
}
FILLER_WORDS = (
    "i am so very really today the a an is it this that was my and you of to we he she they day dog "
    "passed away at but in on feel felt word text long story about our your me be have had will with "
    "for not just what when"
).split()
CARER_LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]  # dair-ai/emotion's order


@dataclass(frozen=True)
class TinyHead:
    labels: list[str]
    groups: dict[str, list[str]]  # head label -> the fine labels (emotion words) that switch it on
    activation: str = "sigmoid"


GOEMOTIONS_HEADS = {
    "fine": TinyHead(FINE_LABELS, {label: [label] for label in FINE_LABELS}),
    "ekman": TinyHead(EKMAN_LABELS, EKMAN_OF),
    "sentiment": TinyHead(SENTIMENT_LABELS, SENTIMENT_OF),
}
# CARER's six labels are GoEmotions labels, so the same emotion words switch them on.
CARER_HEADS = {"emotion": TinyHead(CARER_LABELS, {label: [label] for label in CARER_LABELS}, "softmax")}

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
STRENGTH, OFFSET = 8.0, 4.0  # a present word -> logit +4 (p≈0.98), an absent one -> -4 (p≈0.02)


def build_tokenizer(max_length: int) -> Tokenizer:
    vocab = {token: i for i, token in enumerate(SPECIALS + list(EMOTION_WORDS) + FILLER_WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    # Settings a real exported file carries; emotion_core must override them, so keep them in.
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]", length=max_length)
    tokenizer.enable_truncation(512)
    return tokenizer


def _head_weights(groups: dict[str, list[str]], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """[28, n] weights: each fine label feeds its group; `neutral` fires only when nothing else does."""
    weights = np.zeros((len(FINE_LABELS), len(labels)), dtype=np.float32)
    bias = np.full(len(labels), -OFFSET, dtype=np.float32)
    for column, label in enumerate(labels):
        for fine in groups[label]:
            weights[FINE_LABELS.index(fine), column] = STRENGTH
    if "neutral" in labels:
        column = labels.index("neutral")
        weights[:, column] = -STRENGTH
        weights[FINE_LABELS.index("neutral"), column] = 0.0
        bias[column] = OFFSET
    return weights, bias


def build_graph(vocab_size: int, token_label: dict[int, str], output_names: dict[str, str],
                heads: dict[str, TinyHead]) -> onnx.ModelProto:
    embeddings = np.zeros((vocab_size, len(FINE_LABELS)), dtype=np.float32)
    for token_id, label in token_label.items():
        embeddings[token_id, FINE_LABELS.index(label)] = 1.0
    initializers = [numpy_helper.from_array(embeddings, "embeddings"),
                    numpy_helper.from_array(np.array([2], dtype=np.int64), "feature_axis")]
    nodes = [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["token_features"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_float", "feature_axis"], ["mask_3d"]),
        helper.make_node("Mul", ["token_features", "mask_3d"], ["masked"]),
        # Features are >= 0, so zeroed padding never wins the max.
        helper.make_node("ReduceMax", ["masked"], ["pooled"], axes=[1], keepdims=0),
    ]
    outputs = []
    for name, head in heads.items():
        labels = head.labels
        weights, bias = _head_weights(head.groups, labels)
        initializers += [numpy_helper.from_array(weights, f"{name}_w"),
                         numpy_helper.from_array(bias, f"{name}_b")]
        out = output_names.get(name, name)
        nodes += [helper.make_node("MatMul", ["pooled", f"{name}_w"], [f"{name}_mm"]),
                  helper.make_node("Add", [f"{name}_mm", f"{name}_b"], [out])]
        outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, ["batch", len(labels)]))
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "seq"])
              for name in ("input_ids", "attention_mask")]
    graph = helper.make_graph(nodes, "tiny_emotions", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tiny_bundle")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def file_entry(path: Path) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def rehash(bundle_dir: Path) -> None:
    """Re-record the checksums after a test changed a file on purpose."""
    meta_path = bundle_dir / "model.json"
    metadata = json.loads(meta_path.read_text())
    metadata["files"] = {name: file_entry(bundle_dir / name) for name in ("model.onnx", "tokenizer.json")}
    meta_path.write_text(json.dumps(metadata, indent=2))


def build_tiny_bundle(path: Path, max_length: int = 16, *,
                      thresholds: dict[str, dict[str, float]] | None = None,
                      output_names: dict[str, str] | None = None,
                      heads: dict[str, TinyHead] | None = None,
                      metadata: dict[str, Any] | None = None) -> Path:
    """Write model.onnx, tokenizer.json and model.json into `path` (created) and return it.

    `thresholds` overrides single labels ({"fine": {"surprise": 0.99}}; default 0.5 everywhere);
    `output_names` renames graph outputs to build a broken bundle on purpose; `heads` replaces
    GoEmotions' three (e.g. CARER_HEADS); `metadata` adds or overrides top-level model.json keys
    (roles such as "primary", "text_normalization").
    """
    heads = heads or GOEMOTIONS_HEADS
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(max_length)
    tokenizer.save(str(path / "tokenizer.json"))
    token_label: dict[int, str] = {}
    for word, label in EMOTION_WORDS.items():
        token_id = tokenizer.token_to_id(word)
        assert token_id is not None, word  # every emotion word is in the vocabulary built above
        token_label[token_id] = label
    model = build_graph(tokenizer.get_vocab_size(), token_label, output_names or {}, heads)
    onnx.save(model, str(path / "model.onnx"))

    overrides = thresholds or {}
    model_json = {
        "format_version": 1,
        "name": "tiny-test-bundle",
        "version": "0.0.1",
        "base_model": "none (built by devtools/tiny_bundle.py)",
        "teacher_model": "none",
        "max_length": max_length,
        "inputs": ["input_ids", "attention_mask"],
        "heads": {name: {"labels": head.labels,
                         "thresholds": [overrides.get(name, {}).get(label, 0.5) for label in head.labels],
                         "activation": head.activation}
                  for name, head in heads.items()},
        "quantization": {"method": "none", "note": "float32 test graph"},
        "metrics": {"test": {name: {} for name in heads}},
        "provenance": {"training_config": "devtools/tiny_bundle.py", "created": "1970-01-01T00:00:00Z",
                       "git_commit": "none"},
        "files": {},
        **(metadata or {}),
    }
    (path / "model.json").write_text(json.dumps(model_json, indent=2))
    rehash(path)
    return path
