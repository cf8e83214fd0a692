"""bench.image's parts on the committed samples, bounded: one repeat each, no cold-start children."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.image import installed_sizes, markdown, per_image, runtimes, samples
from emotion_core import Classifier
from emotion_image import ImageAssets, ImageClassifier, ImageSettings
from tests.conftest import RELEASED_BUNDLE
from tests.helpers.image import image_assets_fixture  # noqa: F401 - the image_assets fixture


def test_the_bench_measures_every_sample_and_both_runtimes(tmp_path: Path, image_assets: ImageAssets,
                                                            tiny_bundle_dir: Path) -> None:
    bundle = RELEASED_BUNDLE if (RELEASED_BUNDLE / "model.json").is_file() else tiny_bundle_dir
    images = ImageClassifier(Classifier.load(bundle, threads=1), image_assets, ImageSettings(image_threads=1))
    files = samples(tmp_path)
    rows = per_image(images, files, repeats=1)
    assert {row["image"]: row["faces"] for row in rows} == {
        "astronaut-300x300.jpg": 1, "no-face-300x200.jpg": 0, "two-faces-600x300.png": 2, "photo-4000x3000.jpg": 1}
    assert all(row["total_ms"] > 0 and row["detect_ms"] > 0 for row in rows)
    measured = runtimes(image_assets, images, repeats=1)
    if isinstance(measured["ai_edge_litert"], str):
        pytest.skip(measured["ai_edge_litert"])
    assert measured["agreement"]["same_top_label"] == measured["agreement"]["crops"]
    sizes = installed_sizes()
    assert sizes["image_extra_mb"]["opencv-python-headless"] > 50
    results = {"machine": {"cores": 2}, "repeats": 1, "cold_runs": 1, "per_image": rows, "runtimes": measured,
               "sizes": sizes, "cold_start": {"text": {"import_and_load_s": 1.0},
                                              "image": {"import_and_load_s": 1.1, "first_image_s": 0.2,
                                                        "peak_rss_mb": 400}}}
    text = markdown(results)
    assert "| photo-4000x3000.jpg |" in text and "ai-edge-litert (fer's TFLite file)" in text
    assert "not measured here" in text
