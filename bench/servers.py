"""Starting servers for the HTTP benchmarks and driving the load generator against them.

Servers and the load generator are child processes of the benchmark, started and ended by
their own process ids; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.harness import ROOT

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def server(cmd: Sequence[str], port: int, env: dict[str, str] | None = None,
           ready_path: str = "/health", timeout: float = 60) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``cmd`` until the ``with`` block ends; wait until ``ready_path`` answers."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(list(cmd), cwd=ROOT, env={**os.environ, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_ready(proc, port, ready_path, timeout, log)
            yield proc
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, timeout: float,
                log: Any) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited {proc.returncode}:\n"
                               f"{log.read().decode(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"http://{HOST}:{port}{path}", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server on port {port} not ready after {timeout} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        # the server's own process group (uvicorn workers included); started by us above
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def uvicorn_cmd(app: str, port: int, workers: int, factory: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
           "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return cmd + (["--factory"] if factory else [])


def load(port: int, requests: list[dict[str, Any]], clients: int, seconds: float,
         warmup: int = 0) -> dict[str, Any]:
    """Run the load generator in its own process against ``port``; its JSON result."""
    plan = {"host": HOST, "port": port, "clients": clients, "seconds": seconds,
            "warmup": warmup, "requests": requests}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
        plan_path = Path(f.name)
    try:
        out = subprocess.run([sys.executable, "-m", "bench.loadgen", str(plan_path)], cwd=ROOT,
                             capture_output=True, timeout=seconds + 120, check=False)
    finally:
        plan_path.unlink()
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout)
    return result
