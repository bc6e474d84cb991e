"""Engine errors: one base class, each error names the situation and carries data.

They never carry HTTP status codes; ``api/problems.py`` maps them. The tree::

    EngineError
    ├── DefinitionInvalid        errors: list[DefinitionError] (all problems of one source)
    │   └── DirectoryInvalid     the org directory file itself is broken
    ├── DefinitionNotFound       key, version
    ├── InstanceNotFound         instance_id
    ├── TaskNotFound             task_id
    ├── UserNotFound             username (delegate / add signer / start by an unknown user)
    ├── NotPermitted             actor, action, reason
    ├── TransitionNotAllowed     node, action, reason (not allowed in this state)
    ├── FormInvalid              errors: list[(json_pointer, message)]
    ├── NoApproverFound          node, rule
    ├── ExpressionFailed         expression, reason (a condition failed on this data)
    ├── ConcurrentUpdate         instance_id, expected_seq (raised by the store)
    ├── IdempotencyConflict      key, username (a key reused for a different request)
    └── AnalysisError            analytics could not answer (also a ValueError)
        ├── AnalysisInvalid      the question is malformed (engine.analytics raises
        │   │                    subclasses: CalendarInvalid, LogInvalid,
        │   │                    MappingInvalid, WhatIfInvalid)
        └── NothingToAnalyse     what      (no finished requests in the period asked)

``api/problems.py`` maps each class to an HTTP status once; a subclass without its own
entry gets its nearest ancestor's (the exception's MRO is walked, most specific first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DefinitionError:
    """One problem in a YAML source, 1-based ``line`` and ``column``. ``severity``
    ``"warning"`` marks advice (``engine.core.lint``): printed ``path:line:column: warning:
    message``, it never makes a definition invalid."""

    source: str
    line: int
    column: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.source}:{self.line}:{self.column}: {tag}{self.message}"


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class DefinitionInvalid(EngineError):
    """``hidden``: follow-on errors left out (``engine.core.explain.root_causes``)."""

    def __init__(self, errors: list[DefinitionError], hidden: int = 0) -> None:
        self.errors = list(errors)
        self.hidden = hidden
        super().__init__("\n".join(str(e) for e in self.errors))


class DirectoryInvalid(DefinitionInvalid):
    pass


class DefinitionNotFound(EngineError):
    def __init__(self, key: str, version: int | None = None) -> None:
        self.key, self.version = key, version
        suffix = f" version {version}" if version is not None else ""
        super().__init__(f"no process definition {key!r}{suffix}")


class InstanceNotFound(EngineError):
    def __init__(self, instance_id: UUID | None) -> None:
        self.instance_id = instance_id
        super().__init__(f"no instance {instance_id}" if instance_id else "no such instance")


class TaskNotFound(EngineError):
    def __init__(self, task_id: UUID) -> None:
        self.task_id = task_id
        super().__init__(f"no task {task_id}")


class UserNotFound(EngineError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"no user {username!r} in the directory")


class NotPermitted(EngineError):
    def __init__(self, actor: str, action: str, reason: str) -> None:
        self.actor, self.action, self.reason = actor, action, reason
        super().__init__(f"{actor} may not {action}: {reason}")


class TransitionNotAllowed(EngineError):
    def __init__(self, node: str | None, action: str, reason: str) -> None:
        self.node, self.action, self.reason = node, action, reason
        where = f" at {node!r}" if node else ""
        super().__init__(f"{action} not allowed{where}: {reason}")


class FormInvalid(EngineError):
    def __init__(self, errors: list[tuple[str, str]],
                 labels_zh: Mapping[str, str] | None = None) -> None:
        self.errors = list(errors)
        self.labels_zh = dict(labels_zh or {})  # field label -> Chinese (forms.labels_zh)
        n = len(self.errors)
        head = f"{n} field{'s are' if n != 1 else ' is'} invalid"
        super().__init__(head + "".join(f"; {p or '/'}: {m}" for p, m in self.errors))


class NoApproverFound(EngineError):
    def __init__(self, node: str, rule: str) -> None:
        self.node, self.rule = node, rule
        super().__init__(f"no approver found for node {node!r} (rule {rule})")


class ExpressionFailed(EngineError):
    def __init__(self, expression: str, reason: str) -> None:
        self.expression, self.reason = expression, reason
        super().__init__(f"condition {expression!r} cannot be evaluated: {reason}")


class ConcurrentUpdate(EngineError):
    def __init__(self, instance_id: UUID, expected_seq: int) -> None:
        self.instance_id, self.expected_seq = instance_id, expected_seq
        super().__init__(f"instance {instance_id} changed concurrently "
                         f"(expected seq {expected_seq})")


class IdempotencyConflict(EngineError):
    """The key was already used by this user for a different request."""

    def __init__(self, key: str, username: str) -> None:
        self.key, self.username = key, username
        super().__init__(f"Idempotency-Key {key!r} was already used by {username} "
                         "for a different request")


class AnalysisError(EngineError, ValueError):
    """Base of the errors of ``engine.analytics`` (a ``ValueError`` too, for callers that
    catch bad input as such)."""


class AnalysisInvalid(AnalysisError):
    """A malformed question: bad calendar, log, column mapping or what-if scenario."""


class NothingToAnalyse(AnalysisError):
    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


__all__ = [
    "AnalysisError", "AnalysisInvalid", "ConcurrentUpdate", "DefinitionError",
    "DefinitionInvalid", "DefinitionNotFound", "DirectoryInvalid", "EngineError",
    "ExpressionFailed", "FormInvalid", "IdempotencyConflict", "InstanceNotFound",
    "NoApproverFound", "NotPermitted", "NothingToAnalyse", "TaskNotFound",
    "TransitionNotAllowed", "UserNotFound",
]
