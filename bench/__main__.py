"""``python -m bench [--quick] [--only PART ...] [--db sqlite|postgresql ...]``.

Runs the parts of issue 7 (memory, persisted, http, inbox, analytics), prints tables and
writes JSON to bench/results/. ``bin/bench`` installs the ``bench`` extra and calls this.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable

from bench import dbs, report, sections
from bench.harness import Results, eprint, write_json

PARTS = ("memory", "persisted", "http", "inbox", "analytics", "prediction", "timers")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bin/bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of the harness")
    ap.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"),
                    default=["sqlite", "postgresql"])
    ap.add_argument("--name", default="latest", help="JSON file name in bench/results/")
    args = ap.parse_args(argv)
    size = sections.Size.quick() if args.quick else sections.Size.full()
    res = Results()
    kinds = tuple(args.db)
    if "postgresql" in kinds and (why := dbs.pg_available()):
        res.skip("postgresql", why)
        kinds = tuple(k for k in kinds if k != "postgresql")
    parts: dict[str, Callable[[], None]] = {
        "memory": lambda: sections.memory(res, size),
        "persisted": lambda: sections.persisted(res, size, kinds),
        "http": lambda: _http(res, size, kinds),
        "inbox": lambda: _inbox(res, size, kinds),
        "analytics": lambda: sections.analytics(res, size),
        "prediction": lambda: _prediction(res, size),
        "timers": lambda: _timers(res, size, kinds),
    }
    failed = 0
    for name in args.only:
        eprint(f"== {name}")
        t0 = time.perf_counter()
        try:
            parts[name]()
        except Exception:  # a broken part is reported, the others still run
            failed += 1
            res.skip(name, "FAILED: " + traceback.format_exc(limit=6).strip().replace("\n", " | "))
        finally:
            dbs.drop_all()
        eprint(f"   {name} took {time.perf_counter() - t0:.1f} s")
    report.show(res)
    eprint(f"JSON: {write_json(res, args.name)}")
    return 1 if failed else 0


def _http(res: Results, size: sections.Size, kinds: tuple[str, ...]) -> None:
    from bench import http_bench

    http_bench.run(res, size, kinds)


def _inbox(res: Results, size: sections.Size, kinds: tuple[str, ...]) -> None:
    from bench import inbox

    inbox.run(res, size, kinds)


def _prediction(res: Results, size: sections.Size) -> None:
    from bench import prediction

    prediction.run(res, size.prediction_instances, size.repeats)


def _timers(res: Results, size: sections.Size, kinds: tuple[str, ...]) -> None:
    from bench import timers

    if "postgresql" not in kinds:
        res.skip("timers", "PostgreSQL only (workers claiming with SKIP LOCKED)")
        return
    timers.run(res, 500 if size.repeats < 3 else 5000, max(1, size.repeats // 2))
    from bench import delivery

    delivery.run(res, 100.0, 2.0 if size.repeats < 3 else 10.0)


if __name__ == "__main__":
    sys.exit(main())
