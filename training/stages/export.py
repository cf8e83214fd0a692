"""ONNX export and int8 dynamic quantization of the student, with parity checks.

Lambda's x86 CPUs are only documented to have AVX2. On AVX2 without VNNI, onnxruntime's
u8s8 int8 GEMM can saturate (vpmaddubsw adds pairs into int16), which costs accuracy;
`reduce_range` (7-bit weights) or u8u8 avoid it. We quantize every candidate config,
score each on dev, and keep the most accurate one — recorded in `model.json`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from training.config import ExportConfig
from training.data import Head
from training.evaluation import decision_agreement, evaluate, macro_f1s, selection_score, tuned_thresholds
from training.inference import onnx_logits, onnx_session, predict_logits
from training.model import MultiHeadClassifier, OnnxExportWrapper
from training.results import ExportResult, QuantizedCandidate
from training.train import DevSet

log = logging.getLogger("training")


@dataclass(frozen=True)
class ExportPaths:
    fp32: Path
    fp32_optimized: Path
    int8_candidates: tuple[Path, ...]  # one per `export.quantization_candidates` entry


def export_onnx(model: MultiHeadClassifier, path: Path, opset: int = 17) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wrapper = OnnxExportWrapper(model.eval().float())
    # Any in-vocabulary ids do: shapes are dynamic, values only drive the trace.
    ids = torch.tensor([[2, 7, 8, 9, 10, 3], [2, 11, 3, 0, 0, 0]])
    mask = (ids != 0).long()
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}
    dynamic.update({name: {0: "batch"} for name in model.head_names})
    torch.onnx.export(
        wrapper,
        (ids, mask),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=list(model.head_names),
        dynamic_axes=dynamic,
        opset_version=opset,
        dynamo=False,
    )
    return path


def optimize_graph(src: Path, dst: Path, model: MultiHeadClassifier) -> Path:
    """Fuse attention/LayerNorm/GELU with onnxruntime's transformer optimizer (no new ops needed)."""
    from onnxruntime.transformers.optimizer import optimize_model

    config = model.encoder.config
    optimized = optimize_model(
        str(src), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size, opt_level=1
    )
    optimized.save_model_to_file(str(dst))
    return dst


def quantize(src: Path, dst: Path, candidate: dict[str, Any]) -> Path:
    quantize_dynamic(
        str(src),
        str(dst),
        weight_type=getattr(QuantType, candidate["weight_type"]),
        per_channel=bool(candidate.get("per_channel", False)),
        reduce_range=bool(candidate.get("reduce_range", False)),
        # Fused transformer ops (com.microsoft domain) defeat ONNX shape inference; their outputs are float.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return dst


@dataclass(frozen=True)
class Fp32Reference:
    """The fp32 ONNX graph on dev: what every int8 candidate is compared with."""

    path: Path
    logits: dict[str, np.ndarray]
    thresholds: dict[str, np.ndarray]
    report: dict[str, Any]
    max_abs_diff: float  # PyTorch vs ONNX fp32 logits


def _fp32_reference(model: MultiHeadClassifier, dev: DevSet, heads: dict[str, Head], pad_id: int,
                    config: ExportConfig, paths: ExportPaths) -> Fp32Reference:
    fp32_path = export_onnx(model, paths.fp32, config.opset)
    try:
        fp32_path = optimize_graph(fp32_path, paths.fp32_optimized, model)
    except Exception as err:
        log.warning("graph optimization failed (%s); quantizing the plain export", err)
    torch_logits = predict_logits(model, dev.encoded, pad_id, precision="fp32")
    logits = onnx_logits(onnx_session(fp32_path), dev.encoded, pad_id)
    max_abs = max(float(np.abs(torch_logits[h] - logits[h]).max()) for h in heads)
    thresholds = tuned_thresholds(logits, dev.split, heads)
    report = evaluate(logits, dev.split, heads, thresholds)
    log.info("onnx fp32: max |torch - onnx| = %.2e, dev score %.4f", max_abs, selection_score(report))
    return Fp32Reference(fp32_path, logits, thresholds, report, max_abs)


def _score_candidate(path: Path, candidate: dict[str, Any], reference: Fp32Reference, dev: DevSet,
                     heads: dict[str, Head], pad_id: int) -> QuantizedCandidate:
    started = time.perf_counter()
    # One text per call, as emotion_core serves dynamic int8: activation ranges of its own.
    logits = onnx_logits(onnx_session(path), dev.encoded, pad_id, batch_size=1)
    seconds = time.perf_counter() - started
    report = evaluate(logits, dev.split, heads, tuned_thresholds(logits, dev.split, heads))
    scored = QuantizedCandidate(
        config=candidate,
        path=str(path),
        bytes=path.stat().st_size,
        dev_score=selection_score(report),
        dev_macro_f1=macro_f1s(report),
        agreement_with_fp32=round(decision_agreement(reference.logits, logits, reference.thresholds, heads), 5),
        dev_seconds=round(seconds, 2),
    )
    log.info("int8 candidate %s", json.dumps(scored.to_json()))
    return scored


def choose(candidates: list[QuantizedCandidate], tolerance: float) -> QuantizedCandidate:
    """Dev-score differences below the tolerance are noise; among those candidates the fastest wins."""
    top = max(c.dev_score for c in candidates)
    return min((c for c in candidates if c.dev_score >= top - tolerance), key=lambda c: c.dev_seconds)


def export_student(model: MultiHeadClassifier, dev: DevSet, heads: dict[str, Head], pad_id: int,
                   config: ExportConfig, paths: ExportPaths) -> ExportResult:
    if len(paths.int8_candidates) != len(config.quantization_candidates):
        raise ValueError("one int8 path per quantization candidate is needed")
    reference = _fp32_reference(model, dev, heads, pad_id, config, paths)
    candidates = [
        _score_candidate(quantize(reference.path, path, candidate), candidate, reference, dev, heads, pad_id)
        for candidate, path in zip(config.quantization_candidates, paths.int8_candidates, strict=True)
    ]
    return ExportResult(
        fp32_path=str(reference.path),
        fp32_bytes=reference.path.stat().st_size,
        torch_vs_onnx_max_abs_diff=reference.max_abs_diff,
        fp32_dev_macro_f1=macro_f1s(reference.report),
        fp32_dev_score=selection_score(reference.report),
        candidates=tuple(candidates),
        chosen=choose(candidates, config.score_tolerance),
    )
