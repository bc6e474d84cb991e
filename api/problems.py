"""Every error as an RFC 9457 problem document (``application/problem+json``).

Engine errors carry data, not HTTP codes: ``STATUS`` maps their classes to a status here,
once; an error gets the status of its nearest class in ``STATUS`` (``status_of``).
Field errors are listed under ``errors``: JSON pointers into the submitted data
(``{"pointer", "message"}``), query/path/header parameters (``{"parameter", "in",
"message"}``), or YAML positions (``{"line", "column", "message"}``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.context import current_request_id
from api.messages import localize_problem, wants_zh
from engine.core.attachments import AttachmentTooLarge, AttachmentTypeRefused
from engine.core.errors import (
    AnalysisError,
    AnalysisInvalid,
    ConcurrentUpdate,
    DefinitionInvalid,
    DefinitionNotFound,
    EngineError,
    ExpressionFailed,
    FormInvalid,
    IdempotencyConflict,
    InstanceNotFound,
    NoApproverFound,
    NothingToAnalyse,
    NotPermitted,
    TaskNotFound,
    TransitionNotAllowed,
    UserNotFound,
)

MEDIA_TYPE = "application/problem+json"

STATUS: dict[type[EngineError], int] = {
    EngineError: 400,
    InstanceNotFound: 404, TaskNotFound: 404, DefinitionNotFound: 404, NotPermitted: 403,
    TransitionNotAllowed: 409, ConcurrentUpdate: 409, FormInvalid: 422,
    DefinitionInvalid: 422, NoApproverFound: 422, UserNotFound: 422,
    IdempotencyConflict: 422, AnalysisError: 422, AnalysisInvalid: 422,
    NothingToAnalyse: 404, ExpressionFailed: 422,
    AttachmentTooLarge: 413, AttachmentTypeRefused: 415,
}
_TITLES = {400: "Bad request", 401: "Not signed in", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 413: "Too large",
           415: "Unsupported file type", 422: "Invalid input",
           503: "Unavailable"}


class Problem(Exception):
    """An API-level error that is not an engine error (not signed in, unknown user...)."""

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: Sequence[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.errors = list(errors) if errors is not None else None
        self.headers = headers


def status_of(exc: EngineError) -> int:
    """The status of the most specific class of ``exc`` in ``STATUS`` (its MRO walked, as
    Starlette picks exception handlers): adding a subclass never changes its parent's."""
    for cls in type(exc).__mro__:
        status = STATUS.get(cls)
        if status is not None:
            return status
    return 400


def problem_body(status: int, title: str, detail: str, instance: str, *,
                 type_: str | None = None,
                 errors: Sequence[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_ or f"/problems/{status}", "title": title,
                            "status": status, "detail": detail, "instance": instance}
    if errors is not None:
        body["errors"] = list(errors)
    if (request_id := current_request_id()) is not None:
        body["request_id"] = request_id
    return body


def engine_problem(exc: EngineError, instance: str) -> dict[str, Any]:
    name = type(exc).__name__
    return problem_body(status_of(exc), name, str(exc), instance,
                        type_=f"/problems/{name}", errors=field_errors(exc))


def field_errors(exc: object) -> list[dict[str, Any]] | None:
    """The ``errors`` an engine error carries, as JSON-safe dicts (or None)."""
    raw = getattr(exc, "errors", None)
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes | dict):
        return None
    return [_error_dict(item) for item in raw]


def _error_dict(item: object) -> dict[str, Any]:
    if isinstance(item, tuple) and len(item) == 2 and not hasattr(item, "_asdict"):
        return {"pointer": str(item[0]), "message": str(item[1])}  # FormInvalid
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        data = dataclasses.asdict(item)
    elif isinstance(item, dict):
        data = dict(item)
    elif hasattr(item, "_asdict"):
        data = dict(item._asdict())
    else:
        return {"message": str(item)}
    return {k: v for k, v in data.items() if v is not None}


def _pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = loc[0] if loc else "body"
        message = str(err.get("msg", "invalid"))
        if where == "body":
            out.append({"pointer": _pointer(loc[1:]), "message": message})
        else:
            out.append({"parameter": ".".join(str(p) for p in loc[1:]), "in": where,
                        "message": message})
    return out


def respond(body: dict[str, Any], headers: dict[str, str] | None = None,
            request: Request | None = None, labels: Mapping[str, str] | None = None
            ) -> JSONResponse:
    """``body`` as a problem response; its messages in Chinese when ``request`` asks for
    Chinese (``Accept-Language: zh*``), form fields by their Chinese ``labels``."""
    if request is not None:
        body = localize_problem(body, wants_zh(request.headers.get("accept-language")),
                                labels)
    return JSONResponse(body, status_code=int(body["status"]), media_type=MEDIA_TYPE,
                        headers=headers)


async def _on_engine_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EngineError)
    labels = exc.labels_zh if isinstance(exc, FormInvalid) else None
    return respond(engine_problem(exc, request.url.path), request=request, labels=labels)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return respond(problem_body(exc.status, exc.title, exc.detail, request.url.path,
                                errors=exc.errors), exc.headers, request)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    detail = f"{len(errors)} field{'s are' if len(errors) != 1 else ' is'} invalid"
    return respond(problem_body(422, "RequestInvalid", detail, request.url.path,
                                type_="/problems/RequestInvalid", errors=errors),
                   request=request)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = _TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    return respond(problem_body(exc.status_code, title, detail, request.url.path),
                   dict(exc.headers) if exc.headers else None, request)


def install(app: FastAPI) -> None:
    """Register the handlers once on ``app``."""
    app.add_exception_handler(EngineError, _on_engine_error)
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)


__all__ = ["MEDIA_TYPE", "STATUS", "Problem", "engine_problem", "install",
           "problem_body", "respond", "status_of", "validation_errors"]
