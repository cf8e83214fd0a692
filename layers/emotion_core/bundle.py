"""Reading and verifying a model bundle (docs/bundle-format.md) before anything runs on it."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BundleError
from .normalize import TEXT_NORMALIZATIONS

FORMAT_VERSION = 1
# Role defaults by head name, so GoEmotions bundles written before the role keys existed read as before.
DEFAULT_PRIMARY, DEFAULT_SENTIMENT, DEFAULT_REACTIONS = "ekman", "sentiment", "fine"
# sigmoid: multi-label heads (BCE); softmax: a head trained single-label (one class per text).
ACTIVATIONS = ("sigmoid", "softmax")
CHECKSUMMED_FILES = ("model.onnx", "tokenizer.json")
HOW_TO_GET = (
    "build one with the training job: python -m training.job --config training/configs/goemotions.yaml "
    "(it writes layers/model/), or point MODEL_DIR at an existing bundle"
)


@dataclass(frozen=True)
class Head:
    name: str
    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    activation: str = "sigmoid"
    # Calibration fitted on dev: logits / temperature, or per-label Platt (a, b) for sigmoid heads.
    temperature: float = 1.0
    platt: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class Bundle:
    directory: Path
    metadata: dict[str, Any]
    heads: dict[str, Head]
    max_length: int
    inputs: tuple[str, ...]
    primary_head: str               # gives `emotion` and `confidence`
    sentiment_head: str | None      # gives `sentiment`; None: the bundle has no sentiment
    reactions_head: str             # its detected labels choose the emoji reactions
    text_normalization: str | None  # a TEXT_NORMALIZATIONS name applied before tokenization
    # True only for graphs whose answer for a window cannot depend on the other windows of a call
    # (fp32, static int8). Dynamic int8 takes activation ranges per call, so its windows run alone.
    batch_invariant: bool = False
    languages: tuple[str, ...] = ("en",)  # languages the model was trained on

    @property
    def model_path(self) -> Path:
        return self.directory / "model.onnx"

    @property
    def tokenizer_path(self) -> Path:
        return self.directory / "tokenizer.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_bundle(directory: Path) -> Bundle:
    """Parse model.json and check the files it lists; raise BundleError naming what is wrong."""
    directory = Path(directory)
    meta_path = directory / "model.json"
    if not meta_path.is_file():
        raise BundleError(f"no model bundle: {meta_path} is missing; {HOW_TO_GET}")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{meta_path}: not readable JSON ({exc})") from exc
    if not isinstance(metadata, dict):
        raise BundleError(f"{meta_path}: must hold a JSON object")

    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise BundleError(f"{meta_path}: format_version is {version!r}, this code reads {FORMAT_VERSION}")
    max_length = metadata.get("max_length")
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 4:
        raise BundleError(f"{meta_path}: max_length must be an integer >= 4, got {max_length!r}")
    inputs = metadata.get("inputs", ["input_ids", "attention_mask"])
    if not (isinstance(inputs, list) and all(isinstance(name, str) for name in inputs)
            and {"input_ids", "attention_mask"} <= set(inputs)):
        raise BundleError(f"{meta_path}: inputs must list input_ids and attention_mask, got {inputs!r}")

    heads = _read_heads(meta_path, metadata)
    primary, sentiment, reactions = _read_roles(meta_path, metadata, heads)
    normalization = metadata.get("text_normalization")
    if normalization is not None and normalization not in TEXT_NORMALIZATIONS:
        raise BundleError(f"{meta_path}: text_normalization {normalization!r} is not one this code knows "
                          f"({sorted(TEXT_NORMALIZATIONS)}); a newer emotion_core may be needed")
    batch_invariant = metadata.get("batch_invariant", False)
    if not isinstance(batch_invariant, bool):
        raise BundleError(f"{meta_path}: batch_invariant must be true or false, got {batch_invariant!r}")
    languages = metadata.get("languages", ["en"])
    if not (isinstance(languages, list) and languages and all(isinstance(x, str) and x for x in languages)):
        raise BundleError(f"{meta_path}: languages must be a non-empty list of ISO 639-1 codes, got {languages!r}")
    _verify_files(directory, meta_path, metadata)
    return Bundle(directory=directory, metadata=metadata, heads=heads, max_length=max_length,
                  inputs=tuple(inputs), primary_head=primary, sentiment_head=sentiment,
                  reactions_head=reactions, text_normalization=normalization,
                  batch_invariant=batch_invariant, languages=tuple(languages))


def _read_heads(meta_path: Path, metadata: dict[str, Any]) -> dict[str, Head]:
    specs = metadata.get("heads")
    if not isinstance(specs, dict) or not specs:
        raise BundleError(f"{meta_path}: heads must map at least one head name to its labels and thresholds")
    return {name: _read_head(meta_path, name, spec) for name, spec in specs.items()}


def _read_roles(meta_path: Path, metadata: dict[str, Any], heads: dict[str, Head]) -> tuple[str, str | None, str]:
    """(primary, sentiment, reactions) head names: model.json's keys, else the defaults by head name."""

    def named_head(key: str, default: str | None) -> str | None:
        if key not in metadata:
            return default
        value = metadata[key]
        if value is None and key == "sentiment":
            return None  # an explicit "no sentiment", even with a head of that name
        if not isinstance(value, str) or value not in heads:
            raise BundleError(f"{meta_path}: {key} must name one of the heads {list(heads)}, got {value!r}")
        return value

    only = next(iter(heads)) if len(heads) == 1 else None
    primary = named_head("primary", DEFAULT_PRIMARY if DEFAULT_PRIMARY in heads else only)
    if primary is None:
        raise BundleError(f"{meta_path}: primary is missing: with heads {list(heads)} and none named "
                          f"{DEFAULT_PRIMARY!r}, model.json must say which head gives emotion and confidence")
    sentiment = named_head("sentiment", DEFAULT_SENTIMENT if DEFAULT_SENTIMENT in heads else None)
    reactions = named_head("reactions", DEFAULT_REACTIONS if DEFAULT_REACTIONS in heads else None) or primary
    return primary, sentiment, reactions


