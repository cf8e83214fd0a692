"""Derived figures (ratios, issue 5's targets) and the Markdown report / summary table."""

from __future__ import annotations

from typing import Any

from bench.configs import BUNDLE, NAMES, PREVIOUS, STUDENT, TEACHER

SEED_RPS = 44.7
HEADS = ("fine", "ekman", "sentiment")


def _get(row: dict[str, Any] | None, *path: str) -> Any:
    node: Any = row
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def f1(row: dict[str, Any], head: str) -> float | None:
    value = _get(row, "accuracy", f"macro_f1_{head}")
    return value if value is not None else _get(row, "reported_accuracy", f"macro_f1_{head}")


def _delta(a: float | None, b: float | None) -> float | None:
    return round(a - b, 4) if a is not None and b is not None else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def ratios(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every measured row against the teacher fp32, the student fp32 and the previous bundle's rows."""
    out: dict[str, Any] = {}
    for ref in (TEACHER, STUDENT, PREVIOUS):
        base = rows.get(ref)
        if not base or base.get("status") != "measured":
            continue
        per_row = {}
        for key, row in rows.items():
            if row.get("status") != "measured":
                continue
            deltas = {f"macro_f1_{h}_delta": _delta(f1(row, h), f1(base, h)) for h in HEADS}
            per_row[key] = {
                "latency_b1_p50_speedup": _ratio(_get(base, "latency_b1", "p50_ms"), _get(row, "latency_b1", "p50_ms")),
                "latency_b1_p99_speedup": _ratio(_get(base, "latency_b1", "p99_ms"), _get(row, "latency_b1", "p99_ms")),
                "throughput_b32_ratio": _ratio(_get(row, "throughput", "32", "texts_per_s"),
                                               _get(base, "throughput", "32", "texts_per_s")),
                "throughput_b64_ratio": _ratio(_get(row, "throughput", "64", "texts_per_s"),
                                               _get(base, "throughput", "64", "texts_per_s")),
                "size_reduction": _ratio(row_size(base), row_size(row)),
                "peak_rss_reduction": _ratio(base.get("peak_rss_mb"), row.get("peak_rss_mb")),
                **deltas,
            }
        out[f"vs_{ref}"] = per_row
    return out


def row_size(row: dict[str, Any]) -> float | None:
    value = row.get("size_mb")
    return float(value) if value is not None else None


def _target(name: str, met: bool | None, figure: str, detail: str = "") -> dict[str, Any]:
    return {"target": name, "met": met, "figure": figure, "detail": detail}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = results["models"]["rows"]
    vs_teacher = _get(results["models"], "ratios", f"vs_{TEACHER}", BUNDLE) or {}
    vs_student = _get(results["models"], "ratios", f"vs_{STUDENT}", BUNDLE) or {}
    out = []
    speed = vs_teacher.get("latency_b1_p50_speedup")
    out.append(_target("int8 vs teacher fp32: ≥ 20× lower p50 latency at batch 1", None if speed is None
                       else speed >= 20, f"{speed}×" if speed is not None else "not measured"))
    through = vs_teacher.get("throughput_b32_ratio")
    out.append(_target("int8 vs teacher fp32: ≥ 10× throughput at batch 32", None if through is None
                       else through >= 10, f"{through}×" if through is not None else "not measured"))
    teacher_f1, bundle_f1 = f1(rows.get(TEACHER, {}), "fine"), f1(rows.get(BUNDLE, {}), "fine")
    drop = round(teacher_f1 - bundle_f1, 4) if teacher_f1 is not None and bundle_f1 is not None else None
    source = _get(rows, TEACHER, "accuracy_from") or ""
    out.append(_target("int8 vs teacher fp32: ≤ 0.03 lower 28-label macro-F1", None if drop is None else drop <= 0.03,
                       f"{drop:+.4f} lower ({teacher_f1} → {bundle_f1})" if drop is not None else "not measured",
                       f"teacher F1 from: {source}" if source else ""))
    student_speed = vs_student.get("latency_b1_p50_speedup")
    out.append(_target("int8 vs student PyTorch fp32: ≥ 2× faster at batch 1", None if student_speed is None
                       else student_speed >= 2, f"{student_speed}×" if student_speed is not None else "not measured"))
    vs_previous = _get(results["models"], "ratios", f"vs_{PREVIOUS}", BUNDLE) or {}
    previous_speed = vs_previous.get("latency_b1_p50_speedup")
    # Model 2.0's target: batch-1 latency at most 1.2x the release it replaced (speedup >= 1/1.2).
    out.append(_target("int8 vs previous int8 bundle: batch-1 p50 latency ≤ 1.2×", None if previous_speed is None
                       else previous_speed >= 1 / 1.2,
                       f"{round(1 / previous_speed, 2)}× its latency" if previous_speed else "not measured"))
    cold = _get(results, "serving", "cold_start", "median_s")
    out.append(_target("cold start ≤ 1.5 s median", None if cold is None else cold <= 1.5,
                       f"{cold} s" if cold is not None else "not measured"))
    foot = _get(results, "serving", "footprint") or {}
    total = foot.get("total_mb")
    out.append(_target("runtime footprint fits Lambda's 250 MB (unzipped) zip limit",
                       None if total is None else bool(foot.get("fits_zip_limit")),
                       f"{total} MB ({foot.get('zip_total_mb')} MB without the runtime-provided boto3/botocore)"
                       if total is not None else "not measured"))
    levels = _get(results, "serving", "http", "levels") or []
    if levels:
        errors = sum(level["errors"] for level in levels)
        passing = [lv for lv in levels if (lv["rps"] or 0) >= 10 * SEED_RPS and (lv["p99_ms"] or 1e9) < 50]
        best = max(passing or levels, key=lambda lv: lv["rps"] or 0)
        out.append(_target(f"HTTP: ≥ 10× the seed's {SEED_RPS} RPS with p99 < 50 ms and zero errors",
                           bool(passing) and errors == 0,
                           f"{best['rps']} RPS, p99 {best['p99_ms']} ms at concurrency {best['concurrency']}; "
                           f"{errors} errors over all levels"))
    else:
        out.append(_target(f"HTTP: ≥ 10× the seed's {SEED_RPS} RPS with p99 < 50 ms and zero errors", None,
                           "not measured"))
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def summary_rows(results: dict[str, Any]) -> list[list[str]]:
    vs_teacher = _get(results["models"], "ratios", f"vs_{TEACHER}") or {}
    vs_student = _get(results["models"], "ratios", f"vs_{STUDENT}") or {}
    lines = []
    for key, row in results["models"]["rows"].items():
        name = NAMES.get(key, key)
        if row.get("status") != "measured":
            lines.append([name, *(["–"] * 11), f"skipped: {row.get('reason', '')}"])
            continue
        f1s = [_fmt(f1(row, h), 3) + ("*" if _get(row, "accuracy") is None and f1(row, h) is not None else "")
               for h in HEADS]
        lines.append([
            name, *f1s, _fmt(row.get("size_mb")), _fmt(row.get("load_s"), 2),
            _fmt(_get(row, "latency_b1", "p50_ms"), 2), _fmt(_get(row, "latency_b1", "p99_ms"), 2),
            _fmt(_get(row, "throughput", "32", "texts_per_s")), _fmt(_get(row, "throughput", "64", "texts_per_s")),
            _fmt(row.get("peak_rss_mb"), 0),
            f"{_times(_get(vs_teacher, key, 'latency_b1_p50_speedup'))} / "
            f"{_times(_get(vs_student, key, 'latency_b1_p50_speedup'))}",
            _row_note(row, results["data"]["test_texts"]),
        ])
    return lines


def _row_note(row: dict[str, Any], test_texts: int) -> str:
    notes = []
    evaluated = _get(row, "accuracy", "eval_texts")
    if evaluated is not None and evaluated < test_texts:
        notes.append(f"F1 on the first {evaluated} test texts")
    if row.get("reported_accuracy") and not row.get("accuracy"):
        notes.append("timed from base weights; F1 from the training report")
    return "; ".join(notes)


RATIO_COLUMNS = [("latency_b1_p50_speedup", "p50 b1 speed-up"), ("latency_b1_p99_speedup", "p99 b1 speed-up"),
                 ("throughput_b32_ratio", "b32 throughput ×"), ("throughput_b64_ratio", "b64 throughput ×"),
                 ("size_reduction", "size ÷"), ("peak_rss_reduction", "peak RSS ÷"),
                 ("macro_f1_fine_delta", "Δ F1 fine"), ("macro_f1_ekman_delta", "Δ F1 ekman"),
                 ("macro_f1_sentiment_delta", "Δ F1 sentiment")]


def ratios_markdown(results: dict[str, Any]) -> str:
    rows = []
    for ref, per_row in (results["models"].get("ratios") or {}).items():
        for key, values in per_row.items():
            if key == ref.removeprefix("vs_"):
                continue
            rows.append([f"{NAMES.get(key, key)} vs {NAMES.get(ref.removeprefix('vs_'), ref)}",
                         *[_fmt(values.get(name), 4 if "delta" in name else 2) for name, _ in RATIO_COLUMNS]])
    if not rows:
        return "No reference row (teacher or student PyTorch) was measured."
    return markdown_table(["row vs reference", *[label for _, label in RATIO_COLUMNS]], rows)


SUMMARY_HEADER = ["configuration", "F1 fine", "F1 ekman", "F1 sentiment", "size MB", "load s", "p50 b1 ms",
                  "p99 b1 ms", "b32 texts/s", "b64 texts/s", "peak RSS MB", "p50 speed-up vs teacher / student",
                  "note"]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_markdown(results: dict[str, Any]) -> str:
    """The summary table (models), serving, bulk and cost in a few lines: what the README carries."""
    settings = results["settings"]
    parts = [markdown_table(SUMMARY_HEADER, summary_rows(results)), ""]
    parts.append(f"Macro-F1 on {results['data']['accuracy_scope']}; `*` = taken from the training report, not "
                 f"measured here. Timing: {settings['threads']} thread(s) per configuration, batch-1 latency over "
                 f"single test texts, throughput over consecutive test-split batches.")
    serving = results.get("serving") or {}
    cold, foot, http = serving.get("cold_start") or {}, serving.get("footprint") or {}, serving.get("http") or {}
    if cold.get("status") == "measured":
        parts.append(f"\nCold start (fresh process, runtime deps only, first API event answered): median "
                     f"{cold['median_s']} s over {cold['runs']} runs; warm handler p50 "
                     f"{_get(cold, 'warm_handler', 'p50_ms')} ms. Footprint: {foot.get('total_mb')} MB installed "
                     f"(runtime packages {foot.get('packages_mb')} MB + bundle {foot.get('bundle_mb')} MB) vs "
                     f"Lambda's 250 MB zip / 10 GB image limits.")
    if http.get("status") == "measured":
        rows = [[str(lv["concurrency"]), _fmt(lv["rps"]), _fmt(lv["mean_ms"]), _fmt(lv["p50_ms"]),
                 _fmt(lv["p95_ms"]), _fmt(lv["p99_ms"]), str(lv["errors"]), str(lv["requests"])]
                for lv in http["levels"]]
        seed = serving["seed_http"]
        rows.append(["seed (published)", _fmt(seed["rps"]), _fmt(seed["mean_ms"]), _fmt(seed["p50_ms"]), "–",
                     _fmt(seed["p99_ms"]), str(seed["errors"]), str(seed["requests"])])
        parts += ["", markdown_table(["HTTP concurrency", "req/s", "mean ms", "p50 ms", "p95 ms", "p99 ms", "errors",
                                      "requests"], rows)]
    bulk = results.get("bulk") or {}
    cost = results.get("cost") or {}
    if bulk.get("status") == "measured":
        bulk_cost = {c["chunk_size"]: c["usd_per_million_texts"] for c in cost.get("bulk", [])}
        rows = [[str(r["chunk_size"]), str(r["processed"]), _fmt(r["texts_per_s"]), _fmt(r["handler_texts_per_s"]),
                 _fmt(r["handler_ms_per_text"], 2), _fmt(bulk_cost.get(r["chunk_size"]), 2)] for r in bulk["rows"]]
        parts += ["", markdown_table(["bulk chunk size", "texts", "texts/s end to end", "texts/s in handler",
                                      "handler ms/text", "$ per 1M texts"], rows)]
    api = cost.get("api") or {}
    if api.get("usd_per_million_texts") is not None:
        prices = cost["prices"]
        parts.append(f"\nAPI cost: ${api['usd_per_million_texts']:.2f} per million single-text requests "
                     f"({api['mean_ms_per_request']} ms mean warm handler time, {cost['memory_mb']} MB = 1 vCPU, "
                     f"${prices['usd_per_gb_second']}/GB-s + ${prices['usd_per_million_requests']}/1M requests, "
                     f"{prices['region']} x86 list price as of {prices['as_of']}; Lambda compute only).")
    return "\n".join(parts) + "\n"


def _training_f1(row: dict[str, Any]) -> str:
    found = row.get("training_eval_f1")
    if not found:
        return ""
    figures = ", ".join(f"{k.removeprefix('macro_f1_')} {v}" for k, v in found["figures"].items())
    return f"; the training job's own test evaluation ({found['source']}): macro-F1 {figures}"


def report_markdown(results: dict[str, Any], plots: list[str]) -> str:
    machine, settings = results["machine"], results["settings"]
    lines = [f"# Benchmark {results['stamp']} ({results['mode']} mode)", ""]
    if results["mode"] == "quick":
        lines += ["**Quick mode: tiny inputs that prove the harness works. These figures say nothing about the "
                  "service.**", ""]
    lines += [
        f"- command: `{results['command']}`; {results['duration_s']} s",
        f"- machine: {machine['cpu_model']}, {machine['cores']} cores (cgroup quota {machine['cgroup_cpu_quota']}), "
        f"{machine['memory_total_mb']} MB RAM, Python {machine['python']}, onnxruntime "
        f"{machine['versions']['onnxruntime']}, torch {machine['versions']['torch']}",
        f"- training running during the run: {machine['training_running']} (load average at start "
        f"{machine['load_average_1m_at_start']})",
        f"- threads: {settings['threads']} per configuration for every timed figure (torch intra-op, onnxruntime "
        f"intra-op; inter-op 1); accuracy passes used {settings['accuracy_threads']}",
        f"- data: {results['data']['source']}; accuracy on {results['data']['accuracy_scope']}",
        "",
        "## Summary",
        "",
        summary_markdown(results),
        "## Targets (issue 5)",
        "",
        markdown_table(["target", "met", "figure", "detail"],
                       [[t["target"], {True: "met", False: "**missed**", None: "not measured"}[t["met"]],
                         t["figure"], t["detail"]] for t in results["targets"]]),
        "",
        "## Model configurations",
        "",
    ]
    for key, row in results["models"]["rows"].items():
        lines.append(f"- **{NAMES.get(key, key)}**: " + (
            f"{row.get('source')}; accuracy {row.get('accuracy_from')}; thresholds "
            f"{_get(row, 'accuracy', 'thresholds_source') or '–'}; evaluated texts "
            f"{_get(row, 'accuracy', 'eval_texts') or '–'}" + _training_f1(row) if row.get("status") == "measured"
            else f"skipped — {row.get('reason')}"))
    released = _get(results["models"]["rows"], BUNDLE, "released_with")
    if released:
        lines.append("- the bundle's model.json records test macro-F1 " + ", ".join(
            f"{k.removeprefix('macro_f1_')} {v}" for k, v in released.items()) + " from the training job")
    lines += ["", f"Timing: {results['models'].get('timing')}. Peak RSS: {results['models'].get('peak_rss')}."]
    lines += ["", "### Ratios", "", ratios_markdown(results), "",
              "### Per configuration", "",
              markdown_table(["configuration", "import s", "load s", "mean b1 ms", "b32 batches", "b64 batches",
                              "accuracy pass s", "accuracy threads"],
                             [[NAMES.get(k, k), _fmt(r.get("import_s"), 2), _fmt(r.get("load_s"), 2),
                               _fmt(_get(r, "latency_b1", "mean_ms"), 2),
                               _fmt(_get(r, "throughput", "32", "batches")),
                               _fmt(_get(r, "throughput", "64", "batches")),
                               _fmt(_get(r, "accuracy", "eval_s")), _fmt(_get(r, "accuracy", "threads"))]
                              for k, r in results["models"]["rows"].items() if r.get("status") == "measured"])]
    lines += ["", "## Plots", ""] + [f"![{name}]({name})" for name in plots]
    lines += ["", "## Cost assumptions", "", f"- {results['cost']['prices']['note']}",
              f"- excluded: {results['cost']['excludes']}", ""]
    return "\n".join(lines)
