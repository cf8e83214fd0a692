"""Lambda cost per million texts from measured handler durations and Lambda's list prices."""

from __future__ import annotations

import math
from typing import Any

MEMORY_MB = 1769  # 1 vCPU; the memory size template.yaml gives both functions
PRICES: dict[str, Any] = {
    "region": "us-east-1",
    "architecture": "x86_64",
    "usd_per_gb_second": 0.0000166667,
    "usd_per_million_requests": 0.20,
    "as_of": "2026-11-21",
    "source": "https://aws.amazon.com/lambda/pricing/",
    "note": ("Lambda's long-standing x86 list price as known on the date above (first pricing tier, no free "
             "tier, no Savings Plans); check the source before quoting. Billed duration is rounded up to 1 ms."),
}


def invocation_cost(seconds: float, memory_mb: int = MEMORY_MB) -> float:
    billed_s = math.ceil(seconds * 1000) / 1000
    gb = memory_mb / 1024
    return float(billed_s * gb * PRICES["usd_per_gb_second"] + PRICES["usd_per_million_requests"] / 1e6)


def per_million(invocation_seconds: list[float], texts: int, memory_mb: int = MEMORY_MB) -> float | None:
    if not invocation_seconds or not texts:
        return None
    total = sum(invocation_cost(s, memory_mb) for s in invocation_seconds)
    return round(total / texts * 1e6, 4)


def cost_section(api_warm_s: list[float], bulk_rows: list[dict[str, Any]]) -> dict[str, Any]:
    api = {
        "path": "API: one text per request (functions.api.handler, warm invocations measured in-process)",
        "invocations_measured": len(api_warm_s),
        "mean_ms_per_request": round(sum(api_warm_s) / len(api_warm_s) * 1000, 3) if api_warm_s else None,
        "usd_per_million_texts": per_million(api_warm_s, len(api_warm_s)),
    }
    bulk = []
    for row in bulk_rows:
        seconds = row.get("invocation_s") or []
        bulk.append({
            "chunk_size": row["chunk_size"],
            "handler_ms_per_text": row.get("handler_ms_per_text"),
            "usd_per_million_texts": per_million(seconds, int(row.get("processed") or 0)),
        })
    return {
        "memory_mb": MEMORY_MB,
        "prices": PRICES,
        "api": api,
        "bulk": bulk,
        "excludes": ("API Gateway, SQS, S3, DynamoDB and CloudWatch charges; cold starts (init is billed "
                     "for container images); the speed difference between this CPU core and a Lambda vCPU"),
    }
