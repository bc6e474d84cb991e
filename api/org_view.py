"""How an org sync is shown: ``OrgSyncOut`` (the API's answer and ``signoff org import
--json``) and ``sync_text`` (the CLI's preview)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from engine.org_sync import SyncResult


class _Out(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class MovedOut(_Out):
    username: str
    manager_before: str | None = None
    manager_after: str | None = None
    unit_before: str | None = None
    unit_after: str | None = None
    manager_changed: bool
    unit_changed: bool


class ChangedOut(_Out):
    username: str
    fields: list[str]


class HandoverOut(_Out):
    """An open task of someone leaving and who takes it (``to`` null: nobody found; an
    admin must delegate it). After an apply, ``done`` says whether it moved."""

    task_id: UUID
    instance_id: UUID
    definition_key: str
    node: str
    holder: str
    to: str | None
    done: bool
    note: str


class OrgSyncOut(_Out):
    applied: bool
    new: list[str]
    moved: list[MovedOut]
    changed: list[ChangedOut]
    left: list[str]
    kept: list[str]  # admins missing from the incoming org, kept
    units_new: list[str]
    units_changed: list[str]
    units_removed: list[str]
    roles_new: list[str]
    handovers: list[HandoverOut]


def sync_out(result: SyncResult) -> OrgSyncOut:
    p = result.plan
    return OrgSyncOut(
        applied=result.applied, new=list(p.new),
        moved=[MovedOut(username=m.username,
                        manager_before=m.manager[0] if m.manager else None,
                        manager_after=m.manager[1] if m.manager else None,
                        unit_before=m.unit[0] if m.unit else None,
                        unit_after=m.unit[1] if m.unit else None,
                        manager_changed=m.manager is not None, unit_changed=m.unit is not None)
               for m in p.moved],
        changed=[ChangedOut(username=u, fields=list(f)) for u, f in p.changed],
        left=list(p.left), kept=list(p.kept), units_new=list(p.units_new),
        units_changed=list(p.units_changed), units_removed=list(p.units_removed),
        roles_new=list(p.roles_new),
        handovers=[HandoverOut(task_id=h.task.task_id, instance_id=h.task.instance_id,
                               definition_key=h.task.definition_key, node=h.task.node,
                               holder=h.task.holder, to=h.to, done=h.done, note=h.note)
                   for h in result.handovers])


def _names(items: list[str] | tuple[str, ...]) -> str:
    return ", ".join(items) if items else "-"


def sync_text(result: SyncResult) -> str:
    p = result.plan
    lines = ["Applied:" if result.applied else "Preview (nothing written; --apply to write):",
             f"  new users ({len(p.new)}): {_names(p.new)}",
             f"  moved ({len(p.moved)}):"]
    for m in p.moved:
        parts = []
        if m.manager is not None:
            parts.append(f"manager {m.manager[0] or '-'} -> {m.manager[1] or '-'}")
        if m.unit is not None:
            parts.append(f"unit {m.unit[0] or '-'} -> {m.unit[1] or '-'}")
        lines.append(f"    {m.username}: {', '.join(parts)}")
    lines += [f"  changed ({len(p.changed)}): "
              + _names([f"{u} ({', '.join(f)})" for u, f in p.changed]),
              f"  leaving ({len(p.left)}): {_names(p.left)}"]
    if p.kept:
        lines.append(f"  admins not in the file, kept: {_names(p.kept)}")
    lines += [f"  units: new {_names(p.units_new)}; changed {_names(p.units_changed)}; "
              f"removed {_names(p.units_removed)}",
              f"  open tasks to move ({len(result.handovers)}):"]
    for h in result.handovers:
        state = ("moved" if h.done else f"NOT moved: {h.note}") if result.applied else \
            ("" if h.to else "nobody up the reporting line can take it")
        to = h.to or "-"
        lines.append(f"    {h.task.definition_key}/{h.task.node} {h.task.instance_id}: "
                     f"{h.task.holder} -> {to}" + (f" ({state})" if state else ""))
    return "\n".join(lines)


__all__ = ["HandoverOut", "OrgSyncOut", "sync_out", "sync_text"]
