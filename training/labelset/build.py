"""From a label-set YAML to a served bundle: teacher → pseudo-labels → the training job
(student, ONNX export, int8, report, release) → the label set's section in the model card.

This module sits on top, beside `training.job`: it writes a table dataset and a job config, then
runs the job's own stages, so a label-set bundle is made exactly as the emotion bundle is.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from training.config import DataConfig, DistillConfig, JobConfig, ModelConfig, OptimConfig, ReleaseConfig, StageConfig
from training.job import main as job_main
from training.labelset.pseudo import PseudoLabels, TableFiles, select_confident, split_table
from training.labelset.settings import BuildSettings
from training.labelset.spec import LabelSet, load_domain_texts
from training.labelset.teacher import Teacher, resolve_base, train_teacher
from training.logs import setup_logging

log = logging.getLogger("training")
# The bundle's one head: clients read `labels["label"]`, whatever the label set is called.
HEAD = "label"
JOB_STAGES = "student,export,report,release"


@dataclass(frozen=True)
class BuildPaths:
    root: Path
    tables: TableFiles
    summary: Path  # labelset.json: the label set, the resolved settings, the teacher, the pseudo-labels
    job_config: Path
    log_file: Path
    bases: Path
    bundle: Path

    @classmethod
    def of(cls, labelset: LabelSet, settings: BuildSettings) -> BuildPaths:
        root = Path(settings.output_root) / labelset.name
        data = root / "data"
        tables = TableFiles(data / f"{labelset.name}.jsonl", data / f"{labelset.name}-dev.jsonl",
                            data / f"{labelset.name}-test.jsonl")
        bundle = Path(settings.bundle_dir) if settings.bundle_dir else root / "bundle"
        return cls(root, tables, root / "labelset.json", root / "job.yaml", root / "labelset.log", root / "bases",
                   bundle)


@dataclass(frozen=True)
class BuildResult:
    paths: BuildPaths
    summary: dict[str, Any]
    teacher: Teacher | None  # None when an earlier run's pseudo-labels were reused


def job_config(labelset: LabelSet, settings: BuildSettings, paths: BuildPaths) -> JobConfig:
    """The training job for the pseudo-labelled table: no teacher stage (the label-set teacher already
    labelled the texts), the student trained on those labels, thresholds tuned on the dev slice."""
    optim = OptimConfig(epochs=settings.student_epochs, batch_size=settings.student_batch, lr=settings.student_lr,
                        head_lr=settings.student_head_lr, patience=settings.student_epochs)
    return JobConfig(
        name=labelset.name, seed=settings.seed, output_dir=str(paths.root / "job"), report_dir=settings.report_dir,
        data=DataConfig(kind="table", path=None, files=paths.tables.as_config(), text_column="text",
                        label_columns={HEAD: "labels"}, cache_dir=str(paths.root / "cache")),
        teacher=None,
        student=StageConfig(ModelConfig(base=settings.student, max_length=settings.max_length), optim),
        distill=DistillConfig(alpha=0.0),
        release=ReleaseConfig(name=labelset.name, version=settings.version, bundle_dir=str(paths.bundle),
                              primary_head=HEAD),
        threads=settings.threads,
    )


def _distribution(labelset: LabelSet, pseudo: PseudoLabels) -> dict[str, int]:
    counts = dict.fromkeys(labelset.label_names, 0)
    for labels in pseudo.labels:
        for index in labels:
            counts[labelset.label_names[index]] += 1
    return counts


def label_domain(labelset: LabelSet, settings: BuildSettings, paths: BuildPaths) -> tuple[dict[str, Any], Teacher]:
    """Train the teacher, pseudo-label the domain texts, write the student's tables and the summary."""
    domain = load_domain_texts(labelset.domain) if labelset.domain else [t for t, _ in labelset.examples()]
    vocabulary_texts = domain + [t for t, _ in labelset.examples()] + [x.description for x in labelset.labels]
    base = resolve_base(settings.encoder, paths.bases, vocabulary_texts, settings.seed)
    teacher = train_teacher(labelset, settings, base)
    pseudo = select_confident(domain, teacher.probabilities(domain), labelset.multi_label, settings.keep_share,
                              settings.min_per_label)
    counts = split_table(labelset, pseudo, settings.dev_share, settings.test_share, settings.seed, paths.tables)
    summary = {
        "label_set": dataclasses.asdict(labelset),
        "settings": dataclasses.asdict(settings),
        "teacher": teacher.method,
        "domain_texts": len(domain),
        "domain_source": dataclasses.asdict(labelset.domain) if labelset.domain else "the examples",
        "pseudo_labelled_kept": len(pseudo.texts),
        "pseudo_label_counts": _distribution(labelset, pseudo),
        "table_rows": counts,
    }
    paths.summary.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    log.info("labelset %s: kept %d of %d domain texts, tables %s", labelset.name, len(pseudo.texts), len(domain),
             counts)
    return summary, teacher


