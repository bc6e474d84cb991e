"""The ceiling: a bare FastAPI app with no Signoff code in the request path.

``POST /noop/{i}`` answers at once. ``POST /txn/{instance}/{task}`` runs, in one
transaction through SQLAlchemy Core, the statements Signoff ran when it approved a
template task (captured by ``bench.rawdb``), with the template's instance and task ids
replaced by the ones in the path and every id the template created replaced by a fresh
one. Signoff's approve endpoint is compared with the second; the first shows what the
HTTP stack alone costs. Configured by environment variables (uvicorn starts it in each
worker): ``BENCH_CEILING_DB`` (a SQLAlchemy URL) and ``BENCH_CEILING_TEMPLATE`` (a pickle
of ``(statements, (template instance id, template task id))``).
"""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from fastapi import FastAPI

from bench.rawdb import Statement


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    url = os.environ.get("BENCH_CEILING_DB")
    engine = sa.create_engine(url, pool_size=10, max_overflow=20) if url else None
    template: list[Statement] = []
    ids: tuple[UUID, UUID] = (uuid4(), uuid4())
    if path := os.environ.get("BENCH_CEILING_TEMPLATE"):
        template, ids = pickle.loads(Path(path).read_bytes())

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @app.post("/noop/{i}")
    def noop(i: int) -> dict[str, Any]:
        return {"ok": True, "i": i}

    @app.post("/txn/{instance_id}/{task_id}")
    def txn(instance_id: UUID, task_id: UUID) -> dict[str, Any]:
        assert engine is not None, "BENCH_CEILING_DB is not set"
        swap = _Swap({ids[0]: instance_id, ids[1]: task_id})
        with engine.begin() as conn:
            for sql, params, many in template:
                conn.exec_driver_sql(sql, swap(params) if not many else
                                     [swap(p) for p in params])
        return {"ok": True}

    return app


class _Swap:
    """Replaces ids in driver parameters: the given ones as mapped, any other id (one the
    template created, such as new task ids) by a fresh one, consistently within a request.
    Ids appear as ``UUID`` objects, as 32-hex strings (SQLite) and inside JSON text."""

    def __init__(self, mapping: dict[UUID, UUID]) -> None:
        self.map = dict(mapping)

    def _id(self, u: UUID) -> UUID:
        if u not in self.map:
            self.map[u] = uuid4()
        return self.map[u]

    def _text(self, s: str) -> str:
        if len(s) == 32 and _HEX32.fullmatch(s):
            return self._id(UUID(s)).hex
        if "-" in s and _UUID.search(s):
            return _UUID.sub(lambda m: str(self._id(UUID(m.group(0)))), s)
        return s

    def __call__(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return self._id(value)
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if type(value).__name__ in ("Json", "Jsonb"):  # psycopg's JSON wrapper
            return type(value)(self(value.obj), value.dumps)
        if isinstance(value, list | tuple):
            return type(value)(self(v) for v in value)
        return value


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
