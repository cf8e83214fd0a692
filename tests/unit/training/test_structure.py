"""The shape of `training/`: an acyclic import graph in three layers (leaf modules, stages, the
job), the job alone spelling artifact paths, and the stage names `--stages` accepts."""

from __future__ import annotations

import ast
from pathlib import Path

from training.job import STAGES

PACKAGE = Path(__file__).resolve().parents[3] / "training"
# File names of the job's artifacts (training/output/<job>/...): only job.py may spell them.
ARTIFACT_NAMES = ("state.pt", "history.json", "soft_targets.npz", "export.json", "eval.json", "job.log",
                  "model_fp32", "model_int8")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# Modules on top, beside the job: the label-set build runs the job's stages on its pseudo-labels.
ON_TOP = {"training.job", "training.artifacts", "training.labelset.build"}
MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "output" not in p.parts}


def _imported(name: str, node: ast.ImportFrom | ast.Import, module: str) -> set[str]:
    """Training modules one import statement refers to (function-local and TYPE_CHECKING ones included)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
    found = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
    return found or ({base} if base in MODULES else set())


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _imported(name, node, name)
        graph[name] = edges - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_local_and_type_checking_imports() -> None:
    # Every stage module is reached from the job; a stage hidden in a function would still count.
    graph = import_graph()
    assert {"training.stages.export", "training.stages.release", "training.stages.report"} <= graph["training.job"]
    assert "training.checkpoint" in graph["training.train"]


def test_training_imports_form_no_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_layers_leaf_modules_then_stages_then_the_job() -> None:
    graph = import_graph()
    stages = {name for name in graph if name.startswith("training.stages.")}
    for name, edges in graph.items():
        if name in ON_TOP:
            continue
        assert "training.job" not in edges, f"{name} imports the job"
        if name in stages:
            assert not edges & stages, f"stage {name} imports another stage: {sorted(edges & stages)}"
        else:
            assert not edges & stages, f"leaf module {name} imports a stage: {sorted(edges & stages)}"


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_only_the_artifacts_module_spells_artifact_paths() -> None:
    assert all(any(artifact in text for text in _string_constants(MODULES["training.artifacts"]))
               for artifact in ARTIFACT_NAMES)
    for name, path in MODULES.items():
        if name == "training.artifacts":
            continue
        spelled = {a for text in _string_constants(path) for a in ARTIFACT_NAMES if a in text}
        assert not spelled, f"{name} spells artifact paths {sorted(spelled)}: they belong in training/artifacts.py"


def test_stage_names_stay_what_stages_accepts() -> None:
    # Names used by running jobs, the SageMaker launcher and the docs, in their run order; model 2.0
    # added calibrate (before the report, which shows calibrated scores) and compare (after release).
    assert list(STAGES) == ["teacher", "soft_targets", "student", "export", "calibrate", "report", "release",
                            "compare"]
