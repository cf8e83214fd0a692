"""What the speech code may import (read with ast, as tests/unit/functions/test_package_boundaries.py does)."""

from __future__ import annotations

import pytest

from tests.unit.functions.test_package_boundaries import REPO_ROOT, imported_modules, package_of

FORBIDDEN = {
    # The core serves the CLI, the bench and both audio functions: it knows nothing of them.
    "layers/emotion_speech": ("functions", "devtools", "tests", "bench", "training"),
    "functions/audio": ("devtools", "tests", "bench", "training"),
}


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_speech_code_imports_nothing_it_must_not(folder: str) -> None:
    files = sorted((REPO_ROOT / folder).rglob("*.py"))
    assert files
    found = [f"{path.relative_to(REPO_ROOT)} imports {name}" for path in files
             for name in imported_modules(path.read_text(encoding="utf-8"), package_of(path))
             if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[folder])]
    assert found == []
