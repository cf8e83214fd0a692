"""Which package may import which, read from the source with ast (no module is imported).

The API and the bulk function share code only through functions.jobs and emotion_core; neither
imports the other, functions.jobs imports neither, nothing that ships imports devtools or tests, and
no dev tool, benchmark, training or infra module imports tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = {
    "functions.api": ("functions.bulk", "devtools", "tests"),
    "functions.bulk": ("functions.api", "devtools", "tests"),
    "functions.jobs": ("functions.api", "functions.bulk", "devtools", "tests"),
    "emotion_core": ("functions", "devtools", "tests"),
    # Dev tools, benchmarks, training and infra may use the shipped code, never the tests.
    "devtools": ("tests",),
    "bench": ("tests",),
    "training": ("tests", "functions"),
    "infra": ("tests",),
    # The feedback records and stores are a leaf: the API writes them, the training export reads them.
    "functions.feedback": ("functions.api", "functions.bulk", "functions.jobs", "devtools", "tests"),
}
# Exceptions to FORBIDDEN: training.feedback exports the service's feedback store with the store's
# own code (functions.feedback, a leaf), rather than a second reader of its format.
ALLOWED = {"training": ("functions.feedback",)}


def _matches(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def module_name(path: Path) -> str:
    root = REPO_ROOT / "layers" if path.is_relative_to(REPO_ROOT / "layers") else REPO_ROOT
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    return module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]


def imported_modules(source: str, package: str) -> set[str]:
    """Every module `source` (a file of `package`) imports: relative imports resolved, imports
    inside functions included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def source_files(package: str) -> list[Path]:
    folder = REPO_ROOT / ("layers" if package == "emotion_core" else "") / package.replace(".", "/")
    return sorted(folder.rglob("*.py"))


def violations(package: str) -> list[str]:
    return [f"{path.relative_to(REPO_ROOT)} imports {name}"
            for path in source_files(package)
            for name in sorted(imported_modules(path.read_text(encoding="utf-8"), package_of(path)))
            if _matches(name, FORBIDDEN[package]) and not _matches(name, ALLOWED.get(package, ()))]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_what_it_must_not(package: str) -> None:
    assert source_files(package), f"no sources found for {package}"
    assert violations(package) == []


def test_the_reader_sees_relative_and_late_imports() -> None:
    # The check is only as good as the import reader: a cross import written any way is caught.
    sample = REPO_ROOT / "functions" / "bulk" / "processing.py"
    assert package_of(sample) == "functions.bulk"
    assert {"functions.jobs.backend", "functions.bulk.settings", "emotion_core.batch"} <= imported_modules(
        sample.read_text(encoding="utf-8"), package_of(sample))
    sneaky = "from ..api import factory\ndef later():\n    from functions.api import app\n    import devtools.local\n"
    found = imported_modules(sneaky, "functions.bulk")
    assert {"functions.api.factory", "functions.api.app", "devtools.local"} <= found
