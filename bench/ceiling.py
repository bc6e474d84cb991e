"""The ceiling: a bare FastAPI app with no Signoff code in the request path.

``POST /noop/{i}`` answers at once; ``POST /txn/{i}`` runs decision ``i``'s captured
statements (``bench.rawdb``) in one transaction through SQLAlchemy Core. Signoff's approve
endpoint is compared with the second; the first shows what the HTTP stack alone costs.
Configured by environment variables (uvicorn starts it in each worker process):
``BENCH_CEILING_DB`` (a SQLAlchemy URL) and ``BENCH_CEILING_TXNS`` (a pickle of a list of
statement lists).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from bench.rawdb import Statement


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    url = os.environ.get("BENCH_CEILING_DB")
    engine = sa.create_engine(url, pool_size=10, max_overflow=20) if url else None
    txns: list[list[Statement]] = []
    if path := os.environ.get("BENCH_CEILING_TXNS"):
        txns = pickle.loads(Path(path).read_bytes())

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @app.post("/noop/{i}")
    def noop(i: int) -> dict[str, Any]:
        return {"ok": True, "i": i}

    @app.post("/txn/{i}")
    def txn(i: int) -> dict[str, Any]:
        assert engine is not None, "BENCH_CEILING_DB is not set"
        with engine.begin() as conn:
            for sql, params, many in txns[i]:
                conn.exec_driver_sql(sql, params if not many else list(params))
        return {"ok": True, "i": i}

    return app
