"""One-time conversion of fer's TFLite expression model to ONNX, run where the assets are fetched.

Measured (docs/image.md): the converted model runs as fast on onnxruntime as the TFLite file on
ai-edge-litert, and onnxruntime is already in every image of the service, while ai-edge-litert would
add 59 MB. tflite2onnx (build time only, the `image-build` extra) writes the graph; it leaves the
model's int8 weights (TFLite dynamic-range quantization) as int8 inputs of Conv, which ONNX does not
allow, so they are dequantized here with the per-channel scales the TFLite file records.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .errors import AssetError

# A fixed input and what fer's TFLite model answers for it on its own runtime (ai-edge-litert 2.3.0,
# 2026-11-24). The TFLite runtime also quantizes activations, so the two differ by up to ~0.01.
PROBE_EXPECTED = (0.962, 0.0, 0.0174, 0.0002, 0.0155, 0.0, 0.0049)
PROBE_TOLERANCE = 0.02
INPUT_SIZE = 64


def probe_input() -> np.ndarray:
    rows, cols = np.mgrid[0:INPUT_SIZE, 0:INPUT_SIZE]
    probe: np.ndarray = np.sin(rows * 0.37 + cols * 0.11).astype(np.float32)
    return probe.reshape(1, 1, INPUT_SIZE, INPUT_SIZE)


def _int8_scales(tflite_bytes: bytes) -> dict[str, np.ndarray]:
    import tflite

    graph = tflite.Model.GetRootAsModel(tflite_bytes, 0).Subgraphs(0)
    scales: dict[str, np.ndarray] = {}
    for index in range(graph.TensorsLength()):
        tensor = graph.Tensors(index)
        if tensor.Type() == tflite.TensorType.INT8 and tensor.Buffer() > 0 and tensor.Quantization() is not None:
            scales[tensor.Name().decode()] = tensor.Quantization().ScaleAsNumpy().astype(np.float32)
    return scales


def _dequantize(model: Any, scales: dict[str, np.ndarray]) -> None:
    from onnx import TensorProto, numpy_helper

    for initializer in model.graph.initializer:
        if initializer.data_type != TensorProto.INT8:
            continue
        weights = numpy_helper.to_array(initializer)
        scale = scales.get(initializer.name)
        # tflite2onnx lays Conv weights out as OIHW: the output channel, TFLite's quantized axis, first.
        if scale is None or scale.shape[0] != weights.shape[0]:
            raise AssetError(f"cannot dequantize {initializer.name}: no per-output-channel scales")
        values = weights.astype(np.float32) * scale.reshape(-1, *([1] * (weights.ndim - 1)))
        initializer.CopyFrom(numpy_helper.from_array(values, initializer.name))


def check_probe(onnx_path: Path) -> None:
    """The converted model must answer the probe as the TFLite original does."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: probe_input()})[0][0]
    gap = float(np.abs(got - np.asarray(PROBE_EXPECTED)).max())
    if gap > PROBE_TOLERANCE:
        raise AssetError(f"{onnx_path.name}: differs from the TFLite model by {gap:.3f} on the probe")


def tflite_to_onnx(tflite_path: Path, onnx_path: Path) -> None:
    try:
        import onnx
        import tflite2onnx
    except ImportError:
        raise AssetError("converting the expression model needs tflite2onnx and onnx: "
                         "pip install -c constraints.txt '.[image-build]'") from None
    # tflite2onnx warns once per int8 tensor that int8 is untested; _dequantize handles exactly those.
    logging.getLogger("tflite2onnx").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="emotion-image-") as tmp:
        raw = Path(tmp) / "raw.onnx"
        tflite2onnx.convert(str(tflite_path), str(raw))
        model = onnx.load(str(raw))
    _dequantize(model, _int8_scales(tflite_path.read_bytes()))
    onnx.checker.check_model(model)
    onnx.save(model, str(onnx_path))
    check_probe(onnx_path)
