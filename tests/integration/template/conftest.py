"""The image's layout, laid out once per session (tests/integration/template/image.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.template.image import REPO_ROOT, Dockerfile, lay_out_image


@dataclass(frozen=True)
class Image:
    root: Path
    dockerfile: Dockerfile
    tiny_model: bool  # True when layers/model holds no released bundle and the tiny one stands in

    def inside(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def environment(self) -> dict[str, str]:
        """The Dockerfile's ENV with /var/task pointing into the laid-out root."""
        return {key: value.replace("/var/task", str(self.inside("/var/task")))
                for key, value in self.dockerfile.env.items()}


@pytest.fixture(scope="session")
def image(tiny_bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Image:
    released = (REPO_ROOT / "layers" / "model" / "model.json").is_file()
    root = tmp_path_factory.mktemp("image")
    dockerfile = lay_out_image(root, model_dir=None if released else tiny_bundle_dir)
    return Image(root=root, dockerfile=dockerfile, tiny_model=not released)
