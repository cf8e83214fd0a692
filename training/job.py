"""The training job: teacher → soft targets → distilled student → ONNX → int8 → report → bundle.

    python -m training.job --config training/configs/goemotions.yaml [--stages teacher,student,...]

This module sits on top: it alone knows where artifacts live (`Artifacts`) and in which order the
stages run (`STAGES`); the stages (`training.stages`) take explicit inputs and return typed
results. Every stage is skipped when its artifact is already there, so a job interrupted at any
point resumes where it stopped (training resumes mid-epoch from `last/state.pt`).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from emotion_core.bundle import Bundle
from training.artifacts import Artifacts
from training.bundle_eval import compare as compare_bundles
from training.calibration import Calibration, fit_calibration, identity
from training.challenge import load_items as load_challenge_items
from training.checkpoint import Progress
from training.config import JobConfig, StageConfig, load_config, parse_overrides, save_config
from training.data import load_transfer_texts
from training.feedback.dataset import HOLDOUT_SPLIT
from training.inference import onnx_logits, onnx_session, predict_logits
from training.logs import setup_logging
from training.model import MultiHeadClassifier
from training.objective import TrainSet
from training.results import (
    STUDENT_FP32,
    STUDENT_INT8,
    TEACHER_ENSEMBLE,
    TEACHER_FP32,
    Evaluation,
    ExportResult,
    SoftTargets,
)
from training.stages.augmented import augment_trainset
from training.stages.evaluate import LogitsOf, ModelUnderTest, evaluate_models, memoized
from training.stages.export import export_student
from training.stages.fit import fit_classifier
from training.stages.guard import guard_release
from training.stages.release import ReleaseInputs, check_must_beat, keep_previous, release
from training.stages.report import Report, build_report
from training.stages.soft_targets import distillation_trainset, ensemble_logits_of, teacher_soft_targets, with_ensemble
from training.train import FitResult, StageRun
from training.workspace import Workspace

log = logging.getLogger("training")


class Job(Workspace):
    """A workspace that knows where its artifacts go, and trains a stage unless it is trained."""

    def __init__(self, config: JobConfig):
        self.paths = Artifacts.of(config)
        super().__init__(config, self.paths.bases)

    def fit(self, name: str, stage: StageConfig, train: Callable[[], TrainSet]) -> FitResult:
        paths = self.paths.run(name)
        if paths.history.is_file() and MultiHeadClassifier.is_saved(paths.best):
            log.info("%s: already trained, using %s", name, paths.best)
            return FitResult(MultiHeadClassifier.load(paths.best), Progress.read_history(paths.history))
        save_config(self.config, self.paths.stage_config(name))
        train_set = train()
        run = StageRun(
            name, train_set, self.dev_set(stage), self.dataset.heads, stage.optim, paths,
            pad_id=self.pad_id(stage), seed=self.config.seed,
            distill=self.config.distill if train_set.soft is not None else None,
        )
        sizes = {head: len(info.labels) for head, info in self.dataset.heads.items()}
        return fit_classifier(self.base_path(stage), sizes, stage.model, run)


def _teacher(job: Job, stage: StageConfig) -> FitResult:
    return job.fit("teacher", stage, lambda: job.gold_trainset(stage))


def run_teacher(job: Job) -> FitResult | None:
    if job.config.teacher is None:
        log.info("teacher: none configured, the student trains on gold labels only")
        return None
    return _teacher(job, job.config.teacher)


def run_soft_targets(job: Job) -> SoftTargets | None:
    """Teacher logits for train + transfer texts, computed once and cached."""
    stage = job.config.teacher
    if stage is None or job.config.distill.alpha == 0:
        return None
    if job.paths.soft_targets.is_file():
        return SoftTargets.load(job.paths.soft_targets, list(job.dataset.heads))
    teacher = _teacher(job, stage).model
    train = job.dataset.splits["train"]
    texts = train.texts + load_transfer_texts(job.config.data.transfer_paths)
    encoded = job.encoded(stage, texts)
    soft = teacher_soft_targets(teacher, texts, encoded, len(train), job.pad_id(stage), stage.optim.precision)
    soft = with_ensemble(soft, job.config.distill.ensemble_bundles, job.config.threads or 2)
    soft.save(job.paths.soft_targets)
    log.info("soft targets: %d texts (%d transfer)", len(texts), len(texts) - len(train))
    return soft


def run_student(job: Job) -> FitResult:
    stage = job.config.student

    def trainset() -> TrainSet:
        soft = run_soft_targets(job)
        train = job.dataset.splits["train"]
        base = (job.gold_trainset(stage) if soft is None
                else distillation_trainset(soft, train, job.encoded(stage, soft.texts)))
        held_out = [item.text for item in load_challenge_items()]  # never trained on, however close
        return augment_trainset(base, train, job.dataset.heads, job.config.augment, job.config.seed,
                                lambda texts: job.encoded(stage, texts), held_out)

    return job.fit("student", stage, trainset)


def run_export(job: Job) -> ExportResult:
    summary = job.paths.export_summary
    if summary.is_file():
        return ExportResult.from_json(json.loads(summary.read_text()))
    stage, export = job.config.student, job.config.export
    student = run_student(job).model
    paths = job.paths.export_files(len(export.quantization_candidates))
    result = export_student(student, job.dev_set(stage), job.dataset.heads, job.pad_id(stage), export, paths)
    summary.write_text(json.dumps(result.to_json(), indent=2))
    return result


def run_calibrate(job: Job) -> Calibration:
    """Calibration of the chosen int8 graph on dev (identity unless `export.calibrate`)."""
    if not job.config.export.calibrate:
        return identity(job.dataset.heads)
    if job.paths.calibration.is_file():
        return Calibration.from_json(json.loads(job.paths.calibration.read_text()))
    stage = job.config.student
    int8 = onnx_session(Path(run_export(job).chosen.path))
    dev = job.dataset.splits["dev"]
    dev_logits = onnx_logits(int8, job.encoded(stage, dev.texts), job.pad_id(stage), batch_size=1)
    calibration = fit_calibration(dev_logits, dev, job.dataset.heads, job.config.export.distribution_heads)
    job.paths.calibration.write_text(json.dumps(calibration.to_json(), indent=2))
    log.info("calibration: %s", {h: c.temperature for h, c in calibration.heads.items() if c.platt is None})
    return calibration


def _torch_logits(job: Job, model: MultiHeadClassifier, stage: StageConfig) -> LogitsOf:
    return lambda texts: predict_logits(model, job.encoded(stage, texts), job.pad_id(stage), precision="fp32")


def models_under_test(job: Job, export: ExportResult) -> list[ModelUnderTest]:
    """The teacher when it was trained, the student in PyTorch, and the chosen int8 graph."""
    models = []
    teacher_stage, teacher_best = job.config.teacher, job.paths.run("teacher").best
    if teacher_stage is not None and MultiHeadClassifier.is_saved(teacher_best):
        teacher = MultiHeadClassifier.load(teacher_best)
        teacher_logits = memoized(_torch_logits(job, teacher, teacher_stage))
        models.append(ModelUnderTest(TEACHER_FP32, teacher_logits))
        bundles = job.config.distill.ensemble_bundles
        if bundles:
            ensemble = ensemble_logits_of(teacher_logits, bundles, job.config.threads or 2)
            models.append(ModelUnderTest(TEACHER_ENSEMBLE, ensemble))
    stage = job.config.student
    models.append(ModelUnderTest(STUDENT_FP32, _torch_logits(job, run_student(job).model, stage)))
    int8, calibration = onnx_session(Path(export.chosen.path)), run_calibrate(job)
    kinds = {name: head.kind for name, head in job.dataset.heads.items()}

    def int8_logits(texts: list[str]) -> dict[str, np.ndarray]:
        # Window by window as served, then calibrated: thresholds get tuned on what users see.
        raw = onnx_logits(int8, job.encoded(stage, texts), job.pad_id(stage), batch_size=1)
        return calibration.as_logits(raw, kinds)

    models.append(ModelUnderTest(STUDENT_INT8, int8_logits))
    return models


def evaluation(job: Job) -> Evaluation:
    """Every model on the test split, computed once (`eval.json`) for the report and the release."""
    cached = job.paths.evaluation
    if cached.is_file():
        return Evaluation.from_json(json.loads(cached.read_text()))
    splits = job.dataset.splits
    result = evaluate_models(models_under_test(job, run_export(job)), splits["dev"], splits["test"], job.dataset.heads)
    cached.write_text(json.dumps(result.to_json(), indent=2))
    return result


def run_report(job: Job) -> Report:
    history = job.paths.run("student").history
    title = f"{job.config.release.name} {job.config.release.version}"
    report = build_report(title, job.dataset, job.primary_head(), evaluation(job), run_export(job),
                          Progress.read_history(history) if history.is_file() else None)
    job.paths.reports.mkdir(parents=True, exist_ok=True)
    job.paths.report_json.write_text(json.dumps(report.data, indent=2))
    job.paths.report_markdown.write_text(report.markdown)
    log.info("report: %s", job.paths.report_markdown)
    return report


def run_release(job: Job) -> Bundle:
    config, data = job.config.release, job.dataset
    check_must_beat(job.paths.run("student").history, config.must_beat)
    inputs = ReleaseInputs(job.config, data, job.primary_head(), run_export(job), evaluation(job),
                           str(job.paths.report_markdown), run_calibrate(job))
    target = job.paths.bundle
    if config.guard_bundle:  # written aside, and moved in place only if the guard passes
        target = job.paths.candidate_bundle
    bundle = release(inputs, job.tokenizer(job.config.student), target)
    if config.guard_bundle:
        verdict = guard_release(Path(config.guard_bundle), target, data.splits["test"], data.splits.get(HOLDOUT_SPLIT),
                                data.heads["fine"].labels if "fine" in data.heads else [], config.max_test_drop,
                                job.paths.guard_report,
                                data.feedback_summary)
        if not verdict.passed:
            raise SystemExit(f"release refused: {'; '.join(verdict.reasons)}; the candidate stays in {target}")
    keep_previous(job.paths.bundle, job.paths.previous_bundle)
    if target != job.paths.bundle:
        shutil.rmtree(job.paths.bundle, ignore_errors=True)
        shutil.copytree(target, job.paths.bundle)
    return bundle


def run_compare(job: Job) -> None:
    """The bundle this job replaced and the one it released, served side by side (bundle_eval)."""
    if job.config.data.kind != "goemotions" or not (job.paths.previous_bundle / "model.json").is_file():
        log.info("compare: no previous GoEmotions bundle to compare with")
        return
    compare_bundles([job.paths.previous_bundle, job.paths.bundle], str(job.config.data.path),
                    job.paths.bundle_comparison)
    log.info("compare: %s", job.paths.bundle_comparison / "bundles.md")


# The stages `--stages` can name, in the order they run.
STAGES: dict[str, Callable[[Job], object]] = {
    "teacher": run_teacher,
    "soft_targets": run_soft_targets,
    "student": run_student,
    "export": run_export,
    "calibrate": run_calibrate,
    "report": run_report,
    "release": run_release,
    "compare": run_compare,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.job", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {list(STAGES)}")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set student.optim.epochs=2 (value parsed as JSON)")
    args = parser.parse_args(argv)
    config = load_config(args.config, parse_overrides(args.set))
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}; known: {list(STAGES)}")
    job = Job(config)
    setup_logging(job.paths.job_log)
    save_config(config, job.paths.job_config)
    if config.threads:
        torch.set_num_threads(config.threads)
    for name, run_stage in STAGES.items():
        if name in stages:
            log.info("stage %s", name)
            run_stage(job)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
