// Names for the API's shapes. The shapes themselves are generated from the server's
// OpenAPI into ./schema.d.ts by `bin/gen-api-types` (never edit that file by hand).
import type { components } from "./schema";

type Schemas = components["schemas"];

export type UserOut = Schemas["UserOut"];
export type LoginOut = Schemas["LoginOut"];
export type DemoUserOut = Schemas["DemoUserOut"];

export type DefinitionSummaryOut = Schemas["DefinitionSummaryOut"];
export type DefinitionOut = Schemas["DefinitionOut"];
export type NodeOut = Schemas["NodeOut"];
export type NextOut = Schemas["NextOut"];
export type LineErrorOut = Schemas["LineErrorOut"];
export type ValidationOut = Schemas["ValidationOut"];

export type TaskOut = Schemas["TaskOut"];
export type TaskDetailOut = Schemas["TaskDetailOut"];
export type TaskPage = Schemas["TaskPageOut"];
export type DecisionOut = Schemas["DecisionOut"];
export type BulkOut = Schemas["BulkOut"];
export type BulkResultOut = Schemas["BulkResultOut"];

export type InstanceSummaryOut = Schemas["InstanceSummaryOut"];
export type InstanceOut = Schemas["InstanceOut"];
export type InstancePage = Schemas["ListPage_InstanceSummaryOut_"];
export type InstanceStatus = InstanceSummaryOut["status"];
export type TimelineOut = Schemas["TimelineOut"];
export type AttachmentOut = Schemas["AttachmentOut"];
export type AttachmentLimitsOut = Schemas["AttachmentLimitsOut"];
export type VisitOut = Schemas["VisitOut"];

export type ProcessOut = Schemas["ProcessOut"];
export type ReportOut = Schemas["ReportOut"];
export type WhatIfOut = Schemas["WhatIfOut"];
export type DraftOut = Schemas["DraftOut"];

export type ProblemOut = Schemas["ProblemOut"];

export type BoardRow = Schemas["BoardRowOut"];
export type BoardPage = Schemas["BoardPageOut"];
export type NotificationOut = Schemas["NotificationOut"];
export type UnreadOut = Schemas["UnreadOut"];
export type MarkReadOut = Schemas["MarkReadOut"];
export type PreferencesOut = Schemas["PreferencesOut"];
export type PreferencesIn = Schemas["PreferencesIn"];
export type OutboxOut = Schemas["OutboxOut"];
export type AuditPageOut = Schemas["Page_AuditEntryOut_"];
export type AuditEntryOut = Schemas["AuditEntryOut"];
export type OutboxPageOut = Schemas["OutboxPageOut"];
export type RetryOut = Schemas["RetryOut"];
export type ChannelsOut = Schemas["ChannelsOut"];
export type ChannelTestOut = Schemas["ChannelTestOut"];
export type EventsTicketOut = Schemas["EventsTicketOut"];
