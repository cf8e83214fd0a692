"""Where a training job's artifacts live: one place, read by the job, the bench and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.checkpoint import RunPaths
from training.config import JobConfig
from training.stages.export import ExportPaths


@dataclass(frozen=True)
class Artifacts:
    """Every path the job reads or writes: under `output_dir` the resolved `config.json`, `job.log`,
    `bases/`, `teacher/` and `student/` (each `config.json`, `last/state.pt`, `best/`,
    `history.json`), `teacher/soft_targets.npz`, `student/onnx/` (graphs, `export.json`) and
    `eval.json`; the report in `report_dir`; the bundle in `release.bundle_dir`."""

    root: Path
    bases: Path
    job_config: Path
    job_log: Path
    soft_targets: Path
    onnx: Path
    export_summary: Path
    calibration: Path
    previous_bundle: Path
    candidate_bundle: Path  # release.guard_bundle: written here, moved in place once the guard passes
    guard_report: Path
    bundle_comparison: Path
    evaluation: Path
    reports: Path
    report_json: Path
    report_markdown: Path
    bundle: Path

    @classmethod
    def of(cls, config: JobConfig, base: Path = Path()) -> Artifacts:
        """The config's relative paths resolve against `base` (the working directory by default)."""
        root, reports = base / config.output_dir, base / config.report_dir
        onnx, stem = root / "student" / "onnx", f"{config.name}-{config.release.version}"
        bundle = base / config.release.bundle_dir if config.release.bundle_dir else root / "bundle"
        return cls(
            root=root, bases=root / "bases", job_config=root / "config.json", job_log=root / "job.log",
            soft_targets=root / "teacher" / "soft_targets.npz", onnx=onnx, export_summary=onnx / "export.json",
            calibration=onnx / "calibration.json", previous_bundle=root / "previous-bundle",
            candidate_bundle=root / "candidate-bundle", guard_report=reports / f"{stem}-guard",
            bundle_comparison=reports / f"{stem}-served",
            evaluation=root / "eval.json", reports=reports, report_json=reports / f"{stem}.json",
            report_markdown=reports / f"{stem}.md", bundle=bundle,
        )

    def stage_config(self, stage: str) -> Path:
        return self.root / stage / "config.json"

    def run(self, stage: str) -> RunPaths:
        folder = self.root / stage
        return RunPaths(state=folder / "last" / "state.pt", best=folder / "best", history=folder / "history.json")

    def export_files(self, candidates: int) -> ExportPaths:
        int8 = tuple(self.onnx / f"model_int8_{i}.onnx" for i in range(candidates))
        return ExportPaths(self.onnx / "model_fp32.onnx", self.onnx / "model_fp32_opt.onnx", int8)
