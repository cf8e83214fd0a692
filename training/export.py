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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from training.data import Head
from training.metrics import sigmoid
from training.model import MultiHeadClassifier, OnnxExportWrapper
from training.train import bucketed_batches, collate, evaluate, predict_logits, selection_score, tuned_thresholds

if TYPE_CHECKING:
    from training.job import Job

log = logging.getLogger("training")


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


def optimize_graph(src: Path, dst: Path, num_heads: int, hidden_size: int) -> Path:
    """Fuse attention/LayerNorm/GELU with onnxruntime's transformer optimizer (no new ops needed)."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(str(src), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=1)
    optimized.save_model_to_file(str(dst))
    return dst


def session(path: Path, threads: int = 2) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def ort_logits(
    sess: ort.InferenceSession, encoded: list[list[int]], pad_id: int, batch_size: int = 64
) -> dict[str, np.ndarray]:
    names = [o.name for o in sess.get_outputs()]
    out: dict[str, np.ndarray] = {}
    for index in bucketed_batches([len(e) for e in encoded], batch_size, None):
        ids, mask = collate(encoded, index, pad_id)
        values = sess.run(names, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        for name, value in zip(names, values, strict=True):
            out.setdefault(name, np.zeros((len(encoded), value.shape[1]), np.float32))[index] = value
    return out


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


def decision_agreement(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], thresholds: dict[str, np.ndarray], heads: dict[str, Head]
) -> float:
    """Share of decisions two models make the same, over all heads: per (text, label) for
    multi-label heads, per text (the top class) for single-label heads."""
    same = total = 0
    for name, th in thresholds.items():
        if heads[name].kind == "single":
            da, db = a[name].argmax(axis=1), b[name].argmax(axis=1)
        else:
            da, db = sigmoid(a[name]) >= th, sigmoid(b[name]) >= th
        same += int((da == db).sum())
        total += da.size
    return same / total


def export_and_quantize(job: Job) -> dict[str, Any]:
    folder = job.out / "student" / "onnx"
    summary_path = folder / "export.json"
    if summary_path.is_file():
        return json.loads(summary_path.read_text())
    stage = job.config.student
    heads = job.dataset.heads
    dev = job.dataset.splits["dev"]
    model = MultiHeadClassifier.load(job.out / "student" / "best")
    tokenizer = job.tokenizer(stage)
    pad_id = tokenizer.pad_token_id
    dev_encoded = job.encoded(stage, dev.texts)

    fp32_path = export_onnx(model, folder / "model_fp32.onnx", job.config.export.opset)
    try:
        cfg = model.encoder.config
        fp32_path = optimize_graph(fp32_path, folder / "model_fp32_opt.onnx", cfg.num_attention_heads, cfg.hidden_size)
    except Exception as err:
        log.warning("graph optimization failed (%s); quantizing the plain export", err)

    torch_logits = predict_logits(model, dev_encoded, pad_id, precision="fp32")
    fp32_logits = ort_logits(session(fp32_path), dev_encoded, pad_id)
    max_abs = max(float(np.abs(torch_logits[h] - fp32_logits[h]).max()) for h in heads)
    fp32_thresholds = tuned_thresholds(fp32_logits, dev, heads)
    fp32_report = evaluate(fp32_logits, dev, heads, fp32_thresholds)
    fp32_score = selection_score(fp32_report)
    log.info("onnx fp32: max |torch - onnx| = %.2e, dev score %.4f", max_abs, fp32_score)

    candidates = []
    for i, candidate in enumerate(job.config.export.quantization_candidates):
        path = quantize(fp32_path, folder / f"model_int8_{i}.onnx", candidate)
        started = time.perf_counter()
        logits = ort_logits(session(path), dev_encoded, pad_id)
        seconds = time.perf_counter() - started
        thresholds = tuned_thresholds(logits, dev, heads)
        report = evaluate(logits, dev, heads, thresholds)
        entry = {
            "config": candidate,
            "path": str(path),
            "bytes": path.stat().st_size,
            "dev_score": selection_score(report),
            "dev_macro_f1": {h: r.get("macro_f1") for h, r in report.items()},
            "agreement_with_fp32": round(decision_agreement(fp32_logits, logits, fp32_thresholds, heads), 5),
            "dev_seconds": round(seconds, 2),
        }
        log.info("int8 candidate %s", json.dumps(entry))
        candidates.append(entry)
    # Dev-score differences below the tolerance are noise; among those candidates the fastest wins.
    top = max(c["dev_score"] for c in candidates)
    near = [c for c in candidates if c["dev_score"] >= top - job.config.export.score_tolerance]
    best = min(near, key=lambda c: c["dev_seconds"])
    summary = {
        "fp32_path": str(fp32_path),
        "fp32_bytes": fp32_path.stat().st_size,
        "parity": {
            "torch_vs_onnx_fp32_max_abs_diff": max_abs,
            "fp32_dev_macro_f1": {h: r.get("macro_f1") for h, r in fp32_report.items()},
            "fp32_dev_score": fp32_score,
        },
        "candidates": candidates,
        "chosen": best,
        "int8_dev_score_drop": round(fp32_score - best["dev_score"], 4),
    }
    summary_path.write_text(json.dumps(summary, indent=2))
    return summary
