"""The pure engine core: definitions, org directory, decide, replay, diagrams.

Nothing here does I/O except the explicit ``load_*`` functions, and nothing reads the
clock: ``now`` is always passed in.
"""

# The names below are imported when first used (PEP 562), so that importing one module
# of the core (``engine.core.calendar`` for the analytics, say) does not import them all:
# the catalog, decide, forms (jsonschema, fastjsonschema) and YAML cost about 0.2 s of CPU
# in a process that needs none of them. ``decide`` is imported from ``engine.core.decide``:
# the package cannot hand out a function under the name of its own submodule lazily.

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.core.catalog import Catalog, MemoryCatalog
    from engine.core.commands import (
        AddComment,
        AddSigner,
        CancelInstance,
        Command,
        DecideTask,
        DelegateTask,
        Resubmit,
        StartInstance,
        Withdraw,
    )
    from engine.core.conditions import evaluate as evaluate_condition
    from engine.core.decide import decide_and_fold, may_comment, may_view, return_targets
    from engine.core.definition import (
        ApproverRule,
        Node,
        Policies,
        ProcessDefinition,
        Route,
        format_sla,
        parse_sla,
    )
    from engine.core.diagram import mermaid
    from engine.core.directory import (
        OrgDirectory,
        User,
        directory_from_csv,
        directory_from_yaml,
        load_directory,
    )
    from engine.core.errors import (
        ConcurrentUpdate,
        DefinitionError,
        DefinitionInvalid,
        DefinitionNotFound,
        DirectoryInvalid,
        EngineError,
        FormInvalid,
        InstanceNotFound,
        NoApproverFound,
        NotPermitted,
        TaskNotFound,
        TransitionNotAllowed,
        UserNotFound,
    )
    from engine.core.forms import form_errors
    from engine.core.loader import definition_schema, load_definition, load_definition_file
    from engine.core.state import (
        FINAL_STATUSES,
        InstanceState,
        TaskState,
        apply,
        open_tasks,
        pending_tasks,
        replay,
    )

_WHERE: dict[str, tuple[str, str]] = {  # name -> (module, its name there)
    "Catalog": ("engine.core.catalog", "Catalog"),
    "MemoryCatalog": ("engine.core.catalog", "MemoryCatalog"),
    "AddComment": ("engine.core.commands", "AddComment"),
    "AddSigner": ("engine.core.commands", "AddSigner"),
    "CancelInstance": ("engine.core.commands", "CancelInstance"),
    "Command": ("engine.core.commands", "Command"),
    "DecideTask": ("engine.core.commands", "DecideTask"),
    "DelegateTask": ("engine.core.commands", "DelegateTask"),
    "Resubmit": ("engine.core.commands", "Resubmit"),
    "StartInstance": ("engine.core.commands", "StartInstance"),
    "Withdraw": ("engine.core.commands", "Withdraw"),
    "evaluate_condition": ("engine.core.conditions", "evaluate"),
    "decide_and_fold": ("engine.core.decide", "decide_and_fold"),
    "may_comment": ("engine.core.decide", "may_comment"),
    "may_view": ("engine.core.decide", "may_view"),
    "return_targets": ("engine.core.decide", "return_targets"),
    "ApproverRule": ("engine.core.definition", "ApproverRule"),
    "Node": ("engine.core.definition", "Node"),
    "Policies": ("engine.core.definition", "Policies"),
    "ProcessDefinition": ("engine.core.definition", "ProcessDefinition"),
    "Route": ("engine.core.definition", "Route"),
    "format_sla": ("engine.core.definition", "format_sla"),
    "parse_sla": ("engine.core.definition", "parse_sla"),
    "mermaid": ("engine.core.diagram", "mermaid"),
    "OrgDirectory": ("engine.core.directory", "OrgDirectory"),
    "User": ("engine.core.directory", "User"),
    "directory_from_csv": ("engine.core.directory", "directory_from_csv"),
    "directory_from_yaml": ("engine.core.directory", "directory_from_yaml"),
    "load_directory": ("engine.core.directory", "load_directory"),
    "ConcurrentUpdate": ("engine.core.errors", "ConcurrentUpdate"),
    "DefinitionError": ("engine.core.errors", "DefinitionError"),
    "DefinitionInvalid": ("engine.core.errors", "DefinitionInvalid"),
    "DefinitionNotFound": ("engine.core.errors", "DefinitionNotFound"),
    "DirectoryInvalid": ("engine.core.errors", "DirectoryInvalid"),
    "EngineError": ("engine.core.errors", "EngineError"),
    "FormInvalid": ("engine.core.errors", "FormInvalid"),
    "InstanceNotFound": ("engine.core.errors", "InstanceNotFound"),
    "NoApproverFound": ("engine.core.errors", "NoApproverFound"),
    "NotPermitted": ("engine.core.errors", "NotPermitted"),
    "TaskNotFound": ("engine.core.errors", "TaskNotFound"),
    "TransitionNotAllowed": ("engine.core.errors", "TransitionNotAllowed"),
    "UserNotFound": ("engine.core.errors", "UserNotFound"),
    "form_errors": ("engine.core.forms", "form_errors"),
    "definition_schema": ("engine.core.loader", "definition_schema"),
    "load_definition": ("engine.core.loader", "load_definition"),
    "load_definition_file": ("engine.core.loader", "load_definition_file"),
    "FINAL_STATUSES": ("engine.core.state", "FINAL_STATUSES"),
    "InstanceState": ("engine.core.state", "InstanceState"),
    "TaskState": ("engine.core.state", "TaskState"),
    "apply": ("engine.core.state", "apply"),
    "open_tasks": ("engine.core.state", "open_tasks"),
    "pending_tasks": ("engine.core.state", "pending_tasks"),
    "replay": ("engine.core.state", "replay"),
}


def __getattr__(name: str) -> Any:
    found = _WHERE.get(name)
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(found[0]), found[1])
    globals()[name] = value  # once: later lookups do not come here
    return value


__all__ = [
    "FINAL_STATUSES", "AddComment", "AddSigner", "ApproverRule", "CancelInstance", "Catalog",
    "Command", "ConcurrentUpdate", "DecideTask", "DefinitionError", "DefinitionInvalid",
    "DefinitionNotFound", "DelegateTask", "DirectoryInvalid", "EngineError", "FormInvalid",
    "InstanceNotFound", "InstanceState", "MemoryCatalog", "NoApproverFound", "Node",
    "NotPermitted", "OrgDirectory", "Policies", "ProcessDefinition", "Resubmit", "Route",
    "StartInstance", "TaskNotFound", "TaskState", "TransitionNotAllowed", "User",
    "UserNotFound", "Withdraw", "apply", "decide_and_fold", "definition_schema",
    "directory_from_csv", "directory_from_yaml", "evaluate_condition", "form_errors", "format_sla",
    "load_definition", "load_definition_file", "load_directory", "may_comment", "may_view",
    "mermaid",
    "open_tasks", "parse_sla", "pending_tasks", "replay", "return_targets",
]
