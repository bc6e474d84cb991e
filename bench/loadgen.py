"""HTTP load generator, run in its own process: ``python -m bench.loadgen PLAN.json``.

The plan lists the requests (method, path, headers, JSON body), the number of concurrent
clients, and a bound in count and time. Each client keeps one HTTP/1.1 keep-alive
connection and sends its next request as soon as the previous answer is in (closed
loop). Prints JSON: completed requests, elapsed time, throughput, p50/p90/p99 latency,
the status of every request sent (so the caller can check which were acknowledged), and
the CPU time the generator itself used.

Why a small hand-written client and not httpx: on a 2-core machine the load generator
shares the CPUs with the server it measures. httpx's AsyncClient costs several times more
CPU per request than these ~40 lines of asyncio streams, and every core-millisecond it
burns is taken from the server and shows up as a lower figure. The client speaks only
what the servers here answer: HTTP/1.1, keep-alive, ``Content-Length`` bodies.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)  # request index -> status
    errors: list[str] = field(default_factory=list)


def build_request(req: dict[str, Any], host: str) -> bytes:
    body = b"" if req.get("json") is None else json.dumps(req["json"]).encode()
    lines = [f"{req.get('method', 'GET')} {req['path']} HTTP/1.1", f"Host: {host}",
             f"Content-Length: {len(body)}"]
    if body:
        lines.append("Content-Type: application/json")
    lines += [f"{k}: {v}" for k, v in req.get("headers", {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            raise RuntimeError("chunked responses are not supported by this load generator")
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _client(host: str, port: int, queue: list[tuple[int, bytes]], deadline: float,
                  out: Outcome, record: bool) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while queue and time.perf_counter() < deadline:
            index, raw = queue.pop()
            t0 = time.perf_counter()
            writer.write(raw)
            try:
                status, _ = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                out.errors.append(f"request {index}: {exc!r}")
                out.statuses[index] = 0
                return
            if record:
                out.latencies.append(time.perf_counter() - t0)
            out.statuses[index] = status
    finally:
        writer.close()


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    host, port = plan["host"], int(plan["port"])
    requests = [build_request(r, host) for r in plan["requests"]]
    warmup = int(plan.get("warmup", 0))
    clients = int(plan["clients"])
    # pop() takes from the end: reverse so that requests go out in plan order
    warm = list(enumerate(requests[:warmup]))[::-1]
    warm_out = Outcome()
    await asyncio.gather(*(_client(host, port, warm, float("inf"), warm_out, False)
                           for _ in range(min(clients, max(warmup, 1)))))
    queue = list(enumerate(requests))[warmup:][::-1]
    out = Outcome()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(host, port, queue, t0 + float(plan["seconds"]), out, True)
                           for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    lat = sorted(out.latencies)
    ok = sum(1 for s in out.statuses.values() if 200 <= s < 300)
    return {
        "clients": clients, "completed": len(lat), "ok": ok, "elapsed": elapsed,
        "per_second": ok / elapsed if elapsed else 0.0,
        "p50_ms": _pct(lat, 50) * 1000, "p90_ms": _pct(lat, 90) * 1000,
        "p99_ms": _pct(lat, 99) * 1000,
        "status_counts": _count(out.statuses.values()),
        "statuses": {str(k): v for k, v in out.statuses.items()},
        "warmup_statuses": {str(k): v for k, v in warm_out.statuses.items()},
        "errors": (warm_out.errors + out.errors)[:20],
        "client_cpu_s": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
    }


def _pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (the value below which p% of the requests finished)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[str(v)] = counts.get(str(v), 0) + 1
    return counts


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        result = asyncio.run(run(json.load(f)))
    json.dump(result, sys.stdout)
