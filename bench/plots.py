"""PNG plots of a results dict (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import NullFormatter, ScalarFormatter

from bench.configs import NAMES
from bench.report import f1


def _measured(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(NAMES.get(k, k), r) for k, r in results["models"]["rows"].items() if r.get("status") == "measured"]


def _bars(ax: Any, labels: list[str], series: dict[str, list[Any]], title: str, ylabel: str, log: bool) -> None:
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(labels))], [v or 0 for v in values], width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))])
    ax.set_xticklabels(labels, rotation=15, ha="right", fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=8)


def models_plot(results: dict[str, Any], path: Path) -> None:
    rows = _measured(results)
    labels = [name for name, _ in rows]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    _bars(axes[0][0], labels, {"p50": [r["latency_b1"]["p50_ms"] for _, r in rows],
                               "p99": [r["latency_b1"]["p99_ms"] for _, r in rows]},
          "Latency at batch 1", "ms (log)", True)
    _bars(axes[0][1], labels, {f"batch {b}": [r["throughput"].get(b, {}).get("texts_per_s") for _, r in rows]
                               for b in ("32", "64")}, "Throughput", "texts/s (log)", True)
    _bars(axes[1][0], labels, {"size on disk": [r.get("size_mb") for _, r in rows],
                               "peak RSS": [r.get("peak_rss_mb") for _, r in rows]}, "Memory", "MB (log)", True)
    _bars(axes[1][1], labels, {h: [f1(r, h) for _, r in rows] for h in ("fine", "ekman", "sentiment")},
          "Macro-F1 (test)", "macro-F1", False)
    fig.suptitle(f"Model configurations, {results['settings']['threads']} thread(s) — {results['stamp']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def tradeoff_plot(results: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 5))
    for index, (name, row) in enumerate(_measured(results)):
        x, y = row["latency_b1"]["p50_ms"], f1(row, "fine")
        if x and y is not None:
            ax.scatter([x], [y], s=max(20.0, (row.get("size_mb") or 1) / 2))
            # Alternate above/below: neighbouring models sit at almost the same F1.
            ax.annotate(f"{name}\n{row.get('size_mb')} MB", (x, y), fontsize=8,
                        xytext=(5, 8 if index % 2 else -24), textcoords="offset points")
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.margins(x=0.25, y=0.15)
    ax.set_xlabel("p50 latency at batch 1, ms (log)")
    ax.set_ylabel("28-label macro-F1")
    ax.set_title("Accuracy vs speed (marker area ~ size on disk)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def serving_plot(results: dict[str, Any], path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    http = results.get("serving", {}).get("http", {})
    levels = http.get("levels") or []
    seed = results.get("serving", {}).get("seed_http", {})
    if levels:
        conc = [lv["concurrency"] for lv in levels]
        axes[0].plot(conc, [lv["rps"] for lv in levels], marker="o", label="req/s (this service)")
        if seed:
            axes[0].axhline(seed["rps"], color="grey", linestyle="--", label=f"seed {seed['rps']} req/s")
        axes[0].set_xscale("log", base=2)
        axes[0].set_xticks(conc)
        axes[0].set_xticklabels([str(c) for c in conc])
        axes[0].set_ylim(bottom=0)
        axes[0].set_xlabel("concurrent clients")
        axes[0].set_ylabel("requests/s")
        twin = axes[0].twinx()
        twin.plot(conc, [lv["p99_ms"] for lv in levels], marker="s", color="tab:red", label="p99 ms")
        twin.set_ylabel("p99 ms")
        axes[0].legend(loc="upper left", fontsize=8)
        twin.legend(loc="lower right", fontsize=8)
    axes[0].set_title("HTTP load test (local uvicorn)")
    bulk = results.get("bulk", {}).get("rows") or []
    if bulk:
        positions = list(range(len(bulk)))
        axes[1].bar(positions, [r["texts_per_s"] or 0 for r in bulk], label="end to end (moto)")
        axes[1].plot(positions, [r["handler_texts_per_s"] or 0 for r in bulk], marker="o", color="black",
                     label="inside the handler")
        axes[1].set_xticks(positions)
        axes[1].set_xticklabels([str(r["chunk_size"]) for r in bulk])
        axes[1].set_xlabel("chunk size (texts per message)")
        axes[1].set_ylabel("texts/s")
        axes[1].legend(fontsize=8)
    axes[1].set_title("Bulk path")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(results: dict[str, Any], folder: Path, stamp: str) -> list[str]:
    names = []
    for suffix, draw in (("models", models_plot), ("tradeoff", tradeoff_plot), ("serving", serving_plot)):
        name = f"{stamp}-{suffix}.png"
        draw(results, folder / name)
        names.append(name)
    return names
