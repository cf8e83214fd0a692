"""A bounded soak (issue 10): minutes of mixed good and bad traffic at concurrency 8 against one local
uvicorn, reporting answers by status, latency percentiles per interval and the server's RSS over time.

    python -m bench.soak --minutes 3            # -> bench/results/soak-<date>.json and .md

Bad traffic is what hostile or careless clients send: malformed JSON, missing and unknown fields, a
wrong key, oversize bodies and texts, a deep JSON document. Good traffic: single texts and batches.
The numbers to watch are 5xx (must be 0), the p99 per interval, and whether the RSS keeps growing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO_ROOT, percentiles_ms
from bench.loadtest import start_server, stop_server

KEY = "soak-key"
CONCURRENCY = 8
_GOOD = ["I love this, thank you!", "This is the third time my delivery is late.", "so sad and alone",
         "What a surprise, I did not expect that", "ok", "Thanks a lot for deleting my account"]


def requests_mix(seed: int) -> list[tuple[str, str, dict[str, str], bytes]]:
    """(kind, path, headers, body) cases, good and bad, cycled by the clients."""
    json_headers = {"Content-Type": "application/json", "X-API-Key": KEY}
    one = [("good", "/v1/predict-emotion", json_headers, json.dumps({"text": t}).encode()) for t in _GOOD]
    batch = ("good", "/v1/predict-emotion-batch", json_headers, json.dumps({"texts": _GOOD}).encode())
    bad = [
        ("bad", "/v1/predict-emotion", json_headers, b'{"text": "unterminated'),
        ("bad", "/v1/predict-emotion", json_headers, b'{"txt": "a typo in the field"}'),
        ("bad", "/v1/predict-emotion", json_headers, json.dumps({"text": "x", "include_score": True}).encode()),
        ("bad", "/v1/predict-emotion", {**json_headers, "X-API-Key": "wrong"}, b'{"text": "hi"}'),
        ("bad", "/v1/predict-emotion", json_headers, json.dumps({"text": "!" * 20_000}).encode()),
        ("bad", "/v1/predict-emotion", json_headers, b"[" * 50_000 + b"]" * 50_000),
        ("bad", "/v1/predict-emotion-batch", json_headers, json.dumps({"texts": ["a"] * 500}).encode()),
        # Too much model work for one request (thousands of windows): 413 before any inference.
        ("bad", "/v1/predict-emotion-batch", json_headers, json.dumps({"texts": ["! " * 4_500] * 64}).encode()),
        ("bad", "/v1/predict-emotion", json_headers, b'{"text": "' + b"a" * 1_200_000 + b'"}'),
    ]
    cases = one * 3 + [batch] * 2 + bad
    random.Random(seed).shuffle(cases)
    return cases


@dataclass
class Interval:
    started: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    rss_mb: float | None = None  # the server's, at the interval's end


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


async def _soak(url: str, pid: int, seconds: float, interval_s: float, seed: int) -> list[dict[str, Any]]:
    cases = requests_mix(seed)
    intervals = [Interval(time.perf_counter())]
    done = time.perf_counter() + seconds
    sent = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        async def user() -> None:
            nonlocal sent
            while time.perf_counter() < done:
                kind, path, headers, body = cases[sent % len(cases)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    status = str((await client.post(path, content=body, headers=headers)).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                current = intervals[-1]
                current.latencies.append(time.perf_counter() - t0)
                current.statuses[f"{kind} {status}"] = current.statuses.get(f"{kind} {status}", 0) + 1

        async def sampler() -> None:
            while time.perf_counter() < done:
                await asyncio.sleep(interval_s)
                intervals[-1].rss_mb = rss_mb(pid)
                intervals.append(Interval(time.perf_counter()))

        await asyncio.gather(sampler(), *(user() for _ in range(CONCURRENCY)))
    intervals[-1].rss_mb = rss_mb(pid)
    return [{"interval": index, "requests": len(part.latencies), "statuses": dict(sorted(part.statuses.items())),
             "rss_mb": part.rss_mb, **percentiles_ms(part.latencies)}
            for index, part in enumerate(intervals) if part.latencies]


def soak(bundle_dir: Path, minutes: float, workdir: Path, *, interval_s: float = 30.0, seed: int = 7) -> dict[str, Any]:
    proc, url = start_server(bundle_dir, workers=1, threads=1, log=workdir / "soak-uvicorn.log",
                             env={"API_KEYS": KEY})
    try:
        start_rss = rss_mb(proc.pid)
        rows = asyncio.run(_soak(url, proc.pid, minutes * 60, interval_s, seed))
    finally:
        stop_server(proc)
    totals: dict[str, int] = {}
    for row in rows:
        for status, count in row["statuses"].items():
            totals[status] = totals.get(status, 0) + count
    return {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "minutes": minutes,
            "concurrency": CONCURRENCY, "bundle": str(bundle_dir), "rss_mb_at_start": start_rss,
            "totals_by_kind_and_status": dict(sorted(totals.items())),
            "server_errors": sum(count for status, count in totals.items() if status.split()[-1].startswith("5")),
            "intervals": rows}


def markdown(result: dict[str, Any]) -> str:
    lines = [f"# Soak, {result['measured_at']}", "",
             f"{result['minutes']} min at concurrency {result['concurrency']}, one uvicorn process, one onnxruntime "
             f"thread, bundle `{result['bundle']}`; RSS at start {result['rss_mb_at_start']} MB; "
             f"**5xx: {result['server_errors']}**.", "",
             "| answers (traffic kind, status) | count |", "|---|---|"]
    lines += [f"| {status} | {count} |" for status, count in result["totals_by_kind_and_status"].items()]
    lines += ["", "| interval | requests | p50 ms | p99 ms | server RSS MB |", "|---|---|---|---|---|"]
    lines += [f"| {r['interval']} | {r['requests']} | {r['p50_ms']} | {r['p99_ms']} | {r['rss_mb']} |"
              for r in result["intervals"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds per reported interval")
    parser.add_argument("--bundle", type=Path, default=REPO_ROOT / "layers" / "model")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # The server's log goes to a scratch folder: the results folder keeps reports only.
    result = soak(args.bundle, args.minutes, Path(tempfile.mkdtemp(prefix="soak-")), interval_s=args.interval)
    stem = args.out / f"soak-{result['measured_at'][:10]}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    stem.with_suffix(".md").write_text(markdown(result))
    sys.stdout.write(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
