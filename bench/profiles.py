"""Profiles of Signoff's side of each benchmark (pyinstrument), to explain missed targets.

``python -m bench.profiles [NAME ...]`` writes ``bench/results/profile-NAME.txt`` for
``memory``, ``persisted`` (SQLite) and ``analytics`` (pyinstrument, in process), and ``approve`` and
``inbox`` (py-spy sampling a one-process ``signoff serve`` on PostgreSQL under load: the
routes run in worker threads, which an in-process profiler of the main thread misses).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pyinstrument import Profiler

from bench import dbs, http_bench, persisted, workload
from bench.harness import RESULTS_DIR, ROOT, eprint


def _profile(name: str, fn: Callable[[], object]) -> Path:
    prof = Profiler(interval=0.0005)
    prof.start()
    try:
        fn()
    finally:
        prof.stop()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"profile-{name}.txt"
    path.write_text(prof.output_text(unicode=False, color=False, show_all=False))
    eprint(f"profile: {path}")
    return path


def memory() -> Path:
    workload.run_in_memory(2)
    return _profile("memory", lambda: workload.run_in_memory(200))


def persisted_sqlite() -> Path:
    url = dbs.fresh("sqlite")
    directory = workload.org()
    with persisted.opened(url) as db:
        persisted.setup(db, directory)
        states = persisted.start_all(db, directory, 50)
        return _profile("persisted", lambda: persisted.decide_rounds(
            states, lambda st, now: persisted.decide_one(db, directory, st, now)))


def _server_profile(name: str, url: str, requests: list[dict[str, object]],
                    clients: int, seconds: float = 10) -> Path:
    """Sample a one-process ``signoff serve`` with py-spy while the load generator runs;
    write the hottest functions (own time and total time) as text."""
    from bench import servers

    port = servers.free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SIGNOFF_DATABASE_URL": url, "SIGNOFF_JWT_SECRET":
               http_bench.SECRET, "SIGNOFF_STATE_DIR": tmp,
               "SIGNOFF_UI_DIST": str(Path(tmp) / "no-ui")}
        with servers.server(http_bench.signoff_cmd(port, 1), port, env=env,
                            ready_path="/api/health") as proc:
            raw = Path(tmp) / "stacks.txt"
            spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record",
                                    "--pid", str(proc.pid), "--duration", str(int(seconds)),
                                    "--rate", "250", "--gil", "--nonblocking", "--full-filenames",
                                    "--format", "raw",
                                    "--output", str(raw)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            out = servers.load(port, requests, clients, seconds)  # type: ignore[arg-type]
            spy.wait(timeout=seconds + 60)
            text = _summarise(raw.read_text() if raw.exists() else "", out)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"profile-{name}.txt"
    path.write_text(text)
    eprint(f"profile: {path}")
    return path


def _summarise(collapsed: str, load: dict[str, object], top: int = 45) -> str:
    """py-spy's collapsed stacks -> the functions with the most samples, total and own."""
    total: Counter[str] = Counter()
    own: Counter[str] = Counter()
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        samples += n
        frames = [_short(f) for f in stack.split(";")]
        for f in set(frames):
            total[f] += n
        own[frames[-1]] += n
    head = (f"py-spy --gil (samples taken while a thread held the GIL), one worker process, "
            f"{samples} samples; load: "
            f"{load.get('per_second', 0):.0f} requests/s, p50 {load.get('p50_ms', 0):.1f} ms, "
            f"p99 {load.get('p99_ms', 0):.1f} ms\n")
    lines = [head, "== total (inclusive) share of samples"]
    lines += [f"{100 * n / max(samples, 1):5.1f}%  {f}" for f, n in total.most_common(top)]
    ours = [(f, n) for f, n in total.most_common() if f.split(" (")[1].startswith(
        ("api/", "engine/"))]
    lines += ["", "== Signoff's own functions (api/, engine/), total share of samples"]
    lines += [f"{100 * n / max(samples, 1):5.1f}%  {f}" for f, n in ours[:top]]
    lines += ["", "== own (exclusive) share of samples"]
    lines += [f"{100 * n / max(samples, 1):5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    """``fn (/abs/path/site-packages/pkg/mod.py:12)`` -> ``fn (pkg/mod.py)``; files of this
    repository relative to its root."""
    fn, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]  # per function, not per line
    parts = where.split("/")
    if "site-packages" in parts:
        return f"{fn} ({'/'.join(parts[len(parts) - parts[::-1].index('site-packages'):])})"
    root = str(ROOT) + "/"
    if where.startswith(root):
        return f"{fn} ({where[len(root):]})"
    return f"{fn} ({'/'.join(parts[-2:])})"


def approve() -> Path:
    url = dbs.fresh("postgresql")
    pairs = http_bench.seed(url, 4000)
    auth = {"Authorization": f"Bearer {http_bench.token()}"}
    reqs: list[dict[str, object]] = [
        {"method": "POST", "path": f"/api/tasks/{t}/approve", "json": {}, "headers": auth}
        for _, t in pairs]
    return _server_profile("approve", url, reqs, clients=16)


def inbox() -> Path:
    from bench import inbox as inbox_bench

    url = dbs.fresh("postgresql")
    inbox_bench.seed(url, 100_000)
    tokens = inbox_bench._tokens(inbox_bench.real_approvers())
    reqs: list[dict[str, object]] = [
        {"path": "/api/tasks?limit=50", "headers": {"Authorization": f"Bearer {tokens[0]}"}}
        for _ in range(20_000)]
    return _server_profile("inbox", url, reqs, clients=1)


def analytics() -> Path:
    from bench import eventlog, signoff_mining

    path = eventlog.ensure(RESULTS_DIR / "data", int(os.environ.get("BENCH_LOG_EVENTS",
                                                                    "200000")))
    return _profile("analytics", lambda: signoff_mining.stats(path))


PROFILES: dict[str, Callable[[], Path]] = {
    "memory": memory, "persisted": persisted_sqlite, "approve": approve, "inbox": inbox,
    "analytics": analytics,
}

if __name__ == "__main__":
    try:
        for name in sys.argv[1:] or list(PROFILES):
            PROFILES[name]()
    finally:
        dbs.drop_all()
