import { z } from "zod";
import { RECORD_ACTIONS } from "../domain/records.ts";
import { WELCOME_CHANNELS, WELCOME_STATUSES } from "../domain/welcome-template.ts";
import {
  actorSchema,
  documentId,
  fieldValueSchema,
  idParamOf,
  isoTime,
  pagingQuery,
  problemSchema,
} from "./common.ts";
import { TASK_STATUSES, TASK_TRIGGERS, TASK_TYPES } from "./task-values.ts";

/** Sync tasks: starting one, the history's filters, a task, and its per-record details. */

export type { RecordAction } from "../domain/records.ts";
export {
  TASK_STATUSES,
  TASK_TYPES,
  type TaskStatus,
  type TaskTrigger,
  type TaskType,
} from "./task-values.ts";

export const taskIdParam = idParamOf("task");
/** The connection a task is started for: any document id; an unknown one answers 404. */
export const startTaskConnectionParam = idParamOf("connection");

/** POST /api/connections/:id/tasks. */
export const startTaskSchema = z.object({ type: z.enum(TASK_TYPES) }).strict();
export type StartTask = z.input<typeof startTaskSchema>;

/** GET /api/tasks: the history's filters; since/until bound when a task was asked for. */
export const taskQuerySchema = z
  .object({
    connectionId: documentId("connection").optional(),
    status: z.enum(TASK_STATUSES).optional(),
    type: z.enum(TASK_TYPES).optional(),
    trigger: z.enum(TASK_TRIGGERS).optional(),
    since: isoTime.optional(),
    until: isoTime.optional(),
    ...pagingQuery,
  })
  .strict();
export type TaskFilters = Omit<z.input<typeof taskQuerySchema>, "continuationToken" | "pageSize">;

/** GET /api/tasks/:id/records (and records.csv). */
export const recordQuerySchema = z
  .object({
    action: z.enum(RECORD_ACTIONS).optional(),
    kind: z.enum(["user", "list"]).optional(),
    q: z.string().trim().max(200).optional(),
    ...pagingQuery,
  })
  .strict();
export type RecordQuery = z.infer<typeof recordQuerySchema>;
export type RecordFilters = Omit<z.input<typeof recordQuerySchema>, "continuationToken" | "pageSize">;

const countersSchema = z.object({
  processed: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  deactivated: z.number(),
  deleted: z.number(),
  restored: z.number(),
  skipped: z.number(),
  errors: z.number(),
});
export type Counters = z.infer<typeof countersSchema>;

/** A task as the API shows it (its checkpoint is the engine's business and never leaves the API). */
export const taskSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  connectionName: z.string(),
  taskType: z.enum(TASK_TYPES),
  trigger: z.enum(TASK_TRIGGERS),
  requestedBy: actorSchema,
  status: z.enum(TASK_STATUSES),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  progress: z.object({ phase: z.string(), processed: z.number(), total: z.number().optional() }),
  counters: z.object({ users: countersSchema, lists: countersSchema }),
  error: problemSchema.optional(),
  halt: z
    .object({
      wouldDelete: z.number(),
      wouldDeactivate: z.number(),
      sample: z.array(z.string()),
      threshold: z.string(),
    })
    .optional(),
  notes: z.array(z.string()),
  /** Graph throttled the run: how often, and when last. */
  throttle: z.object({ count: z.number(), lastAt: z.string() }).optional(),
  cancelRequested: z.boolean().optional(),
});
export type Task = z.infer<typeof taskSchema>;

const recordMemberSchema = z.object({
  sourceId: z.string(),
  name: z.string(),
  profileId: z.string().optional(),
});
export type RecordMember = z.infer<typeof recordMemberSchema>;

/** What became of a created person's welcome notice (api/welcome/). */
export const welcomeOutcomeSchema = z.object({
  status: z.enum(WELCOME_STATUSES),
  channel: z.enum(WELCOME_CHANNELS).optional(),
  /** The skip reason or the failure's cause. */
  detail: z.string().optional(),
  attempts: z.number().optional(),
  at: z.string(),
});

/** One row of a task's details: what the task did to one user or list, and why. */
export const taskRecordSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  kind: z.enum(["user", "list"]),
  sourceId: z.string(),
  name: z.string(),
  email: z.string().optional(),
  upn: z.string().optional(),
  action: z.enum(RECORD_ACTIONS),
  reason: z.string().optional(),
  changedFields: z.array(z.string()).optional(),
  /** Old and new values of the changed fields. */
  changes: z.record(z.string(), z.object({ from: fieldValueSchema, to: fieldValueSchema })).optional(),
  /** For lists: the members added and removed, named. */
  members: z.object({ added: z.array(recordMemberSchema), removed: z.array(recordMemberSchema) }).optional(),
  /** The synced profile (users) or list (lists) the record is about, when it still exists. */
  profileId: z.string().optional(),
  listId: z.string().optional(),
  /** For a created person, while welcome notices are on. */
  welcome: welcomeOutcomeSchema.optional(),
  at: z.string(),
});
export type TaskRecord = z.infer<typeof taskRecordSchema>;
