"""checkov, a policy scanner, on the translated stack (every documented parameter set): no failed
check, and every suppression is declared in template.yaml's Metadata with its reason, and used.

checkov pins versions (boto3, packaging, networkx) that conflict with the project's, so it lives in
its own virtualenv: `make install-dev` creates `$(VENV)/checkov` from constraints-checkov.txt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.template.stack import parameter_sets, sam_template, translate


def checkov_binary() -> Path:
    candidates = [os.environ.get("CHECKOV"), str(Path(sys.prefix) / "checkov" / "bin" / "checkov"),
                  shutil.which("checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.skip("checkov not found: `make install-dev` installs it into $(VENV)/checkov (or set CHECKOV)")


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    binary = checkov_binary()
    folder = tmp_path_factory.mktemp("translated")
    for index, params in enumerate(parameter_sets().values()):
        # Suppressions written on a SAM resource travel to the resources generated from it.
        (folder / f"stack-{index}.json").write_text(json.dumps(translate(params, passthrough_metadata=True)))
    run = subprocess.run(
        [str(binary), "--directory", str(folder), "--framework", "cloudformation", "--output", "json",
         "--skip-download"],  # offline: no rule or guideline updates from the vendor's API
        capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    assert run.stdout.strip(), run.stderr[-3000:]
    report: dict[str, Any] = json.loads(run.stdout)
    return report


def declared_suppressions() -> dict[tuple[str, str], str]:
    found = {}
    for name, resource in sam_template()["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            found[(name, skip["id"])] = skip.get("comment", "")
    return found


def test_no_failed_checks(scan: dict[str, Any]) -> None:
    summary, results = scan["summary"], scan["results"]
    assert summary["parsing_errors"] == 0 and summary["resource_count"] > 50, summary
    failed = [f"{c['check_id']} {c['check_name']} on {c['resource']} ({Path(c['file_path']).name})"
              for c in results["failed_checks"]]
    assert not failed, "\n".join(failed)
    assert summary["passed"] > 0


def test_every_suppression_is_justified_in_place_and_used(scan: dict[str, Any]) -> None:
    declared = declared_suppressions()
    assert declared
    for (name, check), comment in declared.items():
        assert len(comment.split()) >= 5, f"{name} suppresses {check} without a reason"
    skipped = scan["results"]["skipped_checks"]
    used = {(c["resource"].split(".", 1)[1], c["check_id"]) for c in skipped}
    for name, check in declared:
        # On the SAM resource itself or on one SAM generated from it (ApiFunctionRole, EmotionApiStage...).
        assert any(resource.startswith(name) and used_check == check for resource, used_check in used), (
            f"{name}: the suppression of {check} matches nothing; remove it")
    assert all(c["check_result"].get("suppress_comment") for c in skipped)
