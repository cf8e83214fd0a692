"""`make serve` without a bundle must say what is missing and how to get it, and fail."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_serve_without_a_bundle_explains_and_fails(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    # -o: treat the install stamp as up to date, so the test never runs pip.
    result = subprocess.run(
        ["make", "-s", "-o", f"{venv}/.stamp-runtime", "serve", f"VENV={venv}", f"MODEL_DIR={tmp_path}"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert f"{tmp_path}/model.json is missing" in result.stderr
    assert "python -m training.job --config training/configs/goemotions.yaml" in result.stderr
    assert "uvicorn" not in result.stdout
