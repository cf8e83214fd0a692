"""Logits of a model over tokenized texts: the PyTorch classifier or an ONNX graph in onnxruntime."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from training.encoding import bucketed_batches, collate
from training.model import MultiHeadClassifier


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if precision == "fp16":
        return torch.float16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if _cpu_has_bf16() else None


def autocast(device: torch.device, dtype: torch.dtype | None) -> AbstractContextManager[object]:
    return torch.autocast(device.type, dtype=dtype) if dtype else nullcontext()


@torch.no_grad()
def predict_logits(
    model: MultiHeadClassifier, encoded: list[list[int]], pad_id: int, batch_size: int = 128, precision: str = "auto"
) -> dict[str, np.ndarray]:
    device = next(model.parameters()).device
    dtype = autocast_dtype(precision, device)
    model.eval()
    out = {name: np.zeros((len(encoded), model.head_size(name)), np.float32) for name in model.head_names}
    for index in bucketed_batches([len(e) for e in encoded], batch_size, None):
        ids, mask = collate(encoded, index, pad_id)
        with autocast(device, dtype):
            logits = model(ids.to(device), mask.to(device))
        for name, value in logits.items():
            out[name][index] = value.float().cpu().numpy()
    return out


def onnx_session(path: Path, threads: int = 2) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_logits(
    session: ort.InferenceSession, encoded: list[list[int]], pad_id: int, batch_size: int = 64
) -> dict[str, np.ndarray]:
    names = [o.name for o in session.get_outputs()]
    out: dict[str, np.ndarray] = {}
    for index in bucketed_batches([len(e) for e in encoded], batch_size, None):
        ids, mask = collate(encoded, index, pad_id)
        values = session.run(names, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        for name, value in zip(names, values, strict=True):
            out.setdefault(name, np.zeros((len(encoded), value.shape[1]), np.float32))[index] = value
    return out