def card_section(summary: dict[str, Any], report: Path) -> str:
    label_set = summary["label_set"]
    lines = ["", f"## Label set `{label_set['name']}`", "",
             (label_set["description"] or "A custom label set.") + " "
             + ("Multi-label." if label_set["multi_label"] else "Single-label (one label per text)."), "",
             "| label | description | examples |", "|---|---|---|"]
    lines += [f"| {x['name']} | {x['description']} | {len(x['examples'])} |" for x in label_set["labels"]]
    lines += ["", f"Built by `python -m training.labelset build`: teacher = {summary['teacher']}; it labelled "
              f"{summary['domain_texts']} domain texts and the {summary['pseudo_labelled_kept']} most confident "
              f"became the student's data ({summary['table_rows']}). The `label` head is the student's; "
              "its \"training data\" and \"test\" above are these pseudo-labels, so the test figures measure "
              f"agreement with the teacher, not accuracy. Report: `{report}`."]
    return "\n".join(lines) + "\n"


def _drop_handlers(keep: set[logging.Handler]) -> None:
    """Close the log handlers added since `keep` (several builds in one process, e.g. the curve)."""
    for handler in set(log.handlers) - keep:
        log.removeHandler(handler)
        handler.close()


def build(labelset: LabelSet, settings: BuildSettings) -> BuildResult:
    paths = BuildPaths.of(labelset, settings)
    before = set(log.handlers)
    setup_logging(paths.log_file)
    teacher: Teacher | None = None
    try:
        if paths.summary.is_file():
            log.info("labelset %s: pseudo-labels already made (%s), reusing them", labelset.name, paths.summary)
            summary = json.loads(paths.summary.read_text())
            # The pseudo-labels keep the settings they were made with; the rest of the build uses these.
            current = dataclasses.asdict(settings)
            if summary["settings"] != current:
                summary["pseudo_labels_made_with"] = summary.get("pseudo_labels_made_with", summary["settings"])
                summary["settings"] = current
                paths.summary.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            summary, teacher = label_domain(labelset, settings, paths)
    finally:
        # The job sets up its own log (beside its artifacts); ours would print every line twice.
        _drop_handlers(before)
    config = job_config(labelset, settings, paths)
    paths.job_config.write_text(yaml.safe_dump(dataclasses.asdict(config), sort_keys=False))
    before = set(log.handlers)
    try:
        if job_main(["--config", str(paths.job_config), "--stages", JOB_STAGES]) != 0:
            raise RuntimeError(f"the training job failed for {paths.job_config}")
    finally:
        _drop_handlers(before)
    report = Path(settings.report_dir) / f"{labelset.name}-{settings.version}.md"
    card = paths.bundle / "README.md"
    card.write_text(card.read_text() + card_section(summary, report))
    return BuildResult(paths, summary, teacher)
