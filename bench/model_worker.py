"""One model configuration, measured in its own process: `python -m bench.model_worker SPEC OUT`.

A fresh process per configuration makes peak RSS (ru_maxrss) that configuration's alone.
Timing runs with the pinned thread count; the accuracy pass may use more threads (it is not
a timed figure) and reads the texts in their split order, grouped by length in blocks.
"""

from __future__ import annotations

import gc
import json
import logging
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.backends import import_backend
from bench.common import MB, Bound, percentiles_ms, timed_loop

log = logging.getLogger("bench.model_worker")
BLOCK = 256  # texts per length-sorted block of the accuracy pass (and the time check's granularity)


def multi_hot(rows: list[list[int]], width: int) -> np.ndarray:
    out = np.zeros((len(rows), width), dtype=np.float32)
    for i, row in enumerate(rows):
        out[i, row] = 1.0
    return out


def score_split(backend: Any, texts: list[str], batch: int, seconds: float) -> tuple[dict[str, np.ndarray], int]:
    """Per-head probabilities for a prefix of `texts` (all of them unless `seconds` runs out)."""
    parts: dict[str, list[np.ndarray]] = {}
    done = 0
    started = time.perf_counter()
    for start in range(0, len(texts), BLOCK):
        if done and time.perf_counter() - started > seconds:
            break
        block = texts[start:start + BLOCK]
        order = np.argsort(backend.lengths(block), kind="stable")
        block_probs: dict[str, np.ndarray] = {}
        for first in range(0, len(block), batch):
            index = order[first:first + batch]
            probs = backend.probabilities([block[i] for i in index])
            for name, values in probs.items():
                block_probs.setdefault(name, np.zeros((len(block), values.shape[1])))[index] = values
        for name, values in block_probs.items():
            parts.setdefault(name, []).append(values)
        done += len(block)
    return {name: np.concatenate(values) for name, values in parts.items()}, done


def accuracy(backend: Any, spec: dict[str, Any], eval_set: dict[str, Any]) -> dict[str, Any]:
    from training.metrics import multilabel_report, tune_thresholds

    heads: dict[str, list[str]] = eval_set["heads"]
    test = eval_set["test"]
    limit = spec.get("eval_limit")  # set when an earlier row ran out of time: all rows judge the same texts
    if limit is not None:
        test = {"texts": test["texts"][:limit], "gold": {h: rows[:limit] for h, rows in test["gold"].items()}}
    seconds = float(spec["eval_seconds"])
    started = time.perf_counter()
    probs, n = score_split(backend, test["texts"], 64, seconds)
    source = spec["thresholds_source"]
    thresholds: dict[str, np.ndarray] = {}
    dev_n = 0
    if spec["kind"] == "bundle":
        shipped = backend.thresholds()
        thresholds = {h: np.array([shipped[h][label] for label in labels]) for h, labels in heads.items()}
        # The bundle may order labels differently from the dataset: align its scores by name.
        order = {h: [backend.classifier.heads[h].index(label) for label in labels] for h, labels in heads.items()}
        probs = {h: probs[h][:, order[h]] for h in heads}
    elif spec.get("thresholds"):
        thresholds = {h: np.asarray(spec["thresholds"][h], dtype=np.float64) for h in heads}
    else:
        dev = eval_set["dev"]
        dev_probs, dev_n = score_split(backend, dev["texts"], 64, float(spec["dev_seconds"]))
        thresholds = {h: tune_thresholds(multi_hot(dev["gold"][h][:dev_n], len(labels)), dev_probs[h])
                      for h, labels in heads.items()}
        source = f"tuned on the first {dev_n} dev texts in this run"
    result: dict[str, Any] = {"eval_texts": n, "eval_complete": n == len(test["texts"]),
                              "thresholds_source": source, "eval_s": round(time.perf_counter() - started, 2)}
    if dev_n:
        result["dev_texts"] = dev_n
    for h, labels in heads.items():
        report = multilabel_report(multi_hot(test["gold"][h][:n], len(labels)), probs[h], thresholds[h], labels)
        result[f"macro_f1_{h}"] = report["macro_f1"]
        result[f"micro_f1_{h}"] = report["micro_f1"]
    return result


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    eval_set = json.loads(Path(spec["eval_file"]).read_text())
    texts: list[str] = eval_set["test"]["texts"]
    threads = int(spec["threads"])
    started = time.perf_counter()
    backend_class = import_backend(spec["kind"])
    imported = time.perf_counter()
    backend = backend_class(spec, threads)
    load_s = time.perf_counter() - imported
    result: dict[str, Any] = {"status": "measured", "import_s": round(imported - started, 3),
                              "load_s": round(load_s, 3), "threads": threads}

    latency_bound = Bound(*spec["latency_bound"])
    for text in texts[:5]:  # warm-up: first-call allocations are not a latency figure
        backend.run([text])
    durations, _ = timed_loop(lambda i: backend.run([texts[i % len(texts)]]), latency_bound)
    result["latency_b1"] = percentiles_ms(durations)

    throughput: dict[str, Any] = {}
    for batch in spec["batch_sizes"]:
        def step(i: int, batch: int = batch) -> int:
            start = (i * batch) % max(1, len(texts) - batch + 1)
            return int(backend.run(texts[start:start + batch]))

        step(0)  # warm-up at this batch shape
        durations, done = timed_loop(step, Bound(*spec["throughput_bound"]))
        total = sum(durations)
        throughput[str(batch)] = {"texts_per_s": round(done / total, 2) if total else None,
                                  "batches": len(durations), "texts": done, "seconds": round(total, 3)}
    result["throughput"] = throughput

    if spec.get("evaluate"):
        if spec["accuracy_threads"] != threads:
            backend.set_threads(int(spec["accuracy_threads"]))
            gc.collect()
        result["accuracy"] = accuracy(backend, spec, eval_set)
        result["accuracy"]["threads"] = spec["accuracy_threads"]
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB, 1)
    return result


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    spec_path, out_path = Path(argv[0]), Path(argv[1])
    spec = json.loads(spec_path.read_text())
    result = measure(spec)
    out_path.write_text(json.dumps(result, indent=2))
    log.info("%s measured", spec.get("key"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
