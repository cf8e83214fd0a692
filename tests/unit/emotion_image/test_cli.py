"""`python -m emotion_image predict` over real files: one JSON line per image, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from emotion_image import ImageAssets
from tests.conftest import RELEASED_BUNDLE, REPO_ROOT
from tests.helpers.image import ASTRONAUT, COFFEE


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emotion_image", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, check=False, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "layers",
                                                                     "HOME": str(Path.home()), "ORT_THREADS": "1"})


@pytest.fixture(autouse=True)
def _needs_models(image_assets: ImageAssets) -> None:
    if not (RELEASED_BUNDLE / "model.json").is_file():
        pytest.skip("no released bundle in layers/model")


def test_predict_prints_one_line_per_image_and_flags_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a picture")
    result = _run("predict", str(ASTRONAUT), str(bad), str(COFFEE), "--model-dir", str(RELEASED_BUNDLE))
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(ASTRONAUT), str(COFFEE)]
    assert lines[0]["overall"]["emotion"] == "joy" and lines[1]["no_face"] is True
    assert f"{bad}: image is not a jpeg, png, webp image" in result.stderr
    assert "not a picture" not in result.stderr


def test_predict_with_text_prints_a_post() -> None:
    result = _run("predict", str(ASTRONAUT), "--text", "We did it, what a day!", "--model-dir", str(RELEASED_BUNDLE))
    assert result.returncode == 0, result.stderr
    post = json.loads(result.stdout)
    assert post["overall"]["emotion"] == "joy" and post["text"]["emotion"] == "joy"
