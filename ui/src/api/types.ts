// Shapes from docs/api.md (the HTTP contract). Optional fields are ones the UI can live without.

export interface UserOut {
  username: string;
  name: string;
  name_zh?: string | null;
  email?: string | null;
  manager?: string | null;
  roles: string[];
  is_admin: boolean;
  is_process_owner: boolean;
  locale?: string | null;
}

export interface LoginOut {
  access_token: string;
  token_type: string;
  expires_at: string;
  user: UserOut;
}

export interface DemoUser {
  username: string;
  password: string;
  name: string;
  name_zh?: string | null;
  description?: string | null;
  description_zh?: string | null;
  roles?: string[];
}

export interface DefinitionSummary {
  key: string;
  title: string;
  title_zh?: string | null;
  description?: string | null;
  description_zh?: string | null;
  version: number;
  versions: number[];
  node_count: number;
}

export interface NodeNext {
  action: string;
  to: string;
  if?: string | null;
}

export interface DefinitionNode {
  id: string;
  title?: string | null;
  title_zh?: string | null;
  kind: "approval" | "notify" | "final" | string;
  mode?: string | null;
  approvers: string[];
  sla_seconds?: number | null;
  actions: string[];
  next: NodeNext[];
}

export interface DefinitionOut extends DefinitionSummary {
  form_schema: Record<string, unknown>;
  ui_schema?: Record<string, unknown> | null;
  start: string;
  nodes: DefinitionNode[];
  mermaid: string;
  yaml: string;
}

export interface LineError {
  line?: number | null;
  column?: number | null;
  message: string;
}

export interface ValidateOut {
  valid: boolean;
  errors: LineError[];
}

export interface TaskOut {
  id: string;
  instance_id: string;
  definition: string;
  definition_title?: string | null;
  node: string;
  node_title?: string | null;
  assignee: string;
  status: "pending" | "waiting" | "done" | "cancelled" | string;
  created_at: string;
  due_at?: string | null;
  overdue: boolean;
  due_soon: boolean;
  instance_title?: string | null;
  initiator: string;
  actions: string[];
  return_targets?: string[];
}

export interface TimelineEntry {
  at: string;
  kind: string;
  actor?: string | null;
  node?: string | null;
  node_title?: string | null;
  action?: string | null;
  comment?: string | null;
  duration_seconds?: number | null;
}

export interface Visit {
  node: string;
  node_title?: string | null;
  visit: number;
  entered_at: string;
  left_at?: string | null;
  outcome?: string | null;
  decided_by?: string | null;
  duration_seconds?: number | null;
}

export type InstanceStatus =
  | "running" | "returned" | "approved" | "rejected" | "withdrawn" | "cancelled";

export interface InstanceSummaryOut {
  id: string;
  definition: string;
  definition_title?: string | null;
  definition_version?: number;
  title?: string | null;
  initiator: string;
  status: InstanceStatus | string;
  outcome?: string | null;
  current_node?: string | null;
  current_node_title?: string | null;
  holders?: string[];
  since?: string | null;
  started_at: string;
  finished_at?: string | null;
}

export interface InstanceOut extends InstanceSummaryOut {
  data: Record<string, unknown>;
  tasks: TaskOut[];
  timeline: TimelineEntry[];
  visits: Visit[];
  mermaid?: string | null;
  can_withdraw: boolean;
  can_resubmit: boolean;
}

export interface TaskDetailOut extends TaskOut {
  instance: InstanceOut;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface BulkResult {
  task_id: string;
  ok: boolean;
  status: number;
  detail?: string | null;
}
