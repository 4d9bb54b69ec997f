/**
 * Wire types of the HTTP API (api/http/ROUTES.md). Duplicated on purpose: the tab talks HTTP only and
 * never imports from api/. Keep these to what the screens read.
 */

export interface Problem {
  code: string;
  message: string;
  remedy: string;
}

export interface ErrorBody {
  error: Problem & {
    fields?: Record<string, string>;
    /** Sent with `consent-required`: where an admin grants consent. */
    consentUrl?: string;
    url?: string;
    /** Sent with `already-running`. */
    taskId?: string;
  };
}

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

export interface Me {
  tenantId: string;
  oid: string;
  name: string;
  upn: string;
  isAdmin: boolean;
  canRead: boolean;
  csrfToken?: string;
}

export interface Actor {
  oid: string;
  name: string;
  upn?: string;
}

export type ConnectionKind = "graph-app" | "graph-delegated" | "scim";
export type ConnectionStatus = "active" | "inactive" | "needs-reauth" | "error";
export type TaskType = "full" | "users" | "lists" | "incremental" | "preview";
export type TaskTrigger = "manual" | "schedule" | "bot" | "api" | "scim" | "notification";
export type TaskStatus = "queued" | "running" | "succeeded" | "failed" | "halted" | "cancelled";
export type RecordStatus = "active" | "inactive" | "deleted";
export type RecordAction =
  | "created"
  | "updated"
  | "unchanged"
  | "deactivated"
  | "deleted"
  | "restored"
  | "skipped"
  | "error"
  /** Held back by the deletion guard until an admin confirms. */
  | "pending-delete"
  | "pending-deactivate";

export interface Mapping {
  source: string;
  /** `field:<profile field>` or `attribute:<custom attribute name>`. */
  target: string;
}

export type RuleOperator = "equals" | "notEquals" | "startsWith" | "isEmpty" | "isNotEmpty";

export interface Rule {
  attribute: string;
  operator: RuleOperator;
  value: string;
  effect: "include" | "exclude";
}

/** Mirrors api/domain/sync-settings.ts (the zod schema there is the source of truth). */
export interface SyncSettings {
  what: "users-and-lists" | "users" | "lists";
  users: {
    scope: "all" | "groups" | "emails" | "administrativeUnits";
    groupIds: string[];
    emails: string[];
    administrativeUnitIds: string[];
    filter: string;
    rules: Rule[];
    guests: "include" | "exclude";
    excludeResourceAccounts: boolean;
    disabled: "inactive" | "exclude";
  };
  lists: { scope: "all" | "ids"; groupIds: string[]; namePrefix: string };
  mirror: boolean;
  deletionGuard: { enabled: boolean; maxCount: number; maxPercent: number };
  retentionDays: number;
  updateOnly: boolean;
  mapping: Mapping[];
  email: { proxyAddresses: boolean; otherMails: boolean; userPrincipalName: boolean };
  required: string[];
  photos: boolean;
}

export interface Schedule {
  enabled: boolean;
  intervalMinutes: number;
  fullEveryHours: number;
  quiet: boolean;
}

export interface Connection {
  id: string;
  name: string;
  kind: ConnectionKind;
  status: ConnectionStatus;
  statusProblem?: Problem & { since: string };
  warning?: Problem & { since: string };
  clientId?: string;
  secretHint?: string;
  /** When the client secret expires, read from the app registration by the connection test. */
  secretExpiresAt?: string;
  hasSecret?: boolean;
  consentPending?: { step: string; startedAt: string };
  consent?: { adminObjectId: string; adminUpn: string; consentedAt: string; permissions: string[] };
  settings: SyncSettings;
  schedule: Schedule;
  allowConcurrent?: boolean;
  lastTask?: { id: string; type: TaskType; status: TaskStatus; finishedAt?: string };
  nextRunAt?: string;
  createdAt: string;
  updatedAt: string;
  updatedBy?: Actor;
  _etag?: string;
  etag?: string;
}

export interface NewConnection {
  name: string;
  kind: "graph-app" | "graph-delegated";
  clientId?: string;
  clientSecret?: string;
}

export interface ConnectionPatch {
  name?: string;
  settings?: SyncSettings;
  schedule?: Schedule;
  clientSecret?: string;
  allowConcurrent?: boolean;
}

export interface PermissionCheck {
  permission: string;
  status: "granted" | "missing" | "rejected";
  detail?: string;
  /** Not needed to sync (the bot's chat admin check): missing leaves `ok` true. */
  optional?: boolean;
}

export interface TestResult {
  ok: boolean;
  checks: PermissionCheck[];
  /** Why the test failed, when it did; `consent-required` carries the URL to grant consent. */
  error?: Problem & { consentUrl?: string };
}

export interface Counters {
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  deleted: number;
  restored: number;
  skipped: number;
  errors: number;
}

