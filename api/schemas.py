"""Request (``...In``) and response (``...Out``) bodies, exactly as ``docs/api.md`` says."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    # A field with a default is always present in a response: OpenAPI marks it required.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


# --- auth and users ---------------------------------------------------------------

# No control characters in a user name (NUL cannot even be stored on PostgreSQL).
USERNAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"
PASSWORD_MAX = 200


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=100, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class UserOut(_Out):
    username: str
    name: str
    name_zh: str | None = None
    email: str | None = None
    manager: str | None = None
    roles: list[str] = []
    is_admin: bool = False
    is_process_owner: bool = False
    locale: str = "en"


class LoginOut(_Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserOut


class DemoUserOut(_Out):
    username: str
    password: str
    name: str
    name_zh: str | None = None
    description: str = ""


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=100)
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(_Out):
    id: int
    token: str
    name: str
    expires_at: datetime | None


class TokenSummaryOut(_Out):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None


class PasswordIn(_In):
    password: str = Field(min_length=8, max_length=PASSWORD_MAX)


class ChangePasswordIn(_In):
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=8, max_length=PASSWORD_MAX)


class OutOfOfficeIn(_In):
    delegate_to: str = Field(min_length=1)
    starts_at: datetime
    ends_at: datetime


class OutOfOfficeOut(_Out):
    username: str
    delegate_to: str
    starts_at: datetime
    ends_at: datetime


# --- definitions ------------------------------------------------------------------

class _DefinitionHead(_Out):
    """What the list and the detail of a definition both show."""

    key: str
    title: str
    title_zh: str | None = None
    description: str = ""
    description_zh: str | None = None
    version: int
    versions: list[int]


class DefinitionSummaryOut(_DefinitionHead):
    node_count: int
    retired_at: datetime | None = None
    retired_by: str | None = None


class NextOut(_Out):
    action: str
    to: str
    if_: str | None = Field(default=None, serialization_alias="if")
    if_text: str | None = None  # the condition with the form's field titles, for people


class NodeOut(_Out):
    id: str
    title: str
    title_zh: str | None = None
    description: str = ""
    description_zh: str | None = None
    kind: Literal["approval", "notify", "final", "fork", "service"]
    mode: str | None = None
    branches: dict[str, str] = {}  # a fork's branches: name -> first step
    join: Literal["all", "any"] | None = None  # when a fork's branches are joined
    approvers: list[str] = []
    # who decides (or is copied) and how, in words in the caller's language; no rule syntax
    approvers_text: str = ""
    mode_text: str = ""
    sla_seconds: float | None = None
    sla_text: str = ""  # the time limit in words in the caller's language ("2 days")
    actions: list[str] = []
    next: list[NextOut] = []


class DefinitionOut(_DefinitionHead):
    form_schema: dict[str, Any]
    ui_schema: dict[str, Any]
    start: str
    nodes: list[NodeOut]
    mermaid: str
    yaml: str
    warnings: list[LineErrorOut] = []  # only on publish: advice about the version stored
    retired_at: datetime | None = None
    retired_by: str | None = None
    retired_by_name: str | None = None  # the person's name in the caller's language


class LineErrorOut(_Out):
    """A problem at a line and column of a YAML text. ``severity`` ``warning``: advice
    (a step that cannot reject, a route never taken, approvers that can be empty) that
    never makes the text invalid."""

    line: int | None = None
    column: int | None = None
    message: str
    severity: Literal["error", "warning"] = "error"


class ValidationOut(_Out):
    """A draft checked: its errors (follow-on ones left out and counted in ``hidden``);
    when valid, its key, its diagram and the newest published version of that key."""

    valid: bool
    errors: list[LineErrorOut]
    warnings: list[LineErrorOut] = []  # severity "warning"; only for a valid text
    hidden: int = 0
    key: str | None = None
    mermaid: str | None = None
    published_version: int | None = None
    retired: bool = False


# --- instances and tasks ----------------------------------------------------------

class StartIn(_In):
    definition: str = Field(min_length=1)
    data: dict[str, Any] = {}


class CommentIn(_In):
    comment: str | None = Field(default=None, max_length=4000)


class ResubmitIn(_In):
    data: dict[str, Any] = {}


class TextIn(_In):
    text: str = Field(min_length=1, max_length=4000)


class CancelIn(_In):
    reason: str | None = Field(default=None, max_length=4000)


class ReturnIn(CommentIn):
    to: str | None = None


class DelegateIn(CommentIn):
    to: str = Field(min_length=1)


class AddSignerIn(CommentIn):
    user: str = Field(min_length=1)
    position: Literal["before", "after"] = "after"


class BulkApproveIn(_In):
    task_ids: list[UUID] = Field(min_length=1, max_length=500)
    comment: str | None = Field(default=None, max_length=4000)


class TaskOut(_Out):
    id: UUID
    instance_id: UUID
    number: str | None = Field(default=None, description="The request's number")
    definition: str
    definition_title: str
    node: str
    node_title: str
    assignee: str
    status: Literal["pending", "waiting", "done", "cancelled"]
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    due_soon: bool
    instance_title: str
    initiator: str
    actions: list[str]
    return_targets: list[str]
    decision: str | None = None
    decided_at: datetime | None = None
    reason_required: list[str] = Field(
        default_factory=list, description="The actions offered here that need a reason "
        "(the comment): reject and return unless the step says `reason: optional`")


class FieldChangeOut(_Out):
    field: str
    old: Any = None
    new: Any = None


class AttachmentOut(_Out):
    id: UUID
    name: str
    size: int = Field(description="Bytes")
    content_type: str = Field(description="Read from the file's content, not the client")
    replaces: UUID | None = Field(default=None,
                                  description="The earlier version this one replaces")
    field: str | None = Field(default=None, description="The form field holding it")
    actor: str | None = Field(default=None, description="Who attached it")
    at: datetime | None = Field(default=None, description="When it was attached")
    version: int = Field(default=1, description="1 for a first file, then 2, 3...")
    current: bool = Field(default=True, description="No later version replaces it")
    url: str = Field(description="GET it (signed in, involved in the request)")


class AttachmentLimitsOut(_Out):
    max_bytes: int = Field(description="Largest file accepted, in bytes")
    max_files: int = Field(description="Files in one upload")
    types: list[str] = Field(description="Accepted file extensions, such as .pdf")


class TimelineOut(_Out):
    at: datetime
    kind: str
    actor: str | None = None
    node: str | None = None
    node_title: str | None = None
    action: str | None = None
    comment: str | None = None
    to: str | None = None  # delegate / return target / next node / CC recipients
    auto: str | None = None  # the policy that decided when nobody clicked
    duration_seconds: float | None = None
    # at_risk: the predicted finish (deadline) or likely decision (sla), the limit it
    # passes, and the chance of missing the deadline
    expected_at: datetime | None = None
    limit_at: datetime | None = None
    chance: float | None = None
    attachment: AttachmentOut | None = None  # attachment_added: the file
    changes: list[FieldChangeOut] = Field(
        default_factory=list, description="A resubmission's changed form fields, in the "
        "form's order (null on the side where a field was absent)")


class ServiceUpdateOut(_Out):
    at: datetime
    status: str | None = None  # the answer's ``status`` field (shipped, in_transit, ...)
    data: dict[str, Any] = Field(default_factory=dict)


class ServiceOut(_Out):
    """One call of a service step to an outside system, and its answers so far."""

    step: str
    step_title: str
    system: str
    called_at: datetime
    waiting: bool  # the step still waits for the system
    timed_out_at: datetime | None = None
    updates: list[ServiceUpdateOut] = Field(default_factory=list)


class VisitOut(_Out):
    node: str
    node_title: str
    visit: int
    entered_at: datetime
    left_at: datetime | None
    outcome: str | None
    decided_by: str | None
    duration_seconds: float | None


class InstanceSummaryOut(_Out):
    id: UUID
    number: str | None = Field(default=None, description="The request number people "
                               "quote, e.g. SO-2026-00123")
    definition: str
    definition_version: int
    definition_title: str
    title: str
    initiator: str
    status: str
    outcome: str | None
    current_node: str | None
    current_node_title: str | None
    holders: list[str]
    since: datetime | None
    started_at: datetime
    finished_at: datetime | None


class PredictedFinishOut(BaseModel):
    """When a running request will likely finish (docs/prediction.md)."""

    median: datetime = Field(description="Half of similar requests finished by then")
    p80: datetime = Field(description="80th percentile: four in five finished by then")
    step_median: datetime = Field(description="The current step's likely decision")
    path: list[str] = Field(description="The steps still ahead, the current one first")


class InstanceOut(InstanceSummaryOut):
    data: dict[str, Any]
    tasks: list[TaskOut]
    timeline: list[TimelineOut]
    visits: list[VisitOut]
    mermaid: str
    can_withdraw: bool
    can_resubmit: bool
    can_cancel: bool
    deadline: datetime | None = Field(
        default=None, description="When the request must be finished (the process's "
        "deadline rule); null when the process declares none")
    predicted_finish: PredictedFinishOut | None = Field(
        default=None, description="Null once finished")
    at_risk: bool = Field(
        default=False, description="The chance of missing the deadline reaches the at-risk "
        "threshold (docs/prediction.md), or the current step's likely decision passes its "
        "tasks' due time, before either has passed")
    attachments: list[AttachmentOut] = Field(
        default_factory=list, description="Every file attached, every version, in order")
    services: list[ServiceOut] = Field(
        default_factory=list, description="The calls of service steps to outside systems "
        "and their answers so far (shipped, in transit, arrived...)")


class TaskDetailOut(TaskOut):
    instance: InstanceOut


class DecisionOut(_Out):
    """What a decision changed: the answer of approve unless ``?view=full`` asks for the
    whole request (``InstanceOut``), which costs the timeline, visits and diagram."""

    task_id: UUID
    action: str = Field(description="The decision taken: approve, reject, return...")
    instance_id: UUID
    number: str | None = Field(default=None, description="The request's number")
    status: str = Field(description="The request's status after the decision")
    outcome: str | None
    current_node: str | None = Field(description="The step it waits in now (the next "
                                     "step); null once finished")
    current_node_title: str | None
    holders: list[str] = Field(description="Who must act now")
    version: int = Field(description="The request's version (its number of events): it "
                         "grows with every change, so a client can tell a newer view")


class Page(_Out, Generic[T]):
    items: list[T]
    total: int


class ListPage(_Out, Generic[T]):
    """A page of a list that may be long (inbox, requests)."""

    items: list[T]
    total: int = Field(description="Rows matching the filters: exact when total_exact, "
                       "else an estimate (beyond 10,000 rows)")
    total_exact: bool


class TaskPageOut(ListPage[TaskOut]):
    """A page of the inbox."""

    next: str | None = Field(default=None, description="A cursor for the page after this "
                             "one (pass it as `after`); null when this page is not full")


class BulkResultOut(_Out):
    task_id: UUID
    ok: bool
    status: int
    detail: str | None = None


class BulkOut(_Out):
    results: list[BulkResultOut]
