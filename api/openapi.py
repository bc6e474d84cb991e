"""The OpenAPI document: every error a route can answer, declared as an RFC 9457 problem.

Routers pass ``problem_responses(...)`` as their ``responses=``: each status becomes an
``application/problem+json`` response whose schema is ``ProblemOut``.
``install(app)`` adds ``ProblemOut`` to the document's components (FastAPI only collects
models it validates). ``document()`` is the OpenAPI JSON of the current code, the one
``bin/gen-api-types`` writes to ``ui/openapi.json`` for the UI's generated types.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from api.problems import MEDIA_TYPE

_REF = "#/components/schemas/{model}"

_WHEN = {
    400: "The request cannot be read",
    401: "Not signed in, or the token is invalid or expired",
    403: "Signed in, but not allowed to do this",
    404: "No such resource",
    409: "Conflicts with the current state (already decided, a concurrent change)",
    413: "The request body is too large",
    422: "Invalid input: the fields in `errors` say which and why",
    429: "Too many attempts: retry after the `Retry-After` header's seconds",
    503: "Busy for a moment: retry after the `Retry-After` header's seconds",
}


class FieldErrorOut(BaseModel):
    """One invalid field: a JSON pointer into the body, a parameter, or a YAML position."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    message: str
    pointer: str | None = Field(None, description="JSON pointer into the request body")
    parameter: str | None = Field(None, description="Name of a query, path or header "
                                                    "parameter")
    in_: str | None = Field(None, alias="in", description="Where the parameter is: query, "
                                                          "path, header")
    line: int | None = Field(None, description="1-based line in a YAML source")
    column: int | None = Field(None, description="1-based column in a YAML source")


class ProblemOut(BaseModel):
    """An error, as an RFC 9457 problem document (``application/problem+json``)."""

    type: str = Field(description="`/problems/<EngineError name>` or `/problems/<status>`")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path that was requested")
    errors: list[FieldErrorOut] | None = Field(None, description="The invalid fields")
    request_id: str | None = Field(None, description="This request's id (also the "
                                                     "`X-Request-ID` header), as logged")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a router or route: each status as a problem document."""
    schema = {"$ref": _REF.format(model=ProblemOut.__name__)}
    return {status: {"description": _WHEN.get(status, "Error"),
                     "content": {MEDIA_TYPE: {"schema": schema}}}
            for status in sorted(statuses)}


# The problems every signed-in route may answer: no or a bad token, too large a body,
# too many requests, invalid parameters.
SIGNED_IN = (401, 413, 422, 429)


def install(app: FastAPI) -> None:
    """Build the document once, with ``ProblemOut`` among its schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version,
                              openapi_version=app.openapi_version,
                              description=app.description, routes=app.routes)
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            problem = ProblemOut.model_json_schema(ref_template=_REF, mode="serialization")
            schemas.update(problem.pop("$defs", {}))
            schemas[ProblemOut.__name__] = problem
            doc["components"]["schemas"] = dict(sorted(schemas.items()))
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document() -> str:
    """The OpenAPI JSON of the code as it is (no database or UI needed), as committed."""
    from api.app import create_app
    from api.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database_url="sqlite://", jwt_secret="openapi",
                            definitions_dir=Path(tmp), ui_dist=Path(tmp) / "dist",
                            state_dir=Path(tmp), demo=False)  # no .env: same everywhere
        app = create_app(settings)
        doc = app.openapi()
        app.state.runtime.close()
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(document(), end="")


__all__ = ["SIGNED_IN", "FieldErrorOut", "ProblemOut", "document", "install",
           "problem_responses"]
