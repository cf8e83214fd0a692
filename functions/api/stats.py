"""Runtime counters behind GET /v1/internal/metrics, and their EMF twins on Lambda.

The counters are per app, hence per process (one Lambda execution environment, or one uvicorn worker):
they describe this instance, which is what an operator debugging one instance wants.
Fleet-wide numbers are the CloudWatch EMF metrics emitted next to them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from emotion_core import Prediction
from functions.api.observability import metrics

# Percentiles over a bounded window keep memory flat on a long-lived instance.
LATENCY_WINDOW = 2048


class RuntimeStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self._started_monotonic = time.monotonic()
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.emotions: Counter[str] = Counter()
        self.texts = 0
        self.batches = 0
        self.errors = 0
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self._latency_total = 0.0
        self._latency_count = 0
        self._latency_max = 0.0

    def record_status(self, route: str, status: int, *, emit_emf: bool) -> None:
        with self._lock:
            self.requests[route] += 1
            self.statuses[str(status)] += 1
            if status >= 400:
                self.errors += 1
        if emit_emf:
            # Every invocation then has a metric: log_metrics warns on an empty set otherwise.
            metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
            if 400 <= status < 500:
                metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
            elif status >= 500:
                metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)

    def record_inference(
        self,
        predictions: Iterable[Prediction],
        *,
        latency_ms: float,
        batch: bool,
        emit_emf: bool,
    ) -> None:
        emotions = [p.emotion for p in predictions]
        with self._lock:
            self.texts += len(emotions)
            if batch:
                self.batches += 1
            self.emotions.update(emotions)
            self._latencies.append(latency_ms)
            self._latency_total += latency_ms
            self._latency_count += 1
            self._latency_max = max(self._latency_max, latency_ms)
        if emit_emf:
            # Only under Lambda: there the handler's log_metrics flushes once per invocation.
            # Under uvicorn nothing would flush them, and /v1/internal/metrics covers it.
            metrics.add_metric(name="Texts", unit=MetricUnit.Count, value=len(emotions))
            metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
            if batch:
                metrics.add_metric(name="BatchSize", unit=MetricUnit.Count, value=len(emotions))
            for emotion, count in Counter(emotions).items():
                metrics.add_metric(name=f"Emotion_{emotion}", unit=MetricUnit.Count, value=count)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            window = sorted(self._latencies)
            count = self._latency_count
            latency: dict[str, Any] = {
                "count": count,
                "mean_ms": round(self._latency_total / count, 3) if count else None,
                "p50_ms": _percentile(window, 50),
                "p95_ms": _percentile(window, 95),
                "p99_ms": _percentile(window, 99),
                "max_ms": round(self._latency_max, 3) if count else None,
                "window": len(window),
            }
            return {
                "uptime_seconds": round(time.monotonic() - self._started_monotonic, 3),
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "requests": {"total": sum(self.requests.values()), "by_route": dict(self.requests)},
                "responses": dict(self.statuses),
                "errors": self.errors,
                "texts": self.texts,
                "batches": self.batches,
                "latency": latency,
                "emotions": dict(self.emotions),
            }


def _percentile(sorted_values: list[float], pct: float) -> float | None:
    if not sorted_values:
        return None
    # Nearest-rank: always a latency that was actually observed.
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return round(sorted_values[int(rank) - 1], 3)
