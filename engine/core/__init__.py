"""The pure engine core: definitions, org directory, decide, replay, diagrams.

Nothing here does I/O except the explicit ``load_*`` functions, and nothing reads the
clock: ``now`` is always passed in.
"""

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
from engine.core.decide import decide, decide_and_fold, may_comment, may_view, return_targets
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

__all__ = [
    "FINAL_STATUSES", "AddComment", "AddSigner", "ApproverRule", "CancelInstance", "Catalog",
    "Command", "ConcurrentUpdate", "DecideTask", "DefinitionError", "DefinitionInvalid",
    "DefinitionNotFound", "DelegateTask", "DirectoryInvalid", "EngineError", "FormInvalid",
    "InstanceNotFound", "InstanceState", "MemoryCatalog", "NoApproverFound", "Node",
    "NotPermitted", "OrgDirectory", "Policies", "ProcessDefinition", "Resubmit", "Route",
    "StartInstance", "TaskNotFound", "TaskState", "TransitionNotAllowed", "User",
    "UserNotFound", "Withdraw", "apply", "decide", "decide_and_fold", "definition_schema",
    "directory_from_csv", "directory_from_yaml", "evaluate_condition", "form_errors", "format_sla",
    "load_definition", "load_definition_file", "load_directory", "may_comment", "may_view",
    "mermaid",
    "open_tasks", "parse_sla", "pending_tasks", "replay", "return_targets",
]
