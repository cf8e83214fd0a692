"""python -m training.labelset {check,build} FILE.yaml [--set key=value ...]

`check` validates a label set; `build` makes its model bundle (docs/labelsets.md)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from training.config import parse_overrides
from training.labelset.spec import LabelSetError, load_labelset

log = logging.getLogger("training")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.labelset", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", choices=["check", "build"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a build setting, e.g. --set student_epochs=2 (value parsed as JSON)")
    args = parser.parse_args(argv)
    try:
        labelset = load_labelset(args.file)
    except LabelSetError as err:
        sys.stderr.write(f"label set refused: {err}\n")
        return 2
    if args.command == "check":
        sys.stderr.write(f"{args.file}: label set {labelset.name!r} is valid ({len(labelset.labels)} labels, "
                         f"{len(labelset.examples())} examples)\n")
        return 0
    from training.labelset.build import build
    from training.labelset.settings import build_settings

    settings = build_settings({**labelset.build, **parse_overrides(args.set)})
    result = build(labelset, settings)
    log.info("labelset %s: bundle %s", labelset.name, result.paths.bundle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