def _read_head(meta_path: Path, name: str, spec: Any) -> Head:
    if not name:
        raise BundleError(f"{meta_path}: heads has a head with an empty name")
    if not isinstance(spec, dict):
        raise BundleError(f"{meta_path}: heads.{name} must be an object with labels and thresholds")
    labels, thresholds = spec.get("labels"), spec.get("thresholds")
    if not (isinstance(labels, list) and labels and all(isinstance(x, str) and x for x in labels)):
        raise BundleError(f"{meta_path}: heads.{name}.labels must be a non-empty list of names")
    if len(set(labels)) != len(labels):
        raise BundleError(f"{meta_path}: heads.{name}.labels has duplicates")
    if not isinstance(thresholds, list) or len(thresholds) != len(labels):
        count = len(thresholds) if isinstance(thresholds, list) else "no"
        raise BundleError(
            f"{meta_path}: heads.{name} has {len(labels)} labels but {count} thresholds")
    for label, value in zip(labels, thresholds, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise BundleError(f"{meta_path}: heads.{name} threshold of {label!r} must be in [0, 1], "
                              f"got {value!r}")
    activation = spec.get("activation", "sigmoid")
    if activation not in ACTIVATIONS:
        raise BundleError(f"{meta_path}: heads.{name}.activation {activation!r} is not one of {ACTIVATIONS}")
    temperature = spec.get("temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not temperature > 0:
        raise BundleError(f"{meta_path}: heads.{name}.temperature must be a number > 0, got {temperature!r}")
    return Head(name=name, labels=tuple(labels), thresholds=tuple(float(t) for t in thresholds),
                activation=activation, temperature=float(temperature),
                platt=_read_platt(meta_path, name, spec, len(labels), activation))


def _read_platt(meta_path: Path, name: str, spec: dict[str, Any], n_labels: int,
                activation: str) -> tuple[tuple[float, float], ...] | None:
    platt = spec.get("platt")
    if platt is None:
        return None
    where = f"{meta_path}: heads.{name}.platt"
    if activation != "sigmoid":
        raise BundleError(f"{where} applies to sigmoid heads only; this head is {activation}")
    if not (isinstance(platt, list) and len(platt) == n_labels):
        raise BundleError(f"{where} must list one [a, b] pair per label ({n_labels})")
    pairs = []
    for pair in platt:
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(x, int | float) and not isinstance(x, bool) for x in pair) and pair[0] > 0):
            raise BundleError(f"{where}: each entry must be [a, b] with a > 0, got {pair!r}")
        pairs.append((float(pair[0]), float(pair[1])))
    return tuple(pairs)


def _verify_files(directory: Path, meta_path: Path, metadata: dict[str, Any]) -> None:
    files = metadata.get("files")
    if not isinstance(files, dict):
        raise BundleError(f"{meta_path}: 'files' with the sha256 of each file is missing")
    for name in CHECKSUMMED_FILES:
        path = directory / name
        if not path.is_file():
            raise BundleError(f"{path} is missing from the bundle; {HOW_TO_GET}")
        entry = files.get(name)
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(expected, str):
            raise BundleError(f"{meta_path}: files.{name}.sha256 is missing")
        size = entry.get("bytes") if isinstance(entry, dict) else None
        if isinstance(size, int) and size != path.stat().st_size:
            raise BundleError(f"{path}: size mismatch: model.json says {size} bytes, file has "
                              f"{path.stat().st_size} (truncated copy or a different release)")
        actual = sha256_of(path)
        if actual != expected.lower():
            raise BundleError(f"{path}: sha256 mismatch: model.json says {expected}, file has {actual} "
                              "(file changed or bundle mixed from two releases)")
