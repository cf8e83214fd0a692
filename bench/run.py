"""`python -m bench [--quick]`: every section in one run, then JSON + Markdown + PNG plots + a summary.

Sections: models (four configurations, each in its own process), serving (footprint, cold
start, HTTP load), bulk (moto), cost (derived). Every loop is bounded by a count and a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, Bound, machine_info, run_child, write_json
from bench.configs import Training, plan
from bench.cost import cost_section
from bench.data import eval_set

log = logging.getLogger("bench")
SECTIONS = ("models", "serving", "bulk")


@dataclass(frozen=True)
class Budget:
    test_limit: int | None
    dev_limit: int | None
    eval_seconds: float
    dev_seconds: float
    latency: Bound
    throughput: Bound
    model_timeout: float
    coldstart_runs: int
    warm_events: int
    warm_seconds: float
    http_levels: tuple[int, ...]
    http: Bound
    bulk_chunk_sizes: tuple[int, ...]
    bulk_items: int
    bulk_seconds: float


FULL = Budget(test_limit=None, dev_limit=None, eval_seconds=300, dev_seconds=120, latency=Bound(300, 20),
              throughput=Bound(40, 10), model_timeout=900, coldstart_runs=5, warm_events=300, warm_seconds=15,
              http_levels=(1, 8, 32), http=Bound(4000, 15), bulk_chunk_sizes=(50, 200, 500), bulk_items=2000,
              bulk_seconds=120)
QUICK = Budget(test_limit=40, dev_limit=40, eval_seconds=20, dev_seconds=20, latency=Bound(10, 2),
               throughput=Bound(2, 2), model_timeout=240, coldstart_runs=2, warm_events=5, warm_seconds=2,
               http_levels=(1, 4), http=Bound(20, 3), bulk_chunk_sizes=(10, 25), bulk_items=50, bulk_seconds=30)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny inputs: proves the harness, not the service")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results", help="results folder")
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "training" / "configs" / "goemotions.yaml",
                        help="training config: where the checkpoints, export, report and bundle are")
    parser.add_argument("--bundle", type=Path, default=None, help="bundle folder (default: the config's release dir)")
    parser.add_argument("--data", type=Path, default=None, help="GoEmotions folder (default: the config's data.path)")
    parser.add_argument("--previous-bundle", type=Path, default=REPO_ROOT / "training" / "output" / "bundle-1.0.0",
                        help="the bundle the released one replaced, measured beside it (skipped when absent)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for every timed figure, the same for all configurations (1 = one Lambda vCPU)")
    parser.add_argument("--accuracy-threads", type=int, default=os.cpu_count() or 1,
                        help="threads for the (untimed) accuracy passes")
    # One worker: with `uvicorn --workers 2` every keep-alive request after the first stalled
    # ~40 ms here (Nagle + delayed ACK on the workers' sockets); measured 19 vs 173 req/s at
    # concurrency 1 (bench/results/2026-11-22*.md).
    parser.add_argument("--http-workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--stamp", default=None, help="file name stem (default: the UTC date, + '-quick')")
    return parser.parse_args(argv)


def resolve_bundle(args: argparse.Namespace, training: Training, work: Path) -> tuple[Path, str]:
    bundle = args.bundle or training.bundle_dir
    if bundle is not None and (bundle / "model.json").is_file():
        return bundle, f"released bundle {bundle}"
    if not args.quick:
        raise SystemExit(f"bench: no model bundle at {bundle} (model.json missing). Run the training job first "
                         "(python -m training.job --config training/configs/goemotions.yaml), pass --bundle, "
                         "or use --quick, which builds a tiny stand-in bundle.")
    from devtools.tiny_bundle import build_tiny_bundle

    tiny = build_tiny_bundle(work / "tiny_bundle", max_length=64)
    return tiny, f"tiny stand-in bundle (devtools/tiny_bundle.py; no bundle at {bundle})"


def models_section(training: Training, bundle: Path, work: Path, data_file: Path, heads: dict[str, list[str]],
                   args: argparse.Namespace, budget: Budget) -> dict[str, Any]:
    base = {"eval_file": str(data_file), "threads": args.threads, "accuracy_threads": args.accuracy_threads,
            "latency_bound": [budget.latency.count, budget.latency.seconds],
            "throughput_bound": [budget.throughput.count, budget.throughput.seconds], "batch_sizes": [32, 64],
            "eval_seconds": budget.eval_seconds, "dev_seconds": budget.dev_seconds,
            "head_sizes": {h: len(labels) for h, labels in heads.items()}}
    rows: dict[str, Any] = {}
    eval_limit: int | None = None
    previous = None if args.quick else args.previous_bundle
    for row in plan(training, bundle, quick=args.quick, base=base, previous_bundle=previous):
        if row.spec is None:
            rows[row.key] = {"status": "skipped", "reason": row.reason}
            log.info("models: %s skipped (%s)", row.key, row.reason)
            continue
        log.info("models: measuring %s", row.key)
        started = time.perf_counter()
        spec = {**row.spec, "eval_limit": eval_limit}
        result = run_child("bench.model_worker", spec, work, timeout=budget.model_timeout, threads=args.threads)
        accuracy = result.get("accuracy") or {}
        if accuracy and not accuracy.get("eval_complete"):
            eval_limit = accuracy["eval_texts"]
            log.info("models: %s ran out of accuracy time; later rows use the same first %d texts", row.key,
                     eval_limit)
        result["wall_s"] = round(time.perf_counter() - started, 1)
        rows[row.key] = {**row.facts, **result}
        if row.facts.get("reported_accuracy") and "accuracy" not in result:
            rows[row.key]["reported_accuracy"] = row.facts["reported_accuracy"]
        log.info("models: %s %s in %.0f s", row.key, result.get("status"), result["wall_s"])
    from bench.report import ratios

    return {"rows": rows, "ratios": ratios(rows),
            "timing": ("batch-1 latency: one call per single test text (tokenize + model; the bundle row runs "
                       "emotion_core's whole served path incl. post-processing); throughput: consecutive test-split "
                       "batches of 32 / 64 texts in split order"),
            "peak_rss": ("ru_maxrss of the configuration's own process over its whole measurement (imports, load, "
                         "timing, accuracy pass at batch 64)"),
            "bounds": {"latency": asdict(budget.latency), "throughput": asdict(budget.throughput),
                       "accuracy_seconds": {"test": budget.eval_seconds, "dev": budget.dev_seconds}}}


def _accuracy_scope(data: dict[str, Any]) -> str:
    texts = data["test"]["texts"]
    if data["source"].startswith("synthetic"):
        return f"all {len(texts)} synthetic texts"
    if len(texts) == data["test_size"]:
        return f"the full test split ({len(texts)} texts)"
    return f"the first {len(texts)} of {data['test_size']} test texts"


UNITS = {"*_ms": "milliseconds", "*_s": "seconds", "*_mb": "MiB (1024² bytes)", "texts_per_s": "texts/second",
         "rps": "requests/second", "macro_f1_*": "macro-averaged F1, 0-1", "usd_per_million_texts": "USD",
         "*_speedup / *_ratio / *_reduction": "dimensionless (reference / row, or row / reference)"}


def _header(args: argparse.Namespace, argv: list[str] | None, stamp: str, started_at: dt.datetime,
            bundle: Path, bundle_source: str, budget: Budget, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": 1, "stamp": stamp, "mode": "quick" if args.quick else "full",
        "created": started_at.isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_info(),
        "settings": {"threads": args.threads, "accuracy_threads": args.accuracy_threads,
                     "http_workers": args.http_workers, "bundle": str(bundle), "bundle_source": bundle_source,
                     "training_config": str(args.config), "budget": asdict(budget)},
        "data": {"source": data["source"], "test_texts": len(data["test"]["texts"]), "test_size": data["test_size"],
                 "accuracy_scope": _accuracy_scope(data)},
        "units": UNITS,
    }


def _measure(results: dict[str, Any], sections: list[str], training: Training, bundle: Path, work: Path,
             data_file: Path, data: dict[str, Any], args: argparse.Namespace, budget: Budget) -> None:
    texts: list[str] = data["test"]["texts"]
    results["models"] = (models_section(training, bundle, work, data_file, data["heads"], args, budget)
                         if "models" in sections else {"rows": {}, "ratios": {}})
    if "serving" in sections:
        from bench.serving import serving_section

        log.info("serving: footprint, cold start, HTTP")
        results["serving"] = serving_section(
            bundle, work, texts, quick=args.quick, threads=args.threads, http_workers=args.http_workers,
            levels=list(budget.http_levels), http_bound=budget.http, coldstart_runs=budget.coldstart_runs,
            warm_events=budget.warm_events, warm_seconds=budget.warm_seconds)
    if "bulk" in sections:
        from bench.bulk import bulk_section

        log.info("bulk: moto server + bulk handler")
        results["bulk"] = bulk_section(bundle, work, texts, chunk_sizes=list(budget.bulk_chunk_sizes),
                                       items=budget.bulk_items, seconds=budget.bulk_seconds, threads=args.threads)
    warm = (results.get("serving") or {}).get("cold_start", {}).get("warm_handler_s") or []
    results["cost"] = cost_section(warm, (results.get("bulk") or {}).get("rows") or [])


def _write(results: dict[str, Any], out: Path, stamp: str, started: float) -> None:
    from bench.plots import write_plots
    from bench.report import report_markdown, summary_markdown, targets

    results["targets"] = targets(results)
    results["machine"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    results["machine"]["training_running_at_end"] = bool(machine_info()["training_running"])
    results["duration_s"] = round(time.perf_counter() - started, 1)
    plots = write_plots(results, out, stamp)
    results["plots"] = plots
    write_json(out / f"{stamp}.json", results)
    (out / f"{stamp}.md").write_text(report_markdown(results, plots))
    sys.stdout.write(summary_markdown(results))
    sys.stdout.write("\nTargets:\n" + "".join(
        f"  [{ {True: 'met', False: 'MISSED', None: 'n/a'}[t['met']] }] {t['target']}: {t['figure']}\n"
        for t in results["targets"]))
    sys.stdout.write(f"\nwrote {out / (stamp + '.json')}, {out / (stamp + '.md')} and {len(plots)} plots "
                     f"in {results['duration_s']} s\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpcore", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    budget = QUICK if args.quick else FULL
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"bench: unknown sections {sorted(unknown)}; known: {list(SECTIONS)}")
    started_at = dt.datetime.now(dt.UTC)
    stamp = args.stamp or started_at.strftime("%Y-%m-%d") + ("-quick" if args.quick else "")
    out: Path = args.out
    work = out / ".work" / stamp
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()

    training = Training.load(args.config)
    bundle, bundle_source = resolve_bundle(args, training, work)
    from training.config import load_config

    data_path = args.data or (REPO_ROOT / (load_config(args.config).data.path or "../shared/data/goemotions"))
    data = eval_set(data_path, budget.test_limit, budget.dev_limit)
    data_file = work / "eval_set.json"
    data_file.write_text(json.dumps(data))
    results = _header(args, argv, stamp, started_at, bundle, bundle_source, budget, data)
    _measure(results, sections, training, bundle, work, data_file, data, args, budget)
    _write(results, out, stamp, started)
    return 0
