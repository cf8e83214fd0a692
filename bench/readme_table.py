"""Render the README's Performance table from a results JSON: `python -m bench.readme_table RESULTS.json`.

Prints Markdown (summary tables, targets, plot links relative to the repository root) to paste
under README.md's `## Performance` section.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT
from bench.report import markdown_table, summary_markdown

MET = {True: "met", False: "**missed**", None: "not measured"}


def render(results: dict[str, Any], results_path: Path) -> str:
    folder = results_path.parent.resolve()
    try:
        link_folder = folder.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        link_folder = folder.as_posix()
    machine = results["machine"]
    lines = [
        f"Measured {results['created']} with `make bench` ({results['mode']} mode, {results['duration_s']} s) on "
        f"{machine['cpu_model']}, {machine['cores']} cores, Python {machine['python']}, onnxruntime "
        f"{machine['versions']['onnxruntime']}, torch {machine['versions']['torch']}; training running: "
        f"{machine['training_running']}. Full report: [`{link_folder}/{results['stamp']}.md`]"
        f"({link_folder}/{results['stamp']}.md).",
        "",
        summary_markdown(results),
        markdown_table(["target (issue 5)", "result", "figure"],
                       [[t["target"], MET[t["met"]], t["figure"]] for t in results["targets"]]),
        "",
    ]
    lines += [f"![{name}]({link_folder}/{name})" for name in results.get("plots", [])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme_table", description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="bench/results/<date>.json")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    sys.stdout.write(render(results, args.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