export interface Task {
  id: string;
  connectionId: string;
  connectionName: string;
  taskType: TaskType;
  trigger: TaskTrigger;
  requestedBy: Actor;
  status: TaskStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: { phase: string; processed: number; total?: number };
  counters: { users: Counters; lists: Counters };
  error?: Problem;
  halt?: { wouldDelete: number; wouldDeactivate: number; sample: string[]; threshold: string };
  notes: string[];
  /** Graph throttled the run: how often, and when last. */
  throttle?: { count: number; lastAt: string };
  cancelRequested?: boolean;
}

export interface TaskFilters {
  connectionId?: string;
  status?: TaskStatus;
  type?: TaskType;
  trigger?: TaskTrigger;
  /** ISO times: tasks asked for at or after `since` and before `until`. */
  since?: string;
  until?: string;
}

export interface TaskRecord {
  id: string;
  taskId: string;
  kind: "user" | "list";
  sourceId: string;
  name: string;
  email?: string;
  upn?: string;
  action: RecordAction;
  reason?: string;
  changedFields?: string[];
  /** Old and new values of the changed fields. */
  changes?: Record<string, { from: FieldValue; to: FieldValue }>;
  /** For lists: the members added and removed, named. */
  members?: { added: RecordMember[]; removed: RecordMember[] };
  /** The synced profile (users) or list (lists) the record is about, when it still exists. */
  profileId?: string;
  listId?: string;
  at: string;
}

export interface RecordMember {
  sourceId: string;
  name: string;
  profileId?: string;
}

export interface RecordFilters {
  action?: RecordAction;
  kind?: "user" | "list";
  q?: string;
}

export type FieldValue = string | number | boolean | string[] | null;

export interface Profile {
  id: string;
  connectionId: string;
  sourceId: string;
  source: "entra" | "scim" | "manual";
  status: RecordStatus;
  deletedAt?: string;
  /** When a deleted profile is purged for good. */
  purgeAfter?: string;
  fields: Record<string, FieldValue>;
  attributes: Record<string, FieldValue>;
  displayName: string;
  lastTaskId: string;
  createdAt: string;
  updatedAt: string;
}

export interface List {
  id: string;
  connectionId: string;
  sourceId: string;
  source: "entra" | "scim" | "manual";
  status: RecordStatus;
  deletedAt?: string;
  name: string;
  description: string | null;
  mail: string | null;
  groupTypes: string[];
  memberCount: number;
  lastTaskId: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProfileWithLists extends Profile {
  lists?: Pick<List, "id" | "name" | "status">[];
}

export interface DirectoryFilters {
  q?: string;
  status?: RecordStatus;
}

/** GET /api/why: a verdict, what the last task did, and a live scope check per active connection. */
/** One member of a synced list, as GET /api/lists/:id/members answers it. */
export interface ListMember {
  sourceId: string;
  /** Absent when the member has no synced profile of the list's connection. */
  profileId?: string;
  displayName?: string;
  email: FieldValue;
  jobTitle: FieldValue;
  status?: RecordStatus;
}

/** A person found in Entra ID by the people picker. */
export interface PersonHit {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  jobTitle: string | null;
  profileId?: string;
}

export interface WhyAnswer {
  who: string;
  synced: boolean;
  verdict: string;
  profile?: Pick<Profile, "id" | "displayName" | "status" | "connectionId" | "updatedAt" | "deletedAt">;
  lastRecord?: Pick<TaskRecord, "taskId" | "action" | "reason" | "at" | "changedFields">;
  checks: { connectionId: string; connectionName: string; inScope: boolean; reasons: string[] }[];
}

export interface AttributeDefinition {
  name: string;
  label: string;
  valueType: "string" | "number" | "boolean" | "string[]";
}

/** GET /api/audit filters; `since`/`until` are ISO times. */
export interface AuditFilters {
  targetId?: string;
  action?: string;
  since?: string;
  until?: string;
}

export interface AuditEntry {
  id: string;
  actor: Actor;
  action: string;
  target: { kind: string; id: string; name?: string };
  changes: Record<string, { from: unknown; to: unknown }>;
  at: string;
}

export type EventKind =
  | "sync-finished"
  | "sync-failed"
  | "sync-halted"
  | "needs-reauth"
  | "admin-warning"
  | "delivery-failed";

export interface AppEvent {
  id: string;
  kind: EventKind;
  connectionId?: string;
  taskId?: string;
  problem?: Problem;
  summary: string;
  createdAt: string;
  delivery?: { status: "pending" | "delivered" | "failed"; at?: string; error?: string };
}

export interface GroupHit {
  id: string;
  displayName: string;
  mail?: string | null;
  description?: string | null;
  /** A readable type ("Microsoft 365", "Security", …) when the API sends one. */
  groupType?: string;
  groupTypes?: string[];
  securityEnabled?: boolean;
  mailEnabled?: boolean;
  memberCount?: number | null;
}

/** Whether Graph change notifications drive a connection (GET /api/connections/:id/live), or why not. */
export interface LiveStatus {
  state: "live" | "schedule-only" | "off" | "push";
  problem?: Problem & { since?: string };
  lastNotificationAt?: string;
  lastLifecycle?: { event: string; at: string };
  subscriptions: { resource: "users" | "groups"; expiresAt: string }[];
}
