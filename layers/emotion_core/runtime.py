"""The onnxruntime session: created with the service's thread budget and checked against model.json."""

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from .bundle import Bundle
from .errors import BundleError

_INT64 = "tensor(int64)"
_FLOAT = "tensor(float)"


def create_session(bundle: Bundle, threads: int) -> ort.InferenceSession:
    session = open_session(bundle.model_path, threads)
    check_signature(bundle, session)
    return session


def open_session(model_path: Path, threads: int) -> ort.InferenceSession:
    """The serving session options on any .onnx file; the bench runs bare exported graphs through it too."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    # One model call at a time per process: a second inter-op pool only competes for the same vCPU.
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning threads burn the Lambda's CPU between requests and are billed; idle them instead.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped exceptions for bad graphs
        raise BundleError(f"{model_path}: onnxruntime cannot load it ({exc})") from exc


def check_signature(bundle: Bundle, session: Any) -> None:
    """Compare the graph's inputs/outputs with model.json, then prove it with one real run."""
    where = bundle.model_path
    graph_inputs = {node.name: node for node in session.get_inputs()}
    for name in bundle.inputs:
        node = graph_inputs.get(name)
        if node is None:
            raise BundleError(f"{where}: input {name!r} is missing (graph has {sorted(graph_inputs)})")
        if node.type != _INT64 or len(node.shape) != 2:
            raise BundleError(f"{where}: input {name!r} must be int64 [batch, seq], "
                              f"is {node.type} {node.shape}")
    extra = set(graph_inputs) - set(bundle.inputs)
    if extra:
        raise BundleError(f"{where}: graph needs inputs {sorted(extra)} that model.json does not list")

    graph_outputs = {node.name: node for node in session.get_outputs()}
    for head in bundle.heads.values():
        node = graph_outputs.get(head.name)
        if node is None:
            raise BundleError(f"{where}: output {head.name!r} is missing (graph has {sorted(graph_outputs)})")
        if node.type != _FLOAT or len(node.shape) != 2:
            raise BundleError(f"{where}: output {head.name!r} must be float32 [batch, n_labels], "
                              f"is {node.type} {node.shape}")
        width = node.shape[1]
        if isinstance(width, int) and width != len(head.labels):
            raise BundleError(f"{where}: output {head.name!r} has {width} columns but model.json lists "
                              f"{len(head.labels)} labels for that head")

    # Symbolic output widths can only be checked by running; this also warms the session up.
    feed = {name: (np.zeros if name == "token_type_ids" else np.ones)((1, 4), dtype=np.int64)
            for name in bundle.inputs}
    try:
        results = session.run(list(bundle.heads), feed)
    except Exception as exc:
        raise BundleError(f"{where}: a test inference failed ({exc})") from exc
    for head, values in zip(bundle.heads.values(), results, strict=True):
        if values.shape != (1, len(head.labels)):
            raise BundleError(f"{where}: output {head.name!r} returned shape {list(values.shape)} for one "
                              f"text, expected [1, {len(head.labels)}] ({len(head.labels)} labels)")
