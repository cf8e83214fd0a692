"""release.must_beat: a student that does not beat its control on dev is never released."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.checkpoint import Progress
from training.config import JobConfig, ReleaseConfig
from training.job import Job
from training.stages.release import check_must_beat


def _job(tmp_path: Path, ours: float, theirs: float) -> Job:
    control = tmp_path / "control-history.json"
    Progress(epoch=4, best_score=theirs, best_epoch=3).write_history(control)
    config = JobConfig(output_dir=str(tmp_path / "run"), release=ReleaseConfig(must_beat=str(control)))
    job = Job(config)
    history = job.paths.run("student").history
    history.parent.mkdir(parents=True)
    Progress(epoch=4, best_score=ours, best_epoch=4).write_history(history)
    return job


def test_a_student_that_beats_its_control_may_be_released(tmp_path: Path) -> None:
    job = _job(tmp_path, ours=0.66, theirs=0.65)
    check_must_beat(job.paths.run("student").history, job.config.release.must_beat)


@pytest.mark.parametrize("ours", [0.65, 0.64])
def test_a_student_that_does_not_beat_its_control_is_refused(tmp_path: Path, ours: float) -> None:
    job = _job(tmp_path, ours=ours, theirs=0.65)
    with pytest.raises(SystemExit, match="release refused"):
        check_must_beat(job.paths.run("student").history, job.config.release.must_beat)
