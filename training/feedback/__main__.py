"""The feedback loop's commands (docs/feedback.md):

    python -m training.feedback export --out feedback.jsonl (--sqlite PATH | --table NAME) [--since DATE]
    python -m training.feedback demo-set --out requests.jsonl     # corrections to run the loop on
    python -m training.feedback send requests.jsonl --api URL --key KEY

`export` writes the corrections that may be trained on (the person consented to keeping the text)
as the dataset `data.feedback.path` reads; the others are counted, never written.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

from training.feedback.exporting import export, send

log = logging.getLogger("training")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.feedback", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="the feedback store -> a training dataset (JSONL)")
    out.add_argument("--out", type=Path, required=True)
    source = out.add_mutually_exclusive_group(required=True)
    source.add_argument("--sqlite", type=Path, help="a local server's FEEDBACK_SQLITE_PATH")
    source.add_argument("--table", help="the stack's FeedbackTable (AWS credentials from the environment)")
    out.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    out.add_argument("--since", default=None, help="only feedback from this day on (YYYY-MM-DD)")
    demo = commands.add_parser("demo-set", help="corrections of the released model's mistakes on CARER texts")
    demo.add_argument("--out", type=Path, required=True)
    demo.add_argument("--bundle", type=Path, default=Path("layers/model"))
    demo.add_argument("--carer", type=Path, default=Path("../shared/data/carer/train.txt"))
    demo.add_argument("--count", type=int, default=600)
    demo.add_argument("--sample", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=7)
    post = commands.add_parser("send", help="POST each line of a requests file to /v1/feedback")
    post.add_argument("requests", type=Path)
    post.add_argument("--api", required=True, help="base URL, e.g. http://127.0.0.1:8000")
    post.add_argument("--key", default=os.environ.get("API_KEY"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.command == "export":
        counts = export(args.out, sqlite=args.sqlite, table=args.table, endpoint_url=args.endpoint_url,
                        since=args.since)
    elif args.command == "demo-set":
        from training.feedback.demo_set import corrections, write_jsonl

        rows = corrections(args.bundle, args.carer, count=args.count, sample=args.sample, seed=args.seed)
        write_jsonl(rows, args.out)
        counts = {"requests": len(rows)}
    else:
        counts = send(args.requests, args.api, args.key)
    log.info("%s", json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
